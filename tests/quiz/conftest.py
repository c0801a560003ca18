"""A published contest with a round open now: the leaderboard, live and results tests; the
places, the host and the timed attempts of the held-attempt and review tests; and a live
game in its lobby with one guest: the websocket hardening and limits tests."""

import datetime
import random

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from quiz import games
from quiz.models import Attempt, Contest, Round
from quiz.services.attempts import save_answer, start_attempt, submit_attempt
from tests import factories
from tests.factories import make_question, right


@pytest.fixture
def round_(db):
    for n in range(6):
        make_question(n, difficulty=1 + n % 3)
    contest = Contest.objects.create(title="Tìm hiểu chuyển đổi số", slug="cds", is_published=True)
    now = timezone.now()
    return Round.objects.create(
        contest=contest, number=1, opens_at=now - datetime.timedelta(hours=2),
        closes_at=now + datetime.timedelta(hours=2), questions_per_attempt=6,
        attempts_allowed=0, prizes=[["Giải Nhất", 1], ["Giải Nhì", 1]], unit_prizes=1,
    )  # fmt: skip


# --- Held attempts (test_held_attempts.py, test_review_queue.py) ----------------------------

SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def ten(round_):
    """The published round above, with ten questions an attempt."""
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


@pytest.fixture
def timed_attempt():
    """`timed_attempt(player, round_, seconds=…)`: the player started `seconds` ago, answered
    `right_answers` (all 10) right one after another, and submits now (through the submit
    page when `via` is a signed-in client)."""

    def take(player, round_, *, seconds: float, right_answers: int = 10, via=None) -> Attempt:
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

    return take


# --- A live game (test_ws_hardening.py, test_ws_limits.py) ----------------------------------


@pytest.fixture
def live_game(db):
    """A game of one question hosted by a contest host, one guest in its lobby, and the
    host's session cookie."""
    host = factories.with_role(
        factories.person(commune=factories.commune("02215"), full_name="Người Dẫn"),
        Role.CONTEST_HOST,
    )
    made = games.create_game(host=host, title="Đố vui", questions=[make_question(1, 1)])
    player = games.join_game(
        made, user=None, nickname="Hoa Ban", commune=factories.commune("00985"), now=timezone.now()
    )
    client = Client()
    client.force_login(host)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return {"game": made, "player": player, "cookie": cookie}
