"""Coordinators' review of held certificates (issue 14): approve one, and it is issued and
counts for the learner's campaigns from when they completed; reject it, with a reason the
learner reads, and the course is reopened for them to complete again. Every decision is
kept with who made it, when and why (CertificateReview)."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from courses.models import Course
from courses.reads import final_test
from learning import plausibility
from learning.models import (
    Answer,
    Certificate,
    CertificateReview,
    Enrollment,
    FinalTestTry,
    HoldReason,
    LessonProgress,
    Review,
)
from learning.services.campaigns import mark_completed
from learning.services.reading import reopen_course
from learning.services.reminders import notify

REASON_MAX = 1000


class ReviewRefused(Exception):
    """A decision that cannot be recorded; the message says why, in Vietnamese."""


@transaction.atomic
def decide_certificate(
    certificate_id: int, *, decision: str, reason: str, by: User, now: datetime.datetime
) -> CertificateReview:
    """Approve (issue it now) or reject a held certificate, with the reason, and tell the
    learner in their notifications."""
    certificate = Certificate.objects.select_related("course").filter(pk=certificate_id).first()
    if certificate is None:
        raise ReviewRefused(_("Không có giấy chứng nhận này."))
    if decision not in (Review.APPROVED, Review.REJECTED):
        raise ReviewRefused(_("Hãy chọn duyệt hoặc không duyệt."))
    reason = reason.strip()
    if not reason:
        raise ReviewRefused(_("Hãy ghi lý do của quyết định."))
    if len(reason) > REASON_MAX:
        raise ReviewRefused(_("Lý do dài tối đa %(n)s ký tự.") % {"n": REASON_MAX})
    # Compare-and-set: of two decisions at once (two tabs, two coordinators), one is made.
    issued = {"issued_at": now} if decision == Review.APPROVED else {}
    decided = Certificate.objects.filter(pk=certificate.pk, review=Review.HELD).update(
        review=decision, **issued
    )
    if not decided:
        raise ReviewRefused(_("Giấy chứng nhận này không còn chờ xét duyệt."))
    review = CertificateReview.objects.create(
        certificate=certificate, decision=decision, reason=reason, by=by, at=now
    )
    user, course = certificate.user, certificate.course
    if decision == Review.APPROVED:
        # The learner completed when they completed: the review's delay makes nobody late.
        completed = (
            Enrollment.objects.filter(user=user, course=course)
            .values_list("completed_at", flat=True)
            .first()
        )
        mark_completed(user, course=course, now=completed or now)
        title = _("Giấy chứng nhận đã được duyệt")
        body = _("Giấy chứng nhận khoá “%(c)s” đã được cấp.")
        url = certificate.get_absolute_url()
    else:
        relearn = certificate.held_for == HoldReason.COURSE_FAST
        reopen_course(user, course=course, relearn=relearn, now=now)
        title = _("Giấy chứng nhận chưa được duyệt")
        body = _("Khoá “%(c)s” cần hoàn thành lại. Lý do: %(r)s")
        url = reverse("learning:course", args=[course.slug])
    body = body % {"c": certificate.course_title, "r": reason}
    notify(
        {user.pk: (title, body, url)},
        key=f"certificate:{certificate.pk}:review:{review.pk}",
        now=now,
        sms=False,
    )
    return review


@dataclass(frozen=True)
class LessonRead:
    title: str
    min_seconds: int
    credited: int | None  # None: never opened
    opened_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    questions: int
    right: int
    out_of_tries: int
    tries: int

    @property
    def short(self) -> bool:
        return self.completed_at is not None and (self.credited or 0) < self.min_seconds


@dataclass(frozen=True)
class TestTry:
    started_at: datetime.datetime
    submitted_at: datetime.datetime | None
    seconds: int | None
    floor: int
    correct: int | None
    total: int
    passed: bool

    @property
    def fast(self) -> bool:
        return self.seconds is not None and self.seconds < self.floor


@dataclass(frozen=True)
class Evidence:
    """What the coordinator weighs: the course's time against its minimum, each lesson's
    credited reading time and check-question tries, each final-test try against its floor."""

    seconds: int
    min_seconds: int
    held_for: str  # the reason, described with its figures
    lessons: list[LessonRead]
    tries: list[TestTry]


def evidence(certificate: Certificate) -> Evidence:
    """The completion's evidence, lessons in the course's order, tries oldest first."""
    lessons = _lesson_reads(certificate.user_id, certificate.course)
    tries = _test_tries(certificate.user_id, certificate.course)
    min_seconds = sum(lesson.min_seconds for lesson in lessons)
    passing = next((t for t in reversed(tries) if t.passed), None)
    return Evidence(
        seconds=certificate.seconds_taken,
        min_seconds=min_seconds,
        held_for=plausibility.describe(
            certificate.held_for,
            seconds_taken=certificate.seconds_taken,
            min_seconds=min_seconds,
            test_seconds=passing.seconds if passing else None,
            test_floor=passing.floor if passing else 0,
        ),
        lessons=lessons,
        tries=tries,
    )


def _lesson_reads(user: int, course: Course) -> list[LessonRead]:
    """Each lesson of the course as the learner read it, in the course's order."""
    lessons = course.lessons.order_by("module__order", "order", "pk").annotate(
        n_questions=Count("questions")
    )
    progress = {
        row.lesson_id: row for row in LessonProgress.objects.filter(user=user, course=course)
    }
    answers = {
        row["question__lesson"]: row
        for row in Answer.objects.filter(user=user, question__course=course)
        .values("question__lesson")
        .annotate(
            right=Count("pk", filter=Q(is_correct=True)),
            wrong=Count("pk", filter=Q(is_correct=False, tries__gte=course.check_tries)),
            tries=Sum("tries"),
        )
        .order_by()
    }
    reads = []
    for lesson in lessons:
        read, tried = progress.get(lesson.pk), answers.get(lesson.pk, {})
        reads.append(
            LessonRead(
                title=lesson.title,
                min_seconds=lesson.min_read_seconds,
                credited=read.credited_seconds if read else None,
                opened_at=read.opened_at if read else None,
                completed_at=read.completed_at if read else None,
                questions=lesson.n_questions,
                right=tried.get("right", 0),
                out_of_tries=tried.get("wrong", 0),
                tries=tried.get("tries") or 0,
            )
        )
    return reads


def _test_tries(user: int, course: Course) -> list[TestTry]:
    """The learner's final-test tries, oldest first, each with the floor of its draw."""
    pool = final_test(course)
    tries = []
    for attempt in FinalTestTry.objects.filter(user=user, course=course).order_by("started_at"):
        seconds = (
            int((attempt.submitted_at - attempt.started_at).total_seconds())
            if attempt.submitted_at
            else None
        )
        floor = plausibility.final_test_floor(plausibility.drawn_from(pool, attempt.questions))
        tries.append(
            TestTry(
                attempt.started_at, attempt.submitted_at, seconds, floor,
                attempt.correct, attempt.total, attempt.passed,
            )
        )  # fmt: skip
    return tries
