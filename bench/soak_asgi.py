"""config.asgi for bench/soak.py, plus one path that answers, as JSON, the size of every
map the daphne process keeps per process (quiz/hub.py's `sizes()` and the few others).
Bench only: production serves config.asgi."""

import gc
import json

from channels.layers import get_channel_layer

from config.asgi import application as site
from quiz import answers, frames, hub, sockets

PATH = "/_soak/sizes"


def sizes() -> dict[str, int]:
    """Every per-process map's size, and the objects alive after a full collection (config/
    asgi.py sets the collector's thresholds high: without one, the count is mostly garbage
    not yet collected)."""
    gc.collect()
    layer = get_channel_layer()
    inner = list(getattr(layer, "_layers", {}).values()) or [layer]  # Redis: one per loop
    counter = sockets.counter()
    return {
        **hub.sizes(),
        "sockets_open": len(counter.open),
        "sockets_logged": len(counter.logged),
        "answers_waiting": len(answers.writer().waiting),
        "layer_groups": sum(len(getattr(one, "groups", ())) for one in inner),
        "layer_channels": sum(len(getattr(one, "channels", ())) for one in inner),
        "live_objects": len(gc.get_objects()),
        "frames_written": frames.written,
    }


async def application(scope, receive, send):
    if scope["type"] == "http" and scope["path"] == PATH:
        body = json.dumps(sizes()).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    await site(scope, receive, send)
