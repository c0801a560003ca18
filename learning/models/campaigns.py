"""Mandatory training campaigns: the rule, each person assigned with their status, the
tallies the dashboard and the export read, the notifications sent, the export jobs."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Commune, Organization
from courses.models import Course


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

    The audience is a rule, re-applied whenever people join (learning.services.campaigns.
    assign_campaigns_to): participant kinds × communes × organizations (an empty list means
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
    learning.services.campaigns so the dashboard reads one table."""

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
    """A message to one person, shown in the site and sent by SMS
    (learning.services.reminders.notify).

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
