"""ASGI entry point: daphne serves /ws/ (and, in the embedded default, pages too)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

# Imported after Django is set up: the routes import models.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from quiz.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Routes that need the signed-in user add AuthMiddlewareStack themselves.
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)

# A daphne process holds thousands of sockets: millions of objects that live as long as
# their connection. With Python's default thresholds a full collection (0.6–0.9 s with
# 5,000 phones) ran every few seconds during a game and stalled every socket of the process
# (bench/game.py, docs/BENCHMARKS.md). What is loaded by now lives as long as the process:
# frozen, it is never scanned again. And an object in flight (an answer waiting for its
# batch) gets 20,000 allocations to die before it is promoted, so full collections are rare.
gc.freeze()
gc.set_threshold(20_000, 10, 100)
