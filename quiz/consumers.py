"""Websocket consumers: transport only (DESIGN.md). Every message: docs/protocol.md.

Each socket is let in, joins its game's room or its round's board in this process
(quiz/hub.py) through the fan-out (quiz/events.py), has what it sends checked
(quiz/messages.py), and calls one service per message."""

import asyncio
import json
import logging
import time
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from quiz import answers, counts, events, frames, games, hosting, hub, leaderboard, sockets
from quiz.messages import MAX_ID, MAX_MESSAGE, Checker, Refused, are_ids, error, is_flag, is_id
from quiz.models import Game, Phase
from quiz.podium import player_results
from quiz.scoring import Submission

log = logging.getLogger(__name__)

FLOOD_CLOSE = 50  # refused messages before the connection is closed


# --- The database, off the event loop ---------------------------------------------------------


_snapshot = database_sync_to_async(leaderboard.snapshot)
_player_results = database_sync_to_async(player_results)
_versions = database_sync_to_async(games.versions)


@database_sync_to_async
def _game_state(game_id: int) -> dict | None:
    return games.game_state(game_id, now=timezone.now())


@database_sync_to_async
def _refusal_to_host(user, game_id: int) -> int | None:
    """The close code for someone who may not host this game, else None."""
    try:
        hosting.access_game(user, game_id)
    except PermissionDenied:
        return 4403
    except Game.DoesNotExist:
        return 4404
    return None


@database_sync_to_async
def _counts(game_id: int, index: int) -> tuple[int, int]:
    return counts.active_players(game_id), counts.answered(game_id, index) if index else 0


@database_sync_to_async
def _lock_if_due(game_id: int, index: int) -> None:
    games.lock_if_due(game_id, index=index, now=timezone.now())


@database_sync_to_async
def _command(game_id: int, message: dict, index: int) -> None:
    hosting.command(game_id, message, index=index, now=timezone.now())


def _now_ms() -> int:
    return int(time.time() * 1000)


# --- The consumers ----------------------------------------------------------------------------


class _Member(AsyncWebsocketConsumer):
    """A socket that takes part in fan-out groups and checks what it receives.

    It has no layer channel of its own: the process's Fanout receives for all its sockets,
    and a channel per socket would cost a Redis subscription per phone in a join storm."""

    channel_layer_alias = "none"  # not in CHANNEL_LAYERS: Channels gives the socket no channel
    player_id: int | None = None
    place: hub.Room | hub.Board | None = None  # the room or board this socket joined
    counted: str | None = None  # this socket's place in its address's count (quiz/sockets.py)
    max_message = MAX_MESSAGE
    # What the socket accepts: {type: {field: (check, required)}} (quiz/messages.py).
    MESSAGES: dict[str, dict] = {"ping": {}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checker = Checker(self.MESSAGES, self.max_message)
        self.refused = 0

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

    async def join(self, place: hub.Room | hub.Board) -> None:
        self.place = place
        await events.fanout().join(place, self)
        hub.current().watch(_versions)

    async def disconnect(self, code):
        """Leave the fan-out and give the socket's place in its address's count back; once,
        though it runs again when the consumer ends."""
        place, self.place = self.place, None
        if place is not None:
            await events.fanout().leave(place, self)
        counted, self.counted = self.counted, None
        if counted is not None:
            await sockets.counter().release(counted)

    # What the fan-out hands this socket (quiz/events.py).

    def write(self, frame: frames.Frame, row) -> bool:
        """A broadcast straight to the socket (quiz/frames.py); False: use `push`."""
        return frame.write(self)

    async def push(self, text: str, row) -> None:
        await self.send(text_data=text)

    async def resync(self) -> None:
        """Send the current state again (a broadcast was missed)."""

    async def removed(self) -> None:
        await self.close(code=4403)

    async def reply(self, text: str) -> None:
        """A message of this socket's own, straight to it where it can (quiz/frames.py): an
        ack or a pong is sent while a question still travels to thousands of phones."""
        if not frames.write_text(self, text):
            await self.send(text_data=text)

    # What the socket sends.

    async def receive(self, text_data=None, bytes_data=None):
        received_at = timezone.now()
        try:
            message = self.checker.parse(text_data)
        except Refused as refused:
            await self.refuse(self.explain(refused))
            return
        try:
            await self.handle(message, received_at)
        except Exception:  # a bug or an outage must answer this message, not end the socket
            log.exception("%s: message %r", type(self).__name__, message["type"])
            await self.send(
                text_data=error("retry", _("Máy chủ chưa xử lý được tin này; hãy thử lại."))
            )

    def explain(self, refused: Refused) -> str:
        """The error reply to a message that does not fit."""
        return refused.text()

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
        data = await _snapshot(round_id) if round_id <= MAX_ID else None
        if data is None:
            await self.deny(4404)
            return
        if not await self.admit(f"round:{round_id}"):
            await self.deny(4429)
            return
        await self.accept()
        await self.send(text_data=leaderboard.encoded(data))
        await self.join(hub.current().round(round_id))

    def explain(self, refused: Refused) -> str:
        if refused.code == "type":
            return error("type", _("Trang này chỉ nhận cập nhật, không nhận tin."))
        return super().explain(refused)

    async def handle(self, message: dict, received_at) -> None:
        await self.send(text_data='{"type":"pong"}')  # a ping: the only message viewers send


class PlayerConsumer(_Member):
    """A player's phone. The signed token from the join page is checked without a database
    query; on every (re)connect the phone gets the current state and its own score."""

    MESSAGES = {
        "ping": {},
        "sync": {},
        "answer": {"index": (is_id, True), "choices": (are_ids, True)},
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
        await self.join(hub.current().game(game_id))
        await self.send_state()

    async def resync(self) -> None:
        await self.send_state()

    async def send_state(self) -> None:
        """The game as it is now, and this player's score: on connect, on the phone's
        "sync", and when the hub's watcher finds a broadcast was missed."""
        here = hub.current()
        state = await here.state(self.game_id, _game_state, _player_results)
        if state is None:
            await self.close(code=4404)
            return
        row = here.you(self.game_id, self.player_id)
        you = {"total": row[0], "rank": row[1]} if row else {"total": 0, "rank": None}
        await self.send(text_data=events.encode({**state, "now": _now_ms(), "you": you}))

    def write(self, frame: frames.Frame, row) -> bool:
        if row is None:
            return frame.write(self)
        return frames.write_text(self, _with_row(frame.text, row))

    async def push(self, text: str, row) -> None:
        await self.send(text_data=text if row is None else _with_row(text, row))

    async def removed(self) -> None:
        await self.send(text_data=events.encode({"v": 1, "type": "removed"}))
        await self.close(code=4403)

    def explain(self, refused: Refused) -> str:
        if refused.code == "field" and refused.message["type"] == "answer":
            return error("choice", _("Hãy chọn một phương án của câu hỏi này."))
        return super().explain(refused)

    async def handle(self, message: dict, received_at) -> None:
        if message["type"] == "answer":
            await self.answer(message, received_at)
        elif message["type"] == "ping":
            await self.reply('{"v":1,"type":"pong"}')
        else:
            await self.send_state()  # "sync"

    async def answer(self, message: dict, received_at) -> None:
        index, choices = message["index"], message["choices"]
        submission = Submission(self.game_id, self.player_id, index, tuple(choices), received_at)
        try:
            answer, _new = await answers.writer().submit(submission)
        except games.GameRefused as refusal:
            await self.refuse(error(refusal.code, str(refusal), index=index))
            return
        except Exception:  # the database is away for a moment: nothing was stored
            await self.send(
                text_data=error("retry", _("Chưa lưu được câu trả lời; hãy gửi lại."), index=index)
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
        "lock_lobby": {"locked": (is_flag, False)},
        "remove": {"player": (is_id, True)},
    }

    async def connect(self):
        self.game_id = self.scope["url_route"]["kwargs"]["game_id"]
        if self.game_id > MAX_ID:
            await self.deny(4404)
            return
        refusal = await _refusal_to_host(self.scope.get("user"), self.game_id)
        if refusal is not None:
            await self.deny(refusal)
            return
        state = await _game_state(self.game_id)
        if state is None:  # deleted since
            await self.deny(4404)
            return
        await self.accept()
        await self.join(hub.current().game(self.game_id))
        await self.resync(state)
        self.last_status = None
        self.watcher = asyncio.create_task(self.watch())

    async def resync(self, state: dict | None = None) -> None:
        state = state or await _game_state(self.game_id)
        if state is None:
            await self.close(code=4404)
            return
        self.phase, self.index = state["phase"], state["index"]
        await self.send(text_data=events.encode({**state, "now": _now_ms()}))

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
        players, answered = await _counts(self.game_id, self.index)
        status = {"v": 1, "type": "status", "players": players, "answered": answered}
        if status != self.last_status:
            self.last_status = status
            await self.send(text_data=events.encode(status))
        if self.phase == Phase.QUESTION:
            await _lock_if_due(self.game_id, self.index)

    async def handle(self, message: dict, received_at) -> None:
        command = message["type"]
        if command == "ping":
            await self.reply('{"v":1,"type":"pong"}')
            return
        try:
            await _command(self.game_id, message, self.index)
        except games.GameRefused as refusal:
            await self.send(text_data=error(refusal.code, str(refusal)))
