"""Websocket routes, mounted by config.asgi. Messages: docs/protocol.md.

Only the host's route reads the session: a join storm of phones (signed tokens) and of
leaderboard viewers (public) must not load a session or a user per socket."""

from channels.auth import AuthMiddlewareStack
from django.urls import path

from quiz import consumers

websocket_urlpatterns = [
    path("ws/thi/vong/<int:round_id>/", consumers.LeaderboardConsumer.as_asgi()),
    path("ws/choi/<int:game_id>/", consumers.PlayerConsumer.as_asgi()),
    path(
        "ws/choi/<int:game_id>/dieu-khien/",
        AuthMiddlewareStack(consumers.HostConsumer.as_asgi()),
    ),
]
