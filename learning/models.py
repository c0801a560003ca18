import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Commune, Organization
from courses.models import Choice, Course, Lesson, Question

# Crockford-style alphabet: no 0/O, 1/I/L, so a code read aloud or typed from paper works.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_certificate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


# One stretch of reading between two actions credits its lesson at most this many times
# the lesson's minimum: a tab left open overnight is not a night of reading, yet a slow
# reader always gets their minimum from one stretch (so "read N more seconds" stays true).
READ_CAP_FACTOR = 3


def reading_cap(min_read_seconds: int) -> int:
    """The most one stretch of reading credits to a lesson with this minimum."""
    return READ_CAP_FACTOR * min_read_seconds


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    enrolled_at = models.DateTimeField(_("ghi danh lúc"))
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    # What the learner is reading now: the lesson of their last action in the course and
    # when it was. The time until their next action is credited to that lesson, once,
    # whatever tabs are open (learning.services.credit_reading).
    reading_lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reading_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ghi danh")
        verbose_name_plural = _("ghi danh")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="enrollment_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.course}"


class LessonProgress(models.Model):
    """When a learner first opened a lesson, the reading time credited to it, and when the
    server accepted it as read (credited time at least the lesson's minimum)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    credited_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lessonprogress_unique")
        ]
        indexes = [models.Index(fields=["user", "course"])]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.lesson_id}"


class Answer(models.Model):
    """A learner's latest answer to a check question and how many tries it took. A right
    answer, or the course's last try, settles the question: nothing replaces it then."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="+")
    is_correct = models.BooleanField()
    answered_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="answer_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.question_id}: {self.choice_id}"

    def settled(self, tries_allowed: int) -> bool:
        """Right, or out of tries: the question is done and its answer shown."""
        return self.is_correct or self.tries >= tries_allowed


class FinalTestTryQuerySet(models.QuerySet):
    def open(self) -> "FinalTestTryQuerySet":
        """Tries started and not submitted (at most one per learner and course)."""
        return self.filter(submitted_at__isnull=True)

    def started_after(self, moment: datetime.datetime) -> "FinalTestTryQuerySet":
        """Tries started after `moment`, oldest first."""
        return self.filter(started_at__gt=moment).order_by("started_at")


class FinalTestTry(models.Model):
    """One try at a course's final test: the questions drawn for it with their choices in
    the order shown, and, once submitted, the answers and the score against that draw."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="final_test_tries"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(_("bắt đầu lúc"))
    # [[question id, [choice id, …]], …] in the order shown.
    questions = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)  # {"question id": choice id}
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    correct = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField(default=0)
    passed = models.BooleanField(default=False)

    objects = FinalTestTryQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt làm bài kiểm tra cuối")
        verbose_name_plural = _("lượt làm bài kiểm tra cuối")
        constraints = [
            # Two tabs starting at once get the same try, not two.
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=models.Q(submitted_at__isnull=True),
                name="finaltesttry_one_open",
            )
        ]
        indexes = [models.Index(fields=["user", "course", "started_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.course_id} @ {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        return round(100 * (self.correct or 0) / self.total) if self.total else 0


class Review(models.TextChoices):
    """Where a held certificate stands; one never held has none and is issued at once."""

    HELD = "held", _("Đang chờ xét duyệt")
    APPROVED = "approved", _("Đã duyệt")
    REJECTED = "rejected", _("Không được duyệt")


class HoldReason(models.TextChoices):
    """Why a completion was held for a coordinator's review (learning.plausibility)."""

    COURSE_FAST = "course_fast", _("Hoàn thành nhanh hơn tổng thời gian đọc tối thiểu")
    TEST_FAST = "test_fast", _("Nộp bài kiểm tra cuối nhanh hơn thời gian đọc đề")


class CertificateQuerySet(models.QuerySet):
    def counted(self) -> "CertificateQuerySet":
        """Certificates that stand: never held or approved, and not revoked."""
        return self.filter(review__in=["", Review.APPROVED], revoked_at__isnull=True)

    def with_min_seconds(self) -> "CertificateQuerySet":
        """Annotate `min_seconds` (the course's total minimum reading time) and `too_fast`.

        Each lesson's minimum holds on its own, but lessons opened side by side in many
        tabs are read "at once": a course finished in less than the sum of its minimums
        is flagged for a coordinator to look at.
        """
        total = (
            Lesson.objects.filter(course=OuterRef("course"))
            .order_by()
            .values("course")
            .annotate(total=Sum("min_read_seconds"))
            .values("total")
        )
        return self.annotate(
            min_seconds=Coalesce(Subquery(total), 0),
            too_fast=ExpressionWrapper(
                Q(seconds_taken__lt=F("min_seconds")), output_field=models.BooleanField()
            ),
        )

    def too_fast(self, courses) -> "CertificateQuerySet":
        """Certificates of `courses` flagged `too_fast` by with_min_seconds(), with each
        course's minimum read once rather than summed again for every certificate."""
        minimums = (
            Lesson.objects.filter(course__in=courses)
            .order_by()
            .values("course")
            .annotate(total=Sum("min_read_seconds"))
            .values_list("course", "total")
        )
        condition = Q(pk__in=[])  # a course without lessons has a minimum of 0: never
        for course, total in minimums:
            condition |= Q(course=course, seconds_taken__lt=total)
        return self.filter(condition)


class Certificate(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    code = models.CharField(_("mã xác minh"), max_length=12, unique=True)
    # Copied at issue time: the certificate says what was true that day.
    full_name = models.CharField(_("họ và tên"), max_length=150)
    course_title = models.CharField(_("khoá học"), max_length=200)
    issued_at = models.DateTimeField(_("cấp lúc"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    # Seconds from first opening the course to completing it, for the report's speed flag.
    seconds_taken = models.PositiveIntegerField(default=0)
    # A completion the hold rule flagged waits for a coordinator (issue 14): until approved
    # it is no certificate for anyone (no page, PDF or verification, no campaign credit).
    review = models.CharField(
        _("xét duyệt"), max_length=10, choices=Review.choices, blank=True, default=""
    )
    held_for = models.CharField(
        _("lý do giữ lại"), max_length=20, choices=HoldReason.choices, blank=True, default=""
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy chứng nhận")
        verbose_name_plural = _("giấy chứng nhận")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="certificate_unique")
        ]
        indexes = [  # the review queue: a few rows among every certificate
            models.Index(fields=["review"], condition=~Q(review=""), name="certificate_reviewed")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.full_name}"

    def get_absolute_url(self) -> str:
        return reverse("learning:certificate", args=[self.code])

    @property
    def is_valid(self) -> bool:
        """Issued (never held, or approved) and not revoked: what verification confirms."""
        return self.revoked_at is None and self.review in ("", Review.APPROVED)

    @property
    def is_pending(self) -> bool:
        return self.review == Review.HELD

    @property
    def is_rejected(self) -> bool:
        return self.review == Review.REJECTED

    def get_verify_url(self) -> str:
        return reverse("learning:verify", args=[self.code])

    @property
    def decision(self) -> "CertificateReview | None":
        """The latest decision on it, if any (its reason is shown to the holder)."""
        return self.reviews.order_by("-at", "-pk").first()


class CertificateReview(models.Model):
    """A coordinator's decision on a held certificate, kept with who made it, when and why."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(
        _("quyết định"),
        max_length=10,
        choices=[(Review.APPROVED, _("Duyệt")), (Review.REJECTED, _("Không duyệt"))],
    )
    reason = models.TextField(_("lý do"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người quyết định"),
    )
    at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("quyết định xét duyệt giấy chứng nhận")
        verbose_name_plural = _("quyết định xét duyệt giấy chứng nhận")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.decision}"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa bắt đầu")
    IN_PROGRESS = "in_progress", _("Đang học")
    ON_TIME = "on_time", _("Hoàn thành đúng hạn")
    LATE = "late", _("Hoàn thành muộn")
    OVERDUE = "overdue", _("Quá hạn")


REMINDERS_AFTER_END = datetime.timedelta(days=7)


class CampaignQuerySet(models.QuerySet):
    def running(self, today: datetime.date) -> "CampaignQuerySet":
        """Campaigns that still assign people: from creation until a year past the deadline
        (late completions are still recorded)."""
        return self.filter(deadline__gte=today - datetime.timedelta(days=365))

    def reminding(self, today: datetime.date) -> "CampaignQuerySet":
        """Campaigns that people and coordinators still hear about: from the day they open
        until a week past the deadline (the overdue reminder and a last weekly digest);
        after that an ended campaign goes quiet, though it still assigns latecomers."""
        return self.filter(opens_on__lte=today, deadline__gte=today - REMINDERS_AFTER_END)


class Campaign(models.Model):
    """Mandatory training: courses + an audience rule + a window.

    The audience is a rule, re-applied whenever people join (learning.services.
    assign_campaigns): participant kinds × communes × organizations (an empty list means
    "any"), plus people added or excluded by hand.
    """

    title = models.CharField(_("tên đợt học"), max_length=200)
    courses = models.ManyToManyField(Course, related_name="campaigns", verbose_name=_("khoá học"))
    kinds = models.JSONField(
        _("đối tượng"), default=list, blank=True, help_text=_("Để trống: mọi đối tượng.")
    )
    communes = models.ManyToManyField(
        Commune,
        blank=True,
        related_name="+",
        verbose_name=_("xã, phường"),
        help_text=_("Để trống: mọi xã, phường."),
    )
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan, đơn vị"),
        help_text=_("Cả các đơn vị trực thuộc. Để trống: không giới hạn theo cơ quan."),
    )
    added = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("thêm riêng")
    )
    excluded = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("loại trừ")
    )
    opens_on = models.DateField(_("bắt đầu"))
    deadline = models.DateField(_("hạn hoàn thành"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("đợt học bắt buộc")
        verbose_name_plural = _("đợt học bắt buộc")
        ordering = ["-deadline", "title"]

    def __str__(self) -> str:
        return self.title

    def audience(self):
        """The people the rule names today (plus those added, minus those excluded)."""
        people = get_user_model().objects.filter(is_active=True)
        if self.kinds:
            people = people.filter(participant_kind__in=self.kinds)
        communes = list(self.communes.values_list("pk", flat=True))
        if communes:
            people = people.filter(commune__in=communes)
        organizations = list(self.organizations.values_list("pk", flat=True))
        if organizations:
            people = people.filter(
                organization__in=Organization.objects.with_descendants(organizations)
            )
        added = get_user_model().objects.filter(pk__in=self.added.values("pk"), is_active=True)
        return (people | added).exclude(pk__in=self.excluded.values("pk"))

    @property
    def deadline_end(self) -> datetime.datetime:
        """The last moment that counts as on time: the end of the deadline day, local time."""
        return timezone.make_aware(
            datetime.datetime.combine(self.deadline + datetime.timedelta(days=1), datetime.time())
        )


class AssignmentQuerySet(models.QuerySet):
    def with_status(self, *, campaign: Campaign, today: datetime.date) -> "AssignmentQuerySet":
        """Annotate `status` (a Status value) for assignments of one campaign."""
        return self.annotate(
            status=Case(
                When(completed_at__lt=campaign.deadline_end, then=Value(Status.ON_TIME)),
                When(completed_at__isnull=False, then=Value(Status.LATE)),
                *(
                    [When(completed_at__isnull=True, then=Value(Status.OVERDUE))]
                    if campaign.deadline < today
                    else []
                ),
                When(started_at__isnull=False, then=Value(Status.IN_PROGRESS)),
                default=Value(Status.NOT_STARTED),
            )
        )

    def with_statuses(self, statuses, *, campaign: Campaign, today) -> "AssignmentQuerySet":
        return self.with_status(campaign=campaign, today=today).filter(status__in=statuses)

    def tally(self, *, campaign: Campaign, today: datetime.date, by: str | None = None):
        """Counts per `by` (a values() path such as "user__commune"), or overall: assigned,
        started, on_time, late, overdue, rate (% completed)."""
        counts = _counts(campaign)
        after_deadline = campaign.deadline < today
        if by is None:
            return _finish(self.aggregate(**counts), after_deadline)
        rows = self.order_by().values(by).annotate(**counts)
        return [_finish(row, after_deadline) for row in rows]

    def breakdown(self, *, campaign: Campaign, today) -> tuple[dict, list[dict], list[dict]]:
        """The overall tally, then tally rows by commune and by organization, named, lowest
        completion rate first: what the dashboard shows and the export writes.

        One read of the assignments, grouped by commune × organization, summed here: each
        GROUP BY over 100,000 assignments joins their people, so three of them (overall,
        by commune, by organization) cost three times one."""
        rows = (
            self.order_by()
            .values("user__commune", "user__organization")
            .annotate(**_counts(campaign))
            .values_list("user__commune", "user__organization", *COUNTS)
        )
        by_commune: dict[int | None, list[int]] = {}
        by_organization: dict[int | None, list[int]] = {}
        for commune, organization, assigned, started, on_time, late in rows:
            for sums in (
                by_commune.setdefault(commune, [0, 0, 0, 0]),
                by_organization.setdefault(organization, [0, 0, 0, 0]),
            ):
                sums[0] += assigned
                sums[1] += started
                sums[2] += on_time
                sums[3] += late
        total = [sum(column) for column in zip(*by_commune.values(), strict=True)] or [0] * 4
        after_deadline = campaign.deadline < today
        communes = Commune.objects.filter(pk__in=[pk for pk in by_commune if pk is not None])
        organizations = Organization.objects.filter(
            pk__in=[pk for pk in by_organization if pk is not None]
        )
        return (
            _finish(dict(zip(COUNTS, total, strict=True)), after_deadline),
            _named(by_commune, dict(communes.values_list("pk", "name")), _("Chưa rõ xã"),
                   after_deadline),
            _named(by_organization, dict(organizations.values_list("pk", "name")),
                   _("Không thuộc cơ quan nào"), after_deadline),
        )  # fmt: skip


COUNTS = ("assigned", "started", "on_time", "late")


def _counts(campaign: Campaign) -> dict:
    deadline_end = campaign.deadline_end
    return {
        "assigned": Count("id"),
        "started": Count("id", filter=Q(started_at__isnull=False)),
        "on_time": Count("id", filter=Q(completed_at__lt=deadline_end)),
        "late": Count("id", filter=Q(completed_at__gte=deadline_end)),
    }


def _named(groups: dict, names: dict, missing: str, after_deadline: bool) -> list[dict]:
    named = [
        {
            **_finish(dict(zip(COUNTS, sums, strict=True)), after_deadline),
            "id": pk,
            "name": str(names.get(pk, missing)),
        }
        for pk, sums in groups.items()
    ]
    return sorted(named, key=lambda row: (row["rate"], row["name"]))


def _finish(row: dict, after_deadline: bool) -> dict:
    done = row["on_time"] + row["late"]
    return {
        **row,
        "completed": done,
        "overdue": row["assigned"] - done if after_deadline else 0,
        "rate": round(100 * done / row["assigned"]) if row["assigned"] else 0,
    }


class Assignment(models.Model):
    """One person who must complete a campaign; started/completed kept up to date by
    learning.services so the dashboard reads one table."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="assignment_unique")
        ]
        indexes = [models.Index(fields=["user", "campaign"])]

    def __str__(self) -> str:
        return f"{self.campaign_id} — {self.user_id}"

    def status_on(self, today: datetime.date) -> str:
        """This assignment's Status, as with_status() computes it in SQL."""
        if self.completed_at:
            on_time = self.completed_at < self.campaign.deadline_end
            return Status.ON_TIME if on_time else Status.LATE
        if self.campaign.deadline < today:
            return Status.OVERDUE
        return Status.IN_PROGRESS if self.started_at else Status.NOT_STARTED


class Notification(models.Model):
    """A message to one person, shown in the site and sent by SMS (learning.services.notify).

    `key` names what it is about ("campaign:3:due:7"); unique per person, so a reminder
    run twice, or by two cron jobs at once, reaches nobody twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=100)
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"))
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]

    def __str__(self) -> str:
        return self.title


class ExportJob(models.Model):
    """A campaign report being built in the background, for the person who asked."""

    class State(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(max_length=30, blank=True)  # the dashboard's kind filter
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)  # under PRIVATE_ROOT/exports
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.state}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


# --- The learning festival ------------------------------------------------------------------


class Event(models.Model):
    """A commune's learning festival ("Ngày hội Bình dân học vụ số") with its booths."""

    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã, phường")
    )
    title = models.CharField(_("tên ngày hội"), max_length=200)
    date = models.DateField(_("ngày"))
    venue = models.CharField(_("địa điểm"), max_length=200)
    organiser = models.CharField(_("đơn vị tổ chức"), max_length=200, blank=True)
    description = models.TextField(_("giới thiệu"), blank=True)
    is_published = models.BooleanField(_("hiện công khai"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ngày hội")
        verbose_name_plural = _("ngày hội")
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("learning:event", args=[self.pk])


class Booth(models.Model):
    """A booth or session of a festival: a topic, optionally a course to start there."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="booths")
    title = models.CharField(_("gian, chủ đề"), max_length=200)
    course = models.ForeignKey(
        Course,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("khoá học đi kèm"),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("gian hướng dẫn")
        verbose_name_plural = _("gian hướng dẫn")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class ShortLink(models.Model):
    """A short code printed as a QR (/q/AB12C): low-density, scannable at arm's length,
    readable under the code. It resolves to a path on this site and counts its scans."""

    code = models.CharField(max_length=12, unique=True)
    target = models.CharField(_("đích"), max_length=300)
    label = models.CharField(_("nhãn"), max_length=200)
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="links"
    )
    scans = models.PositiveIntegerField(_("lượt quét"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mã QR rút gọn")
        verbose_name_plural = _("mã QR rút gọn")
        constraints = [models.UniqueConstraint(fields=["target"], name="shortlink_one_per_target")]

    def __str__(self) -> str:
        return f"{self.code} → {self.target}"


class CheckIn(models.Model):
    """A person's attendance at a festival (and a booth, when known); recorded once."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkins")
    booth = models.ForeignKey(
        Booth, on_delete=models.CASCADE, null=True, blank=True, related_name="checkins"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    at = models.DateTimeField(_("lúc"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=models.Q(booth__isnull=True),
                name="checkin_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["booth", "user"],
                condition=models.Q(booth__isnull=False),
                name="checkin_once_per_booth",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.booth or self.event}"
