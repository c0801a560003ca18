"""Websocket routes, mounted under /ws/ by config.asgi. Messages: docs/protocol.md."""

from django.urls import path

from quiz import consumers

websocket_urlpatterns = [
    path("ws/thi/vong/<int:round_id>/", consumers.LeaderboardConsumer.as_asgi()),
    path("ws/choi/<int:game_id>/", consumers.PlayerConsumer.as_asgi()),
    path("ws/choi/<int:game_id>/dieu-khien/", consumers.HostConsumer.as_asgi()),
]
