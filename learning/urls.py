from django.urls import path

from learning.views import reader as views
from learning.views import reports

app_name = "learning"

urlpatterns = [
    path("hoc/", views.catalogue, name="catalogue"),
    path("hoc/<slug:slug>/", views.course_detail, name="course"),
    path("hoc/<slug:slug>/ghi-danh/", views.enroll, name="enroll"),
    path("hoc/<slug:slug>/kiem-tra/", views.final_test_view, name="final_test"),
    path("hoc/<slug:slug>/bai/<int:lesson_id>/", views.lesson_detail, name="lesson"),
    path(
        "hoc/<slug:slug>/bai/<int:lesson_id>/tra-loi/<int:question_id>/",
        views.answer,
        name="answer",
    ),
    path("hoc/<slug:slug>/bai/<int:lesson_id>/xong/", views.complete, name="complete"),
    path("hoc-cua-toi/", views.my_learning, name="my_learning"),
    path("thong-bao/", views.notifications, name="notifications"),
    path("chung-nhan/<str:code>/", views.certificate_detail, name="certificate"),
    path("chung-nhan/<str:code>/pdf/", views.certificate_download, name="certificate_pdf"),
    path("dieu-phoi/khoa-hoc/", reports.report_list, name="report_list"),
    path("dieu-phoi/khoa-hoc/<slug:slug>/", reports.report_detail, name="report_detail"),
    path("dieu-phoi/dot-hoc/", reports.campaign_list, name="campaign_list"),
    path("dieu-phoi/dot-hoc/<int:pk>/", reports.campaign_dashboard, name="campaign"),
    path("dieu-phoi/dot-hoc/<int:pk>/xuat-excel/", reports.campaign_export, name="campaign_export"),
    path("dieu-phoi/bao-cao/<int:pk>/", reports.export_job, name="export_job"),
    path("dieu-phoi/bao-cao/<int:pk>/tai-ve/", reports.export_download, name="export_download"),
    path("dieu-phoi/dot-hoc/<int:pk>/nguoi/", reports.campaign_people, name="campaign_people"),
    path("xac-minh/<str:code>/", views.verify, name="verify"),
]
