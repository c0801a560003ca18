"""The only module that talks to the channel layer (DESIGN.md, "The real-time contest").

Publishing (any process, after commit):
- `round_changed(round_id)`: a contest round's leaderboard changed. The first change in a
  quiet window sends one layer message; later changes in the window send nothing, since
  the push the first one causes comes after the window and so includes them.
- `game_broadcast(game_id, payload, table=...)`: a live game moved on. The payload is
  encoded once, here; `table` ([player id, total, rank, correct, points] rows) travels
  once per process and is sliced per player there.
- `game_player_removed(game_id, player_id)`.

Receiving (each daphne process): one `Fanout` per event loop holds one layer channel,
which joins a group while the process has local members of it (leaderboard viewers, game
players and hosts). A broadcast therefore crosses the layer once per process and is handed
to every local socket as the same pre-encoded text. Leaderboard pushes are throttled to
one per PUSH_INTERVAL per round however many attempts arrive.
"""

import asyncio
import json
import logging
import time
import weakref

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.cache import cache
from django.db import transaction

from quiz import frames, hub, leaderboard
from quiz.hub import Board, Room

log = logging.getLogger(__name__)

PUSH_INTERVAL = 1.5  # seconds between two pushes of one round
QUIET_SECONDS = 1  # changes within this window after a message send no other message
MARGIN = 0.2  # a push comes this long after the window closes
WATCH_SECONDS = 2.5  # the fan-out checks its layer subscription every 2 × this


def encode(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _send(group: str, message: dict) -> None:
    async_to_sync(get_channel_layer().group_send)(group, message)


# --- Publishing -------------------------------------------------------------------------------


def round_changed(round_id: int) -> None:
    """Call inside the transaction that changed a round's results."""
    transaction.on_commit(lambda: _announce(round_id), robust=True)


def _announce(round_id: int) -> None:
    now = time.monotonic()
    if hub.announced_within(round_id, now=now, seconds=QUIET_SECONDS):
        return  # the key this process set is still there: cache.add would refuse anyway
    if not cache.add(f"quiz:round-changed:{round_id}", 1, timeout=QUIET_SECONDS):
        return  # a push is already due after this commit
    hub.note_announced(round_id, now=now, seconds=QUIET_SECONDS)
    _send(hub.round_group(round_id), {"type": "round.changed", "round": round_id})


def game_broadcast(game_id: int, payload: dict, *, table: list | None = None) -> None:
    """Call inside the transaction that moved the game on; sent once it commits."""
    message = {"type": "game.send", "game": game_id, "text": encode(payload)}
    if "seq" in payload:
        message["seq"] = payload["seq"]
    if table is not None:
        message["table"] = table
    if payload.get("type") == "finished":
        message["last"] = True  # each process then forgets what it held of the game
    transaction.on_commit(lambda: _send(hub.game_group(game_id), message), robust=True)


def game_player_removed(game_id: int, player_id: int) -> None:
    message = {"type": "game.remove", "game": game_id, "player": player_id}
    transaction.on_commit(lambda: _send(hub.game_group(game_id), message), robust=True)


# --- Receiving: one fan-out per process ------------------------------------------------------


class Fanout:
    """This process's layer channel, in the group of every room and board of its hub
    (quiz/hub.py) that has sockets here, and what it hands to them.

    A member has `write(frame, row)` and `async push(text, row)`: `row` is its own line of
    a game's result table ([total, rank, correct, points]) or None; `player_id` (None for
    viewers and hosts); and `async removed()`."""

    def __init__(self):
        self.layer = get_channel_layer()
        self.hub = hub.current()
        self.channel: str | None = None
        self.reader: asyncio.Task | None = None
        self.lock = asyncio.Lock()
        self.pushes = 0  # for tests and benchmarks
        self.echoed = 0.0  # when the last echo the watchdog sent was sent

    async def join(self, place: Room | Board, member) -> None:
        # One lock for every change of this process's channel and groups: phones joining at
        # once would otherwise each see "no channel yet" across an await and make one each
        # (bench/game.py counted 118 on one process), or join a group twice.
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("quiz.fanout.")
                self.reader = asyncio.create_task(self._read())
                self.watchdog = asyncio.create_task(self._watch())
            if not place.members:
                await self.layer.group_add(place.group, self.channel)
            place.members.add(member)
            place.used = asyncio.get_running_loop().time()

    async def leave(self, place: Room | Board, member) -> None:
        async with self.lock:
            if member not in place.members:
                return
            place.members.discard(member)
            place.used = asyncio.get_running_loop().time()
            if not place.members:
                await self.layer.group_discard(place.group, self.channel)

    async def _read(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # the layer's server is away (a Redis restart): retry
                log.exception("fan-out receive failed; retrying")
                await asyncio.sleep(1)
                continue
            try:
                await self._handle(message)
            except Exception:  # one bad message must not stop this process's pushes
                log.exception("fan-out failed for %r", message.get("type"))

    async def _watch(self) -> None:
        """Every few seconds this process sends itself a message through the layer. If it
        does not come back (Redis restarted and the subscriptions were lost), the layer's
        connections are rebuilt and every group joined again."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            sent = loop.time()
            try:
                await self.layer.send(self.channel, {"type": "fanout.echo", "at": sent})
            except Exception:
                log.warning("fan-out echo could not be sent")
            await asyncio.sleep(WATCH_SECONDS)
            if self.echoed < sent:
                log.warning("fan-out echo lost: reconnecting to the channel layer")
                try:
                    await self._reconnect()
                except Exception:
                    log.exception("fan-out reconnect failed; trying again")

    async def _reconnect(self) -> None:
        async with self.lock:
            self.reader.cancel()
            if not isinstance(self.layer, InMemoryChannelLayer):
                # Drops the broken Redis connections and subscriptions. (The in-memory
                # layer has none to drop, and flushing it would empty every other loop's
                # channels in this process too.)
                await self.layer.flush()
            self.channel = await self.layer.new_channel("quiz.fanout.")
            for place in self.hub.places():
                await self.layer.group_add(place.group, self.channel)
            self.reader = asyncio.create_task(self._read())

    async def _handle(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "fanout.echo":
            self.echoed = max(self.echoed, message.get("at", 0))
        elif kind == "round.changed" and isinstance(message.get("round"), int):
            self._owe(message["round"])
        elif kind == "game.send":
            await self._game_send(message)
        elif kind == "game.remove":
            room = self.hub.rooms.get(message["game"])
            for member in list(room.members if room else ()):
                if member.player_id == message["player"]:
                    await member.removed()

    async def _game_send(self, message: dict) -> None:
        room = self.hub.rooms.get(message["game"])
        if room is None:  # no socket of this game here any more
            return
        rows = room.received(seq=message.get("seq"), table=message.get("table"))
        if message.get("last"):  # the rows travel on; nothing else of the game is kept
            self.hub.finished(room.game_id)
        await _deliver(room.members, message["text"], rows)

    def _owe(self, round_id: int) -> None:
        board = self.hub.boards.get(round_id)
        if board is None or not board.members:
            return
        now = asyncio.get_running_loop().time()
        board.pending.append(now + QUIET_SECONDS + MARGIN)
        if board.pusher is None or board.pusher.done():
            board.pusher = asyncio.create_task(self._pushes(board))

    async def _pushes(self, board: Board) -> None:
        loop = asyncio.get_running_loop()
        while board.pending:
            at = max(min(board.pending), board.last_push + PUSH_INTERVAL)
            await asyncio.sleep(max(0, at - loop.time()))
            now = loop.time()
            board.pending = [t for t in board.pending if t > now]
            try:
                text = await _render(board.round_id)
            except Exception:  # a failed read must not stop later pushes
                log.exception("leaderboard push for round %s failed", board.round_id)
                board.last_push = loop.time()
                continue
            if text is None:
                continue
            self.pushes += 1
            await _deliver(board.members, text, None)
            # The interval counts from when viewers got this push, not from when its
            # snapshot was started (that read takes 0.1–1 s under load).
            board.last_push = loop.time()


async def _deliver(members, text: str, rows: dict | None) -> None:
    """One message to every member here: framed once and written straight to the sockets
    that allow it (quiz/frames.py), through each member's `push` for the others."""
    frame = frames.Frame(text)
    slow = []
    for member in list(members):
        row = rows.get(member.player_id) if rows else None
        try:
            if not member.write(frame, row):
                slow.append(member.push(text, row))
        except Exception:  # one broken socket must not stop the others' messages
            log.exception("writing to a socket failed")
    if slow:
        await asyncio.gather(*slow, return_exceptions=True)


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
