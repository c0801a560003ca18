"""Implausible attempts held for review (issue 14): the floor, the held attempt kept off every
board until an organiser approves it, disqualification, what the participant sees, the
workbook's status column and the per-minute limit. Fixtures in tests/quiz/conftest.py."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from quiz import events, leaderboard, plausibility
from quiz.models import Attempt, Review, Standing
from quiz.services.attempts import LIMITS, AttemptRefused
from quiz.services.results import close_round, publish_results
from quiz.services.reviews import decide_attempt
from tests import factories
from tests.factories import right

SECOND = datetime.timedelta(seconds=1)


def on_board(round_) -> list[str]:
    """The masked names on the public snapshot, and its participant count."""
    data = leaderboard.snapshot(round_.pk, fresh=True)
    return [row[1] for row in data["top"]] + [f"{data['participants']} người"]


# --- The floor -------------------------------------------------------------------------------


def test_the_default_floor_is_the_reading_time_capped_at_half_the_time_allowed():
    fifteen = 15 * 60 * 1000
    # 300 words at 5 a second, and a second for each of 10 questions.
    assert plausibility.floor_ms(min_seconds=None, words=300, questions=10, allowed_ms=fifteen) == (
        70_000
    )
    assert plausibility.floor_ms(
        min_seconds=None, words=9000, questions=20, allowed_ms=fifteen
    ) == (fifteen // 2)
    assert plausibility.floor_ms(min_seconds=40, words=300, questions=10, allowed_ms=fifteen) == (
        40_000
    )
    assert plausibility.floor_ms(min_seconds=0, words=300, questions=10, allowed_ms=fifteen) == 0


def test_a_floor_as_long_as_the_time_limit_is_refused(ten):
    ten.min_seconds = ten.time_limit_minutes * 60
    with pytest.raises(ValidationError) as error:
        ten.full_clean()
    assert "min_seconds" in error.value.message_dict


def test_an_attempt_at_a_readers_pace_counts_at_once(timed_attempt, ten, places, client):
    player = factories.person(commune=places["a"], full_name="Lò Văn Đọc")
    attempt = timed_attempt(player, ten, seconds=240, via=client)
    assert (attempt.review, attempt.held_for, attempt.score) == ("", [], 10)
    # "Câu n" and three short choices: 6 words a question → 1.2 s + 1 s each, 22 s in all.
    assert attempt.floor_ms == 22_000
    assert Standing.objects.get(round=ten, user=player).attempt_id == attempt.pk


# --- Held until approved ---------------------------------------------------------------------


def test_a_one_second_perfect_attempt_stays_off_every_board_until_approved(
    timed_attempt, ten, places, host, client, monkeypatch
):
    pushed = []
    monkeypatch.setattr(events, "round_changed", pushed.append)
    honest = factories.person(commune=places["a"], full_name="Lò Văn Đọc")
    timed_attempt(honest, ten, seconds=300, right_answers=7)
    pushed.clear()
    quick = factories.person(commune=places["a"], full_name="Nhanh Như Chớp")
    attempt = timed_attempt(quick, ten, seconds=1, via=client)

    assert (attempt.score, attempt.review) == (10, Review.HELD)
    assert attempt.held_for == [plausibility.FLOOR, plausibility.FAST_RIGHT]
    assert pushed == []  # nothing on the live boards changed
    assert not Standing.objects.filter(user=quick).exists()
    assert on_board(ten) == ["Lò V. Đ.", "1 người"]
    page = client.get(reverse("quiz:leaderboard", args=["cds", 1])).content.decode()
    assert "Nhanh" not in page
    communes = leaderboard.snapshot(ten.pk, fresh=True)["communes"]
    assert [(row[0], row[1]) for row in communes] == [("Giáp Trung", 1)]

    ten.closes_at = timezone.now() - SECOND
    ten.save()
    ranked = close_round(ten, now=timezone.now())
    assert [r.entry.user_id for r in ranked] == [honest.pk]
    with pytest.raises(AttemptRefused, match="Còn 1 lượt thi chờ xét duyệt"):
        publish_results(ten, now=timezone.now())

    pushed.clear()
    decide_attempt(
        attempt.pk, round_=ten, decision=Review.APPROVED, reason="Đã gọi điện xác minh",
        by=host, now=timezone.now(),
    )  # fmt: skip
    assert pushed == [ten.pk]  # the live push a submission sends
    ten.refresh_from_db()
    assert ten.ranked_at is None  # ranked before the decision: must be ranked again
    assert on_board(ten) == ["Nhanh N. C.", "Lò V. Đ.", "2 người"]
    with pytest.raises(AttemptRefused, match="chốt kết quả"):
        publish_results(ten, now=timezone.now())
    ranked = close_round(ten, now=timezone.now())
    assert [(r.rank, r.entry.user_id) for r in ranked] == [(1, quick.pk), (2, honest.pk)]
    publish_results(ten, now=timezone.now())
    assert Standing.objects.get(user=quick).prize == "Giải Nhất"


def test_approving_keeps_the_participants_better_attempt(timed_attempt, ten, places, host):
    player = factories.person(commune=places["a"], full_name="Hai Lượt")
    first = timed_attempt(player, ten, seconds=300, right_answers=9)
    held = timed_attempt(player, ten, seconds=2, right_answers=3)  # worse, and held
    decide_attempt(
        held.pk, round_=ten, decision=Review.APPROVED, reason="Mạng chậm", by=host,
        now=timezone.now(),
    )  # fmt: skip
    assert Standing.objects.get(user=player).attempt_id == first.pk


def test_a_disqualified_attempt_never_ranks_and_the_workbook_marks_it(
    timed_attempt, ten, places, host, client
):
    player = factories.person(commune=places["a"], full_name="Bị Loại")
    earlier = timed_attempt(player, ten, seconds=300, right_answers=4)
    cheat = timed_attempt(player, ten, seconds=1)
    waiting = timed_attempt(
        factories.person(commune=places["b"], full_name="Đang Chờ"), ten, seconds=1
    )
    decide_attempt(
        cheat.pk, round_=ten, decision=Review.APPROVED, reason="Xem lại sau", by=host,
        now=timezone.now(),
    )  # fmt: skip
    assert Standing.objects.get(user=player).attempt_id == cheat.pk
    decide_attempt(
        cheat.pk, round_=ten, decision=Review.DISQUALIFIED, reason="Làm hộ", by=host,
        now=timezone.now(),
    )  # fmt: skip
    assert Standing.objects.get(user=player).attempt_id == earlier.pk  # the earlier one counts
    ten.closes_at = timezone.now() - SECOND
    ten.save()
    ranked = close_round(ten, now=timezone.now())
    assert [r.entry.attempt_id for r in ranked] == [earlier.pk]

    client.force_login(host)
    response = client.get(reverse("quiz:export", args=["cds", 1]))
    sheet = load_workbook(io.BytesIO(response.content))["Tất cả lượt thi"]
    assert [c.value for c in sheet[1]][-2:] == ["Trạng thái", "Lý do xét duyệt"]
    rows = {
        (r[0], r[3]): r[-2:] for r in sheet.iter_rows(min_row=2, values_only=True)
    }  # (name, attempt number) → (status, reason)
    assert rows == {
        ("Bị Loại", earlier.number): ("Được tính", None),
        ("Bị Loại", cheat.number): ("Bị loại", "Làm hộ"),
        ("Đang Chờ", waiting.number): ("Đang xét duyệt", None),
    }


def test_the_participant_sees_the_status_and_the_reason(timed_attempt, ten, places, host, client):
    player = factories.person(commune=places["a"], full_name="Người Dự Thi")
    attempt = timed_attempt(player, ten, seconds=1, via=client)
    result = reverse("quiz:result", args=[attempt.pk])
    assert "Bài của bạn đang xét duyệt." in client.get(result).content.decode()
    decide_attempt(
        attempt.pk, round_=ten, decision=Review.DISQUALIFIED,
        reason="Nộp bài sau 1 giây, không giải trình được.", by=host, now=timezone.now(),
    )  # fmt: skip
    page = client.get(result).content.decode()
    assert "Bài của bạn bị loại và không được xếp hạng." in page
    assert "Lý do: Nộp bài sau 1 giây, không giải trình được." in page
    decide_attempt(
        attempt.pk, round_=ten, decision=Review.APPROVED, reason="Đã giải trình",
        by=host, now=timezone.now(),
    )  # fmt: skip
    page = client.get(result).content.decode()
    assert "đã được ban tổ chức duyệt" in page and "bị loại" not in page


def test_going_past_the_answer_limit_holds_the_attempt(ten, places, client, monkeypatch):
    player = factories.person(commune=places["a"], full_name="Bấm Liên Tục")
    client.force_login(player)
    client.post(reverse("quiz:start", args=["cds", 1]))
    attempt = Attempt.objects.get(user=player)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=attempt.started_at - 300 * SECOND)
    monkeypatch.setitem(LIMITS, "answer", (1, 60))
    item = attempt.drawn.first()
    answer = reverse("quiz:answer", args=[attempt.pk])
    for _ in range(3):
        client.post(answer, {"question": item.question_id, "choice": right(item.question_id)})
    client.post(reverse("quiz:submit", args=[attempt.pk]), {"prediction": ""})
    attempt.refresh_from_db()
    assert (attempt.review, attempt.held_for) == (Review.HELD, [plausibility.LIMIT])
