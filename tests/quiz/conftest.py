"""A published contest with a round open now: the leaderboard, live and results tests."""

import datetime

import pytest
from django.utils import timezone

from quiz.models import Contest, Round
from tests.quiz.test_attempts import make_question


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
