from django.urls import path

import accounts.converters  # noqa: F401  (registers <id:…>: at most 18 digits)
from accounts import views

app_name = "accounts"

urlpatterns = [
    path("ho-so/", views.profile, name="profile"),
    path("ho-so/sua/", views.profile_edit, name="profile_edit"),
    path("ho-so/dong-y/", views.consent, name="consent"),
    path("dieu-phoi/nguoi-hoc/", views.people_list, name="people_list"),
    path("dieu-phoi/nguoi-hoc/xuat-excel/", views.people_export, name="people_export"),
    path("dieu-phoi/nguoi-hoc/<id:pk>/", views.person_detail, name="person_detail"),
    path("dieu-phoi/nhap-danh-sach/", views.roster_upload, name="roster_upload"),
    path("dieu-phoi/nhap-danh-sach/mau.xlsx", views.roster_template, name="roster_template"),
    path("dieu-phoi/nhap-danh-sach/<id:pk>/", views.roster_preview, name="roster_preview"),
    path("dieu-phoi/nhap-danh-sach/<id:pk>/phieu.pdf", views.roster_slips, name="roster_slips"),
    path(
        "dieu-phoi/nhap-danh-sach/<id:pk>/loi.xlsx", views.roster_problems, name="roster_problems"
    ),
    path("dieu-phoi/don-vi/", views.organization_list, name="organization_list"),
    path("dieu-phoi/don-vi/them/", views.organization_add, name="organization_add"),
    path("dieu-phoi/don-vi/<id:pk>/sua/", views.organization_edit, name="organization_edit"),
    path("dieu-phoi/so-du-kien/", views.headcounts_list, name="headcounts"),
    path("dieu-phoi/so-du-kien/xuat-excel/", views.headcounts_export, name="headcounts_export"),
    path("dieu-phoi/so-du-kien/nhap/", views.headcounts_upload, name="headcounts_upload"),
    path("dieu-phoi/so-du-kien/nhap/<id:pk>/", views.headcounts_preview, name="headcounts_preview"),
    path("cong-viec/<id:pk>/", views.job_detail, name="job"),
    path("cong-viec/<id:pk>/tai-ve/", views.job_download, name="job_download"),
    path("cong-viec/<id:pk>/thu-lai/", views.job_retry, name="job_retry"),
]
