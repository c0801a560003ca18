"""Completing a lesson or a course, and the certificate it earns: issued at once, or held
for a coordinator's review when learning.plausibility doubts the completion."""

import datetime

from django.db import transaction
from django.db.models import Q, Sum

from accounts.models import User
from courses.models import CompletionRule, Course, Lesson
from courses.reads import final_test
from learning import plausibility
from learning.models import (
    Answer,
    Certificate,
    Enrollment,
    FinalTestTry,
    LessonProgress,
    Review,
)
from learning.models.certificates import new_certificate_code
from learning.reads import forget_reading
from learning.services.campaigns import mark_completed
from learning.services.reading import check_lesson_done, enroll, open_lesson


def complete_lesson(user: User, *, lesson: Lesson, now: datetime.datetime) -> Certificate | None:
    """Mark the lesson read if the server's rules allow; returns a certificate if this
    completed the course. Pressing "done" is an action either way: the time until the
    next one goes to this lesson."""
    open_lesson(user, lesson=lesson, now=now)  # committed even when the lesson is not done
    with transaction.atomic():
        progress = LessonProgress.objects.get(user=user, lesson=lesson)
        if progress.completed_at is None:
            question_ids = list(lesson.questions.values_list("id", flat=True))
            settled = Answer.objects.filter(user=user, question_id__in=question_ids).filter(
                Q(is_correct=True) | Q(tries__gte=lesson.course.check_tries)
            )
            check_lesson_done(
                min_read_seconds=lesson.min_read_seconds,
                credited_seconds=progress.credited_seconds,
                settled_question_ids=settled.values_list("question_id", flat=True),
                question_ids=question_ids,
            )
            LessonProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(
                completed_at=now
            )
            forget_reading(user.pk, lesson.course_id)
        return complete_course_if_done(user, course=lesson.course, now=now)


def complete_course_if_done(
    user: User, *, course: Course, now: datetime.datetime
) -> Certificate | None:
    """Issue the certificate when every lesson of a lessons-rule course is complete."""
    if course.completion_rule != CompletionRule.LESSONS:
        return None
    total = course.lessons.count()
    done = LessonProgress.objects.filter(
        user=user, course=course, completed_at__isnull=False
    ).count()
    if not total or done < total:
        return None
    return issue_certificate(user, course=course, now=now, screened=True)


def issue_certificate(
    user: User,
    *,
    course: Course,
    now: datetime.datetime,
    screened: bool = False,
    test: FinalTestTry | None = None,
) -> Certificate:
    """The learner's certificate for `course` (issued once; later calls return it).

    A completion of the learner's own (`screened`: their last lesson done, or the final
    `test` passed) that learning.plausibility flags is held for a coordinator's review
    instead: the enrolment completes, the certificate and the campaigns wait. After a
    rejection, a completion made since is judged again, timed from the rejection."""
    existing = Certificate.objects.filter(user=user, course=course).first()
    if existing and not (screened and existing.review == Review.REJECTED):
        return existing
    enrollment = enroll(user, course=course, now=now)
    first_opened = (
        LessonProgress.objects.filter(user=user, course=course)
        .order_by("opened_at")
        .values_list("opened_at", flat=True)
        .first()
    )
    started = min(filter(None, [first_opened, enrollment.enrolled_at]))
    if existing:
        rejected_at = existing.decision.at if existing.decision else existing.issued_at
        if not _completed_since(user, course=course, since=rejected_at, test=test):
            return existing  # the completion before the rejection, seen again
        started = max(started, rejected_at)
    seconds = max(0, int((now - started).total_seconds()))
    held_for = _hold_reason(course, seconds_taken=seconds, test=test) if screened else ""
    Enrollment.objects.filter(pk=enrollment.pk).update(completed_at=now)
    fields = {
        "full_name": user.full_name,
        "course_title": course.title,
        "issued_at": now,
        "seconds_taken": seconds,
        "review": Review.HELD if held_for else "",
        "held_for": held_for,
    }
    if existing:
        Certificate.objects.filter(pk=existing.pk).update(**fields)
        existing.refresh_from_db()
        certificate = existing
    else:
        certificate = Certificate.objects.create(
            user=user, course=course, code=new_certificate_code(), **fields
        )
    if not held_for:
        mark_completed(user, course=course, now=now)
    return certificate


def _hold_reason(course: Course, *, seconds_taken: int, test: FinalTestTry | None) -> str:
    if test is None:
        minimum = course.lessons.aggregate(total=Sum("min_read_seconds"))["total"] or 0
        return plausibility.hold_reason(
            seconds_taken=seconds_taken, min_seconds=minimum, test_seconds=None, test_floor=0
        )
    drawn = plausibility.drawn_from(final_test(course), test.questions)
    return plausibility.hold_reason(
        seconds_taken=seconds_taken,
        min_seconds=0,
        test_seconds=int((test.submitted_at - test.started_at).total_seconds()),
        test_floor=plausibility.final_test_floor(drawn),
    )


def _completed_since(
    user: User, *, course: Course, since: datetime.datetime, test: FinalTestTry | None
) -> bool:
    """Whether this completion was made after `since`: the passing try submitted then, or
    every lesson completed then (a rejection set them to be read again)."""
    if test is not None:
        return test.submitted_at is not None and test.submitted_at >= since
    return not LessonProgress.objects.filter(
        user=user, course=course, completed_at__lt=since
    ).exists()
