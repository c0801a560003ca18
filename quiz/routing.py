"""Websocket routes, mounted under /ws/ by config.asgi."""

from django.urls import path

from quiz import consumers

websocket_urlpatterns = [
    path("ws/thi/vong/<int:round_id>/", consumers.LeaderboardConsumer.as_asgi()),
]
