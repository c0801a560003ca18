"""Learning: enrolment, reading, answering, completing, certificates.

Reading time is the server's, and a learner reads one lesson at a time: each action in a
course (opening a lesson, answering, "done", the final test) credits the time since their
previous action there to the lesson they were reading then, at most READ_CAP_FACTOR times
that lesson's minimum. A lesson is read when its credited time reaches its minimum, so
lessons opened side by side in many tabs earn that time once, not once per tab.
"""

import datetime
import logging
import random
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import RoleGrant, User
from accounts.scopes import COORDINATOR_ROLES, Scope
from accounts.sms import send_sms
from courses.models import Choice, CompletionRule, Course, Lesson, Question
from courses.reads import final_test
from learning import plausibility
from learning.exports import campaign_workbook
from learning.models import (
    Answer,
    Assignment,
    Campaign,
    Certificate,
    Enrollment,
    ExportJob,
    FinalTestTry,
    LessonProgress,
    Notification,
    Review,
    new_certificate_code,
    reading_cap,
)
from learning.reads import forget_reading

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
        _mark_started(user, course_id=course.pk, now=now)
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
        _mark_started(user, course_id=lesson.course_id, now=now)
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


# --- The final test -------------------------------------------------------------------------

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


# --- A visitor's reading, adopted -----------------------------------------------------------


@transaction.atomic
def adopt_session_reading(user: User, *, reading: dict) -> list[Course]:
    """Keep what a visitor read and answered before signing up or logging in.

    `reading` is the session's record (learning.session), credited by the same rule as
    here. Returns the courses whose reading time was not kept: the account was reading
    them during the same hours (in another browser, say), and one person reads one lesson
    at a time, so that time was earned once already. Their openings and answers are kept.
    """
    lessons_read = reading.get("lessons", {})
    spans = reading.get("courses", {})
    lessons = Lesson.objects.select_related("course").in_bulk([int(k) for k in lessons_read])
    by_course: dict[int, list[tuple[Lesson, dict]]] = {}
    for key, entry in lessons_read.items():
        lesson = lessons.get(int(key))
        if lesson is not None:
            by_course.setdefault(lesson.course_id, []).append((lesson, entry))
    refused = []
    for course_id, read in by_course.items():
        course = read[0][0].course
        times = [_when(e["opened"]) for _, e in read] + [
            _when(e["completed"]) for _, e in read if e.get("completed")
        ]
        span = spans.get(str(course_id))
        began = _when(span["began"]) if span else min(times)
        last = max([*times, _when(span["since"])] if span else times)
        keep = not _account_read_between(user, course_id=course_id, began=began, last=last)
        enroll(user, course=course, now=began)
        for lesson, entry in read:
            credited = int(entry.get("credited") or 0) if keep else 0
            progress, created = LessonProgress.objects.get_or_create(
                user=user,
                lesson=lesson,
                defaults={
                    "course_id": course_id,
                    "opened_at": _when(entry["opened"]),
                    "credited_seconds": credited,
                },
            )
            if not created and credited:
                LessonProgress.objects.filter(pk=progress.pk).update(
                    credited_seconds=F("credited_seconds") + credited
                )
            # The session checked it; checked again, so a record from before reading time
            # was credited cannot carry an uncredited lesson into an account.
            if keep and entry.get("completed") and credited >= lesson.min_read_seconds:
                LessonProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(
                    completed_at=_when(entry["completed"])
                )
        if keep and span and int(span["lesson"] or 0) in {lesson.pk for lesson, _ in read}:
            # Still reading where the visitor was: the next action credits that lesson.
            Enrollment.objects.filter(user=user, course_id=course_id).filter(
                Q(reading_since__isnull=True) | Q(reading_since__lt=last)
            ).update(reading_lesson_id=span["lesson"], reading_since=last)
        if not keep:
            refused.append(course)
        forget_reading(user.pk, course_id)
    _adopt_answers(user, reading=reading)
    for read in by_course.values():
        course = read[0][0].course
        if course not in refused:
            complete_course_if_done(user, course=course, now=timezone.now())
    return refused


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


# --- Mandatory training campaigns -----------------------------------------------------------

BATCH = 1000


def assign_campaign(campaign: Campaign, *, now: datetime.datetime) -> int:
    """Assign everyone the campaign's rule names and who is not assigned yet (people who
    joined later included), with what they have already done; unassign the excluded.
    Returns how many were newly assigned."""
    existing = set(campaign.assignments.values_list("user_id", flat=True))
    new = sorted(set(campaign.audience().values_list("pk", flat=True)) - existing)
    Assignment.objects.bulk_create(
        [Assignment(campaign=campaign, user_id=user_id, assigned_at=now) for user_id in new],
        ignore_conflicts=True,
        batch_size=BATCH,
    )
    campaign.assignments.filter(user__in=campaign.excluded.all()).delete()
    _catch_up(campaign, new)
    return len(new)


def assign_campaigns_to(user: User, *, now: datetime.datetime) -> None:
    """Assign a person who just joined or changed commune, organization or kind to every
    running campaign whose rule names them."""
    for campaign in Campaign.objects.running(timezone.localdate(now)):
        if campaign.audience().filter(pk=user.pk).exists():
            _, created = Assignment.objects.get_or_create(
                campaign=campaign, user=user, defaults={"assigned_at": now}
            )
            if created:
                _catch_up(campaign, [user.pk])


def _catch_up(campaign: Campaign, user_ids: list[int]) -> None:
    """Copy start and completion into new assignments from enrolments and certificates."""
    course_ids = list(campaign.courses.values_list("pk", flat=True))
    for start in range(0, len(user_ids), BATCH):
        chunk = user_ids[start : start + BATCH]
        started = dict(
            Enrollment.objects.filter(user_id__in=chunk, course_id__in=course_ids)
            .values("user_id")
            .annotate(first=Min("enrolled_at"))
            .values_list("user_id", "first")
        )
        completed = {
            row["user_id"]: row["last"]
            for row in Certificate.objects.counted()
            .filter(user_id__in=chunk, course_id__in=course_ids)
            .values("user_id")
            .annotate(n=Count("course_id", distinct=True), last=Max("issued_at"))
            if row["n"] == len(course_ids)
        }
        if not started and not completed:
            continue
        assignments = list(campaign.assignments.filter(user_id__in=set(started) | set(completed)))
        for assignment in assignments:
            assignment.started_at = started.get(assignment.user_id)
            assignment.completed_at = completed.get(assignment.user_id)
        Assignment.objects.bulk_update(assignments, ["started_at", "completed_at"])


def _mark_started(user: User, *, course_id: int, now: datetime.datetime) -> None:
    Assignment.objects.filter(
        user=user, campaign__courses=course_id, started_at__isnull=True
    ).update(started_at=now)


def mark_completed(user: User, *, course: Course, now: datetime.datetime) -> None:
    """Complete the person's assignments whose every course now has a certificate that
    stands (a held one counts once approved, from when the learner completed)."""
    certified = set(
        Certificate.objects.counted().filter(user=user).values_list("course_id", flat=True)
    )
    for assignment in Assignment.objects.filter(
        user=user, campaign__courses=course, completed_at__isnull=True
    ).prefetch_related("campaign__courses"):
        if {c.pk for c in assignment.campaign.courses.all()} <= certified:
            assignment.started_at = assignment.started_at or now
            assignment.completed_at = now
            assignment.save(update_fields=["started_at", "completed_at"])


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


# --- Reminders ------------------------------------------------------------------------------

REMIND_DAYS = (7, 1)  # days before the deadline


def notify(
    user_ids_to_message: dict[int, tuple[str, str, str]],
    *,
    key: str,
    now: datetime.datetime,
    sms: bool = True,
) -> int:
    """Create one notification per person under `key` unless they already have it, and
    text the ones just created. {user id: (title, body, url)}. Returns how many were new."""
    already = set(
        Notification.objects.filter(key=key, user_id__in=list(user_ids_to_message)).values_list(
            "user_id", flat=True
        )
    )
    fresh = {uid: msg for uid, msg in user_ids_to_message.items() if uid not in already}
    Notification.objects.bulk_create(
        [
            Notification(user_id=uid, key=key, title=t, body=b, url=u, created_at=now)
            for uid, (t, b, u) in fresh.items()
        ],
        ignore_conflicts=True,  # a run at the same moment made it: that run texts them
        batch_size=BATCH,
    )
    if sms and fresh:
        contacts = {
            pk: (phone, email)
            for pk, phone, email in User.objects.filter(pk__in=list(fresh)).values_list(
                "pk", "phone", "email"
            )
        }
        for uid, (title, body, url) in fresh.items():
            phone, email = contacts[uid]
            send_sms(to=phone, body=f"{title}. {body}")
            if email:  # few people here give one; those who did get it by email too
                send_mail(title, f"{body}\n{url}", None, [email], fail_silently=True)
    return len(fresh)


def send_campaign_reminders(campaign: Campaign, *, now: datetime.datetime) -> int:
    """Remind everyone not yet done: N days before the deadline, and once when overdue."""
    today = timezone.localdate(now)
    days_left = (campaign.deadline - today).days
    if days_left < 0:
        key = f"campaign:{campaign.pk}:overdue"
        title = _("Đã quá hạn: %(t)s") % {"t": campaign.title}
        body = _("Hạn hoàn thành là %(d)s. Hãy hoàn thành sớm nhất có thể.")
    else:
        due = [n for n in REMIND_DAYS if n >= days_left]
        if not due:
            return 0
        key = f"campaign:{campaign.pk}:due:{min(due)}"
        title = _("Còn %(n)s ngày: %(t)s") % {"n": days_left, "t": campaign.title}
        body = _("Hạn hoàn thành là %(d)s. Mở Học Số để học tiếp.")
    body = body % {"d": campaign.deadline.strftime("%d/%m/%Y")}
    url = reverse("learning:my_learning")
    pending = campaign.assignments.filter(completed_at__isnull=True).values("user_id")
    waiting = _only_waiting(campaign, pending)
    return notify(
        {uid["user_id"]: (title, body, url) for uid in pending if uid["user_id"] not in waiting},
        key=key,
        now=now,
    )


def _only_waiting(campaign: Campaign, pending) -> set[int]:
    """Of the `pending` people (a values("user_id") query), those who finished every course
    of `campaign` and wait only for a coordinator to review a held certificate: "hãy học
    tiếp" would tell them to do what they have done."""
    courses = set(campaign.courses.values_list("pk", flat=True))
    finished = (
        Certificate.objects.filter(user_id__in=pending, course_id__in=courses)
        .exclude(review=Review.REJECTED)
        .filter(revoked_at__isnull=True)
        .values("user_id")
        .annotate(n=Count("course_id", distinct=True))
        .filter(n=len(courses))
        .values_list("user_id", flat=True)
    )
    return set(finished) if courses else set()


def send_coordinator_digests(*, now: datetime.datetime) -> int:
    """Once a week, each coordinator gets the state of every campaign in their scope that is
    open or ended less than a week ago (one last digest, then quiet)."""
    today = timezone.localdate(now)
    year, week, _weekday = today.isocalendar()
    campaigns = list(Campaign.objects.reminding(today))
    if not campaigns:
        return 0
    sent = 0
    coordinator_ids = RoleGrant.objects.filter(role__in=COORDINATOR_ROLES).values_list(
        "user_id", flat=True
    )
    for coordinator in User.objects.filter(pk__in=coordinator_ids, is_active=True):
        scope = Scope.of(coordinator)
        lines = []
        for campaign in campaigns:
            total = scope.filter(
                campaign.assignments.all(),
                commune="user__commune",
                organization="user__organization",
            ).tally(campaign=campaign, today=today)
            if total["assigned"]:
                lines.append(
                    _("%(t)s: %(c)s/%(n)s hoàn thành (%(r)s%%), %(o)s quá hạn")
                    % {
                        "t": campaign.title,
                        "c": total["completed"],
                        "n": total["assigned"],
                        "r": total["rate"],
                        "o": total["overdue"],
                    }
                )
        if lines:
            sent += notify(
                {
                    coordinator.pk: (
                        _("Tổng hợp tuần %(w)s") % {"w": week},
                        "; ".join(lines),
                        reverse("learning:campaign_list"),
                    )
                },
                key=f"digest:{year}-W{week:02d}",
                now=now,
            )
    return sent


# --- Report exports -------------------------------------------------------------------------

PROGRESS_EVERY = 5000
# What learning.exports.campaign_workbook writes per person, read as plain tuples (no
# model instances): 100,000 rows.
PEOPLE_COLUMNS = (
    "user__full_name",
    "user__phone",
    "user__commune__code",
    "user__commune__name",
    "user__organization__name",
    "user__participant_kind",
    "status",
    "started_at",
    "completed_at",
    "user_id",  # for the certificate column (held or rejected), not written itself
)
PEOPLE_CHUNK = 5000  # rows per fetch; a server-side cursor on PostgreSQL


def campaign_assignments(*, scope: Scope, campaign: Campaign, kind: str = ""):
    """The campaign's assignments the viewer may see, optionally of one participant kind."""
    assignments = scope.filter(
        campaign.assignments.all(), commune="user__commune", organization="user__organization"
    )
    return assignments.filter(user__participant_kind=kind) if kind else assignments


def campaign_people(assignments, *, campaign: Campaign, today: datetime.date):
    """The export's people rows (PEOPLE_COLUMNS), by commune, then name."""
    return (
        assignments.with_status(campaign=campaign, today=today)
        .order_by("user__commune__name", "user__full_name")
        .values_list(*PEOPLE_COLUMNS)
    )


def held_certificates(assignments, *, campaign: Campaign) -> dict[int, list[tuple[str, str]]]:
    """{user id: [(Review value, course title), …]}: the certificates of the campaign's
    courses that its people (these assignments') have held or rejected; a few rows."""
    held: dict[int, list[tuple[str, str]]] = {}
    rows = (
        Certificate.objects.filter(
            course__in=campaign.courses.all(), review__in=[Review.HELD, Review.REJECTED]
        )
        .filter(user__in=assignments.values("user"))
        .order_by("course_title", "pk")
        .values_list("user_id", "review", "course_title")
    )
    for user_id, review, title in rows:
        held.setdefault(user_id, []).append((review, title))
    return held


def start_campaign_export(
    *, user: User, campaign: Campaign, kind: str, now: datetime.datetime
) -> ExportJob:
    """Queue the campaign's .xlsx report for `user` (their scope); built after commit, in a
    thread unless settings say inline."""
    job = ExportJob.objects.create(created_by=user, campaign=campaign, kind=kind, created_at=now)
    transaction.on_commit(lambda: _launch_export(job.pk))
    return job


def _launch_export(job_id: int) -> None:
    if settings.EXPORTS_IN_BACKGROUND:
        threading.Thread(target=build_campaign_export, args=(job_id,), daemon=True).start()
    else:
        build_campaign_export(job_id)


def build_campaign_export(job_id: int) -> None:
    """Build the report file of an export job, reporting progress as rows are written."""
    try:
        job = ExportJob.objects.select_related("campaign", "created_by").get(pk=job_id)
        campaign, today = job.campaign, timezone.localdate()
        assignments = campaign_assignments(
            scope=Scope.of(job.created_by), campaign=campaign, kind=job.kind
        )
        tally, communes, organizations = assignments.breakdown(campaign=campaign, today=today)
        total = tally["assigned"]
        ExportJob.objects.filter(pk=job_id).update(state=ExportJob.State.RUNNING, total=total)
        people = campaign_people(assignments, campaign=campaign, today=today).iterator(
            chunk_size=PEOPLE_CHUNK
        )

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job_id).update(done=done)

        content = campaign_workbook(
            communes=communes,
            organizations=organizations,
            people=people,
            held=held_certificates(assignments, campaign=campaign),
            progress=progress,
            every=PROGRESS_EVERY,
        )
        name = f"exports/{job_id}-{secrets.token_hex(8)}.xlsx"
        path = Path(settings.PRIVATE_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.DONE, done=total, file_name=name, finished_at=timezone.now()
        )
    except Exception as error:  # the job page says so; the person can start it again
        logger.exception("export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
    finally:
        if settings.EXPORTS_IN_BACKGROUND:
            connection.close()  # the thread's own connection
