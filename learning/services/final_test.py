"""A course's final test: tries per day, the draw, starting a try and scoring it."""

import datetime
import random
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.models import User
from courses.models import Choice, Course
from courses.reads import final_test
from learning.models import Certificate, FinalTestTry
from learning.reads import forget_reading
from learning.services.completion import issue_certificate
from learning.services.reading import credit_reading, enroll

FINAL_TEST_WINDOW = datetime.timedelta(hours=24)


class FinalTestLocked(Exception):
    """The course's tries for the last 24 hours are used; `retry_at` opens the next."""

    def __init__(self, *, retry_at: datetime.datetime):
        super().__init__(retry_at)
        self.retry_at = retry_at


@dataclass(frozen=True)
class TestResult:
    correct: int
    total: int
    passed: bool
    certificate: Certificate | None

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0


def final_test_tries_left(
    user: User, *, course: Course, now: datetime.datetime
) -> tuple[int, datetime.datetime | None]:
    """How many tries the learner may still start in the 24 hours before `now`, and when
    the next opens if none is left."""
    started = list(
        FinalTestTry.objects.filter(user=user, course=course)
        .started_after(now - FINAL_TEST_WINDOW)
        .values_list("started_at", flat=True)
    )
    allowed = course.final_test_tries_per_day
    left = allowed - len(started)
    return max(0, left), (started[-allowed] + FINAL_TEST_WINDOW if left <= 0 else None)


def draw_final_test(pool: list[dict], *, count: int, rng: random.Random) -> list[list]:
    """`count` questions of the pool (0: all) in a random order, each with its choices in a
    random order: [[question id, [choice id, …]], …]."""
    picked = rng.sample(pool, min(count, len(pool)) if count else len(pool))
    draw = []
    for question in picked:
        choice_ids = [c["id"] for c in question["choices"]]
        rng.shuffle(choice_ids)
        draw.append([question["id"], choice_ids])
    return draw


def start_final_test(
    user: User, *, course: Course, now: datetime.datetime, rng: random.Random | None = None
) -> FinalTestTry:
    """The learner's open try at the course's final test, drawn now if none is open; raises
    FinalTestLocked when the last 24 hours' tries are used."""
    current = FinalTestTry.objects.filter(user=user, course=course).open().first()
    if current:
        return current
    left, retry_at = final_test_tries_left(user, course=course, now=now)
    if not left:
        raise FinalTestLocked(retry_at=retry_at)
    enroll(user, course=course, now=now)
    credit_reading(user, course_id=course.pk, lesson_id=None, now=now)
    forget_reading(user.pk, course.pk)
    draw = draw_final_test(
        final_test(course), count=course.final_test_questions, rng=rng or secrets.SystemRandom()
    )
    try:
        with transaction.atomic():
            return FinalTestTry.objects.create(
                user=user, course=course, started_at=now, questions=draw, total=len(draw)
            )
    except IntegrityError:  # another tab started one at the same moment: that one it is
        return FinalTestTry.objects.filter(user=user, course=course).open().get()


@transaction.atomic
def submit_final_test(
    user: User, *, attempt: FinalTestTry, choices: dict[int, int], now: datetime.datetime
) -> TestResult:
    """Score a try against the questions drawn for it; passing completes the course. A try
    already submitted (a second tab, a double tap) keeps its first score."""
    course = attempt.course
    drawn = [question_id for question_id, _choices in attempt.questions]
    right = dict(
        Choice.objects.filter(question_id__in=drawn, is_correct=True).values_list(
            "question_id", "id"
        )
    )
    scored = [question_id for question_id in drawn if question_id in right]  # not deleted since
    correct = sum(choices.get(question_id) == right[question_id] for question_id in scored)
    passed = bool(scored) and 100 * correct >= course.pass_mark * len(scored)
    submitted = FinalTestTry.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
        submitted_at=now,
        answers={str(q): choices[q] for q in drawn if q in choices},
        correct=correct,
        total=len(scored),
        passed=passed,
    )
    if submitted:
        credit_reading(user, course_id=course.pk, lesson_id=None, now=now)
        forget_reading(user.pk, course.pk)
    attempt.refresh_from_db()
    certificate = (
        issue_certificate(user, course=course, now=now, screened=True, test=attempt)
        if attempt.passed
        else None
    )
    return TestResult(
        correct=attempt.correct or 0,
        total=attempt.total,
        passed=attempt.passed,
        certificate=certificate,
    )
