from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("ho-so/", views.profile, name="profile"),
    path("ho-so/sua/", views.profile_edit, name="profile_edit"),
    path("dieu-phoi/nguoi-hoc/", views.people_list, name="people_list"),
    path("dieu-phoi/nguoi-hoc/xuat-excel/", views.people_export, name="people_export"),
    path("dieu-phoi/nguoi-hoc/<int:pk>/", views.person_detail, name="person_detail"),
]
