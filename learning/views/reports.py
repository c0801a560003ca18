"""Coordinators' reports: course completions and mandatory-training campaigns, always
limited to the viewer's scope (the reads are learning.reports)."""

from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.converters import parse_id
from accounts.decorators import coordinator_required
from accounts.models import ParticipantKind
from accounts.scopes import Scope
from common.exports import XLSX_CONTENT_TYPE
from courses.models import Course
from learning import reports
from learning.models import Campaign, ExportJob, Status
from learning.services.campaign_exports import start_campaign_export

REPORT_PER_PAGE = 50


@coordinator_required
def report_list(request, scope: Scope):
    """Each course with, in the viewer's scope: enrolled, completed (certificates that stand),
    completed too fast, and certificates held for review."""
    return render(request, "learning/report_list.html", {"rows": reports.course_rows(scope)})


@coordinator_required
def report_detail(request, scope: Scope, slug: str):
    course = get_object_or_404(Course, slug=slug)
    only_fast = request.GET.get("nhanh") == "1"
    certificates = reports.course_certificates(scope, course=course, only_fast=only_fast)
    page = Paginator(certificates, REPORT_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/report_detail.html",
        {"course": course, "page": page, "only_fast": only_fast},
    )


def _kind_filter(request) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in dict(ParticipantKind.choices) else ""


@coordinator_required
def campaign_list(request, scope: Scope):
    rows = reports.campaign_rows(scope, today=timezone.localdate())
    return render(request, "learning/campaign_list.html", {"rows": rows})


@coordinator_required
def campaign_dashboard(request, scope: Scope, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    today = timezone.localdate()
    kind = _kind_filter(request)
    assignments = reports.campaign_assignments(scope=scope, campaign=campaign, kind=kind)
    return render(
        request,
        "learning/campaign_dashboard.html",
        {
            "campaign": campaign,
            **reports.campaign_summary(assignments, campaign=campaign, today=today),
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
    job = start_campaign_export(
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
    filters = {"kind": _kind_filter(request)}
    status = request.GET.get("status", "")
    if status in Status.values:
        filters["status"] = status
    # parse_id, not str.isdigit: "²" passes isdigit, 25 digits overflow (both were a 500).
    commune = parse_id(request.GET.get("commune", ""))
    if commune is not None:
        # Any commune or organization the dashboard links to (the scope's own, or one its
        # people live or work in); any other answers 404, like any object outside the scope.
        filters["commune"] = get_object_or_404(scope.communes(), pk=commune)
    organization = parse_id(request.GET.get("organization", ""))
    if organization is not None:
        filters["organization"] = get_object_or_404(scope.organizations(), pk=organization)
    assignments = reports.people_list(
        scope=scope, campaign=campaign, today=timezone.localdate(), **filters
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
