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

from quiz import frames, leaderboard

log = logging.getLogger(__name__)

PUSH_INTERVAL = 1.5  # seconds between two pushes of one round
QUIET_SECONDS = 1  # changes within this window after a message send no other message
MARGIN = 0.2  # a push comes this long after the window closes
WATCH_SECONDS = 2.5  # the fan-out checks its layer subscription every 2 × this


def round_group(round_id: int) -> str:
    return f"quiz.round.{round_id}"


def game_group(game_id: int) -> str:
    return f"quiz.game.{game_id}"


def encode(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _send(group: str, message: dict) -> None:
    async_to_sync(get_channel_layer().group_send)(group, message)


# --- Publishing -------------------------------------------------------------------------------


def round_changed(round_id: int) -> None:
    """Call inside the transaction that changed a round's results."""
    transaction.on_commit(lambda: _announce(round_id), robust=True)


_announced: dict[int, float] = {}  # round → when this process last set the quiet key


def _announce(round_id: int) -> None:
    now = time.monotonic()
    if now - _announced.get(round_id, -QUIET_SECONDS) < QUIET_SECONDS:
        return  # the key this process set is still there: cache.add would refuse anyway
    if not cache.add(f"quiz:round-changed:{round_id}", 1, timeout=QUIET_SECONDS):
        return  # a push is already due after this commit
    _announced[round_id] = now
    _send(round_group(round_id), {"type": "round.changed", "round": round_id})


def game_broadcast(game_id: int, payload: dict, *, table: list | None = None) -> None:
    """Call inside the transaction that moved the game on; sent once it commits."""
    message = {"type": "game.send", "game": game_id, "text": encode(payload)}
    if "seq" in payload:
        message["seq"] = payload["seq"]
    if table is not None:
        message["table"] = table
    transaction.on_commit(lambda: _send(game_group(game_id), message), robust=True)


def game_player_removed(game_id: int, player_id: int) -> None:
    message = {"type": "game.remove", "game": game_id, "player": player_id}
    transaction.on_commit(lambda: _send(game_group(game_id), message), robust=True)


# --- Receiving: one fan-out per process ------------------------------------------------------


class Fanout:
    """This process's members of each group, and what it pushes to them.

    A member has `async push(text, row)`: `row` is its own line of a game's result table
    ([total, rank, correct, points]) or None; `player_id` (None for viewers and hosts);
    and `async removed()`."""

    def __init__(self):
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.members: dict[str, set] = {}
        self.reader: asyncio.Task | None = None
        self.lock = asyncio.Lock()
        self.pending: dict[int, list[float]] = {}  # round → times after which a push is owed
        self.last_push: dict[int, float] = {}
        self.pushers: dict[int, asyncio.Task] = {}
        self.results: dict[int, dict[int, list]] = {}  # game → {player id: row}
        self.states: dict[int, tuple[float, dict]] = {}  # game → (when, public state)
        self.versions: dict[int, int] = {}  # game → broadcasts seen (a state read across one
        # of them may be stale, and is not cached)
        self.seqs: dict[int, int] = {}  # game → the newest game version broadcast here
        self.locks: dict[int, asyncio.Lock] = {}
        self.pushes = 0  # for tests and benchmarks
        self.echoed = 0.0  # when the last echo the watchdog sent was sent

    async def join(self, group: str, member) -> None:
        # One lock for every change of this process's channel and groups: phones joining at
        # once would otherwise each see "no channel yet" across an await and make one each
        # (bench/game.py counted 118 on one process), or replace a group's member set.
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("quiz.fanout.")
                self.reader = asyncio.create_task(self._read())
                self.watchdog = asyncio.create_task(self._watch())
            if group not in self.members:
                await self.layer.group_add(group, self.channel)
                self.members[group] = set()
            self.members[group].add(member)

    async def leave(self, group: str, member) -> None:
        async with self.lock:
            members = self.members.get(group)
            if members is None:
                return
            members.discard(member)
            if not members:
                del self.members[group]
                await self.layer.group_discard(group, self.channel)

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

    def games(self) -> list[int]:
        """The games this process has members of."""
        prefix = game_group(0)[:-1]
        return [int(g[len(prefix) :]) for g in self.members if g.startswith(prefix)]

    async def _reconnect(self) -> None:
        async with self.lock:
            self.reader.cancel()
            if not isinstance(self.layer, InMemoryChannelLayer):
                # Drops the broken Redis connections and subscriptions. (The in-memory
                # layer has none to drop, and flushing it would empty every other loop's
                # channels in this process too.)
                await self.layer.flush()
            self.channel = await self.layer.new_channel("quiz.fanout.")
            for group in list(self.members):
                await self.layer.group_add(group, self.channel)
            self.reader = asyncio.create_task(self._read())

    async def _handle(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "fanout.echo":
            self.echoed = max(self.echoed, message.get("at", 0))
        elif kind == "round.changed" and isinstance(message.get("round"), int):
            self._owe(message["round"])
        elif kind == "game.send":
            await self._game_send(
                message["game"], message["text"], message.get("table"), message.get("seq")
            )
        elif kind == "game.remove":
            for member in list(self.members.get(game_group(message["game"]), ())):
                if member.player_id == message["player"]:
                    await member.removed()

    async def _game_send(
        self, game_id: int, text: str, table: list | None, seq: int | None = None
    ) -> None:
        if seq is not None:
            self.seqs[game_id] = max(self.seqs.get(game_id, 0), seq)
        self.states.pop(game_id, None)  # the game moved on: the next reconnect reads it anew
        self.versions[game_id] = self.versions.get(game_id, 0) + 1
        rows = None
        if table is not None:
            rows = {row[0]: row[1:] for row in table}
            self.results[game_id] = rows
        await _deliver(self.members.get(game_group(game_id), ()), text, rows)

    def _owe(self, round_id: int) -> None:
        if round_group(round_id) not in self.members:
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
            try:
                text = await _render(round_id)
            except Exception:  # a failed read must not stop later pushes
                log.exception("leaderboard push for round %s failed", round_id)
                self.last_push[round_id] = loop.time()
                continue
            if text is None:
                continue
            self.pushes += 1
            await _deliver(self.members.get(round_group(round_id), ()), text, None)
            # The interval counts from when viewers got this push, not from when its
            # snapshot was started (that read takes 0.1–1 s under load).
            self.last_push[round_id] = loop.time()
        self.pending.pop(round_id, None)


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
