"""Hostile clients of the live game and the live leaderboard (issue 13, findings 9–11).

- A refused socket reaches a real websocket client (the `websockets` library against a
  daphne process) with its close code, not as a failed handshake.
- Every message of every socket is checked before it is acted on: a frame the JSON parser
  cannot nest, a host command without its fields, an unknown type all get an error reply,
  and the socket stays open.
- One address holds at most SOCKETS_PER_ADDRESS sockets per game or round; a closed socket
  frees its place, and a crashed process's places within a window or two.
- The join page counts PINs of no game per address and per browser session.
"""

import asyncio
import json
import logging
import time

import pytest
import websockets
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from config.asgi import application
from quiz import consumers, games, sockets
from quiz.models import Contest, Game, Player
from tests import factories
from tests.factories import make_question
from tests.quiz.servers import Servers
from tests.quiz.sockets import ORIGIN, next_of, refusal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tuyen_quang")]


@pytest.fixture
def game():
    host = factories.person(commune=factories.commune("02215"), full_name="Người Dẫn")
    made = games.create_game(host=host, title="Đố vui", questions=[make_question(1, 1)])
    player = games.join_game(
        made, user=None, nickname="Hoa Ban", commune=factories.commune("00985"), now=timezone.now()
    )
    client = Client()
    client.force_login(host)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return {"game": made, "player": player, "cookie": cookie}


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


def test_refusals_reach_a_real_client_with_their_close_code(daphne, game, round_):
    Contest.objects.update(is_published=False)
    base, game_id = f"ws://{daphne}", game["game"].pk
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
                f"{base}/ws/choi/{game_id}/?t={games.player_token(game['player'])}",
                send=["{"] * 60,
            ),
        ]

    assert async_to_sync(scenario)() == [4401, 4403, 4403, 4404, 4404, 4429]


def test_a_deep_frame_and_a_host_command_without_fields_get_error_replies(daphne, game):
    base, game_id = f"ws://{daphne}", game["game"].pk

    async def scenario():
        replies = []
        phone = f"{base}/ws/choi/{game_id}/?t={games.player_token(game['player'])}"
        host = f"{base}/ws/choi/{game_id}/dieu-khien/"
        for url, headers, texts in (
            (phone, [], ["[" * 4000, "{" * 2000, '{"type": "answer"}', '{"type": "ping"}']),
            (host, [("Cookie", game["cookie"])], ['{"type": "remove"}', '{"type": "ping"}']),
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


def test_a_query_string_that_is_not_utf8_is_refused_as_a_bad_token(game):
    async def scenario():
        phone = WebsocketCommunicator(application, f"/ws/choi/{game['game'].pk}/", [ORIGIN])
        phone.scope["query_string"] = b"t=\xff\xfe"  # raised UnicodeDecodeError in connect
        return await refusal(phone)

    assert async_to_sync(scenario)() == 4401


# --- Every message against its schema ---------------------------------------------------------


def host_socket(game_id: int, cookie: str, *headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application,
        f"/ws/choi/{game_id}/dieu-khien/",
        headers=[ORIGIN, (b"cookie", cookie.encode()), *headers],
    )


def player_socket(game_id: int, token: str, *headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, f"/ws/choi/{game_id}/?t={token}", headers=[ORIGIN, *headers]
    )


def viewer(round_id: int, *headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, f"/ws/thi/vong/{round_id}/", headers=[ORIGIN, *headers]
    )


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
    monkeypatch.setattr(consumers, "BURST", 100)


def test_every_player_message_is_checked_against_its_schema(game, unhurried):
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
        phone = player_socket(game["game"].pk, games.player_token(game["player"]))
        await phone.connect()
        await next_of(phone, "state")
        codes = await replies_to(phone, [text for text, _code in cases])
        await phone.disconnect()
        return codes

    assert async_to_sync(scenario)() == [code for _text, code in cases]


def test_every_host_command_is_checked_against_its_schema(game, unhurried):
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
    player_id = game["player"].pk

    async def scenario():
        host = host_socket(game["game"].pk, game["cookie"])
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


def test_a_failing_command_is_answered_and_the_socket_stays_open(game, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("the database is away")

    monkeypatch.setattr(games, "show_leaderboard", broken)

    async def scenario():
        host = host_socket(game["game"].pk, game["cookie"])
        await host.connect()
        await next_of(host, "state")
        codes = await replies_to(host, ['{"type": "leaderboard"}', '{"type": "ping"}'])
        await host.disconnect()
        return codes

    assert async_to_sync(scenario)() == ["retry", "pong"]


# --- Sockets per address ----------------------------------------------------------------------


def forwarded(address: str) -> tuple[bytes, bytes]:
    return (b"x-forwarded-for", f"{address}, 10.0.0.1".encode())


@pytest.fixture
def three_per_address(settings):
    settings.SOCKETS_PER_ADDRESS = 3
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2  # the client, then nginx's own entry


def test_one_address_holds_at_most_the_cap_of_sockets_in_a_game(game, round_, three_per_address):
    token = games.player_token(game["player"])
    game_id = game["game"].pk

    async def scenario():
        hall = [player_socket(game_id, token, forwarded("203.0.113.7")) for _ in range(3)]
        for phone in hall:
            assert (await phone.connect())[0]
            await next_of(phone, "state")
        results = [await refusal(player_socket(game_id, token, forwarded("203.0.113.7")))]
        neighbour = player_socket(game_id, token, forwarded("203.0.113.8"))
        results.append((await neighbour.connect())[0])  # another address has its own count
        await hall[0].disconnect()  # a closed socket frees its place at once
        again = player_socket(game_id, token, forwarded("203.0.113.7"))
        results.append((await again.connect())[0])
        # A round's leaderboard counts apart from the game.
        viewers = [viewer(round_.pk, forwarded("203.0.113.7")) for _ in range(3)]
        for v in viewers:
            results.append((await v.connect())[0])
        results.append(await refusal(viewer(round_.pk, forwarded("203.0.113.7"))))
        for socket in [*hall[1:], neighbour, again, *viewers]:
            await socket.disconnect()
        return results

    assert async_to_sync(scenario)() == [4429, True, True, True, True, True, 4429]


def test_a_burst_over_the_cap_is_logged_once(game, three_per_address, caplog):
    token, game_id = games.player_token(game["player"]), game["game"].pk

    async def scenario():
        held = [player_socket(game_id, token) for _ in range(3)]
        for phone in held:
            await phone.connect()
        codes = [await refusal(player_socket(game_id, token)) for _ in range(5)]
        for phone in held:
            await phone.disconnect()
        return codes

    with caplog.at_level(logging.WARNING, logger="quiz.sockets"):
        assert async_to_sync(scenario)() == [4429] * 5
    assert [r.getMessage() for r in caplog.records].count(
        f"socket cap: game:{game_id}:- holds 3 sockets; refusing more"
    ) == 1


def test_a_socket_whose_handler_failed_gives_its_place_back(game, settings, monkeypatch):
    settings.SOCKETS_PER_ADDRESS = 1
    token, game_id = games.player_token(game["player"]), game["game"].pk

    def broken(*args, **kwargs):
        raise OSError("the database is away")

    async def scenario():
        monkeypatch.setattr(games, "game_state", broken)
        phone = player_socket(game_id, token)
        await phone.connect()
        with pytest.raises(OSError):
            await phone.receive_output(timeout=5)  # the connect's state could not be read
        monkeypatch.undo()
        again = player_socket(game_id, token)
        await again.connect()
        state = await next_of(again, "state")
        await again.disconnect()
        return state["phase"]

    assert async_to_sync(scenario)() == "lobby"


def test_sockets_of_a_process_that_died_leave_the_count_within_two_windows(settings, monkeypatch):
    settings.SOCKETS_PER_ADDRESS = 2
    monkeypatch.setattr(sockets, "WINDOW", 0.5)

    async def living_process():
        counter = sockets.counter()
        assert await counter.admit("game:1:203.0.113.7")
        assert await counter.admit("game:1:203.0.113.7")
        # The middle of a window two or three windows on: each new window counted them again.
        await asyncio.sleep(1.0 + (0.25 - time.time() % 0.5) % 0.5)
        refused = not await counter.admit("game:1:203.0.113.7")
        counter.task.cancel()  # then the process dies holding both sockets
        return refused

    async def next_process():
        counter = sockets.counter()
        for attempt in range(40):
            if await counter.admit("game:1:203.0.113.7"):
                return attempt
            await asyncio.sleep(0.1)
        return None

    assert async_to_sync(living_process)()
    assert async_to_sync(next_process)() is not None  # the dead process's places came free


# --- The join page ----------------------------------------------------------------------------


def wrong_pins(game: Game, count: int) -> list[str]:
    return [pin for n in range(count + 1) if (pin := f"{200000 + n:06d}") != game.pin][:count]


def test_guessing_pins_from_one_address_is_refused_after_the_limit(settings, game, caplog):
    settings.GAME_JOIN_LIMITS = {"misses": (5, 60)}
    pin = game["game"].pin
    guesser = Client(REMOTE_ADDR="198.51.100.9")
    with caplog.at_level(logging.WARNING, logger="quiz.games"):
        codes = [guesser.get(f"/choi/{p}/").status_code for p in wrong_pins(game["game"], 8)]
    right = guesser.get(f"/choi/{pin}/")  # the right PIN too, until the minute is over
    neighbour = Client(REMOTE_ADDR="198.51.100.10").get(f"/choi/{pin}/")

    assert codes == [302] * 6 + [429] * 2
    assert right.status_code == 429 and right["Retry-After"] == "60"
    assert "Hãy chờ một phút rồi thử lại." in right.content.decode()
    assert neighbour.status_code == 200  # another address has its own count
    assert [r.getMessage() for r in caplog.records if r.name == "quiz.games"] == [
        "join page: misses from 198.51.100.9 over 5 in 60 s"
    ]  # a burst is logged once


def test_guessing_pins_from_one_session_is_refused_whatever_the_address(settings, game):
    settings.GAME_JOIN_LIMITS = {"session_misses": (3, 60)}
    guesser = Client()
    guesser.session.save()  # a browser session (cookie) of its own
    codes = [
        guesser.get(f"/choi/{pin}/", REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n, pin in enumerate(wrong_pins(game["game"], 5))
    ]
    assert codes == [302] * 4 + [429]


def test_a_hall_of_phones_behind_one_address_all_join(game):
    pin, hall = game["game"].pin, "198.51.100.20"
    for n in range(120):
        phone = Client(REMOTE_ADDR=hall)
        response = phone.post(f"/choi/{pin}/", {"nickname": f"Người {n}", "commune": "Giáp Trung"})
        assert response.status_code == 302, response.content.decode()[:500]
    assert Player.objects.filter(game=game["game"]).count() == 121


def test_a_pin_that_is_not_six_digits_is_not_found(client):
    for path in ("/choi/12a456/", "/choi/1234567/", "/choi/١٢٣٤٥٦/", "/choi/12a456/phong/"):
        assert client.get(path).status_code == 404, path
    # A NUL byte: a 404 here, or the 400 of the edge's NUL check before any view.
    assert client.get("/choi/%00/").status_code in (400, 404)
