"""Officials' rosters: the template, the upload, its preview and confirm, the list of
problems, and the account slips of the people it created."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import coordinator_required
from accounts.forms import RosterUploadForm
from accounts.models import RosterImport
from accounts.roster import template_xlsx
from accounts.scopes import Scope
from accounts.services.rosters import RosterAlreadyConfirmed, confirm_roster, preview_roster
from accounts.services.slips import start_slips
from accounts.views.people import PEOPLE_PER_PAGE
from common.exports import XLSX_CONTENT_TYPE
from common.spreadsheets import SpreadsheetError


@coordinator_required
def roster_template(request, scope: Scope):
    response = HttpResponse(template_xlsx(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-can-bo.xlsx"'
    return response


@coordinator_required
def roster_upload(request, scope: Scope):
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            roster = preview_roster(form.cleaned_data["file"], user=request.user, scope=scope)
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            return redirect("accounts:roster_preview", pk=roster.pk)
    recent = RosterImport.objects.filter(created_by=request.user)[:10]
    return render(request, "accounts/roster_upload.html", {"form": form, "recent": recent})


@coordinator_required
def roster_preview(request, scope: Scope, pk: int):
    roster = get_object_or_404(RosterImport, pk=pk, created_by=request.user)
    if request.method == "POST" and not roster.confirmed_at:
        try:
            ids = confirm_roster(roster, now=timezone.now())
        except RosterAlreadyConfirmed:
            messages.info(request, _("Danh sách này đã được xác nhận trước đó."))
        except IntegrityError:
            messages.error(
                request,
                _("Có số điện thoại vừa được đăng ký trong lúc xác nhận. Hãy tải tệp lên lại."),
            )
        else:
            messages.success(request, _("Đã tạo %(n)s tài khoản.") % {"n": len(ids)})
        return redirect("accounts:roster_preview", pk=roster.pk)
    # At most accounts.services.rosters.MAX_STORED_PROBLEMS are kept; the rest are in the
    # downloadable list.
    problems = Paginator(roster.problems, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/roster_preview.html",
        {
            "roster": roster,
            "problems": problems,
            "more_problems": roster.problem_count - len(roster.problems),
            "unknown_organizations": any(p.get("organization") for p in roster.problems),
            "preview": roster.rows[:PEOPLE_PER_PAGE],
        },
    )


@coordinator_required
def roster_problems(request, scope: Scope, pk: int):
    """Every problem of a roster's check, as .xlsx, for the person who uploaded it."""
    roster = get_object_or_404(RosterImport, pk=pk, created_by=request.user)
    path = Path(settings.PRIVATE_ROOT) / roster.problems_file
    if not roster.problems_file or not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"loi-danh-sach-{roster.pk}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@coordinator_required
@require_POST
def roster_slips(request, scope: Scope, pk: int):
    """Start building the account slips of the people a confirmed roster created (a job:
    thousands of slips take minutes); printing again issues new codes and retires the old
    ones, and an account its owner has claimed gets a slip without a code."""
    roster = get_object_or_404(
        RosterImport, pk=pk, created_by=request.user, confirmed_at__isnull=False
    )
    job = start_slips(user=request.user, roster=roster, site_url=request.build_absolute_uri("/"))
    return redirect("accounts:job", pk=job.pk)
