"""Mandatory training campaigns: assigning people, and marking their assignments started and
completed as they learn."""

import datetime

from django.db.models import Count, Max, Min
from django.utils import timezone

from accounts.models import User
from courses.models import Course
from learning.models import Assignment, Campaign, Certificate, Enrollment

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


def mark_started(user: User, *, course_id: int, now: datetime.datetime) -> None:
    """Mark the person's assignments that include the course started, if not already."""
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
