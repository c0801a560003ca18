from allauth.core.exceptions import RateLimited
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the person chose another language with the switch in the footer.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many phones
    here are set to English; the province wants every resident to see Vietnamese first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RateLimitedMiddleware:
    """allauth raises RateLimited from inside some flows (a verification SMS sent during
    sign-up) instead of answering 429; without this the person would see a 500 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return respond_429(request)
        return None


class NulRefusedMiddleware:
    """Refuse a NUL character in the path, the query string or a form field with a
    Vietnamese 400, before any view sees it.

    PostgreSQL text cannot hold NUL (psycopg raises ValueError, a 500 on every search box
    and form), and no person types one: it is always a probe or a broken client. Uploaded
    files' contents are not inspected (a workbook is binary); their names are.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            message = _(
                "Yêu cầu có ký tự không hợp lệ (ký tự rỗng) trong đường dẫn hoặc dữ liệu gửi "
                "lên. Hãy kiểm tra lại rồi thử lại."
            )
            if _wants_json(request):
                return JsonResponse({"ok": False, "message": message}, status=400)
            return HttpResponseBadRequest(
                render_to_string("400.html", {"message": message}, request=request)
            )
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "\x00" in request.path_info or "\x00" in request.path:
        return True
    if "%00" in request.META.get("QUERY_STRING", "") or _nul_in(request.GET):
        return True
    if request.method in ("POST", "PUT", "PATCH") and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        if _nul_in(request.POST):
            return True
        return any(
            "\x00" in (f.name or "") for _name, files in request.FILES.lists() for f in files
        )
    return False


def _nul_in(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


# Pages someone signed in without consent may still open: the consent page itself, the
# privacy notice it links to, leaving (logout), another account slip, the language switch
# and the load balancer's probe. Static files never get here (whitenoise answers first).
OPEN_WITHOUT_CONSENT = {
    "accounts:consent",
    "account_logout",
    "privacy",
    "sign_in_code",
    "switch_language",
    "health",
}


class ConsentRequiredMiddleware:
    """Until a signed-in person has agreed to the processing of their data (User.consent_at;
    accounts a coordinator created from a roster start without it), every other page sends
    them to the consent page with ?next=, and scripts' JSON requests get a 403 refusal.

    Sign-up asks for consent on its own form, so only people a roster created (and anyone
    made outside the sign-up paths) ever meet this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.consent_at is not None:
            return None
        if request.resolver_match.view_name in OPEN_WITHOUT_CONSENT:
            return None
        consent = reverse("accounts:consent")
        if _wants_json(request):
            message = _("Bạn cần đồng ý với việc xử lý dữ liệu cá nhân trước khi tiếp tục.")
            return JsonResponse(
                {"ok": False, "message": message, "consent_url": consent}, status=403
            )
        if request.method in ("GET", "HEAD"):
            consent = f"{consent}?{urlencode({'next': request.get_full_path()})}"
        return redirect(consent)


def _wants_json(request) -> bool:
    return (
        request.headers.get("x-requested-with") in ("fetch", "XMLHttpRequest")
        or request.content_type == "application/json"
        or "application/json" in request.headers.get("accept", "")
    )
