from django.urls import path

import accounts.converters  # noqa: F401  (registers <id:…>: at most 18 digits)
from accounts.views import headcounts, jobs, organizations, people, profile, rosters

app_name = "accounts"

urlpatterns = [
    path("ho-so/", profile.profile, name="profile"),
    path("ho-so/sua/", profile.profile_edit, name="profile_edit"),
    path("ho-so/dong-y/", profile.consent, name="consent"),
    path("dieu-phoi/nguoi-hoc/", people.people_list, name="people_list"),
    path("dieu-phoi/nguoi-hoc/xuat-excel/", people.people_export, name="people_export"),
    path("dieu-phoi/nguoi-hoc/<id:pk>/", people.person_detail, name="person_detail"),
    path("dieu-phoi/nhap-danh-sach/", rosters.roster_upload, name="roster_upload"),
    path("dieu-phoi/nhap-danh-sach/mau.xlsx", rosters.roster_template, name="roster_template"),
    path("dieu-phoi/nhap-danh-sach/<id:pk>/", rosters.roster_preview, name="roster_preview"),
    path("dieu-phoi/nhap-danh-sach/<id:pk>/phieu.pdf", rosters.roster_slips, name="roster_slips"),
    path(
        "dieu-phoi/nhap-danh-sach/<id:pk>/loi.xlsx", rosters.roster_problems, name="roster_problems"
    ),
    path("dieu-phoi/don-vi/", organizations.organization_list, name="organization_list"),
    path("dieu-phoi/don-vi/them/", organizations.organization_add, name="organization_add"),
    path(
        "dieu-phoi/don-vi/<id:pk>/sua/",
        organizations.organization_edit,
        name="organization_edit",
    ),
    path("dieu-phoi/so-du-kien/", headcounts.headcounts_list, name="headcounts"),
    path(
        "dieu-phoi/so-du-kien/xuat-excel/",
        headcounts.headcounts_export,
        name="headcounts_export",
    ),
    path("dieu-phoi/so-du-kien/nhap/", headcounts.headcounts_upload, name="headcounts_upload"),
    path(
        "dieu-phoi/so-du-kien/nhap/<id:pk>/",
        headcounts.headcounts_preview,
        name="headcounts_preview",
    ),
    path("cong-viec/<id:pk>/", jobs.job_detail, name="job"),
    path("cong-viec/<id:pk>/tai-ve/", jobs.job_download, name="job_download"),
    path("cong-viec/<id:pk>/thu-lai/", jobs.job_retry, name="job_retry"),
]
