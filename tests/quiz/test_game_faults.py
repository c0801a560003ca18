"""Faults with real processes: a daphne server (subprocess) on this run's database, with a
throwaway Redis as its channel layer and cache, and phones speaking the protocol through
the `websockets` library, reconnecting on their own.

- Kill daphne in the middle of a question and start it again: the phones reconnect, get
  the open question back, finish the game; every acknowledged answer is in the database
  and the final scores equal a recomputation from the stored answers.
- Restart Redis in the middle of a game: the game goes on, and an answer given after the
  restart counts (how fast it recovers is measured, not asserted: docs/protocol.md).
"""

import asyncio
import json
import time

import pytest
import websockets
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from quiz import games
from quiz.models import Choice, Game, GameAnswer, Phase
from tests import factories
from tests.factories import make_question
from tests.quiz.servers import Servers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tuyen_quang")]


@pytest.fixture
def servers(tmp_path):
    running = Servers(tmp_path)
    running.start_redis()
    running.start_daphne()
    yield running
    running.stop()


class Phone:
    """A websocket client that keeps reconnecting (as the page's script does) and queues
    every message it receives."""

    def __init__(self, url: str, headers=()):
        self.url, self.headers = url, list(headers)
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.socket = None
        self.task = asyncio.create_task(self.run())

    async def run(self) -> None:
        origin = self.url.replace("ws://", "http://").split("/ws/")[0]
        while True:
            try:
                async with websockets.connect(
                    self.url, origin=origin, additional_headers=self.headers, open_timeout=5
                ) as ws:
                    self.socket = ws
                    async for text in ws:
                        await self.inbox.put(json.loads(text))
            except (TimeoutError, OSError, websockets.WebSocketException):
                pass
            self.socket = None
            await asyncio.sleep(0.2)

    async def send(self, message: dict, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.socket is not None:
                try:
                    await self.socket.send(json.dumps(message))
                    return
                except websockets.WebSocketException:
                    pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"could not send {message}")

    async def next_of(self, kind: str, seconds: float = 20, **match) -> dict:
        return await self.first(
            lambda m: m["type"] == kind and all(m.get(k) == v for k, v in match.items()),
            seconds,
            f"{kind} {match}",
        )

    async def first(self, wanted, seconds: float, what: str = "message") -> dict:
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {what} within {seconds} s")
            try:
                message = await asyncio.wait_for(self.inbox.get(), left)
            except TimeoutError:
                continue
            if wanted(message):
                return message

    async def close(self) -> None:
        self.task.cancel()
        if self.socket is not None:
            await self.socket.close()


@pytest.fixture
def game():
    questions = [make_question(n, difficulty=1) for n in range(2)]
    host = factories.with_role(
        factories.person(commune=factories.commune("02215"), full_name="Người Dẫn"),
        Role.CONTEST_HOST,
    )
    made = games.create_game(
        host=host, title="Thử lỗi", questions=questions, seconds_per_question=60
    )
    players = [
        games.join_game(
            made,
            user=None,
            nickname=f"Người {n}",
            commune=factories.commune("00985"),
            now=timezone.now(),
        )  # fmt: skip
        for n in range(3)
    ]
    client = Client()
    client.force_login(host)
    key = {
        q.order: Choice.objects.get(question=q.question, is_correct=True).pk
        for q in made.questions.all()
    }
    return {
        "game": made,
        "players": players,
        "cookie": ("Cookie", f"sessionid={client.cookies['sessionid'].value}"),
        "key": key,
    }


def test_killing_daphne_mid_question_loses_no_acknowledged_answer(servers, game):
    base = f"ws://127.0.0.1:{servers.daphne_port}/ws/choi/{game['game'].pk}/"
    key, acked = game["key"], {}

    async def scenario():
        phones = [Phone(f"{base}?t={games.player_token(p)}") for p in game["players"]]
        host = Phone(f"{base}dieu-khien/", headers=[game["cookie"]])
        for phone in phones:
            await phone.next_of("state", phase="lobby")
        await host.next_of("state")
        await host.send({"type": "next"})
        for phone in phones:
            await phone.next_of("question", index=1)
        for n, phone in enumerate(phones[:2]):
            await phone.send({"type": "answer", "index": 1, "choices": [key[1]]})
            acked[n] = await phone.next_of("ack", index=1)

        await asyncio.get_running_loop().run_in_executor(None, servers.kill_daphne)
        await asyncio.get_running_loop().run_in_executor(None, servers.start_daphne)
        for phone in phones:  # back, with the question still open
            state = await phone.next_of("state", phase="question")
            assert state["question"]["index"] == 1
        await phones[0].send({"type": "answer", "index": 1, "choices": [key[1]]})
        await phones[0].next_of("ack", index=1)  # the same answer again: acknowledged, once
        await phones[2].send({"type": "answer", "index": 1, "choices": [key[1]]})
        acked[2] = await phones[2].next_of("ack", index=1)
        await host.next_of("state")
        for phone in phones:  # everyone answered: the host's connection locks it
            await phone.next_of("locked", index=1)
        await host.send({"type": "reveal"})
        first = [await phone.next_of("reveal", index=1) for phone in phones]
        await host.send({"type": "next"})
        for phone in phones:
            await phone.next_of("question", index=2)
            await phone.send({"type": "answer", "index": 2, "choices": [key[2]]})
            await phone.next_of("ack", index=2)
        await host.send({"type": "finish"})
        final = [await phone.next_of("finished") for phone in phones]
        for phone in (*phones, host):
            await phone.close()
        return first, final

    first, final = asyncio.run(scenario())
    assert len(acked) == 3
    for n, player in enumerate(game["players"]):
        stored = GameAnswer.objects.filter(player=player)
        assert stored.filter(game_question__order=1).count() == 1  # acknowledged: stored, once
        recomputed = sum(stored.values_list("points", flat=True))
        assert final[n]["you"]["total"] == recomputed
        assert first[n]["you"]["correct"] is True
    assert Game.objects.get(pk=game["game"].pk).phase == Phase.FINISHED


def test_the_game_goes_on_after_a_redis_restart(servers, game):
    base = f"ws://127.0.0.1:{servers.daphne_port}/ws/choi/{game['game'].pk}/"
    key = game["key"]

    async def scenario():
        phone = Phone(f"{base}?t={games.player_token(game['players'][0])}")
        host = Phone(f"{base}dieu-khien/", headers=[game["cookie"]])
        await phone.next_of("state")
        await host.next_of("state")
        await host.send({"type": "next"})
        await phone.next_of("question", index=1)

        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, servers.stop_redis)
        await asyncio.sleep(1)
        await loop.run_in_executor(None, servers.start_redis)
        await phone.send({"type": "answer", "index": 1, "choices": [key[1]]})
        await phone.next_of("ack", index=1)
        await host.send({"type": "lock"})
        await host.send({"type": "reveal"})
        # The reveal's broadcast may cross Redis before the daphne's subscription is back;
        # then the game watcher notices the missed version and sends the state.
        caught_up = await phone.first(
            lambda m: m.get("type") == "reveal" or m.get("phase") == "reveal", 30, "the reveal"
        )
        for client in (phone, host):
            await client.close()
        return caught_up

    caught_up = asyncio.run(scenario())
    assert caught_up["you"]["total"] > 0  # the answer given after the restart counted
