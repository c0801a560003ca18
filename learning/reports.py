"""Coordinators' reports as reads: course completions and mandatory-training campaigns,
always limited to the viewer's scope. The report views render these; the campaign export
(learning.services.campaign_exports) writes the same rows."""

import datetime

from django.db.models import Count, Exists, OuterRef

from accounts.models import Commune, Organization
from accounts.scopes import Scope
from courses.models import Course
from learning.models import Campaign, Certificate, Enrollment, Review

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


def _per_course(queryset) -> dict[int, int]:
    return dict(queryset.values("course").annotate(n=Count("id")).values_list("course", "n"))


def course_rows(scope: Scope) -> list[dict]:
    """Each course with, in the viewer's scope: enrolled, completed (certificates that
    stand), completed too fast, certificates held for review, and the completion rate."""
    in_scope = scope.q(commune="user__commune", organization="user__organization")
    certificates = Certificate.objects.filter(in_scope).with_min_seconds()
    enrolled = _per_course(Enrollment.objects.filter(in_scope))
    completed = _per_course(certificates.counted())
    held = _per_course(certificates.filter(review=Review.HELD))
    fast = _per_course(certificates.filter(too_fast=True))
    return [
        {
            "course": course,
            "enrolled": enrolled.get(course.pk, 0),
            "completed": completed.get(course.pk, 0),
            "fast": fast.get(course.pk, 0),
            "held": held.get(course.pk, 0),
            "percent": round(100 * completed.get(course.pk, 0) / enrolled[course.pk])
            if enrolled.get(course.pk)
            else 0,
        }
        for course in Course.objects.all()
    ]


def course_certificates(scope: Scope, *, course: Course, only_fast: bool = False):
    """The course's certificates in the viewer's scope, those finished too fast first."""
    certificates = (
        scope.filter(
            Certificate.objects.filter(course=course),
            commune="user__commune",
            organization="user__organization",
        )
        .with_min_seconds()
        .select_related("user__commune")
        .order_by("-too_fast", "-issued_at", "pk")  # pk: a total order, or pages overlap
    )
    return certificates.filter(too_fast=True) if only_fast else certificates


def campaign_assignments(*, scope: Scope, campaign: Campaign, kind: str = ""):
    """The campaign's assignments the viewer may see, optionally of one participant kind."""
    assignments = scope.filter(
        campaign.assignments.all(), commune="user__commune", organization="user__organization"
    )
    return assignments.filter(user__participant_kind=kind) if kind else assignments


def campaign_rows(scope: Scope, *, today: datetime.date) -> list[dict]:
    """Every campaign with its tally in the viewer's scope and the days to its deadline."""
    return [
        {
            "campaign": campaign,
            "total": campaign_assignments(scope=scope, campaign=campaign).tally(
                campaign=campaign, today=today
            ),
            "days_left": (campaign.deadline - today).days,
        }
        for campaign in Campaign.objects.all()
    ]


def campaign_summary(assignments, *, campaign: Campaign, today: datetime.date) -> dict:
    """The dashboard's figures for these assignments: the overall tally, the rows by
    commune and by organization, and how many certificates were too fast or are held."""
    total, communes, organizations = assignments.breakdown(campaign=campaign, today=today)
    theirs = Exists(assignments.filter(user=OuterRef("user")))
    # Only the few certificates finished too fast are matched to the viewer's assignments.
    fast = Certificate.objects.too_fast(campaign.courses.all()).filter(theirs).count()
    held = (
        Certificate.objects.filter(course__in=campaign.courses.all(), review=Review.HELD)
        .filter(theirs)
        .count()
    )
    return {
        "total": total,
        "communes": communes,
        "organizations": organizations,
        "fast": fast,
        "held": held,
    }


def people_list(
    *,
    scope: Scope,
    campaign: Campaign,
    today: datetime.date,
    kind: str = "",
    status: str = "",
    commune: Commune | None = None,
    organization: Organization | None = None,
):
    """The campaign's people in the viewer's scope with their `status`, filtered, by
    commune, then name."""
    assignments = campaign_assignments(scope=scope, campaign=campaign, kind=kind).with_status(
        campaign=campaign, today=today
    )
    if status:
        assignments = assignments.filter(status=status)
    if commune is not None:
        assignments = assignments.filter(user__commune=commune)
    if organization is not None:
        assignments = assignments.filter(user__organization=organization)
    # Names repeat in a commune: the pk makes the order total, or PostgreSQL may show one
    # person on two pages and another on none.
    return assignments.select_related("user__commune", "user__organization").order_by(
        "user__commune__name", "user__full_name", "pk"
    )


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
