"""Learning: enrolment, reading, answering, completing, certificates.

Reading time is the server's: a lesson opened at T may be completed from
T + min_read_seconds on, whatever the browser says.
"""

import datetime
import logging
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import RoleGrant, User
from accounts.scopes import COORDINATOR_ROLES, Scope
from accounts.sms import send_sms
from courses.models import Choice, CompletionRule, Course, Lesson, Question
from learning.exports import campaign_workbook
from learning.models import (
    Answer,
    Assignment,
    Campaign,
    Certificate,
    Enrollment,
    ExportJob,
    LessonProgress,
    Notification,
    new_certificate_code,
)
from learning.reads import forget_reading

logger = logging.getLogger("hocso.learning")


class LessonNotDone(Exception):
    """Completing a lesson too early, or with check questions not yet answered correctly."""

    def __init__(self, *, seconds_left: int = 0, pending_questions: int = 0):
        super().__init__(seconds_left, pending_questions)
        self.seconds_left = seconds_left
        self.pending_questions = pending_questions


def reading_seconds_left(
    *, opened_at: datetime.datetime, now: datetime.datetime, min_read_seconds: int
) -> int:
    """Seconds still to read before a lesson counts as read (0 when it may be completed)."""
    elapsed = (now - opened_at).total_seconds()
    return max(0, int(min_read_seconds - elapsed + 0.999))


def check_lesson_done(
    *, min_read_seconds: int, opened_at, now, correct_question_ids: set[int], question_ids
) -> None:
    """Raise LessonNotDone unless the lesson was read long enough and answered correctly."""
    seconds_left = reading_seconds_left(
        opened_at=opened_at, now=now, min_read_seconds=min_read_seconds
    )
    pending = len(set(question_ids) - correct_question_ids)
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


def open_lesson(
    user: User, *, lesson: Lesson, now: datetime.datetime, enrolled: bool = False
) -> None:
    """Record the first opening of a lesson, enrolling on the way unless the caller knows
    the learner is enrolled. Opening it again changes nothing; two tabs opening it at the
    same moment make one row (insert-or-ignore, no savepoints)."""
    if not enrolled:
        Enrollment.objects.bulk_create(
            [Enrollment(user=user, course_id=lesson.course_id, enrolled_at=now)],
            ignore_conflicts=True,
        )
        _mark_started(user, course_id=lesson.course_id, now=now)
    LessonProgress.objects.bulk_create(
        [LessonProgress(user=user, lesson=lesson, course_id=lesson.course_id, opened_at=now)],
        ignore_conflicts=True,
    )
    forget_reading(user.pk, lesson.course_id)


def answer_question(
    user: User, *, question: Question, choice_id: int, now: datetime.datetime
) -> Answer:
    """Save the learner's choice (replacing an earlier one) and whether it is right."""
    choice = Choice.objects.get(pk=choice_id, question=question)
    answer, _ = Answer.objects.update_or_create(
        user=user,
        question=question,
        defaults={"choice": choice, "is_correct": choice.is_correct, "answered_at": now},
    )
    forget_reading(user.pk, question.course_id)
    return answer


@transaction.atomic
def complete_lesson(user: User, *, lesson: Lesson, now: datetime.datetime) -> Certificate | None:
    """Mark the lesson read if the server's rules allow; returns a certificate if this
    completed the course."""
    open_lesson(user, lesson=lesson, now=now)
    progress = LessonProgress.objects.get(user=user, lesson=lesson)
    if progress.completed_at is None:
        question_ids = list(lesson.questions.values_list("id", flat=True))
        correct = set(
            Answer.objects.filter(
                user=user, question_id__in=question_ids, is_correct=True
            ).values_list("question_id", flat=True)
        )
        check_lesson_done(
            min_read_seconds=lesson.min_read_seconds,
            opened_at=progress.opened_at,
            now=now,
            correct_question_ids=correct,
            question_ids=question_ids,
        )
        progress.completed_at = now
        progress.save(update_fields=["completed_at"])
        forget_reading(user.pk, lesson.course_id)
    return complete_course_if_done(user, course=lesson.course, now=now)


@dataclass(frozen=True)
class TestResult:
    correct: int
    total: int
    passed: bool
    certificate: Certificate | None

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0


@transaction.atomic
def submit_final_test(
    user: User, *, course: Course, choices: dict[int, int], now: datetime.datetime
) -> TestResult:
    """Score the course's final test; passing it completes the course."""
    questions = list(course.questions.filter(lesson__isnull=True))
    correct = 0
    for question in questions:
        choice_id = choices.get(question.id)
        if choice_id is None:
            continue
        answer = answer_question(user, question=question, choice_id=choice_id, now=now)
        correct += answer.is_correct
    enroll(user, course=course, now=now)
    passed = bool(questions) and 100 * correct >= course.pass_mark * len(questions)
    certificate = issue_certificate(user, course=course, now=now) if passed else None
    return TestResult(correct=correct, total=len(questions), passed=passed, certificate=certificate)


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
    return issue_certificate(user, course=course, now=now) if total and done >= total else None


def issue_certificate(user: User, *, course: Course, now: datetime.datetime) -> Certificate:
    """The learner's certificate for `course` (issued once; later calls return it)."""
    existing = Certificate.objects.filter(user=user, course=course).first()
    if existing:
        return existing
    enrollment = enroll(user, course=course, now=now)
    first_opened = (
        LessonProgress.objects.filter(user=user, course=course)
        .order_by("opened_at")
        .values_list("opened_at", flat=True)
        .first()
    )
    started = min(filter(None, [first_opened, enrollment.enrolled_at]))
    Enrollment.objects.filter(pk=enrollment.pk).update(completed_at=now)
    certificate = Certificate.objects.create(
        user=user,
        course=course,
        code=new_certificate_code(),
        full_name=user.full_name,
        course_title=course.title,
        issued_at=now,
        seconds_taken=max(0, int((now - started).total_seconds())),
    )
    _mark_completed(user, course=course, now=now)
    return certificate


@transaction.atomic
def adopt_session_reading(user: User, *, reading: dict) -> None:
    """Keep what a visitor read and answered before signing up or logging in.

    `reading` is the session's record (learning.session): server timestamps, so the
    reading-time rule still holds for lessons completed before the account existed.
    """
    lessons = Lesson.objects.in_bulk([int(k) for k in reading.get("lessons", {})])
    for key, record in reading.get("lessons", {}).items():
        lesson = lessons.get(int(key))
        if lesson is None:
            continue
        enroll(user, course=lesson.course, now=_when(record["opened"]))
        progress, _ = LessonProgress.objects.get_or_create(
            user=user,
            lesson=lesson,
            defaults={"course_id": lesson.course_id, "opened_at": _when(record["opened"])},
        )
        if record.get("completed") and progress.completed_at is None:
            progress.completed_at = _when(record["completed"])
            progress.save(update_fields=["completed_at"])
        forget_reading(user.pk, lesson.course_id)
    questions = Question.objects.in_bulk([int(k) for k in reading.get("answers", {})])
    for key, choice_id in reading.get("answers", {}).items():
        question = questions.get(int(key))
        if question and not Answer.objects.filter(user=user, question=question).exists():
            answer_question(user, question=question, choice_id=choice_id, now=timezone.now())
    for course in Course.objects.filter(lessons__in=lessons.values()).distinct():
        complete_course_if_done(user, course=course, now=timezone.now())


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
            for row in Certificate.objects.filter(
                user_id__in=chunk, course_id__in=course_ids, revoked_at__isnull=True
            )
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


def _mark_completed(user: User, *, course: Course, now: datetime.datetime) -> None:
    """Complete the person's assignments whose every course now has a certificate."""
    certified = set(
        Certificate.objects.filter(user=user, revoked_at__isnull=True).values_list(
            "course_id", flat=True
        )
    )
    for assignment in Assignment.objects.filter(
        user=user, campaign__courses=course, completed_at__isnull=True
    ).prefetch_related("campaign__courses"):
        if {c.pk for c in assignment.campaign.courses.all()} <= certified:
            assignment.started_at = assignment.started_at or now
            assignment.completed_at = now
            assignment.save(update_fields=["started_at", "completed_at"])


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
    pending = campaign.assignments.filter(completed_at__isnull=True).values_list(
        "user_id", flat=True
    )
    return notify({uid: (title, body, url) for uid in pending}, key=key, now=now)


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
