"""Pages anyone may open: the front page, the language link, sign-up, and the one-time
sign-in link of an account slip or an assisted sign-up's SMS."""

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.cache import cache
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from accounts.models import Commune, User
from accounts.services.sign_in_codes import use_sign_in_code


def home(request):
    # COUNT(*) over every user is slow at province scale; the front page can be 5 minutes old.
    learners = cache.get_or_set("home:learner_count", User.objects.count, 300)
    return render(request, "home.html", {"learner_count": learners})


def switch_language(request, code: str):
    """The footer's language link: remember the choice in a cookie, go back where the
    person was. A plain link (no form, no CSRF token) so the footer can be cached."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    # Not redirect(): it would try a bare word such as "²" as a URL name and raise.
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def sign_in_code(request, token: str):
    """The QR on an account slip, or the link in an assisted sign-up's SMS: a page with one
    button, which signs in once, then asks for a password.

    Only the POST spends the one-time link: SMS and chat apps open links on their own to
    show a preview, and a GET that spent it would leave the person a dead link."""
    if request.method != "POST":
        return render(request, "accounts/sign_in_code.html", {"token": token})
    user = use_sign_in_code(token, now=timezone.now())
    if user is None:
        return render(request, "accounts/sign_in_code_invalid.html", status=404)
    login(request, user, backend="accounts.backends.ModelBackend")
    messages.success(
        request,
        _("Chào %(name)s! Hãy đặt mật khẩu để lần sau đăng nhập.")
        % {"name": user.get_short_name()},
    )
    set_password = f"{reverse('account_set_password')}?next={reverse('learning:my_learning')}"
    if user.consent_at is None:
        return redirect(f"{reverse('accounts:consent')}?{urlencode({'next': set_password})}")
    return redirect(set_password)


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, with the commune filled in from ?commune=00985 (the festival's
    printed QR codes and check-in links carry it)."""

    def get_initial(self):
        initial = super().get_initial()
        code = self.request.GET.get("commune", "")
        commune = Commune.objects.filter(code=code).first() if code.isdigit() else None
        if commune:
            initial["commune"] = commune
        return initial
