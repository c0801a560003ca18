"""One owner for what a daphne process holds of its live games and leaderboards (issue 15).

Per event loop (a daphne process runs one), a `Hub`:
- a `Room` per live game with sockets here: those sockets, the newest game version
  broadcast here (`seq`), the public state read at most once a second, the last result
  table (each player's `you`);
- a `Board` per contest round with viewers here: those sockets and the pushes owed.
And for the whole process: each game's question ids (read by the answer thread) and when
this process last announced a round's change.

quiz/consumers.py and quiz/events.py reach this state only through this module; events.py
stays the only caller of the channel layer. Nothing here grows with a festival day's games:
a game's caches go when its `finished` broadcast has been delivered here, and a room or
board goes once no socket of it has been here for IDLE_SECONDS. `sizes()` counts every
map, for bench/soak.py.
"""

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from quiz.models import Phase

log = logging.getLogger(__name__)

STATE_SECONDS = 1.0  # a reconnect storm reads a game's state once per process per second
RESYNC_SECONDS = 3.0  # how often the watcher compares its games' versions with the database
# A room or board without sockets is kept this long. Its phones come back within their
# page's backoff (static/quiz/live.js: at most 8 s, plus as much jitter) when a hall's Wi-Fi
# drops: a minute finds the game's table still here for them, and costs only a few small
# objects per game that ended without a `finished` seen here.
IDLE_SECONDS = 60.0


def round_group(round_id: int) -> str:
    """The channel-layer group of a round's leaderboard viewers."""
    return f"quiz.round.{round_id}"


def game_group(game_id: int) -> str:
    """The channel-layer group of a live game's phones and host."""
    return f"quiz.game.{game_id}"


@dataclass(eq=False)
class Room:
    """What this process holds of one live game."""

    game_id: int
    members: set = field(default_factory=set)  # the game's sockets here
    seq: int | None = None  # the newest game version broadcast (or read) here
    seen: int = 0  # broadcasts received: a state read across one may be stale, not cached
    state: tuple[float, dict] | None = None  # (loop time, public state)
    results: dict[int, list] | None = None  # player id → [total, rank, correct, points]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    used: float = 0.0  # loop time it was last asked for, or a socket left

    @property
    def group(self) -> str:
        return game_group(self.game_id)

    def received(self, *, seq: int | None, table: list | None) -> dict[int, list] | None:
        """Note a broadcast: the game moved on, so the next reconnect reads it anew. Its
        rows by player id when it carries the result table."""
        if seq is not None:
            self.seq = max(self.seq or 0, seq)
        self.state = None
        self.seen += 1
        if table is None:
            return None
        self.results = {row[0]: row[1:] for row in table}
        return self.results

    def forget(self) -> None:
        """Drop what was read or broadcast (the game ended, or a broadcast was missed)."""
        self.seq = self.state = self.results = None


@dataclass(eq=False)
class Board:
    """One round's leaderboard in this process: its viewers and the pushes owed."""

    round_id: int
    members: set = field(default_factory=set)
    pending: list[float] = field(default_factory=list)  # loop times after which a push is owed
    last_push: float = 0.0
    pusher: asyncio.Task | None = None
    used: float = 0.0  # loop time it was last asked for, or a socket left

    @property
    def group(self) -> str:
        return round_group(self.round_id)


class Hub:
    """One event loop's rooms and boards, and the task that looks after them."""

    def __init__(self):
        self.rooms: dict[int, Room] = {}
        self.boards: dict[int, Board] = {}
        self.watcher: asyncio.Task | None = None

    def game(self, game_id: int) -> Room:
        """The game's room here, made on first use."""
        room = self.rooms.get(game_id)
        if room is None:
            room = self.rooms[game_id] = Room(game_id)
        room.used = _now()
        return room

    def round(self, round_id: int) -> Board:
        """The round's board here, made on first use."""
        board = self.boards.get(round_id)
        if board is None:
            board = self.boards[round_id] = Board(round_id)
        board.used = _now()
        return board

    def places(self) -> list[Room | Board]:
        """Every room and board with sockets here (the groups this process is in)."""
        return [p for p in (*self.rooms.values(), *self.boards.values()) if p.members]

    async def state(
        self,
        game_id: int,
        read_state: Callable[[int], Awaitable[dict | None]],
        read_results: Callable[[int], Awaitable[dict[int, list]]],
    ) -> dict | None:
        """The game's public state for a (re)connecting phone, read at most once a second
        per process; the first read after the lobby also fetches the result table."""
        room, loop = self.game(game_id), asyncio.get_running_loop()
        async with room.lock:
            entry = room.state
            if entry is None or loop.time() - entry[0] > STATE_SECONDS:
                seen = room.seen
                state = await read_state(game_id)
                entry = (loop.time(), state)
                if room.seen == seen:
                    room.state = entry
                if state is not None and room.seq is None:
                    room.seq = state["seq"]
            if room.results is None and entry[1] and entry[1]["phase"] != Phase.LOBBY:
                results = await read_results(game_id)
                if room.results is None:
                    room.results = {p: [*row, False, 0] for p, row in results.items()}
        return entry[1]

    def you(self, game_id: int, player_id: int) -> list | None:
        """The player's row of the game's last result table here, if any."""
        room = self.rooms.get(game_id)
        return (room.results or {}).get(player_id) if room else None

    def finished(self, game_id: int) -> None:
        """The game ended (its `finished` reached this process): forget what was read
        and broadcast of it, and its question ids; a phone that reconnects reads anew."""
        room = self.rooms.get(game_id)
        if room is not None:
            room.forget()
        _questions.pop(game_id, None)

    def watch(self, read_versions: Callable[[list[int]], Awaitable[dict[int, int]]]) -> None:
        """Start this loop's watcher, once."""
        if self.watcher is None or self.watcher.done():
            self.watcher = asyncio.create_task(self._watch(read_versions))

    async def _watch(self, read_versions) -> None:
        """Every few seconds: drop what is idle, then one query: has a game with sockets
        here moved on without this process hearing the broadcast (it crossed Redis while
        Redis restarted)? Then its phones and host get the current state and scores."""
        while True:
            await asyncio.sleep(RESYNC_SECONDS)
            self.prune(_now())
            ids = [game_id for game_id, room in self.rooms.items() if room.members]
            if not ids:
                continue
            try:
                versions = await read_versions(ids)
            except Exception:
                log.exception("game watcher could not read the games")
                continue
            for room in self._missed(versions):
                log.warning("game %s: broadcast missed; sending the state again", room.game_id)
                for member in list(room.members):
                    await member.resync()

    def _missed(self, versions: dict[int, int]) -> list[Room]:
        missed = []
        for game_id, version in versions.items():
            room = self.rooms.get(game_id)
            if room is None or room.seq is None or version <= room.seq:
                continue
            room.forget()
            room.seq = version
            missed.append(room)
        return missed

    def prune(self, now: float) -> None:
        """Drop the rooms and boards that have had no socket here for IDLE_SECONDS."""
        for game_id, room in list(self.rooms.items()):
            if not room.members and now - room.used > IDLE_SECONDS:
                del self.rooms[game_id]
                _questions.pop(game_id, None)
        for round_id, board in list(self.boards.items()):
            idle = not board.members and (board.pusher is None or board.pusher.done())
            if idle and now - board.used > IDLE_SECONDS:
                del self.boards[round_id]


def _now() -> float:
    return asyncio.get_running_loop().time()


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def current() -> Hub:
    """This event loop's hub (a daphne process runs one loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]


# --- For the whole process (any thread) -------------------------------------------------------

_questions: dict[int, dict[int, tuple[int, int]]] = {}  # game → {index: (item, question)}
_announced: dict[int, float] = {}  # round → when this process last set its quiet key


def question_ids(game_id: int, index: int) -> tuple[int, int] | None:
    """(GameQuestion id, Question id) of a game's question `index`, if kept here."""
    return _questions.get(game_id, {}).get(index)


def keep_question_ids(game_id: int, index: int, ids: tuple[int, int]) -> None:
    """Keep a game's question ids: they never change once the game is made."""
    _questions.setdefault(game_id, {})[index] = ids


def announced_within(round_id: int, *, now: float, seconds: float) -> bool:
    """Whether this process announced a change of the round less than `seconds` ago."""
    return now - _announced.get(round_id, now - seconds) < seconds


def note_announced(round_id: int, *, now: float, seconds: float) -> None:
    """Note an announcement, and forget those older than `seconds` (they decide nothing)."""
    for old in [r for r, at in _announced.items() if now - at >= seconds]:
        _announced.pop(old, None)
    _announced[round_id] = now


def sizes() -> dict[str, int]:
    """The size of every map this module keeps, over all event loops (bench/soak.py)."""
    hubs = list(_hubs.values())
    rooms = [room for hub in hubs for room in hub.rooms.values()]
    boards = [board for hub in hubs for board in hub.boards.values()]
    return {
        "loops": len(hubs),
        "rooms": len(rooms),
        "room_sockets": sum(len(room.members) for room in rooms),
        "room_states": sum(room.state is not None for room in rooms),
        "room_result_rows": sum(len(room.results or ()) for room in rooms),
        "boards": len(boards),
        "board_sockets": sum(len(board.members) for board in boards),
        "board_pending": sum(len(board.pending) for board in boards),
        "question_games": len(_questions),
        "question_ids": sum(len(ids) for ids in _questions.values()),
        "announced": len(_announced),
    }
