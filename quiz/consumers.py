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

from quiz import answers, events, frames, games, leaderboard, sockets
from quiz.models import Game, Phase

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096  # bytes
MAX_BRACKETS = 8  # no message needs more than two; '[' × 4000 overflowed the parser
MAX_ID = 2**63 - 1  # a database id; a larger one overflows the column
RATE, BURST = 5, 10  # messages per second per connection, and the burst allowed
FLOOD_CLOSE = 50  # refused messages before the connection is closed
STATE_SECONDS = 1.0  # a reconnect storm reads a game's state once per process per second


def _error(code: str, message: str, **extra) -> str:
    return events.encode({"v": 1, "type": "error", "code": code, "message": message, **extra})


def _id(value) -> bool:
    return type(value) is int and 0 < value <= MAX_ID  # type(): True is not an id


def _ids(value) -> bool:
    return type(value) is list and 1 <= len(value) <= 6 and all(_id(v) for v in value)


def _flag(value) -> bool:
    return type(value) is bool


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
    counted: str | None = None  # this socket's place in its address's count (quiz/sockets.py)
    max_message = MAX_MESSAGE
    # What the socket accepts: {type: {field: (check, required)}}; "v" is always allowed.
    MESSAGES: dict[str, dict] = {"ping": {}}

    async def resync(self) -> None:
        """Send the current state again (a broadcast was missed)."""

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:  # a handler that raised ends the socket without `disconnect`
            await self.disconnect(None)

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

    async def deny(self, code: int) -> None:
        """Refuse the connection with `code` (docs/protocol.md). Accepted first: a close
        before the handshake reaches a browser as a failed handshake (1006) without the
        code, and the page would retry forever."""
        await self.accept()
        await self.close(code=code)

    async def admit(self, name: str) -> bool:
        """Count this socket against its address's cap for `name` (a game or a round)."""
        counted = f"{name}:{sockets.address(self.scope)}"
        if not await sockets.counter().admit(counted):
            return False
        self.counted = counted
        return True

    async def join(self, group: str) -> None:
        self.group = group
        await events.fanout().join(group, self)

    async def disconnect(self, code):
        """Leave the fan-out and give the socket's place in its address's count back; once,
        though it runs again when the consumer ends."""
        group, self.group = self.group, None
        if group is not None:
            await events.fanout().leave(group, self)
        counted, self.counted = self.counted, None
        if counted is not None:
            await sockets.counter().release(counted)

    def parse(self, text_data) -> dict | str:
        """The message as a dict that fits MESSAGES, or the error text to send back. The
        size and the brackets are checked before the JSON parser sees the text."""
        if not hasattr(self, "bucket"):
            self.bucket, self.refused = _Bucket(), 0
        if not self.bucket.take():
            return _error("flood", _("Bạn gửi quá nhanh; hãy chờ một chút."))
        if (
            text_data is None
            or len(text_data) > self.max_message  # before encoding a long text
            or len(text_data.encode()) > self.max_message
        ):
            return _error("size", _("Tin nhắn không hợp lệ hoặc quá dài."))
        if text_data.count("[") + text_data.count("{") > MAX_BRACKETS:
            return _error("json", _("Tin nhắn không hợp lệ hoặc quá dài."))
        try:
            message = json.loads(text_data)
        except (ValueError, RecursionError):
            return _error("json", _("Tin nhắn không hợp lệ hoặc quá dài."))
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            return _error("json", _("Tin nhắn không hợp lệ hoặc quá dài."))
        fields = self.MESSAGES.get(message["type"])
        if fields is None:
            return _error("type", self.unknown_type())
        for key, value in message.items():
            if key != "type" and key != "v" and (key not in fields or not fields[key][0](value)):
                return self.field_error(message)
        if len(message) - 1 - ("v" in message) < len(fields) and any(
            required and key not in message for key, (_check, required) in fields.items()
        ):
            return self.field_error(message)
        return message

    def unknown_type(self) -> str:
        return _("Loại tin nhắn không được hỗ trợ.")

    def field_error(self, message: dict) -> str:
        return _error("field", _("Tin nhắn thiếu thông tin hoặc có giá trị không hợp lệ."))

    async def receive(self, text_data=None, bytes_data=None):
        received_at = timezone.now()
        message = self.parse(text_data)
        if isinstance(message, str):
            await self.refuse(message)
            return
        try:
            await self.handle(message, received_at)
        except Exception:  # a bug or an outage must answer this message, not end the socket
            log.exception("%s: message %r", type(self).__name__, message["type"])
            await self.send(
                text_data=_error("retry", _("Máy chủ chưa xử lý được tin này; hãy thử lại."))
            )

    async def handle(self, message: dict, received_at) -> None:
        """Act on a message that fits MESSAGES."""

    async def refuse(self, text: str) -> None:
        self.refused += 1
        await self.send(text_data=text)
        if self.refused >= FLOOD_CLOSE:
            await self.close(code=4429)


class LeaderboardConsumer(_Member):
    """A leaderboard page or big screen: the snapshot on connect, then the throttled
    pushes of its round. Viewers send nothing but pings."""

    max_message = 256

    async def connect(self):
        round_id = self.scope["url_route"]["kwargs"]["round_id"]
        data = (
            await database_sync_to_async(leaderboard.snapshot)(round_id)
            if round_id <= MAX_ID
            else None
        )
        if data is None:
            await self.deny(4404)
            return
        if not await self.admit(f"round:{round_id}"):
            await self.deny(4429)
            return
        await self.accept()
        await self.send(text_data=leaderboard.encoded(data))
        await self.join(events.round_group(round_id))

    def unknown_type(self) -> str:
        return _("Trang này chỉ nhận cập nhật, không nhận tin.")

    async def handle(self, message: dict, received_at) -> None:
        await self.send(text_data='{"type":"pong"}')  # a ping: the only message viewers send


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

    MESSAGES = {
        "ping": {},
        "sync": {},
        "answer": {"index": (_id, True), "choices": (_ids, True)},
    }

    async def connect(self):
        game_id = self.scope["url_route"]["kwargs"]["game_id"]
        token = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("t", [""])[0]
        ids = games.read_player_token(token)
        if ids is None or ids[0] != game_id:
            await self.deny(4401)
            return
        self.game_id, self.player_id = ids
        if not await self.admit(f"game:{game_id}"):
            await self.deny(4429)
            return
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

    def field_error(self, message: dict) -> str:
        if message["type"] == "answer":
            return _error("choice", _("Hãy chọn một phương án của câu hỏi này."))
        return super().field_error(message)

    async def handle(self, message: dict, received_at) -> None:
        if message["type"] == "answer":
            await self.answer(message, received_at)
        elif message["type"] == "ping":
            await self.reply('{"v":1,"type":"pong"}')
        else:
            await self.send_state()  # "sync"

    async def answer(self, message: dict, received_at) -> None:
        index, choices = message["index"], message["choices"]
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

    MESSAGES = {
        "ping": {},
        **{command: {} for command in ("next", "lock", "reveal", "leaderboard", "finish")},
        "lock_lobby": {"locked": (_flag, False)},
        "remove": {"player": (_id, True)},
    }

    async def connect(self):
        self.game_id = self.scope["url_route"]["kwargs"]["game_id"]
        if self.game_id > MAX_ID:
            await self.deny(4404)
            return
        user = self.scope.get("user")
        if not await database_sync_to_async(_may_host)(user, self.game_id):
            await self.deny(4403)
            return
        state = await self.read_state()
        if state is None:  # a superuser's link to a game deleted since
            await self.deny(4404)
            return
        await self.accept()
        await self.join(events.game_group(self.game_id))
        _watch_games()
        await self.resync(state)
        self.last_status = None
        self.watcher = asyncio.create_task(self.watch())

    async def read_state(self) -> dict | None:
        return await database_sync_to_async(games.game_state)(self.game_id, now=timezone.now())

    async def resync(self, state: dict | None = None) -> None:
        state = state or await self.read_state()
        if state is None:
            await self.close(code=4404)
            return
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

    async def handle(self, message: dict, received_at) -> None:
        command = message["type"]
        if command == "ping":
            await self.reply('{"v":1,"type":"pong"}')
            return
        try:
            await database_sync_to_async(_command)(self.game_id, command, message, self.index)
        except games.GameRefused as refusal:
            await self.send(text_data=_error(refusal.code, str(refusal)))


def _may_host(user, game_id: int) -> bool:
    if user is None or not user.is_authenticated or user.consent_at is None:
        return False  # consent not yet given: every page but the consent page is closed too
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
        games.remove_player(game_id, player_id=message["player"])
