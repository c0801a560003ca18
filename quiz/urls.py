from django.urls import path

import accounts.converters  # noqa: F401  (registers <id:…>: at most 18 digits)
from quiz.views import contest as views
from quiz.views import games, review

app_name = "quiz"

urlpatterns = [
    path("thi/", views.contest_list, name="contest_list"),
    path("thi/<slug:slug>/", views.contest_detail, name="contest"),
    path("thi/<slug:slug>/vong/<id:number>/bat-dau/", views.start, name="start"),
    path(
        "thi/<slug:slug>/vong/<id:number>/bang-xep-hang/",
        views.leaderboard_page,
        name="leaderboard",
    ),
    path(
        "thi/<slug:slug>/vong/<id:number>/man-hinh/",
        views.leaderboard_page,
        {"screen": True},
        name="screen",
    ),
    path("thi/<slug:slug>/ket-qua/", views.results, name="results"),
    path("thi/<slug:slug>/vong/<id:number>/xuat-excel/", views.round_export, name="export"),
    path("thi/<slug:slug>/vong/<id:number>/xet-duyet/", review.review_queue, name="review_queue"),
    path(
        "thi/<slug:slug>/vong/<id:number>/xet-duyet/<id:pk>/",
        review.review_attempt,
        name="review_attempt",
    ),
    path("thi/bai/<id:pk>/", views.attempt_detail, name="attempt"),
    path("thi/bai/<id:pk>/tra-loi/", views.answer, name="answer"),
    path("thi/bai/<id:pk>/nop/", views.submit, name="submit"),
    path("thi/bai/<id:pk>/ket-qua/", views.result, name="result"),
]

urlpatterns += [
    path("choi/", games.enter_pin, name="enter_pin"),
    path("choi/<str:pin>/", games.join, name="join"),
    path("choi/<str:pin>/phong/", games.play, name="play"),
    path("dieu-phoi/choi/", games.host_list, name="host_list"),
    path("dieu-phoi/choi/<id:pk>/", games.host_screen, name="host"),
    path("dieu-phoi/choi/<id:pk>/ma-qr.svg", games.join_qr, name="join_qr"),
    path("dieu-phoi/choi/<id:pk>/xuat-excel/", games.results_export, name="game_export"),
]
