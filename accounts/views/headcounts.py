"""The Department's expected headcounts: a page of communes or organizations to edit, the
Excel export that is also the template, and the checked upload."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import headcounts
from accounts.converters import parse_id
from accounts.decorators import department_required
from accounts.forms import HeadcountsForm, HeadcountUploadForm
from accounts.models import Commune, HeadcountImport
from accounts.services.headcounts import (
    HeadcountsNotImported,
    confirm_headcounts,
    preview_headcounts,
    set_expected_headcounts,
)
from accounts.views.people import PEOPLE_PER_PAGE
from common.exports import XLSX_CONTENT_TYPE
from common.spreadsheets import SpreadsheetError

UNIT_PARAMS = {"xa": headcounts.COMMUNE, "co-quan": headcounts.ORGANIZATION}


def _unit(request) -> str:
    return UNIT_PARAMS.get(request.GET.get("loai", ""), headcounts.COMMUNE)


def _listed_units(request, unit: str):
    """The communes or organizations of the Department's list, narrowed by its filters."""
    model, field = headcounts.MODELS[unit]
    query = request.GET.get("q", "").strip()[:100]
    missing = request.GET.get("thieu") == "1"
    if query and unit == headcounts.COMMUNE:
        units = Commune.objects.search(query)
    else:
        units = model.objects.order_by("search_name", "pk")
        units = units.search(query) if query else units
    if unit == headcounts.ORGANIZATION:
        units = units.select_related("commune")
    if missing:
        units = units.filter(**{f"{field}__isnull": True})
    return units, {"q": query, "thieu": missing}


def _posted_units(request, unit: str) -> list | None:
    """The units whose fields a posted page holds (`u<id>`); None past a page of them."""
    ids = {parse_id(key[1:]) for key in request.POST if key.startswith("u")} - {None}
    if len(ids) > PEOPLE_PER_PAGE:
        return None
    model, _field = headcounts.MODELS[unit]
    return list(model.objects.filter(pk__in=ids).order_by("search_name", "pk"))


@department_required
def headcounts_list(request):
    """The expected adults of each commune, or staff of each organization, editable a page
    at a time: the base of participation rates and of rate-based collective prizes."""
    unit = _unit(request)
    _model, field = headcounts.MODELS[unit]
    units, filters = _listed_units(request, unit)
    page = Paginator(units, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    shown = page.object_list
    if request.method == "POST":
        shown = _posted_units(request, unit)
        if shown is None:
            messages.error(request, _("Mỗi lần lưu tối đa %(n)s dòng.") % {"n": PEOPLE_PER_PAGE})
            return HttpResponseRedirect(request.get_full_path())
        form = HeadcountsForm(request.POST, units=shown, field=field)
        if form.is_valid():
            changed = set_expected_headcounts(
                unit=unit, values=form.values(), source="", now=timezone.now()
            )
            messages.success(request, _("Đã lưu %(n)s thay đổi.") % {"n": changed})
            return HttpResponseRedirect(request.get_full_path())
    else:
        form = HeadcountsForm(units=shown, field=field)
    accounts = headcounts.registered(unit, ids=[u.pk for u in shown])
    return render(
        request,
        "accounts/headcount_list.html",
        {
            "unit": unit,
            "page": page,
            "filters": filters,
            "form": form,
            "rows": [(u, form[f"u{u.pk}"], accounts.get(u.pk, 0)) for u in shown],
            "posted": request.method == "POST",
        },
    )


@department_required
def headcounts_export(request):
    """The current numbers as .xlsx: also the template to fill in and upload."""
    unit = _unit(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = "xa" if unit == headcounts.COMMUNE else "co-quan"
    response = HttpResponse(headcounts.headcounts_xlsx(unit), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="so-du-kien-{name}-{stamp}.xlsx"'
    return response


@department_required
def headcounts_upload(request):
    form = HeadcountUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = preview_headcounts(form.cleaned_data["file"], user=request.user)
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            return redirect("accounts:headcounts_preview", pk=record.pk)
    recent = HeadcountImport.objects.filter(created_by=request.user)[:10]
    return render(request, "accounts/headcount_upload.html", {"form": form, "recent": recent})


@department_required
def headcounts_preview(request, pk: int):
    """What a checked file would change; confirmed in one step, or refused whole."""
    record = get_object_or_404(HeadcountImport, pk=pk, created_by=request.user)
    if request.method == "POST" and not record.confirmed_at:
        try:
            changed = confirm_headcounts(record, now=timezone.now())
        except HeadcountsNotImported as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, _("Đã cập nhật số dự kiến của %(n)s đơn vị.") % {"n": changed}
            )
        return redirect("accounts:headcounts_preview", pk=record.pk)
    number = request.GET.get("page")
    return render(
        request,
        "accounts/headcount_preview.html",
        {
            "record": record,
            "problems": Paginator(record.problems, PEOPLE_PER_PAGE).get_page(number),
            "changes": Paginator(record.rows, PEOPLE_PER_PAGE).get_page(number),
        },
    )
