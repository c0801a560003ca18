"""Websocket consumers: transport only (DESIGN.md). Messages: docs/protocol.md."""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _

from quiz import events, leaderboard

MAX_MESSAGE = 256  # bytes; a viewer only ever sends a ping


class LeaderboardConsumer(AsyncWebsocketConsumer):
    """A leaderboard page or big screen: the snapshot on connect, then the throttled
    pushes of its round. Anyone may watch a published contest; viewers send nothing but
    pings."""

    round_id: int | None = None

    async def connect(self):
        round_id = self.scope["url_route"]["kwargs"]["round_id"]
        data = await database_sync_to_async(leaderboard.snapshot)(round_id)
        if data is None:
            await self.close(code=4404)
            return
        await self.accept()
        await self.send(text_data=leaderboard.encoded(data))
        self.round_id = round_id
        await events.fanout().join(round_id, self)

    async def disconnect(self, code):
        if self.round_id is not None:
            await events.fanout().leave(self.round_id, self)

    async def receive(self, text_data=None, bytes_data=None):
        message = None
        if text_data is not None and len(text_data.encode()) <= MAX_MESSAGE:
            try:
                message = json.loads(text_data)
            except ValueError:
                message = None
        if isinstance(message, dict) and message.get("type") == "ping":
            await self.send(text_data='{"type":"pong"}')
            return
        await self.send(
            text_data=json.dumps(
                {"type": "error", "message": _("Trang này chỉ nhận cập nhật, không nhận tin.")},
                ensure_ascii=False,
            )
        )

    async def push(self, text: str) -> None:
        await self.send(text_data=text)
