"""Live games through the real ASGI application: a host and players over websockets, every
phase, every refusal, reconnection, removal. Runs on the in-memory layer and on Redis."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from config.asgi import application
from quiz import counts, events, games, hub
from quiz.models import Choice, Game, GameAnswer, Phase
from tests import factories
from tests.factories import make_question
from tests.quiz.sockets import ORIGIN, host_socket, next_of, player_socket, refusal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tuyen_quang")]


@pytest.fixture
def setup():
    questions = [make_question(n, difficulty=1) for n in range(2)]
    host = factories.with_role(
        factories.person(commune=factories.commune("02215"), full_name="Người Dẫn"),
        Role.CONTEST_HOST,
    )
    game = games.create_game(host=host, title="Đố vui", questions=questions)
    now = timezone.now()
    players = [
        games.join_game(game, user=None, nickname=name, commune=factories.commune(code), now=now)
        for name, code in (("Hoa Ban", "00985"), ("Sơn Tra", "02554"))
    ]
    return {"game": game, "players": players, "cookie": session_cookie(host)}


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def guests(game: Game, count: int) -> list:
    now = timezone.now()
    commune = factories.commune("00985")
    return [
        games.join_game(game, user=None, nickname=f"Người {n}", commune=commune, now=now)
        for n in range(count)
    ]


def right_choice(game: Game, index: int) -> int:
    question = game.questions.get(order=index).question
    return Choice.objects.get(question=question, is_correct=True).pk


def keys_of(game: Game) -> tuple[dict[int, int], dict[int, int]]:
    """The right and one wrong choice of questions 1 and 2 (read before the event loop)."""
    key, wrong = {}, {}
    for index in (1, 2):
        choices = Choice.objects.filter(question=game.questions.get(order=index).question)
        key[index] = choices.get(is_correct=True).pk
        wrong[index] = choices.filter(is_correct=False).values_list("pk", flat=True).first()
    return key, wrong


async def lobby(game: Game, cookie: bytes, players: list) -> tuple:
    """The host and the players' phones connected, each told the lobby."""
    host = host_socket(game.pk, cookie)
    assert (await host.connect())[0]
    assert (await next_of(host, "state"))["phase"] == Phase.LOBBY
    phones = [player_socket(game.pk, games.player_token(p)) for p in players]
    for phone in phones:
        assert (await phone.connect())[0]
        state = await next_of(phone, "state")
        assert state["phase"] == Phase.LOBBY and state["you"] == {"total": 0, "rank": None}
    return host, phones


async def first_question(game: Game, host, phones: list, hoa, key: dict, wrong: dict) -> None:
    """Question 1: answers, the same answer again, another answer, an answer to a question
    not open, and Hoa's phone dropping and coming back in the middle."""
    await host.send_json_to({"type": "next"})
    for phone in phones:
        question = await next_of(phone, "question")
        assert question["index"] == 1 and "correct" not in json.dumps(question)
    await phones[0].send_json_to({"type": "answer", "index": 1, "choices": [key[1]]})
    ack = await next_of(phones[0], "ack")
    assert ack == {"v": 1, "type": "ack", "index": 1, "choices": [key[1]]}
    await phones[0].send_json_to({"type": "answer", "index": 1, "choices": [key[1]]})
    assert (await next_of(phones[0], "ack"))["index"] == 1  # the same answer: acked again
    await phones[0].send_json_to({"type": "answer", "index": 1, "choices": [wrong[1]]})
    assert (await next_of(phones[0], "error"))["code"] == "answered"
    await phones[1].send_json_to({"type": "answer", "index": 2, "choices": [key[2]]})
    assert (await next_of(phones[1], "error"))["code"] == "question"

    # Hoa's phone drops and comes back mid-question: the question and time left return.
    await phones[0].disconnect()
    phones[0] = player_socket(game.pk, games.player_token(hoa))
    await phones[0].connect()
    state = await next_of(phones[0], "state")
    assert state["phase"] == Phase.QUESTION and state["question"]["index"] == 1
    assert 0 < state["question"]["deadline"] - state["now"] <= 20_000

    await phones[1].send_json_to({"type": "answer", "index": 1, "choices": [wrong[1]]})
    await next_of(phones[1], "ack")


async def reveal_and_leaderboard(host, phones: list) -> tuple[list, dict]:
    await host.send_json_to({"type": "lock"})
    for phone in phones:
        assert (await next_of(phone, "locked"))["index"] == 1
    await host.send_json_to({"type": "reveal"})
    reveals = [await next_of(phone, "reveal") for phone in phones]
    await host.send_json_to({"type": "leaderboard"})
    return reveals, await next_of(phones[1], "leaderboard")


async def last_question(host, phones: list, key: dict) -> dict:
    """Question 2, answered by Sơn only, then "next" after the last question: the end."""
    await host.send_json_to({"type": "next"})
    await next_of(phones[1], "question")
    await phones[1].send_json_to({"type": "answer", "index": 2, "choices": [key[2]]})
    await next_of(phones[1], "ack")
    await host.send_json_to({"type": "lock"})
    await host.send_json_to({"type": "reveal"})
    await host.send_json_to({"type": "next"})
    return await next_of(phones[0], "finished")


def test_a_whole_game_over_websockets(setup):
    game, (hoa, son) = setup["game"], setup["players"]
    key, wrong = keys_of(game)

    async def scenario():
        await get_channel_layer().flush()
        host, phones = await lobby(game, setup["cookie"], [hoa, son])
        await first_question(game, host, phones, hoa, key, wrong)
        reveals, board = await reveal_and_leaderboard(host, phones)
        finished = await last_question(host, phones, key)
        for socket in (*phones, host):
            await socket.disconnect()
        return reveals, board, finished

    reveals, board, finished = async_to_sync(scenario)()
    hoa_reveal, son_reveal = reveals
    assert hoa_reveal["correct"] == [key[1]]
    assert hoa_reveal["you"]["correct"] is True and hoa_reveal["you"]["rank"] == 1
    assert 500 <= hoa_reveal["you"]["points"] <= 1000
    assert son_reveal["you"] == {"total": 0, "rank": 2, "correct": False, "points": 0}
    assert [row[1] for row in board["top"]] == ["Hoa Ban", "Sơn Tra"]
    assert finished["you"]["rank"] in (1, 2) and len(finished["podium"]) == 2
    # Every acknowledged answer is in the database, once.
    assert GameAnswer.objects.filter(player=hoa).count() == 1
    assert GameAnswer.objects.filter(player=son).count() == 2
    assert Game.objects.get(pk=game.pk).phase == Phase.FINISHED


def test_bad_tokens_and_strangers_are_refused(setup):
    game, player = setup["game"], setup["players"][0]
    other = games.create_game(host=game.host, title="Khác", questions=[make_question(9, 1)])
    stranger = factories.person(commune=factories.commune("00985"), full_name="Người Lạ")
    stranger_cookie = session_cookie(stranger)

    async def scenario():
        results = []
        for path in (
            f"/ws/choi/{game.pk}/?t=nonsense",
            f"/ws/choi/{other.pk}/?t={games.player_token(player)}",  # another game's token
            f"/ws/choi/{game.pk}/",
        ):
            results.append(
                await refusal(WebsocketCommunicator(application, path, headers=[ORIGIN]))
            )
        results.append(await refusal(host_socket(game.pk, stranger_cookie)))
        return results

    assert async_to_sync(scenario)() == [4401, 4401, 4401, 4403]


def test_malformed_oversized_and_flooding_messages_get_errors_not_crashes(setup):
    game, player = setup["game"], setup["players"][0]

    async def scenario():
        phone = player_socket(game.pk, games.player_token(player))
        await phone.connect()
        await next_of(phone, "state")
        codes = []
        for text in ("{", "[1]", json.dumps({"type": "hack"}), "x" * 5000,
                     json.dumps({"type": "answer", "index": "1", "choices": "a"})):  # fmt: skip
            await phone.send_to(text_data=text)
            codes.append((await next_of(phone, "error"))["code"])
        for _ in range(12):  # far above 5 a second
            await phone.send_to(text_data='{"type": "ping"}')
        replies = [await phone.receive_json_from(timeout=5) for _ in range(12)]
        await phone.disconnect()
        return codes, replies

    codes, replies = async_to_sync(scenario)()
    assert codes == ["json", "json", "type", "size", "choice"]
    assert any(r.get("code") == "flood" for r in replies)
    assert any(r["type"] == "pong" for r in replies)


def test_a_removed_player_is_told_and_disconnected(setup):
    game, son = setup["game"], setup["players"][1]

    async def scenario():
        await get_channel_layer().flush()
        host = host_socket(game.pk, setup["cookie"])
        await host.connect()
        phone = player_socket(game.pk, games.player_token(son))
        await phone.connect()
        await next_of(phone, "state")
        await host.send_json_to({"type": "remove", "player": son.pk})
        removed = await next_of(phone, "removed")
        closed = await phone.receive_output(timeout=5)
        await host.disconnect()
        return removed, closed

    removed, closed = async_to_sync(scenario)()
    assert removed == {"v": 1, "type": "removed"}
    assert closed == {"type": "websocket.close", "code": 4403}


def test_the_host_locks_a_question_when_everyone_has_answered(setup):
    game, players = setup["game"], setup["players"]
    key = right_choice(game, 1)

    async def scenario():
        await get_channel_layer().flush()
        host = host_socket(game.pk, setup["cookie"])
        await host.connect()
        phones = [player_socket(game.pk, games.player_token(p)) for p in players]
        for phone in phones:
            await phone.connect()
            await next_of(phone, "state")
        await host.send_json_to({"type": "next"})
        for phone in phones:
            await next_of(phone, "question")
            await phone.send_json_to({"type": "answer", "index": 1, "choices": [key]})
            await next_of(phone, "ack")
        locked = await next_of(phones[0], "locked", timeout=5)
        for socket in (*phones, host):
            await socket.disconnect()
        return locked

    assert async_to_sync(scenario)() == {"v": 1, "type": "locked", "index": 1, "seq": 2}


def test_phones_joining_at_once_share_one_channel_and_get_each_broadcast_once(setup):
    game = setup["game"]
    crowd = guests(game, 30)

    async def scenario():
        await get_channel_layer().flush()
        phones = [player_socket(game.pk, games.player_token(p)) for p in crowd]
        await asyncio.gather(*(phone.connect() for phone in phones))  # all at once
        for phone in phones:
            await next_of(phone, "state")
        fanout = events.fanout()
        channels = fanout.channel
        host = host_socket(game.pk, setup["cookie"])
        await host.connect()
        await host.send_json_to({"type": "next"})
        counts = []
        for phone in phones:
            await next_of(phone, "question")
            extra = 0
            while not await phone.receive_nothing(timeout=0.3):
                extra += (await phone.receive_json_from())["type"] == "question"
            counts.append(1 + extra)
        members = len(hub.current().rooms[game.pk].members)
        for socket in (*phones, host):
            await socket.disconnect()
        return counts, members, channels == fanout.channel

    counts, members, one_channel = async_to_sync(scenario)()
    assert counts == [1] * 30  # each phone got the question exactly once
    assert members == 31 and one_channel  # 30 phones and the host, one layer channel


def test_answers_arriving_together_are_written_in_batches_and_each_acknowledged(setup):
    game = setup["game"]
    crowd = guests(game, 40)
    games.open_next_question(game.pk, now=timezone.now())
    key = right_choice(game, 1)

    async def scenario():
        from quiz import answers

        await get_channel_layer().flush()
        phones = [player_socket(game.pk, games.player_token(p)) for p in crowd]
        await asyncio.gather(*(phone.connect() for phone in phones))
        for phone in phones:
            await next_of(phone, "state")
        before = answers.writer().batches
        for phone in phones:  # all 40 before any is acknowledged
            await phone.send_json_to({"type": "answer", "index": 1, "choices": [key]})
        acks = [await next_of(phone, "ack") for phone in phones]
        batches = answers.writer().batches - before
        for phone in phones:
            await phone.disconnect()
        return acks, batches

    acks, batches = async_to_sync(scenario)()
    assert acks == [{"v": 1, "type": "ack", "index": 1, "choices": [key]}] * 40
    assert GameAnswer.objects.filter(game_question__game=game).count() == 40
    assert 1 <= batches < 40  # written together, not one by one
    assert counts.answered(game.pk, 1) == 40


def test_only_a_contest_host_drives_a_game_and_only_their_own(setup):
    """The host's socket asks what the host's pages ask (quiz/hosting.py): without the
    contest hosts' role a game of one's own is refused; another host's game is not found."""
    person = factories.person(commune=factories.commune("02215"), full_name="Không Có Vai Trò")
    own = games.create_game(host=person, title="Đố vui", questions=[make_question(1, 1)])
    other = factories.with_role(
        factories.person(commune=factories.commune("00985"), full_name="Người Dẫn Khác"),
        Role.CONTEST_HOST,
    )
    tries = [(person, own.pk), (other, setup["game"].pk)]
    cookies = [session_cookie(user) for user, _game in tries]
    pages = []
    for user, game_id in tries:
        page = Client()
        page.force_login(user)
        pages.append(page.get(f"/dieu-phoi/choi/{game_id}/").status_code)

    async def scenario():
        return [
            await refusal(host_socket(game_id, cookie))
            for (_user, game_id), cookie in zip(tries, cookies, strict=True)
        ]

    assert async_to_sync(scenario)() == [4403, 4404]
    assert pages == [403, 404]


def test_a_finished_game_leaves_nothing_behind_in_the_process(setup):
    game, players = setup["game"], setup["players"]
    key = right_choice(game, 1)

    async def scenario():
        await get_channel_layer().flush()
        host, phones = await lobby(game, setup["cookie"], players)
        await host.send_json_to({"type": "next"})
        for phone in phones:
            await next_of(phone, "question")
        await phones[0].send_json_to({"type": "answer", "index": 1, "choices": [key]})
        await next_of(phones[0], "ack")
        here = hub.current()
        kept = (here.rooms[game.pk].seq is not None, hub.question_ids(game.pk, 1) is not None)
        await host.send_json_to({"type": "finish"})
        finished = [await next_of(phone, "finished") for phone in phones]
        room = here.rooms[game.pk]
        forgotten = (room.results, room.state, room.seq, hub.question_ids(game.pk, 1))
        for socket in (*phones, host):
            await socket.disconnect()
        here.prune(asyncio.get_running_loop().time() + hub.IDLE_SECONDS + 1)
        return kept, finished, forgotten, game.pk in here.rooms

    kept, finished, forgotten, still_there = async_to_sync(scenario)()
    assert kept == (True, True)  # the game's version and question ids, while it ran
    assert [f["you"]["rank"] for f in finished] == [1, 2]  # the table reached the phones
    assert forgotten == (None, None, None, None)  # then the process dropped the game's caches
    assert not still_there  # and its room once no socket of it was left
