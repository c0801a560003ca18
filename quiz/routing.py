"""Websocket routes, mounted under /ws/ by config.asgi. The live-quiz issue fills this."""

websocket_urlpatterns: list = []
