from django.urls import path

from learning import views

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
    path("chung-nhan/<str:code>/", views.certificate_detail, name="certificate"),
    path("chung-nhan/<str:code>/pdf/", views.certificate_download, name="certificate_pdf"),
    path("dieu-phoi/khoa-hoc/", views.report_list, name="report_list"),
    path("dieu-phoi/khoa-hoc/<slug:slug>/", views.report_detail, name="report_detail"),
    path("xac-minh/<str:code>/", views.verify, name="verify"),
]
