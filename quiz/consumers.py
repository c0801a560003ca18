"""Websocket consumers: transport only (DESIGN.md). Every message: docs/protocol.md."""

import asyncio
import json
import logging
import time
import weakref
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone
from django.utils.translation import gettext as _

from quiz import answers, events, frames, games, leaderboard
from quiz.models import Game, Phase

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096  # bytes
RATE, BURST = 5, 10  # messages per second per connection, and the burst allowed
FLOOD_CLOSE = 50  # refused messages before the connection is closed
STATE_SECONDS = 1.0  # a reconnect storm reads a game's state once per process per second


def _error(code: str, message: str, **extra) -> str:
    return events.encode({"v": 1, "type": "error", "code": code, "message": message, **extra})


class _Bucket:
    """A token bucket: RATE messages a second, bursts of BURST."""

    def __init__(self):
        self.tokens, self.at = float(BURST), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.at) * RATE)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class _Member(AsyncWebsocketConsumer):
    """A socket that takes part in fan-out groups and validates what it receives.

    It has no layer channel of its own: the process's Fanout receives for all its sockets,
    and a channel per socket would cost a Redis subscription per phone in a join storm."""

    channel_layer_alias = "none"  # not in CHANNEL_LAYERS: Channels gives the socket no channel
    player_id: int | None = None
    group: str | None = None

    async def resync(self) -> None:
        """Send the current state again (a broadcast was missed)."""

    async def dispatch(self, message):
        # Channels closes stale database connections before every handler, a hop to its
        # database thread for each message a phone sends; these consumers reach the
        # database only through database_sync_to_async or quiz/answers.py, which do that
        # themselves.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    def write(self, frame: frames.Frame, row) -> bool:
        """A broadcast straight to the socket (quiz/frames.py); False: use `push`."""
        return frame.write(self)

    async def push(self, text: str, row) -> None:
        await self.send(text_data=text)

    async def reply(self, text: str) -> None:
        """A message of this socket's own, straight to it where it can (quiz/frames.py): an
        ack or a pong is sent while a question still travels to thousands of phones."""
        if not frames.write_text(self, text):
            await self.send(text_data=text)

    async def removed(self) -> None:
        await self.close(code=4403)

    async def join(self, group: str) -> None:
        self.group = group
        await events.fanout().join(group, self)

    async def disconnect(self, code):
        if self.group is not None:
            await events.fanout().leave(self.group, self)

    def parse(self, text_data) -> dict | str:
        """The message as a dict, or the error text to send back."""
        if not hasattr(self, "bucket"):
            self.bucket, self.refused = _Bucket(), 0
        if not self.bucket.take():
            return _error("flood", _("Bạn gửi quá nhanh; hãy chờ một chút."))
        if text_data is None or len(text_data.encode()) > MAX_MESSAGE:
            return _error("size", _("Tin nhắn không hợp lệ hoặc quá dài."))
        try:
            message = json.loads(text_data)
        except ValueError:
            return _error("json", _("Tin nhắn không hợp lệ hoặc quá dài."))
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            return _error("json", _("Tin nhắn không hợp lệ hoặc quá dài."))
        return message

    async def refuse(self, text: str) -> None:
        self.refused += 1
        await self.send(text_data=text)
        if self.refused >= FLOOD_CLOSE:
            await self.close(code=4429)


class LeaderboardConsumer(_Member):
    """A leaderboard page or big screen: the snapshot on connect, then the throttled
    pushes of its round. Viewers send nothing but pings."""

    async def connect(self):
        round_id = self.scope["url_route"]["kwargs"]["round_id"]
        data = await database_sync_to_async(leaderboard.snapshot)(round_id)
        if data is None:
            await self.close(code=4404)
            return
        await self.accept()
        await self.send(text_data=leaderboard.encoded(data))
        await self.join(events.round_group(round_id))

    async def receive(self, text_data=None, bytes_data=None):
        message = self.parse(text_data)
        if isinstance(message, dict) and message["type"] == "ping":
            await self.send(text_data='{"type":"pong"}')
            return
        await self.refuse(
            message
            if isinstance(message, str)
            else _error("type", _("Trang này chỉ nhận cập nhật, không nhận tin."))
        )


RESYNC_SECONDS = 3.0
_watchers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task]" = (
    weakref.WeakKeyDictionary()
)


def _watch_games() -> None:
    """Start this process's game watcher, once."""
    loop = asyncio.get_running_loop()
    if loop not in _watchers or _watchers[loop].done():
        _watchers[loop] = asyncio.create_task(_game_watch())


async def _game_watch() -> None:
    """Every few seconds, one query: has a game of this process moved on without this
    process hearing the broadcast (it crossed Redis while Redis restarted)? Then its
    phones and host get the current state and scores."""
    hub = events.fanout()
    while True:
        await asyncio.sleep(RESYNC_SECONDS)
        ids = hub.games()
        if not ids:
            continue
        try:
            current = await database_sync_to_async(games.versions)(ids)
        except Exception:
            log.exception("game watcher could not read the games")
            continue
        for game_id, version in current.items():
            if version <= hub.seqs.get(game_id, version):
                continue
            log.warning("game %s: broadcast missed; sending the state again", game_id)
            hub.seqs[game_id] = version
            hub.states.pop(game_id, None)
            hub.results.pop(game_id, None)
            for member in list(hub.members.get(events.game_group(game_id), ())):
                await member.resync()


async def _state(game_id: int) -> dict | None:
    """The game's public state, read at most once a second per process."""
    hub, loop = events.fanout(), asyncio.get_running_loop()
    lock = hub.locks.setdefault(game_id, asyncio.Lock())
    async with lock:
        entry = hub.states.get(game_id)
        if entry is None or loop.time() - entry[0] > STATE_SECONDS:
            version = hub.versions.get(game_id, 0)
            state = await database_sync_to_async(games.game_state)(game_id, now=timezone.now())
            entry = (loop.time(), state)
            if hub.versions.get(game_id, 0) == version:
                hub.states[game_id] = entry
            if state is not None:
                hub.seqs.setdefault(game_id, state["seq"])
        if game_id not in hub.results and entry[1] and entry[1]["phase"] != Phase.LOBBY:
            results = await database_sync_to_async(games.player_results)(game_id)
            hub.results.setdefault(game_id, {p: [*row, False, 0] for p, row in results.items()})
    return entry[1]


class PlayerConsumer(_Member):
    """A player's phone. The signed token from the join page is checked without a database
    query; on every (re)connect the phone gets the current state and its own score."""

    async def connect(self):
        game_id = self.scope["url_route"]["kwargs"]["game_id"]
        token = parse_qs(self.scope.get("query_string", b"").decode()).get("t", [""])[0]
        ids = games.read_player_token(token)
        if ids is None or ids[0] != game_id:
            await self.close(code=4401)
            return
        self.game_id, self.player_id = ids
        await self.accept()
        await self.join(events.game_group(game_id))
        _watch_games()
        await self.send_state()

    async def resync(self) -> None:
        await self.send_state()

    async def send_state(self) -> None:
        """The game as it is now, and this player's score: on connect, on the phone's
        "sync", and when the game watcher finds a broadcast was missed."""
        state = await _state(self.game_id)
        if state is None:
            await self.close(code=4404)
            return
        row = events.fanout().results.get(self.game_id, {}).get(self.player_id)
        you = {"total": row[0], "rank": row[1]} if row else {"total": 0, "rank": None}
        await self.send(
            text_data=events.encode({**state, "now": int(time.time() * 1000), "you": you})
        )

    def write(self, frame: frames.Frame, row) -> bool:
        if row is None:
            return frame.write(self)
        return frames.write_text(self, _with_row(frame.text, row))

    async def push(self, text: str, row) -> None:
        await self.send(text_data=text if row is None else _with_row(text, row))

    async def removed(self) -> None:
        await self.send(text_data=events.encode({"v": 1, "type": "removed"}))
        await self.close(code=4403)

    async def receive(self, text_data=None, bytes_data=None):
        received_at = timezone.now()
        message = self.parse(text_data)
        if isinstance(message, str):
            await self.refuse(message)
        elif message["type"] == "ping":
            await self.reply('{"v":1,"type":"pong"}')
        elif message["type"] == "sync":
            await self.send_state()
        elif message["type"] == "answer":
            await self.answer(message, received_at)
        else:
            await self.refuse(_error("type", _("Loại tin nhắn không được hỗ trợ.")))

    async def answer(self, message: dict, received_at) -> None:
        index, choices = message.get("index"), message.get("choices")
        if (
            not isinstance(index, int)
            or not isinstance(choices, list)
            or not 1 <= len(choices) <= 6
            or not all(isinstance(c, int) for c in choices)
        ):
            await self.refuse(_error("choice", _("Hãy chọn một phương án của câu hỏi này.")))
            return
        submission = games.Submission(
            self.game_id, self.player_id, index, tuple(choices), received_at
        )
        try:
            answer, _new = await answers.writer().submit(submission)
        except games.GameRefused as refusal:
            await self.refuse(_error(refusal.code, str(refusal), index=index))
            return
        except Exception:  # the database is away for a moment: nothing was stored
            await self.send(
                text_data=_error("retry", _("Chưa lưu được câu trả lời; hãy gửi lại."), index=index)
            )
            return
        # Acknowledged only now: the answer is committed.
        await self.reply(
            events.encode({"v": 1, "type": "ack", "index": index, "choices": answer.chosen})
        )


def _with_row(text: str, row: list) -> str:
    """A broadcast with the player's own line of the result table as "you"."""
    you = {"total": row[0], "rank": row[1], "correct": row[2], "points": row[3]}
    return f'{text[:-1]},"you":{events.encode(you)}}}'


class HostConsumer(_Member):
    """The host's screen: drives the game, sees the broadcasts and, once a second, how many
    players there are and how many answered. Locks a question at its deadline or when
    everyone has answered."""

    COMMANDS = {"next", "lock", "reveal", "leaderboard", "finish", "lock_lobby", "remove"}

    async def connect(self):
        self.game_id = self.scope["url_route"]["kwargs"]["game_id"]
        user = self.scope.get("user")
        if not await database_sync_to_async(_may_host)(user, self.game_id):
            await self.close(code=4403)
            return
        await self.accept()
        await self.join(events.game_group(self.game_id))
        _watch_games()
        await self.resync()
        self.last_status = None
        self.watcher = asyncio.create_task(self.watch())

    async def resync(self) -> None:
        state = await database_sync_to_async(games.game_state)(self.game_id, now=timezone.now())
        self.phase, self.index = state["phase"], state["index"]
        await self.send(text_data=events.encode({**state, "now": int(time.time() * 1000)}))

    async def disconnect(self, code):
        if getattr(self, "watcher", None):
            self.watcher.cancel()
        await super().disconnect(code)

    def write(self, frame: frames.Frame, row) -> bool:
        return False  # the host's screen reads each broadcast (`push`)

    async def push(self, text: str, row) -> None:
        message = json.loads(text)  # the host's one socket: reading it back costs nothing
        if message["type"] in ("question", "locked", "reveal", "leaderboard", "finished"):
            self.phase = {"question": Phase.QUESTION, "locked": Phase.LOCKED}.get(
                message["type"], message["type"]
            )
            self.index = message.get("index", self.index)
        await self.send(text_data=text)

    async def watch(self) -> None:
        """Once a second: the counters for the host, and the automatic lock."""
        while True:
            await asyncio.sleep(1 if self.phase != Phase.QUESTION else 0.5)
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis or the database away for a moment: try again
                log.exception("host watcher of game %s", self.game_id)

    async def tick(self) -> None:
        players, answered = await database_sync_to_async(_counts)(self.game_id, self.index)
        status = {"v": 1, "type": "status", "players": players, "answered": answered}
        if status != self.last_status:
            self.last_status = status
            await self.send(text_data=events.encode(status))
        if self.phase == Phase.QUESTION:
            await database_sync_to_async(games.lock_if_due)(
                self.game_id, index=self.index, now=timezone.now()
            )

    async def receive(self, text_data=None, bytes_data=None):
        message = self.parse(text_data)
        if isinstance(message, str):
            await self.refuse(message)
            return
        command = message["type"]
        if command == "ping":
            await self.reply('{"v":1,"type":"pong"}')
            return
        if command not in self.COMMANDS:
            await self.refuse(_error("type", _("Loại tin nhắn không được hỗ trợ.")))
            return
        try:
            await database_sync_to_async(_command)(self.game_id, command, message, self.index)
        except games.GameRefused as refusal:
            await self.send(text_data=_error(refusal.code, str(refusal)))
        except (TypeError, ValueError):
            await self.refuse(_error("json", _("Tin nhắn không hợp lệ hoặc quá dài.")))


def _may_host(user, game_id: int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or Game.objects.filter(pk=game_id, host=user).exists()


def _counts(game_id: int, index: int) -> tuple[int, int]:
    return games.active_players(game_id), games.answered(game_id, index) if index else 0


def _command(game_id: int, command: str, message: dict, index: int) -> None:
    now = timezone.now()
    if command == "next":
        games.open_next_question(game_id, now=now)
    elif command == "lock":
        games.lock_question(game_id, index=index)
    elif command == "reveal":
        games.reveal(game_id, now=now)
    elif command == "leaderboard":
        games.show_leaderboard(game_id)
    elif command == "finish":
        games.finish_game(game_id, now=now)
    elif command == "lock_lobby":
        games.set_lobby_locked(game_id, locked=bool(message.get("locked", True)))
    elif command == "remove":
        games.remove_player(game_id, player_id=int(message["player"]))
