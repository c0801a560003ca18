from allauth.core.exceptions import RateLimited
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
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
            if request.headers.get("x-requested-with") == "fetch":
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
