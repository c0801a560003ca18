"""Reading a course: enrolment, opening lessons, answering check questions, reopening.

Reading time is the server's, and a learner reads one lesson at a time: each action in a
course (opening a lesson, answering, "done", the final test) credits the time since their
previous action there to the lesson they were reading then, at most READ_CAP_FACTOR times
that lesson's minimum. A lesson is read when its credited time reaches its minimum, so
lessons opened side by side in many tabs earn that time once, not once per tab.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from courses.models import Choice, Course, Lesson, Question
from learning.models import Answer, Enrollment, LessonProgress
from learning.models.reading import reading_cap
from learning.reads import forget_reading
from learning.services.campaigns import mark_started

logger = logging.getLogger("hocso.learning")


# Compare-and-set rounds before an action gives up crediting (it then credits nothing).
CREDIT_ROUNDS = 5
NOTHING_READ = {"lesson": None, "since": None, "cap": 0}  # the pointer of a new enrolment


class LessonNotDone(Exception):
    """Completing a lesson before its reading time is credited, or with check questions
    still open."""

    def __init__(self, *, seconds_left: int = 0, pending_questions: int = 0):
        super().__init__(seconds_left, pending_questions)
        self.seconds_left = seconds_left
        self.pending_questions = pending_questions


def credit_for(*, since: datetime.datetime | None, now: datetime.datetime, cap: int) -> int:
    """Whole seconds one stretch of reading earns: from `since` to `now`, at most `cap`."""
    if since is None:
        return 0
    return max(0, min(cap, int((now - since).total_seconds())))


def check_lesson_done(
    *, min_read_seconds: int, credited_seconds: int, settled_question_ids, question_ids
) -> None:
    """Raise LessonNotDone unless the lesson's credited reading time reaches its minimum
    and each of its check questions is settled (answered right, or out of tries)."""
    seconds_left = max(0, min_read_seconds - credited_seconds)
    pending = len(set(question_ids) - set(settled_question_ids))
    if seconds_left or pending:
        raise LessonNotDone(seconds_left=seconds_left, pending_questions=pending)


def enroll(user: User, *, course: Course, now: datetime.datetime | None = None) -> Enrollment:
    """Enrol `user` in `course` (idempotent)."""
    now = now or timezone.now()
    enrollment, created = Enrollment.objects.get_or_create(
        user=user, course=course, defaults={"enrolled_at": now}
    )
    if created:
        mark_started(user, course_id=course.pk, now=now)
    return enrollment


def credit_reading(
    user: User,
    *,
    course_id: int,
    lesson_id: int | None,
    now: datetime.datetime,
    pointer: dict | None = None,
) -> None:
    """Credit the time since the learner's last action in the course to the lesson they
    were reading then, and note that from `now` they read `lesson_id` (None: no lesson).

    Each stretch is claimed by one action through a compare-and-set of the enrolment's
    pointer, so two tabs acting at the same moment never both earn it (SQLite and
    PostgreSQL alike). `pointer` is the caller's cached {"lesson", "since", "cap"}; a stale
    one costs a read. The caller forgets the cached reading afterwards."""
    for _round in range(CREDIT_ROUNDS):
        if pointer is None:
            pointer = _pointer(user.pk, course_id)
            if pointer is None:
                return  # not enrolled: nothing was being read
        since = pointer["since"]
        claimed = Enrollment.objects.filter(
            user=user,
            course_id=course_id,
            reading_lesson_id=pointer["lesson"],
            reading_since=since,
        ).update(reading_lesson_id=lesson_id, reading_since=max(now, since) if since else now)
        if claimed:
            credit = credit_for(since=since, now=now, cap=pointer["cap"])
            if credit and pointer["lesson"]:
                LessonProgress.objects.filter(user=user, lesson_id=pointer["lesson"]).update(
                    credited_seconds=F("credited_seconds") + credit
                )
            return
        pointer = None  # another request moved it first: read it again
    logger.warning("reading of user %s in course %s not credited", user.pk, course_id)


def _pointer(user_id: int, course_id: int) -> dict | None:
    row = (
        Enrollment.objects.filter(user_id=user_id, course_id=course_id)
        .values_list("reading_lesson_id", "reading_since", "reading_lesson__min_read_seconds")
        .first()
    )
    if row is None:
        return None
    lesson_id, since, minimum = row
    return {"lesson": lesson_id, "since": since, "cap": reading_cap(minimum or 0)}


def open_lesson(
    user: User, *, lesson: Lesson, now: datetime.datetime, reading: dict | None = None
) -> None:
    """Note that the learner reads `lesson` from `now` on (crediting what they read before
    it), recording its first opening and enrolling on the way. `reading` is the learner's
    cached record (learning.reads) when the caller has it: what it already says is not
    written again. Two tabs opening a lesson at the same moment make one row
    (insert-or-ignore, no savepoints)."""
    known = reading or {"lessons": {}, "pointer": None}
    if not known["lessons"]:  # any opened lesson means enrolled already
        Enrollment.objects.bulk_create(
            [Enrollment(user=user, course_id=lesson.course_id, enrolled_at=now)],
            ignore_conflicts=True,
        )
        mark_started(user, course_id=lesson.course_id, now=now)
    if lesson.pk not in known["lessons"]:
        LessonProgress.objects.bulk_create(
            [LessonProgress(user=user, lesson=lesson, course_id=lesson.course_id, opened_at=now)],
            ignore_conflicts=True,
        )
    pointer = known["pointer"]
    if pointer is None and reading is not None and not known["lessons"]:
        pointer = NOTHING_READ  # a first lesson: a good guess saves reading the pointer
    credit_reading(user, course_id=lesson.course_id, lesson_id=lesson.pk, now=now, pointer=pointer)
    forget_reading(user.pk, lesson.course_id)


@transaction.atomic
def answer_question(
    user: User, *, question: Question, choice_id: int, now: datetime.datetime
) -> Answer:
    """Record the learner's try at a check question, unless the question is settled
    (answered right, or out of the course's tries); returns their answer as it stands."""
    if question.lesson_id:  # answering is an action in its lesson
        lesson = Lesson(pk=question.lesson_id, course_id=question.course_id)
        open_lesson(user, lesson=lesson, now=now)
    choice = Choice.objects.get(pk=choice_id, question=question)
    tried = Answer.objects.filter(
        user=user, question=question, is_correct=False, tries__lt=question.course.check_tries
    ).update(choice=choice, is_correct=choice.is_correct, answered_at=now, tries=F("tries") + 1)
    if not tried:  # a first try, or a settled question (then the insert is ignored)
        Answer.objects.bulk_create(
            [
                Answer(
                    user=user,
                    question=question,
                    choice=choice,
                    is_correct=choice.is_correct,
                    answered_at=now,
                    tries=1,
                )
            ],
            ignore_conflicts=True,
        )
    forget_reading(user.pk, question.course_id)
    return Answer.objects.get(user=user, question=question)


def reopen_course(user: User, *, course: Course, relearn: bool, now: datetime.datetime) -> None:
    """After a rejected completion the course is not completed any more; when its reading
    time was in doubt (`relearn`), every lesson is to be read again for its minimum, from
    `now` (check-question answers are kept)."""
    pointer = {"reading_lesson": None, "reading_since": now} if relearn else {}
    Enrollment.objects.filter(user=user, course=course).update(completed_at=None, **pointer)
    if relearn:
        LessonProgress.objects.filter(user=user, course=course).update(
            completed_at=None, credited_seconds=0
        )
    forget_reading(user.pk, course.pk)
