"""The participant's pages: start, answer on every tap, submit, result — and the answer key
nowhere before the round closes."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from quiz.models import Attempt, Choice, Contest, Round, Standing
from tests import factories
from tests.factories import make_question


@pytest.fixture
def open_round(db):
    for n in range(6):
        make_question(n, difficulty=1 + n % 3, multiple=(n == 0))
    contest = Contest.objects.create(title="Tìm hiểu chuyển đổi số", slug="cds", is_published=True)
    now = timezone.now()
    return Round.objects.create(
        contest=contest, number=1, opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1), questions_per_attempt=6,
    )  # fmt: skip


@pytest.fixture
def player(client, tuyen_quang):
    user = factories.person(commune=factories.commune("00985"), full_name="Ma Văn Thi")
    client.force_login(user)
    return user


def start(client, round_) -> Attempt:
    client.post(reverse("quiz:start", args=[round_.contest.slug, round_.number]))
    return Attempt.objects.latest("pk")


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_answer_key_is_in_no_page_before_close(client, open_round, player):
    attempt = start(client, open_round)
    url = reverse("quiz:attempt", args=[attempt.pk])
    before = without_tokens(client.get(url).content.decode())
    for choice in Choice.objects.all():  # turn every key around
        choice.is_correct = not choice.is_correct
        choice.save()
    after = without_tokens(client.get(url).content.decode())
    assert before == after  # nothing on the page depends on which choice is right
    client.post(reverse("quiz:submit", args=[attempt.pk]), {"prediction": "1.200"})
    result = client.get(reverse("quiz:result", args=[attempt.pk])).content.decode()
    assert "Đáp án và giải thích được công bố khi vòng thi đóng" in result
    assert "✓" not in result


def test_answers_save_on_each_tap_and_survive_a_reload(client, open_round, player):
    attempt = start(client, open_round)
    item = attempt.drawn.select_related("question").filter(question__multiple=False).first()
    choice = item.question.choices.first()
    url = reverse("quiz:answer", args=[attempt.pk])
    response = client.post(
        url, {"question": item.question_id, "choice": choice.pk}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.json() == {"ok": True}
    page = client.get(reverse("quiz:attempt", args=[attempt.pk])).content.decode()
    assert re.search(rf'value="{choice.pk}" checked', page)
    refused = client.post(
        url, {"question": 999999, "choice": choice.pk}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert refused.status_code == 400 and "không có trong bài" in refused.json()["message"]


def test_submitting_shows_score_and_time(client, open_round, player):
    attempt = start(client, open_round)
    # Five minutes on it: an instant submission is held for review (test_review.py).
    began = attempt.started_at - datetime.timedelta(minutes=5)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=began)
    response = client.post(reverse("quiz:submit", args=[attempt.pk]), {"prediction": "350"})
    assert response.url == reverse("quiz:result", args=[attempt.pk])
    page = client.get(response.url).content.decode()
    assert "0/6" in page and "350" in page
    twice = client.post(reverse("quiz:submit", args=[attempt.pk]), {"prediction": "9"})
    assert twice.url == response.url  # a second tab's submit changes nothing
    attempt.refresh_from_db()
    assert attempt.prediction == 350 and Standing.objects.filter(attempt=attempt).count() == 1
    # The leaderboard row carries the attempt's question count, not the model's default.
    standing = Standing.objects.get(attempt=attempt)
    assert (standing.score, standing.total) == (0, 6)
    again = client.post(reverse("quiz:start", args=[open_round.contest.slug, 1]), follow=True)
    assert "hết 1 lượt thi" in again.content.decode()


def test_after_close_the_result_shows_the_key(client, open_round, player):
    attempt = start(client, open_round)
    client.post(reverse("quiz:submit", args=[attempt.pk]), {})
    Round.objects.filter(pk=open_round.pk).update(closes_at=timezone.now())
    page = client.get(reverse("quiz:result", args=[attempt.pk])).content.decode()
    assert "✓" in page and "Đáp án" in page


def test_someone_elses_attempt_is_not_found(client, open_round, player, tuyen_quang):
    attempt = start(client, open_round)
    client.force_login(factories.person(commune=factories.commune("00985"), full_name="Khác"))
    assert client.get(reverse("quiz:attempt", args=[attempt.pk])).status_code == 404
    assert client.post(reverse("quiz:submit", args=[attempt.pk])).status_code == 404


def test_published_contests_are_listed_and_linked_from_the_menu(client, open_round):
    Contest.objects.create(title="Bản nháp", slug="nhap")  # not published
    page = client.get(reverse("quiz:contest_list")).content.decode()
    assert "Tìm hiểu chuyển đổi số" in page and "Bản nháp" not in page
    assert reverse("quiz:contest_list") in client.get("/").content.decode()
    assert "Vào thi" not in client.get(reverse("quiz:contest", args=["cds"])).content.decode()
    assert (
        "Đăng nhập để dự thi" in client.get(reverse("quiz:contest", args=["cds"])).content.decode()
    )


def test_an_attempt_left_open_past_its_deadline_is_submitted_with_what_was_saved(
    client, open_round, player
):
    attempt = start(client, open_round)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=30),
        deadline=timezone.now() - datetime.timedelta(minutes=15),
    )
    response = client.get(reverse("quiz:attempt", args=[attempt.pk]))
    assert response.url == reverse("quiz:result", args=[attempt.pk])
    assert "0/6" in client.get(response.url).content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at and attempt.duration_ms == 15 * 60 * 1000


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("²", "chỉ gồm các chữ số 0–9"),
        ("-5", "chỉ gồm các chữ số 0–9"),
        ("١٢", "chỉ gồm các chữ số 0–9"),
        ("9" * 25, "quá lớn"),
        ("9" * 5000, "quá lớn"),
        ("2147483648", "quá lớn"),
    ],
)
def test_an_odd_prediction_is_asked_again_and_the_answers_stay(
    client, open_round, player, typed, says
):
    attempt = start(client, open_round)
    item = attempt.drawn.select_related("question").filter(question__multiple=False).first()
    choice = item.question.choices.first()
    client.post(reverse("quiz:answer", args=[attempt.pk]), {"question": item.question_id,
                                                            "choice": choice.pk})  # fmt: skip
    response = client.post(reverse("quiz:submit", args=[attempt.pk]), {"prediction": typed})
    assert response.url == reverse("quiz:attempt", args=[attempt.pk])
    page = client.get(response.url).content.decode()
    assert says in page and re.search(rf'value="{choice.pk}" checked', page)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    kept = client.post(reverse("quiz:submit", args=[attempt.pk]), {"prediction": "2.147.483.647"})
    assert kept.url == reverse("quiz:result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.prediction == 2_147_483_647


@pytest.mark.parametrize("question", ["²", "-1", "9" * 25, "1" * 19, ""])
def test_an_odd_question_or_choice_id_is_refused_with_a_message(
    client, open_round, player, question
):
    attempt = start(client, open_round)
    url = reverse("quiz:answer", args=[attempt.pk])
    headers = {"x-requested-with": "fetch"}
    refused = client.post(url, {"question": question, "choice": "1"}, headers=headers)
    assert refused.status_code == 400 and "không có trong bài" in refused.json()["message"]
    item = attempt.drawn.first()
    odd_choice = client.post(url, {"question": item.question_id, "choice": question or "x"},
                             headers=headers)  # fmt: skip
    assert odd_choice.status_code == 400 and "Hãy chọn" in odd_choice.json()["message"]
