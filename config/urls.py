from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.views.generic import TemplateView

from accounts.views import site
from learning.views import festival

admin.site.site_header = "Học Số — Quản trị"
admin.site.site_title = "Học Số"
# Django's admin login checks a phone and password with no rate limit at all; staff sign in
# through allauth's login instead, where the per-number and per-address limits apply.
admin.site.login = secure_admin_login(admin.site.login)


def health(request):
    """For the load balancer, and the trivial reference view of bench/pages.py."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz/", health, name="health"),
    # Printed QR codes hold "HOST/Q/CODE" in capitals (QR alphanumeric mode: fewer modules).
    re_path(r"^[qQ]/(?P<code>[0-9A-Za-z]{4,12})/?$", festival.short_link, name="short_link"),
    path("tai-khoan/signup/", site.SignupView.as_view(), name="account_signup"),
    path("", site.home, name="home"),
    path(
        "quyen-rieng-tu/",
        TemplateView.as_view(template_name="privacy.html"),
        name="privacy",
    ),
    path("tai-khoan/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("learning.urls")),
    path("", include("quiz.urls")),
    path("quan-tri/", admin.site.urls),
    path("vao/<str:token>/", site.sign_in_code, name="sign_in_code"),
    path("ngon-ngu/<str:code>/", site.switch_language, name="switch_language"),
]
