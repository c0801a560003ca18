from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from accounts import views as account_views

admin.site.site_header = "Học Số — Quản trị"
admin.site.site_title = "Học Số"

urlpatterns = [
    path("", account_views.home, name="home"),
    path(
        "quyen-rieng-tu/",
        TemplateView.as_view(template_name="privacy.html"),
        name="privacy",
    ),
    path("tai-khoan/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("quan-tri/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
