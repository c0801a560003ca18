from django.urls import path

import accounts.converters  # noqa: F401  (registers <id:…>: at most 18 digits)
from learning.views import festival, printing, reports, review
from learning.views import reader as views

app_name = "learning"

urlpatterns = [
    path("hoc/", views.catalogue, name="catalogue"),
    path("hoc/<slug:slug>/", views.course_detail, name="course"),
    path("hoc/<slug:slug>/ghi-danh/", views.enroll, name="enroll"),
    path("hoc/<slug:slug>/kiem-tra/", views.final_test_view, name="final_test"),
    path("hoc/<slug:slug>/bai/<id:lesson_id>/", views.lesson_detail, name="lesson"),
    path(
        "hoc/<slug:slug>/bai/<id:lesson_id>/tra-loi/<id:question_id>/",
        views.answer,
        name="answer",
    ),
    path("hoc/<slug:slug>/bai/<id:lesson_id>/xong/", views.complete, name="complete"),
    path("hoc-cua-toi/", views.my_learning, name="my_learning"),
    path("thong-bao/", views.notifications, name="notifications"),
    path("chung-nhan/<str:code>/", views.certificate_detail, name="certificate"),
    path("chung-nhan/<str:code>/pdf/", views.certificate_download, name="certificate_pdf"),
    path("dieu-phoi/khoa-hoc/", reports.report_list, name="report_list"),
    path("dieu-phoi/khoa-hoc/<slug:slug>/", reports.report_detail, name="report_detail"),
    path("dieu-phoi/dot-hoc/", reports.campaign_list, name="campaign_list"),
    path("dieu-phoi/dot-hoc/<id:pk>/", reports.campaign_dashboard, name="campaign"),
    path("dieu-phoi/dot-hoc/<id:pk>/xuat-excel/", reports.campaign_export, name="campaign_export"),
    path("dieu-phoi/bao-cao/<id:pk>/", reports.export_job, name="export_job"),
    path("dieu-phoi/bao-cao/<id:pk>/tai-ve/", reports.export_download, name="export_download"),
    path("dieu-phoi/dot-hoc/<id:pk>/nguoi/", reports.campaign_people, name="campaign_people"),
    path("dieu-phoi/giay-chung-nhan/", review.certificate_reviews, name="certificate_reviews"),
    path(
        "dieu-phoi/giay-chung-nhan/<id:pk>/", review.certificate_review, name="certificate_review"
    ),
    path("xac-minh/<str:code>/", views.verify, name="verify"),
]

urlpatterns += [
    path("ngay-hoi/", festival.event_list, name="event_list"),
    path("ngay-hoi/<id:pk>/", festival.event_detail, name="event"),
    path("ngay-hoi/<id:pk>/diem-danh/", festival.event_check_in, name="event_check_in"),
    path(
        "ngay-hoi/<id:pk>/gian/<id:booth>/diem-danh/",
        festival.event_check_in,
        name="booth_check_in",
    ),
    path("ngay-hoi/<id:pk>/man-hinh/", festival.event_screen, name="event_screen"),
    path("ngay-hoi/<id:pk>/so-lieu.json", festival.event_counts, name="event_counts"),
    path("diem-danh/nguoi/<str:code>/", festival.attendee, name="attendee"),
    path("dieu-phoi/ngay-hoi/", festival.manage_events, name="manage_events"),
    path("dieu-phoi/ngay-hoi/them/", festival.event_edit, name="event_add"),
    path("dieu-phoi/ngay-hoi/<id:pk>/sua/", festival.event_edit, name="event_edit"),
    path("dieu-phoi/ngay-hoi/<id:pk>/quet/", festival.scan, name="event_scan"),
    path("dieu-phoi/ngay-hoi/<id:pk>/diem-danh/", festival.attendance, name="attendance"),
    path(
        "dieu-phoi/ngay-hoi/<id:pk>/diem-danh/xuat-excel/",
        festival.attendance_export,
        name="attendance_export",
    ),
    path("dieu-phoi/ho-tro-dang-ky/", festival.assisted_sign_up, name="assisted_sign_up"),
    *printing.urlpatterns,
]
