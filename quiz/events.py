"""The only module that talks to the channel layer.

Publishing (any process, after commit): `round_changed(round_id)` says a round's
leaderboard changed. The first change in a quiet window sends one layer message to the
round's group; later changes in that window send nothing, since the push the first one
causes comes after the window and so includes them.

Receiving (each daphne process): one `Fanout` per event loop holds one layer channel,
which joins a round's group while the process has viewers of that round. On a message it
schedules a push: it computes the snapshot once, encodes it once, and hands the same text
to every local viewer; never more than one push per PUSH_INTERVAL per round. However
many attempts arrive, a viewer gets at most one update per interval, and a round costs
one layer message per process per window, not one per viewer or per attempt (DESIGN.md,
"The real-time contest").
"""

import asyncio
import logging
import weakref

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import transaction

from quiz import leaderboard

log = logging.getLogger(__name__)

PUSH_INTERVAL = 1.5  # seconds between two pushes of one round
QUIET_SECONDS = 1  # changes within this window after a message send no other message
MARGIN = 0.2  # a push comes this long after the window closes


def round_group(round_id: int) -> str:
    return f"quiz.round.{round_id}"


def round_changed(round_id: int) -> None:
    """Call inside the transaction that changed a round's results."""
    transaction.on_commit(lambda: _announce(round_id), robust=True)


def _announce(round_id: int) -> None:
    if not cache.add(f"quiz:round-changed:{round_id}", 1, timeout=QUIET_SECONDS):
        return  # a push is already due after this commit
    async_to_sync(get_channel_layer().group_send)(
        round_group(round_id), {"type": "round.changed", "round": round_id}
    )


class Fanout:
    """Pushes each round's snapshot to this process's viewers, throttled."""

    def __init__(self):
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.viewers: dict[int, set] = {}
        self.pending: dict[int, list[float]] = {}  # round → times after which a push is owed
        self.last_push: dict[int, float] = {}
        self.pushers: dict[int, asyncio.Task] = {}
        self.reader: asyncio.Task | None = None
        self.pushes = 0  # for tests and benchmarks

    async def join(self, round_id: int, viewer) -> None:
        """`viewer` has an async `push(text)`."""
        if self.channel is None:
            self.channel = await self.layer.new_channel("quiz.fanout.")
            self.reader = asyncio.create_task(self._read())
        if not self.viewers.get(round_id):
            self.viewers[round_id] = set()
            await self.layer.group_add(round_group(round_id), self.channel)
        self.viewers[round_id].add(viewer)

    async def leave(self, round_id: int, viewer) -> None:
        viewers = self.viewers.get(round_id)
        if viewers is None:
            return
        viewers.discard(viewer)
        if not viewers:
            del self.viewers[round_id]
            await self.layer.group_discard(round_group(round_id), self.channel)

    async def _read(self) -> None:
        while True:
            message = await self.layer.receive(self.channel)
            if message.get("type") == "round.changed" and isinstance(message.get("round"), int):
                self._owe(message["round"])

    def _owe(self, round_id: int) -> None:
        if round_id not in self.viewers:
            return
        now = asyncio.get_running_loop().time()
        self.pending.setdefault(round_id, []).append(now + QUIET_SECONDS + MARGIN)
        pusher = self.pushers.get(round_id)
        if pusher is None or pusher.done():
            self.pushers[round_id] = asyncio.create_task(self._pushes(round_id))

    async def _pushes(self, round_id: int) -> None:
        loop = asyncio.get_running_loop()
        while self.pending.get(round_id):
            at = max(min(self.pending[round_id]), self.last_push.get(round_id, 0) + PUSH_INTERVAL)
            await asyncio.sleep(max(0, at - loop.time()))
            now = loop.time()
            self.pending[round_id] = [t for t in self.pending[round_id] if t > now]
            self.last_push[round_id] = now
            try:
                text = await _render(round_id)
            except Exception:  # a failed read must not stop later pushes
                log.exception("leaderboard push for round %s failed", round_id)
                continue
            if text is None:
                continue
            self.pushes += 1
            viewers = list(self.viewers.get(round_id, ()))
            await asyncio.gather(*(v.push(text) for v in viewers), return_exceptions=True)
        self.pending.pop(round_id, None)


@database_sync_to_async
def _render(round_id: int) -> str | None:
    data = leaderboard.snapshot(round_id, fresh=True)
    return None if data is None else leaderboard.encoded(data)


_fanouts: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Fanout]" = (
    weakref.WeakKeyDictionary()
)


def fanout() -> Fanout:
    """This event loop's fan-out (a daphne process runs one loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _fanouts:
        _fanouts[loop] = Fanout()
    return _fanouts[loop]
