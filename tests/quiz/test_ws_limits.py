"""Hostile clients of the live game and the live leaderboard: their numbers (issue 13,
finding 11). What they send: test_ws_hardening.py.

- One address holds at most SOCKETS_PER_ADDRESS sockets per game or round; a closed socket
  frees its place, and a crashed process's places within a window or two.
- The join page counts PINs of no game per address and per browser session.
"""

import asyncio
import logging
import time

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from quiz import games, sockets
from quiz.models import Game, Player
from tests.quiz.sockets import next_of, player_socket, refusal, viewer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tuyen_quang")]


# --- Sockets per address ----------------------------------------------------------------------


def forwarded(address: str) -> tuple[bytes, bytes]:
    return (b"x-forwarded-for", f"{address}, 10.0.0.1".encode())


@pytest.fixture
def three_per_address(settings):
    settings.SOCKETS_PER_ADDRESS = 3
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2  # the client, then nginx's own entry


def test_one_address_holds_at_most_the_cap_of_sockets_in_a_game(
    live_game, round_, three_per_address
):
    token = games.player_token(live_game["player"])
    game_id = live_game["game"].pk

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


def test_a_burst_over_the_cap_is_logged_once(live_game, three_per_address, caplog):
    token, game_id = games.player_token(live_game["player"]), live_game["game"].pk

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


def test_a_socket_whose_handler_failed_gives_its_place_back(live_game, settings, monkeypatch):
    settings.SOCKETS_PER_ADDRESS = 1
    token, game_id = games.player_token(live_game["player"]), live_game["game"].pk

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


def test_guessing_pins_from_one_address_is_refused_after_the_limit(settings, live_game, caplog):
    settings.GAME_JOIN_LIMITS = {"misses": (5, 60)}
    pin = live_game["game"].pin
    guesser = Client(REMOTE_ADDR="198.51.100.9")
    with caplog.at_level(logging.WARNING, logger="quiz.games"):
        codes = [guesser.get(f"/choi/{p}/").status_code for p in wrong_pins(live_game["game"], 8)]
    right = guesser.get(f"/choi/{pin}/")  # the right PIN too, until the minute is over
    neighbour = Client(REMOTE_ADDR="198.51.100.10").get(f"/choi/{pin}/")

    assert codes == [302] * 6 + [429] * 2
    assert right.status_code == 429 and right["Retry-After"] == "60"
    assert "Hãy chờ một phút rồi thử lại." in right.content.decode()
    assert neighbour.status_code == 200  # another address has its own count
    assert [r.getMessage() for r in caplog.records if r.name == "quiz.games"] == [
        "join page: misses from 198.51.100.9 over 5 in 60 s"
    ]  # a burst is logged once


def test_guessing_pins_from_one_session_is_refused_whatever_the_address(settings, live_game):
    settings.GAME_JOIN_LIMITS = {"session_misses": (3, 60)}
    guesser = Client()
    guesser.session.save()  # a browser session (cookie) of its own
    codes = [
        guesser.get(f"/choi/{pin}/", REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n, pin in enumerate(wrong_pins(live_game["game"], 5))
    ]
    assert codes == [302] * 4 + [429]


def test_a_hall_of_phones_behind_one_address_all_join(live_game):
    pin, hall = live_game["game"].pin, "198.51.100.20"
    for n in range(120):
        phone = Client(REMOTE_ADDR=hall)
        response = phone.post(f"/choi/{pin}/", {"nickname": f"Người {n}", "commune": "Giáp Trung"})
        assert response.status_code == 302, response.content.decode()[:500]
    assert Player.objects.filter(game=live_game["game"]).count() == 121


def test_a_pin_that_is_not_six_digits_is_not_found(client):
    for path in ("/choi/12a456/", "/choi/1234567/", "/choi/١٢٣٤٥٦/", "/choi/12a456/phong/"):
        assert client.get(path).status_code == 404, path
    # A NUL byte: a 404 here, or the 400 of the edge's NUL check before any view.
    assert client.get("/choi/%00/").status_code in (400, 404)
