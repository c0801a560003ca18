"""Coordinators' reports: course completions and mandatory-training campaigns, always
limited to the viewer's scope."""

from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.converters import parse_id
from accounts.models import ParticipantKind
from accounts.scopes import Scope
from accounts.views import coordinator_required
from common.exports import XLSX_CONTENT_TYPE
from courses.models import Course
from learning import services
from learning.models import (
    Assignment,
    Campaign,
    Certificate,
    Enrollment,
    ExportJob,
    Review,
    Status,
)

REPORT_PER_PAGE = 50


@coordinator_required
def report_list(request, scope: Scope):
    """Each course with, in the viewer's scope: enrolled, completed (certificates that stand),
    completed too fast, and certificates held for review."""
    in_scope = scope.q(commune="user__commune", organization="user__organization")
    certificates = Certificate.objects.filter(in_scope).with_min_seconds()
    enrolled = dict(
        Enrollment.objects.filter(in_scope)
        .values("course")
        .annotate(n=Count("id"))
        .values_list("course", "n")
    )
    completed = dict(
        certificates.counted().values("course").annotate(n=Count("id")).values_list("course", "n")
    )
    held = dict(
        certificates.filter(review=Review.HELD)
        .values("course")
        .annotate(n=Count("id"))
        .values_list("course", "n")
    )
    fast = dict(
        certificates.filter(too_fast=True)
        .values("course")
        .annotate(n=Count("id"))
        .values_list("course", "n")
    )
    rows = [
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
    return render(request, "learning/report_list.html", {"rows": rows})


@coordinator_required
def report_detail(request, scope: Scope, slug: str):
    course = get_object_or_404(Course, slug=slug)
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
    only_fast = request.GET.get("nhanh") == "1"
    if only_fast:
        certificates = certificates.filter(too_fast=True)
    page = Paginator(certificates, REPORT_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/report_detail.html",
        {"course": course, "page": page, "only_fast": only_fast},
    )


def _assignments(scope: Scope, campaign: Campaign):
    return scope.filter(
        Assignment.objects.filter(campaign=campaign),
        commune="user__commune",
        organization="user__organization",
    )


def _kind_filter(request) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in dict(ParticipantKind.choices) else ""


@coordinator_required
def campaign_list(request, scope: Scope):
    today = timezone.localdate()
    rows = [
        {
            "campaign": campaign,
            "total": _assignments(scope, campaign).tally(campaign=campaign, today=today),
            "days_left": (campaign.deadline - today).days,
        }
        for campaign in Campaign.objects.all()
    ]
    return render(request, "learning/campaign_list.html", {"rows": rows})


def _campaign_assignments(request, scope: Scope, campaign: Campaign):
    kind = _kind_filter(request)
    return services.campaign_assignments(scope=scope, campaign=campaign, kind=kind), kind


@coordinator_required
def campaign_dashboard(request, scope: Scope, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    today = timezone.localdate()
    assignments, kind = _campaign_assignments(request, scope, campaign)
    total, communes, organizations = assignments.breakdown(campaign=campaign, today=today)
    # Only the few certificates finished too fast are matched to the viewer's assignments.
    fast = (
        Certificate.objects.too_fast(campaign.courses.all())
        .filter(Exists(assignments.filter(user=OuterRef("user"))))
        .count()
    )
    held = (
        Certificate.objects.filter(course__in=campaign.courses.all(), review=Review.HELD)
        .filter(Exists(assignments.filter(user=OuterRef("user"))))
        .count()
    )
    return render(
        request,
        "learning/campaign_dashboard.html",
        {
            "campaign": campaign,
            "total": total,
            "communes": communes,
            "organizations": organizations,
            "fast": fast,
            "held": held,
            "kind": kind,
            "kinds": ParticipantKind.choices,
            "days_left": (campaign.deadline - today).days,
        },
    )


@coordinator_required
@require_POST
def campaign_export(request, scope: Scope, pk: int):
    """Start building the dashboard's .xlsx (the same rows, then the people)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    job = services.start_campaign_export(
        user=request.user, campaign=campaign, kind=_kind_filter(request), now=timezone.now()
    )
    return redirect("learning:export_job", pk=job.pk)


@coordinator_required
def export_job(request, scope: Scope, pk: int):
    """A report being built: progress (the page reloads itself), then the download."""
    job = get_object_or_404(
        ExportJob.objects.select_related("campaign"), pk=pk, created_by=request.user
    )
    return render(request, "learning/export_job.html", {"job": job})


@coordinator_required
def export_download(request, scope: Scope, pk: int):
    job = get_object_or_404(
        ExportJob.objects.select_related("campaign"),
        pk=pk,
        created_by=request.user,
        state=ExportJob.State.DONE,
    )
    path = Path(settings.PRIVATE_ROOT) / job.file_name
    if not path.exists():
        raise Http404
    stamp = timezone.localtime(job.finished_at).strftime("%Y%m%d-%H%M")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"dot-hoc-{job.campaign_id}-{stamp}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@coordinator_required
def campaign_people(request, scope: Scope, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    today = timezone.localdate()
    assignments = _assignments(scope, campaign).with_status(campaign=campaign, today=today)
    filters = {"kind": _kind_filter(request)}
    if filters["kind"]:
        assignments = assignments.filter(user__participant_kind=filters["kind"])
    status = request.GET.get("status", "")
    if status in Status.values:
        filters["status"] = status
        assignments = assignments.filter(status=status)
    # parse_id, not str.isdigit: "²" passes isdigit, 25 digits overflow (both were a 500).
    commune = parse_id(request.GET.get("commune", ""))
    if commune is not None:
        # Any commune or organization the dashboard links to (the scope's own, or one its
        # people live or work in); any other answers 404, like any object outside the scope.
        filters["commune"] = get_object_or_404(scope.communes(), pk=commune)
        assignments = assignments.filter(user__commune=filters["commune"])
    organization = parse_id(request.GET.get("organization", ""))
    if organization is not None:
        filters["organization"] = get_object_or_404(scope.organizations(), pk=organization)
        assignments = assignments.filter(user__organization=filters["organization"])
    # Names repeat in a commune: the pk makes the order total, or PostgreSQL may show one
    # person on two pages and another on none.
    assignments = assignments.select_related("user__commune", "user__organization").order_by(
        "user__commune__name", "user__full_name", "pk"
    )
    page = Paginator(assignments, REPORT_PER_PAGE).get_page(request.GET.get("page"))
    for assignment in page.object_list:
        assignment.status_label = Status(assignment.status).label
    return render(
        request,
        "learning/campaign_people.html",
        {
            "campaign": campaign,
            "page": page,
            "filters": filters,
            "statuses": Status.choices,
            "kinds": ParticipantKind.choices,
        },
    )
