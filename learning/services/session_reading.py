"""A visitor's reading (learning.session), adopted by the account they sign up or log in to."""

import datetime

from django.db import transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone

from accounts.models import User
from courses.models import Choice, Course, Lesson, Question
from learning.models import Answer, Enrollment, LessonProgress
from learning.reads import forget_reading
from learning.services.completion import complete_course_if_done
from learning.services.reading import enroll


@transaction.atomic
def adopt_session_reading(user: User, *, reading: dict) -> list[Course]:
    """Keep what a visitor read and answered before signing up or logging in.

    `reading` is the session's record (learning.session), credited by the same rule as
    here. Returns the courses whose reading time was not kept: the account was reading
    them during the same hours (in another browser, say), and one person reads one lesson
    at a time, so that time was earned once already. Their openings and answers are kept.
    """
    spans = reading.get("courses", {})
    by_course = _lessons_by_course(reading.get("lessons", {}))
    refused = [
        read[0][0].course
        for course_id, read in by_course.items()
        if not _adopt_course(user, read=read, span=spans.get(str(course_id)))
    ]
    _adopt_answers(user, reading=reading)
    for read in by_course.values():
        course = read[0][0].course
        if course not in refused:
            complete_course_if_done(user, course=course, now=timezone.now())
    return refused


def _lessons_by_course(lessons_read: dict) -> dict[int, list[tuple[Lesson, dict]]]:
    """The session's lesson entries with their lessons, by course; deleted lessons left out."""
    lessons = Lesson.objects.select_related("course").in_bulk([int(k) for k in lessons_read])
    by_course: dict[int, list[tuple[Lesson, dict]]] = {}
    for key, entry in lessons_read.items():
        lesson = lessons.get(int(key))
        if lesson is not None:
            by_course.setdefault(lesson.course_id, []).append((lesson, entry))
    return by_course


def _adopt_course(user: User, *, read: list[tuple[Lesson, dict]], span: dict | None) -> bool:
    """Enrol the account and adopt the lessons it read in one course as a visitor; False
    when their reading time is not kept (the account read the course in the same hours)."""
    course = read[0][0].course
    times = [_when(e["opened"]) for _, e in read] + [
        _when(e["completed"]) for _, e in read if e.get("completed")
    ]
    began = _when(span["began"]) if span else min(times)
    last = max([*times, _when(span["since"])] if span else times)
    keep = not _account_read_between(user, course_id=course.pk, began=began, last=last)
    enroll(user, course=course, now=began)
    for lesson, entry in read:
        _adopt_lesson(user, lesson=lesson, entry=entry, keep=keep)
    if keep and span and int(span["lesson"] or 0) in {lesson.pk for lesson, _ in read}:
        # Still reading where the visitor was: the next action credits that lesson.
        Enrollment.objects.filter(user=user, course_id=course.pk).filter(
            Q(reading_since__isnull=True) | Q(reading_since__lt=last)
        ).update(reading_lesson_id=span["lesson"], reading_since=last)
    forget_reading(user.pk, course.pk)
    return keep


def _adopt_lesson(user: User, *, lesson: Lesson, entry: dict, keep: bool) -> None:
    """The visitor's opening of one lesson, with its credited time and completion if kept."""
    credited = int(entry.get("credited") or 0) if keep else 0
    progress, created = LessonProgress.objects.get_or_create(
        user=user,
        lesson=lesson,
        defaults={
            "course_id": lesson.course_id,
            "opened_at": _when(entry["opened"]),
            "credited_seconds": credited,
        },
    )
    if not created and credited:
        LessonProgress.objects.filter(pk=progress.pk).update(
            credited_seconds=F("credited_seconds") + credited
        )
    # The session checked it; checked again, so a record from before reading time was
    # credited cannot carry an uncredited lesson into an account.
    if keep and entry.get("completed") and credited >= lesson.min_read_seconds:
        LessonProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(
            completed_at=_when(entry["completed"])
        )


def _account_read_between(
    user: User, *, course_id: int, began: datetime.datetime, last: datetime.datetime
) -> bool:
    """Whether the account acted in the course between `began` and `last`."""
    enrollment = (
        Enrollment.objects.filter(user=user, course_id=course_id)
        .values("enrolled_at", "reading_since")
        .first()
    )
    if enrollment is None:
        return False
    progress = LessonProgress.objects.filter(user=user, course_id=course_id).aggregate(
        first=Min("opened_at"), opened=Max("opened_at"), completed=Max("completed_at")
    )
    ends = [enrollment["reading_since"], progress["opened"], progress["completed"]]
    ends = [end for end in ends if end is not None]
    if not ends:
        return False  # enrolled, never read
    first = min(filter(None, [enrollment["enrolled_at"], progress["first"]]))
    return first <= last and began <= max(ends)


def _adopt_answers(user: User, *, reading: dict) -> None:
    """The visitor's check answers, with their tries, where the account has none."""
    answers, tries = reading.get("answers", {}), reading.get("tries", {})
    questions = Question.objects.in_bulk([int(k) for k in answers])
    answered = set(
        Answer.objects.filter(user=user, question__in=list(questions)).values_list(
            "question_id", flat=True
        )
    )
    choices = {c.pk: c for c in Choice.objects.filter(pk__in=[int(v) for v in answers.values()])}
    now = timezone.now()
    rows = []
    for key, choice_id in answers.items():
        question, choice = questions.get(int(key)), choices.get(int(choice_id))
        if question is None or question.pk in answered or choice is None:
            continue
        if choice.question_id != question.pk:
            continue
        rows.append(
            Answer(
                user=user,
                question=question,
                choice=choice,
                is_correct=choice.is_correct,
                answered_at=now,
                tries=max(1, int(tries.get(key) or 1)),
            )
        )
        forget_reading(user.pk, question.course_id)
    Answer.objects.bulk_create(rows, ignore_conflicts=True)


def _when(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)
