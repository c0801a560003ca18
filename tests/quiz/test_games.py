"""Live games through their services: joining, the server's clock and scoring, idempotent
answers, every refusal, reveal and ranks, the leaderboard, the results workbook."""

import datetime
import io
import json
import random

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from quiz import counts, events, exports, games, scoring
from quiz.forms import GuestForm, is_offensive
from quiz.games import GameRefused
from quiz.models import Choice, GameAnswer, Phase, Scoring
from tests import factories
from tests.factories import make_question

T0 = timezone.make_aware(datetime.datetime(2025, 10, 10, 9, 0))
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def sent(monkeypatch):
    """What the games broadcast (the events boundary), without a channel layer."""
    messages = []
    monkeypatch.setattr(
        events,
        "game_broadcast",
        lambda game_id, payload, table=None: messages.append((payload, table)),
    )
    return messages


@pytest.fixture
def game(tuyen_quang, sent):
    questions = [make_question(n, difficulty=1) for n in range(3)]
    host = factories.person(commune=factories.commune("02215"), full_name="Người Dẫn")
    return games.create_game(
        host=host, title="Đố vui ngày hội", questions=questions, seconds_per_question=20
    )


def guest(game, name: str, code: str = "00985"):
    return games.join_game(game, user=None, nickname=name, commune=factories.commune(code), now=T0)


def right(game, index: int) -> list[int]:
    question = game.questions.get(order=index).question
    return list(question.choices.filter(is_correct=True).values_list("pk", flat=True))


def wrong(game, index: int) -> list[int]:
    question = game.questions.get(order=index).question
    return [question.choices.filter(is_correct=False).values_list("pk", flat=True)[0]]


def answer(game, player, choices, *, after: float, index: int = 1):
    return scoring.submit_answer(
        game_id=game.pk,
        player_id=player.pk,
        index=index,
        choice_ids=choices,
        received_at=T0 + after * SECOND,
    )


def test_a_game_gets_a_six_digit_pin_and_its_questions_in_order(game):
    assert len(game.pin) == 6 and game.pin.isdigit()
    assert [q.order for q in game.questions.all()] == [1, 2, 3]
    with pytest.raises(GameRefused, match="ít nhất một câu hỏi"):
        games.create_game(host=game.host, title="Trống", questions=[])


def test_joining_rules(game, tuyen_quang):
    member = factories.person(commune=factories.commune("00985"), full_name="Lò Văn Hội")
    first = games.join_game(game, user=member, nickname="x", now=T0)
    assert games.join_game(game, user=member, nickname="x", now=T0) == first  # a rejoin
    assert first.commune.code == "00985"
    game.guests_allowed = False
    with pytest.raises(GameRefused, match="cần đăng nhập"):
        guest(game, "Khách")
    game.guests_allowed, game.lobby_locked = True, True
    with pytest.raises(GameRefused, match="Phòng chơi đã khoá"):
        guest(game, "Khách")
    game.lobby_locked, game.phase, game.late_join = False, Phase.QUESTION, False
    with pytest.raises(GameRefused, match="không vào muộn"):
        guest(game, "Khách")
    games.remove_player(game.pk, player_id=first.pk)
    with pytest.raises(GameRefused, match="mời bạn rời"):
        games.join_game(game, user=member, nickname="x", now=T0)


def test_the_token_is_checked_by_signature(game):
    player = guest(game, "Hoa Ban")
    token = games.player_token(player)
    assert games.read_player_token(token) == (game.pk, player.pk)
    assert games.read_player_token(token[:-2] + "xx") is None
    assert games.read_player_token("") is None


def test_a_question_opens_with_the_servers_deadline_and_no_answer_key(game, sent):
    games.open_next_question(game.pk, now=T0)
    game.refresh_from_db()
    assert (game.phase, game.current, game.deadline) == (Phase.QUESTION, 1, T0 + 20 * SECOND)
    payload, table = sent[-1]
    assert payload["type"] == "question" and table is None
    assert set(payload) == {"v", "type", "index", "total", "text", "multiple", "choices",
                            "seconds", "deadline", "seq"}  # fmt: skip
    assert all(len(choice) == 2 for choice in payload["choices"])  # id and text only
    with pytest.raises(GameRefused, match="Câu hỏi đang mở"):
        games.open_next_question(game.pk, now=T0)


def test_speed_scoring_from_full_to_half_points_and_flat_scoring(game):
    games.open_next_question(game.pk, now=T0)
    fast, slow, late_but_in, wrong_one = (guest(game, n) for n in ("Nhanh", "Chậm", "Sát", "Sai"))
    assert answer(game, fast, right(game, 1), after=0)[0].points == 1000
    assert answer(game, slow, right(game, 1), after=10)[0].points == 750
    assert answer(game, late_but_in, right(game, 1), after=20.3)[0].points == 500  # grace
    assert answer(game, wrong_one, wrong(game, 1), after=1)[0].points == 0
    game.scoring = Scoring.FLAT
    assert scoring.points_for(game, correct=True, elapsed_ms=19_000, streak=0) == 1000
    game.streak_bonus = True
    assert scoring.points_for(game, correct=True, elapsed_ms=0, streak=7) == 1500


def test_an_answer_is_stored_once_and_every_refusal_says_why(game):
    games.open_next_question(game.pk, now=T0)
    player = guest(game, "Ma Thị Lan")
    first, new = answer(game, player, right(game, 1), after=2)
    again, new_again = answer(game, player, right(game, 1), after=3)
    assert (new, new_again, first.pk) == (True, False, again.pk)
    assert GameAnswer.objects.count() == 1
    with pytest.raises(GameRefused, match="đã trả lời câu này") as refusal:
        answer(game, player, wrong(game, 1), after=4)
    assert refusal.value.code == "answered"
    other = guest(game, "Nông Văn Pao")
    with pytest.raises(GameRefused) as late:
        answer(game, other, right(game, 1), after=21)  # deadline 20 s + 0.5 s grace
    assert late.value.code == "late"
    with pytest.raises(GameRefused) as early:
        answer(game, other, right(game, 2), after=1, index=2)
    assert early.value.code == "question"
    foreign = list(Choice.objects.exclude(question=game.questions.get(order=1).question)
                   .values_list("pk", flat=True)[:1])  # fmt: skip
    with pytest.raises(GameRefused) as bad:
        answer(game, other, foreign, after=1)
    assert bad.value.code == "choice"
    games.remove_player(game.pk, player_id=other.pk)
    with pytest.raises(GameRefused) as removed:
        answer(game, other, right(game, 1), after=1)
    assert removed.value.code == "removed"


def test_a_batch_of_answers_is_stored_in_a_few_queries_with_each_outcome_in_order(
    game, django_assert_max_num_queries
):
    games.open_next_question(game.pk, now=T0)
    many = [guest(game, f"Người {n}") for n in range(30)]
    gone = guest(game, "Đã rời")
    games.remove_player(game.pk, player_id=gone.pk)
    key, other = right(game, 1), wrong(game, 1)

    def sent(player, choices, after):
        return scoring.Submission(game.pk, player.pk, 1, tuple(choices), T0 + after * SECOND)

    batch = [sent(p, key if n % 2 else other, 1 + n / 10) for n, p in enumerate(many)]
    batch += [
        sent(many[0], other, 5),  # the same answer again in the same batch: acked once
        sent(many[1], other, 5),  # another answer to the same question: refused
        sent(gone, key, 5),
        sent(many[2], key, 40),  # after the deadline
    ]
    # 4, and the savepoint, and the question and its key read on first use: not one per answer
    with django_assert_max_num_queries(9):
        outcomes = scoring.submit_answers(batch)
    stored = {a.player_id: a for a in GameAnswer.objects.all()}
    assert len(stored) == 30
    for n, player in enumerate(many):
        answer_, new = outcomes[n]
        assert new and answer_.pk == stored[player.pk].pk
        elapsed = answer_.elapsed_ms
        assert elapsed == round((1 + n / 10) * 1000) and answer_.correct == (n % 2 == 1)
        assert answer_.points == scoring.points_for(
            game, correct=answer_.correct, elapsed_ms=elapsed, streak=0
        )
    assert outcomes[30][0].pk == stored[many[0].pk].pk and outcomes[30][1] is False
    assert [o.code for o in outcomes[31:]] == ["answered", "removed", "late"]
    assert counts.answered(game.pk, 1) == 30
    # Sent again in a later batch (a phone that reconnected): acknowledged, not new.
    again = scoring.submit_answers([sent(many[3], key, 6)])[0]
    assert again[1] is False and again[0].pk == stored[many[3].pk].pk


def test_reveal_sends_the_key_distribution_and_each_players_rank(game, sent):
    games.open_next_question(game.pk, now=T0)
    a, b, c = guest(game, "An"), guest(game, "Bình", "02554"), guest(game, "Chi")
    answer(game, a, right(game, 1), after=2)
    answer(game, b, right(game, 1), after=10)
    answer(game, c, wrong(game, 1), after=1)
    with pytest.raises(GameRefused, match="khoá câu hỏi"):
        games.reveal(game.pk, now=T0 + 5 * SECOND)
    assert games.lock_question(game.pk, index=1)
    assert not games.lock_question(game.pk, index=1)  # once
    common = games.reveal(game.pk, now=T0 + 30 * SECOND)
    payload, table = sent[-1]
    assert payload == common and common["correct"] == sorted(right(game, 1))
    assert dict(common["distribution"])[right(game, 1)[0]] == 2
    assert table == [[a.pk, 950, 1, True, 950], [b.pk, 750, 2, True, 750],
                     [c.pk, 0, 3, False, 0]]  # fmt: skip
    board = games.show_leaderboard(game.pk)
    assert board["top"][0] == [1, "An", "Giáp Trung", 950]
    assert board["communes"] == [["Minh Thanh", 1, 750], ["Giáp Trung", 2, 475]]


def test_a_reveal_after_the_deadline_locks_by_itself(game):
    games.open_next_question(game.pk, now=T0)
    games.reveal(game.pk, now=T0 + 25 * SECOND)
    game.refresh_from_db()
    assert game.phase == Phase.REVEAL


def test_the_game_ends_after_the_last_question_with_a_podium(game, sent):
    player = guest(game, "An")
    for index in (1, 2, 3):
        games.open_next_question(game.pk, now=T0)
        answer(game, player, right(game, index), after=0, index=index)
        games.lock_question(game.pk, index=index)
        games.reveal(game.pk, now=T0 + 30 * SECOND)
    games.open_next_question(game.pk, now=T0)  # "next" after the last: the end
    game.refresh_from_db()
    payload, table = sent[-1]
    assert game.phase == Phase.FINISHED and payload["type"] == "finished"
    assert payload["podium"] == [[1, "An", "Giáp Trung", 3000]] and table[0][1:3] == [3000, 1]
    with pytest.raises(GameRefused, match="đã kết thúc"):
        guest(game, "Muộn")


def test_the_state_a_reconnecting_phone_gets(game):
    assert games.game_state(game.pk, now=T0)["phase"] == Phase.LOBBY
    games.open_next_question(game.pk, now=T0)
    state = games.game_state(game.pk, now=T0 + 5 * SECOND)
    assert state["phase"] == Phase.QUESTION and state["question"]["index"] == 1
    assert games.game_state(game.pk, now=T0 + 21 * SECOND)["phase"] == Phase.LOCKED


def test_the_results_workbook_is_formula_safe(game):
    games.open_next_question(game.pk, now=T0)
    odd = guest(game, "=1+1")
    answer(game, odd, right(game, 1), after=1)
    book = load_workbook(io.BytesIO(exports.game_workbook(game)))
    assert book.sheetnames == ["Người chơi", "Theo câu hỏi", "Câu trả lời"]
    cell = book["Người chơi"]["B2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")
    assert book["Câu trả lời"]["E2"].value == 975


@pytest.mark.parametrize(
    ("nickname", "offensive"),
    [("Đèo Mã Pí Lèng", False), ("Nguyễn Ngũ", False), ("Buổi sáng", False), ("Các bạn", False),
     ("ĐỊT", True), ("vcl", True), ("Đ.C.M", True), ("oc cho", True), ("lồn", True)],
)  # fmt: skip
def test_offensive_nicknames_are_caught_without_catching_place_names(nickname, offensive):
    assert is_offensive(nickname) is offensive


def test_the_guest_form_refuses_a_bad_nickname_or_a_phone_number(tuyen_quang):
    assert not GuestForm({"nickname": "vcl", "commune": "Giáp Trung"}).is_valid()
    assert not GuestForm({"nickname": "0912345678", "commune": "Giáp Trung"}).is_valid()
    assert not GuestForm({"nickname": "A" * 25, "commune": "Giáp Trung"}).is_valid()
    assert GuestForm({"nickname": "Hoa Ban Trắng", "commune": "Giáp Trung"}).is_valid()


def test_picking_questions_from_topics(game):
    chosen = games.pick_questions(topic_ids=[], count=2, rng=random.Random(1))
    assert len(chosen) == 2 and len(set(chosen)) == 2


def test_every_layer_message_survives_a_json_round_trip(
    tuyen_quang, monkeypatch, django_capture_on_commit_callbacks
):
    """The Redis layer serialises what the in-memory layer passes as objects."""
    messages = []
    monkeypatch.setattr(events, "_send", lambda group, message: messages.append(message))
    host = factories.person(commune=factories.commune("02215"), full_name="Người Dẫn")
    with django_capture_on_commit_callbacks(execute=True):
        game = games.create_game(host=host, title="Thử", questions=[make_question(1, 1)])
        player = guest(game, "An")
        games.open_next_question(game.pk, now=T0)
        answer(game, player, right(game, 1), after=1)
        games.lock_question(game.pk, index=1)
        games.reveal(game.pk, now=T0 + 30 * SECOND)
        games.show_leaderboard(game.pk)
        games.remove_player(game.pk, player_id=player.pk)
        games.finish_game(game.pk, now=T0)
        events.round_changed(1)
    kinds = [m["type"] for m in messages]
    assert kinds.count("game.send") == 5 and "game.remove" in kinds and "round.changed" in kinds
    for message in messages:
        assert json.loads(json.dumps(message)) == message
        if message["type"] == "game.send":
            assert json.loads(message["text"])["seq"] == message["seq"]


def test_a_game_can_keep_its_leaderboard_for_the_end(game):
    game.leaderboard_each_question = False
    game.save()
    games.open_next_question(game.pk, now=T0)
    games.lock_question(game.pk, index=1)
    games.reveal(game.pk, now=T0 + 30 * SECOND)
    with pytest.raises(GameRefused, match="chỉ hiện bảng xếp hạng khi kết thúc"):
        games.show_leaderboard(game.pk)


def test_an_edited_answer_key_is_used_at_once(game):
    from quiz import keys

    question = game.questions.get(order=1).question
    assert keys.answer_keys([question.pk])[question.pk].correct == frozenset(right(game, 1))
    old, new = right(game, 1)[0], wrong(game, 1)[0]
    for pk, value in ((old, False), (new, True)):  # the editor fixes the key in the admin
        choice = Choice.objects.get(pk=pk)
        choice.is_correct = value
        choice.save()
    assert keys.answer_keys([question.pk])[question.pk].correct == frozenset({new})


def test_an_answer_received_before_the_lock_counts_even_if_stored_after_it(game):
    games.open_next_question(game.pk, now=T0)
    early, late = guest(game, "Kịp"), guest(game, "Muộn")
    games.lock_question(game.pk, index=1, now=T0 + 5 * SECOND)  # everyone else had answered
    answer_, new = answer(game, early, right(game, 1), after=4.9)  # queued behind the lock
    assert new and answer_.points > 0
    with pytest.raises(GameRefused) as refused:
        answer(game, late, right(game, 1), after=5.1)  # received after the lock
    assert refused.value.code == "late"
