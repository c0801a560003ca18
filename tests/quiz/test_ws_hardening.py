"""Hostile clients of the live game and the live leaderboard: what they send (issue 13,
findings 9 and 10). Their numbers (sockets per address, the join page): test_ws_limits.py.

- A refused socket reaches a real websocket client (the `websockets` library against a
  daphne process) with its close code, not as a failed handshake.
- Every message of every socket is checked before it is acted on: a frame the JSON parser
  cannot nest, a host command without its fields, an unknown type all get an error reply,
  and the socket stays open.
"""

import asyncio
import json

import pytest
import websockets
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from quiz import games, messages
from quiz.models import Contest, Game, Player
from tests import factories
from tests.quiz.servers import Servers
from tests.quiz.sockets import ORIGIN, host_socket, next_of, player_socket, refusal, viewer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tuyen_quang")]


def stranger_cookie() -> str:
    client = Client()
    client.force_login(factories.person(commune=factories.commune("00985"), full_name="Người Lạ"))
    return f"sessionid={client.cookies['sessionid'].value}"


# --- A real client against a real daphne ------------------------------------------------------


@pytest.fixture
def daphne(tmp_path):
    running = Servers(tmp_path)
    running.start_redis()
    running.start_daphne()
    yield f"127.0.0.1:{running.daphne_port}"
    running.stop()


async def close_code(url: str, cookie: str = "", send: list[str] = ()) -> int:
    """The code a real client's socket is closed with (after sending `send`)."""
    origin = "http://" + url.split("/")[2]
    headers = [("Cookie", cookie)] if cookie else []
    async with websockets.connect(url, origin=origin, additional_headers=headers) as ws:
        try:
            for text in send:
                await ws.send(text)
            async for _message in ws:
                pass
        except websockets.ConnectionClosed:
            pass
    return ws.close_code


def test_refusals_reach_a_real_client_with_their_close_code(daphne, live_game, round_):
    Contest.objects.update(is_published=False)
    base, game_id = f"ws://{daphne}", live_game["game"].pk
    other = stranger_cookie()

    async def scenario():
        return [
            await close_code(f"{base}/ws/choi/{game_id}/?t=nonsense"),
            await close_code(f"{base}/ws/choi/{game_id}/dieu-khien/", cookie=other),
            await close_code(f"{base}/ws/choi/{game_id + 999}/dieu-khien/", cookie=other),
            await close_code(f"{base}/ws/thi/vong/{round_.pk}/"),
            await close_code(f"{base}/ws/thi/vong/{10**25}/"),
            # 50 refused messages: the flooding socket is closed with 4429
            await close_code(
                f"{base}/ws/choi/{game_id}/?t={games.player_token(live_game['player'])}",
                send=["{"] * 60,
            ),
        ]

    assert async_to_sync(scenario)() == [4401, 4403, 4403, 4404, 4404, 4429]


def test_a_deep_frame_and_a_host_command_without_fields_get_error_replies(daphne, live_game):
    base, game_id = f"ws://{daphne}", live_game["game"].pk

    async def scenario():
        replies = []
        phone = f"{base}/ws/choi/{game_id}/?t={games.player_token(live_game['player'])}"
        host = f"{base}/ws/choi/{game_id}/dieu-khien/"
        for url, headers, texts in (
            (phone, [], ["[" * 4000, "{" * 2000, '{"type": "answer"}', '{"type": "ping"}']),
            (host, [("Cookie", live_game["cookie"])], ['{"type": "remove"}', '{"type": "ping"}']),
        ):
            async with websockets.connect(
                url, origin=f"http://{daphne}", additional_headers=headers
            ) as ws:
                for text in texts:
                    await ws.send(text)
                    while True:
                        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                        if message["type"] in ("error", "pong"):
                            replies.append(message.get("code", "pong"))
                            break
        return replies

    assert async_to_sync(scenario)() == ["json", "json", "choice", "pong", "field", "pong"]


def test_a_query_string_that_is_not_utf8_is_refused_as_a_bad_token(live_game):
    async def scenario():
        phone = WebsocketCommunicator(application, f"/ws/choi/{live_game['game'].pk}/", [ORIGIN])
        phone.scope["query_string"] = b"t=\xff\xfe"  # raised UnicodeDecodeError in connect
        return await refusal(phone)

    assert async_to_sync(scenario)() == 4401


# --- Every message against its schema ---------------------------------------------------------


async def replies_to(socket, texts: list[str]) -> list[str]:
    codes = []
    for text in texts:
        await socket.send_to(text_data=text)
        while True:
            message = await socket.receive_json_from(timeout=5)
            if message["type"] in ("error", "pong"):
                codes.append(message.get("code", "pong"))
                break
    return codes


BIG = 10**30  # beyond any database id: overflowed SQLite's integers before


@pytest.fixture
def unhurried(monkeypatch):
    """Room for a table of messages within the flood limit (5 a second, bursts of 10)."""
    monkeypatch.setattr(messages, "BURST", 100)


def test_every_player_message_is_checked_against_its_schema(live_game, unhurried):
    cases = [
        ("[" * 4000, "json"),
        ('{"type": ' * 5 + "1" + "}" * 5, "json"),
        ('"answer"', "json"),
        ('{"type": 3}', "json"),
        ('{"type": "hack"}', "type"),
        ('{"type": "answer", "index": 1}', "choice"),
        ('{"type": "answer", "choices": [1]}', "choice"),
        ('{"type": "answer", "index": true, "choices": [1]}', "choice"),
        ('{"type": "answer", "index": 1, "choices": []}', "choice"),
        ('{"type": "answer", "index": 1, "choices": [1, 2, 3, 4, 5, 6, 7]}', "choice"),
        (f'{{"type": "answer", "index": {BIG}, "choices": [1]}}', "choice"),
        (f'{{"type": "answer", "index": 1, "choices": [{BIG}]}}', "choice"),
        ('{"type": "answer", "index": 1, "choices": [1.5]}', "choice"),
        ('{"type": "answer", "index": 1, "choices": [1], "admin": true}', "choice"),
        ('{"type": "ping", "extra": 1}', "field"),
        ('{"type": "sync", "index": 1}', "field"),
        ("x" * 5000, "size"),
        ("é" * 3000, "size"),  # 3,000 characters, 6,000 bytes
        ('{"v": 1, "type": "ping"}', "pong"),
    ]

    async def scenario():
        phone = player_socket(live_game["game"].pk, games.player_token(live_game["player"]))
        await phone.connect()
        await next_of(phone, "state")
        codes = await replies_to(phone, [text for text, _code in cases])
        await phone.disconnect()
        return codes

    assert async_to_sync(scenario)() == [code for _text, code in cases]


def test_every_host_command_is_checked_against_its_schema(live_game, unhurried):
    cases = [
        ('{"type": "remove"}', "field"),
        ('{"type": "remove", "player": "17"}', "field"),
        (f'{{"type": "remove", "player": {BIG}}}', "field"),
        ('{"type": "remove", "player": -1}', "field"),
        ('{"type": "lock_lobby", "locked": "yes"}', "field"),
        ('{"type": "next", "now": 1}', "field"),
        ('{"type": "answer", "index": 1, "choices": [1]}', "type"),
        ("[" * 4000, "json"),
        ('{"type": "ping"}', "pong"),
    ]
    player_id = live_game["player"].pk

    async def scenario():
        host = host_socket(live_game["game"].pk, live_game["cookie"].encode())
        await host.connect()
        await next_of(host, "state")
        codes = await replies_to(host, [text for text, _code in cases])
        # The checked commands still work.
        await host.send_to(text_data=json.dumps({"type": "lock_lobby"}))
        await host.send_to(text_data=json.dumps({"type": "remove", "player": player_id}))
        codes += await replies_to(host, ['{"type": "ping"}'])
        await host.disconnect()
        return codes

    assert async_to_sync(scenario)() == [code for _text, code in cases] + ["pong"]
    assert Game.objects.get().lobby_locked and Player.objects.get().removed


def test_a_viewer_may_only_ping(round_):
    async def scenario():
        v = viewer(round_.pk)
        await v.connect()
        await v.receive_json_from(timeout=5)
        codes = await replies_to(
            v, ['{"type": "ping"}', '{"type": "ping", "x": 1}', '{"type": "sync"}', "[" * 200]
        )
        await v.disconnect()
        return codes

    assert async_to_sync(scenario)() == ["pong", "field", "type", "json"]


def test_a_failing_command_is_answered_and_the_socket_stays_open(live_game, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("the database is away")

    monkeypatch.setattr(games, "show_leaderboard", broken)

    async def scenario():
        host = host_socket(live_game["game"].pk, live_game["cookie"].encode())
        await host.connect()
        await next_of(host, "state")
        codes = await replies_to(host, ['{"type": "leaderboard"}', '{"type": "ping"}'])
        await host.disconnect()
        return codes

    assert async_to_sync(scenario)() == ["retry", "pong"]
