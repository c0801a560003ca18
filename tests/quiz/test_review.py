"""Implausible attempts held for review (issue 14): the floor, the held attempt kept off every
board until an organiser approves it, disqualification, the log of decisions, what the
participant sees, the workbook's status column, the queue's scopes and bad input."""

import datetime
import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from quiz import events, leaderboard, plausibility
from quiz.models import Attempt, AttemptReview, Review, Round, Standing
from quiz.services.attempts import (
    LIMITS,
    AttemptRefused,
    save_answer,
    start_attempt,
    submit_attempt,
)
from quiz.services.results import close_round, publish_results
from quiz.services.reviews import decide_attempt
from tests import factories
from tests.quiz.test_attempts import make_question, right

SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def ten(round_):
    """The published round of tests/quiz/conftest.py, with ten questions an attempt."""
    for n in range(6, 10):
        make_question(n, difficulty=1 + n % 3)
    round_.questions_per_attempt = 10
    round_.save()
    return round_


@pytest.fixture
def places(tuyen_quang):
    a, b = factories.commune("00985"), factories.commune("00991")
    school = factories.organization("Trường THCS Giáp Trung", commune=a)
    return {"a": a, "b": b, "school": school}


@pytest.fixture
def host(places):
    return factories.with_role(
        factories.person(commune=places["b"], full_name="Ban Tổ Chức"), Role.CONTEST_HOST
    )


def take(player, round_, *, seconds: float, right_answers: int = 10, via=None) -> Attempt:
    """`player` started `seconds` ago, answered `right_answers` right one after another,
    and submits now (through the submit page when `via` is a signed-in client)."""
    now = timezone.now()
    began = now - seconds * SECOND
    attempt = start_attempt(player, round_=round_, now=began, rng=random.Random(player.pk))
    items = list(attempt.drawn.all()[:right_answers])
    for n, item in enumerate(items, start=1):
        save_answer(attempt, question_id=item.question_id, choice_ids=right(item.question_id),
                    now=began + (seconds * n / (len(items) + 1)) * SECOND)  # fmt: skip
    if via is None:
        return submit_attempt(attempt, prediction=5, now=now)
    via.force_login(player)
    via.post(reverse("quiz:submit", args=[attempt.pk]), {"prediction": "5"})
    return Attempt.objects.get(pk=attempt.pk)


def on_board(round_) -> list[str]:
    """The masked names on the public snapshot, and its participant count."""
    data = leaderboard.snapshot(round_.pk, fresh=True)
    return [row[1] for row in data["top"]] + [f"{data['participants']} người"]


def review_url(round_, attempt) -> str:
    return reverse("quiz:review_attempt", args=[round_.contest.slug, round_.number, attempt.pk])


def queue_url(round_, **query) -> str:
    url = reverse("quiz:review_queue", args=[round_.contest.slug, round_.number])
    return url + "".join(f"?{k}={v}" for k, v in query.items())


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


def test_an_attempt_at_a_readers_pace_counts_at_once(ten, places, client):
    player = factories.person(commune=places["a"], full_name="Lò Văn Đọc")
    attempt = take(player, ten, seconds=240, via=client)
    assert (attempt.review, attempt.held_for, attempt.score) == ("", [], 10)
    # "Câu n" and three short choices: 6 words a question → 1.2 s + 1 s each, 22 s in all.
    assert attempt.floor_ms == 22_000
    assert Standing.objects.get(round=ten, user=player).attempt_id == attempt.pk


# --- Held until approved ---------------------------------------------------------------------


def test_a_one_second_perfect_attempt_stays_off_every_board_until_approved(
    ten, places, host, client, monkeypatch
):
    pushed = []
    monkeypatch.setattr(events, "round_changed", pushed.append)
    honest = factories.person(commune=places["a"], full_name="Lò Văn Đọc")
    take(honest, ten, seconds=300, right_answers=7)
    pushed.clear()
    quick = factories.person(commune=places["a"], full_name="Nhanh Như Chớp")
    attempt = take(quick, ten, seconds=1, via=client)

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


def test_approving_keeps_the_participants_better_attempt(ten, places, host):
    player = factories.person(commune=places["a"], full_name="Hai Lượt")
    first = take(player, ten, seconds=300, right_answers=9)
    held = take(player, ten, seconds=2, right_answers=3)  # worse, and held
    decide_attempt(
        held.pk, round_=ten, decision=Review.APPROVED, reason="Mạng chậm", by=host,
        now=timezone.now(),
    )  # fmt: skip
    assert Standing.objects.get(user=player).attempt_id == first.pk


def test_a_disqualified_attempt_never_ranks_and_the_workbook_marks_it(ten, places, host, client):
    player = factories.person(commune=places["a"], full_name="Bị Loại")
    earlier = take(player, ten, seconds=300, right_answers=4)
    cheat = take(player, ten, seconds=1)
    waiting = take(factories.person(commune=places["b"], full_name="Đang Chờ"), ten, seconds=1)
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


def test_the_participant_sees_the_status_and_the_reason(ten, places, host, client):
    player = factories.person(commune=places["a"], full_name="Người Dự Thi")
    attempt = take(player, ten, seconds=1, via=client)
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


# --- The queue and the review page -----------------------------------------------------------


def test_the_queue_shows_the_evidence_and_decisions_are_logged_and_shown(ten, places, host, client):
    attempt = take(factories.person(commune=places["a"], full_name="Nhanh Quá"), ten, seconds=1)
    client.force_login(host)
    queue = client.get(queue_url(ten)).content.decode()
    assert "Nhanh Quá" in queue and "10/10" in queue and "tối thiểu 22,0 giây" in queue
    assert "Nộp quá nhanh" in queue
    page = client.get(review_url(ten, attempt)).content.decode()
    assert "Nộp sau 1,0 giây, nhanh hơn thời gian tối thiểu 22,0 giây." in page
    assert "Chưa có quyết định nào." in page

    refused = client.post(review_url(ten, attempt), {"decision": "disqualified", "reason": "Gian"})
    assert "Hãy đánh dấu xác nhận trước khi loại lượt thi." in refused.content.decode()
    assert not AttemptReview.objects.exists()

    approved = client.post(review_url(ten, attempt), {"decision": "approved", "reason": "Ổn"})
    assert approved.status_code == 302 and approved.url == queue_url(ten)
    disqualified = client.post(
        review_url(ten, attempt),
        {"decision": "disqualified", "reason": "Thi hộ người khác", "confirm": "on"},
    )
    assert disqualified.status_code == 302
    log = list(AttemptReview.objects.values_list("decision", "reason", "by", "attempt"))
    assert log == [
        ("approved", "Ổn", host.pk, attempt.pk),
        ("disqualified", "Thi hộ người khác", host.pk, attempt.pk),
    ]
    assert all(r.at is not None for r in AttemptReview.objects.all())
    page = client.get(review_url(ten, attempt)).content.decode()
    assert page.index("Duyệt") < page.index("Ổn") < page.index("Thi hộ người khác")
    assert page.count("Ban Tổ Chức") == 2
    empty = client.get(queue_url(ten)).content.decode()
    assert "Không có lượt thi nào chờ xét duyệt" in empty
    assert "Nhanh Quá" in client.get(queue_url(ten, xem="disqualified")).content.decode()


def test_bad_input_gets_a_clear_error_and_changes_nothing(ten, places, host, client):
    attempt = take(factories.person(commune=places["a"], full_name="Nhanh Quá"), ten, seconds=1)
    other = Round.objects.create(
        contest=ten.contest, number=2, opens_at=ten.opens_at, closes_at=ten.closes_at,
        questions_per_attempt=10,
    )  # fmt: skip
    client.force_login(host)
    for form, says in (
        ({"decision": "approved", "reason": "   "}, "Hãy ghi lý do của quyết định."),
        ({"reason": "Ổn"}, "Hãy chọn duyệt hoặc loại."),
        ({"decision": "held", "reason": "Ổn"}, "Hãy chọn một lựa chọn hợp lệ."),
        ({"decision": "approved", "reason": "x" * 1001}, "1000"),
    ):
        response = client.post(review_url(ten, attempt), form)
        assert response.status_code == 200 and says in response.content.decode(), form
    # The attempt of round 1 asked for under round 2: no such attempt there.
    assert client.get(review_url(other, attempt)).status_code == 404
    assert (
        client.post(
            review_url(other, attempt), {"decision": "approved", "reason": "Ổn"}
        ).status_code
        == 404
    )
    with pytest.raises(AttemptRefused, match="Không có lượt thi đã nộp này trong vòng thi này."):
        decide_attempt(
            attempt.pk, round_=other, decision=Review.APPROVED, reason="Ổn", by=host,
            now=timezone.now(),
        )  # fmt: skip
    assert not AttemptReview.objects.exists()
    assert Attempt.objects.get(pk=attempt.pk).review == Review.HELD


def test_decisions_are_refused_once_the_results_are_published(ten, places, host, client):
    attempt = take(factories.person(commune=places["a"], full_name="Nhanh Quá"), ten, seconds=1)
    Round.objects.filter(pk=ten.pk).update(published_at=timezone.now())
    client.force_login(host)
    page = client.get(review_url(ten, attempt)).content.decode()
    assert "không thay đổi được quyết định xét duyệt" in page and 'name="reason"' not in page
    response = client.post(review_url(ten, attempt), {"decision": "approved", "reason": "Ổn"})
    assert "không thay đổi được quyết định xét duyệt" in response.content.decode()
    assert not AttemptReview.objects.exists()


def test_the_queue_reaches_page_two_keeping_its_tab(ten, places, host, client, monkeypatch):
    monkeypatch.setattr("quiz.views.review.PER_PAGE", 2)
    for n in range(3):
        take(factories.person(commune=places["a"], full_name=f"Nhanh {n}"), ten, seconds=1)
    client.force_login(host)
    first = client.get(queue_url(ten, xem="held")).content.decode()
    assert "Trang 1 / 2" in first and "Nhanh 0" in first and "Nhanh 2" not in first
    second = client.get(queue_url(ten, xem="held") + "&page=2").content.decode()
    assert "Nhanh 2" in second and "Nhanh 0" not in second
    assert 'href="?xem=held&amp;page=1"' in second  # the "previous" link keeps the tab
    assert "Nhanh 2" in client.get(queue_url(ten, xem="held") + "&page=99").content.decode()


# --- Scopes ----------------------------------------------------------------------------------


@pytest.fixture
def scoped(ten, places, host):
    """A held attempt in commune A (of the school there) and one in commune B, and a viewer
    of each kind."""
    in_a = take(
        factories.person(commune=places["a"], full_name="Người Xã A",
                         organization=places["school"]),
        ten, seconds=1,
    )  # fmt: skip
    in_b = take(factories.person(commune=places["b"], full_name="Người Xã B"), ten, seconds=1)
    role = factories.with_role
    viewers = {
        "host": host,
        "admin": role(factories.person(commune=places["b"]), Role.PROVINCE_ADMIN),
        "coordinator_A": role(
            factories.person(commune=places["a"]), Role.COMMUNE_COORDINATOR, commune=places["a"]
        ),
        "coordinator_B": role(
            factories.person(commune=places["b"]), Role.COMMUNE_COORDINATOR, commune=places["b"]
        ),
        "school": role(
            factories.person(commune=places["b"]),
            Role.ORGANIZATION_COORDINATOR,
            organization=places["school"],
        ),
        "resident": factories.person(commune=places["a"], full_name="Người Dân"),
        "editor": role(factories.person(commune=places["a"]), Role.CONTENT_EDITOR),
    }
    return {"A": in_a, "B": in_b, "viewers": viewers}


SEES = {  # viewer: (queue lists, review page A, review page B)
    "host": ({"A", "B"}, 200, 200),
    "admin": ({"A", "B"}, 200, 200),
    "coordinator_A": ({"A"}, 200, 404),
    "coordinator_B": ({"B"}, 404, 200),
    "school": ({"A"}, 200, 404),
    "resident": (None, 404, 404),
    "editor": (None, 404, 404),
}


@pytest.mark.parametrize("viewer", sorted(SEES))
def test_each_viewer_sees_only_their_scopes_held_attempts(client, ten, scoped, viewer):
    client.force_login(scoped["viewers"][viewer])
    listed, page_a, page_b = SEES[viewer]
    queue = client.get(queue_url(ten))
    if listed is None:
        assert queue.status_code == 404
    else:
        html = queue.content.decode()
        assert {key for key in "AB" if f"Người Xã {key}" in html} == listed
    assert client.get(review_url(ten, scoped["A"])).status_code == page_a
    assert client.get(review_url(ten, scoped["B"])).status_code == page_b


@pytest.mark.parametrize("viewer", ["coordinator_A", "school"])
def test_coordinators_read_but_do_not_decide(client, ten, scoped, viewer):
    client.force_login(scoped["viewers"][viewer])
    page = client.get(review_url(ten, scoped["A"])).content.decode()
    assert "Chỉ người tổ chức cuộc thi được duyệt hoặc loại lượt thi" in page
    response = client.post(review_url(ten, scoped["A"]), {"decision": "approved", "reason": "Ổn"})
    assert response.status_code == 403
    assert not AttemptReview.objects.exists()


def test_an_unpublished_contests_queue_is_for_its_organisers_only(client, ten, scoped):
    ten.contest.is_published = False
    ten.contest.save()
    for viewer, status in (("host", 200), ("coordinator_A", 404)):
        client.force_login(scoped["viewers"][viewer])
        assert client.get(queue_url(ten)).status_code == status
        assert client.get(review_url(ten, scoped["A"])).status_code == status
    client.logout()
    assert client.get(queue_url(ten)).status_code == 302  # to the login page
