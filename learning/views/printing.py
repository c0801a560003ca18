"""Printable QR kits for the learning festival (posters, card sheets, table tents).

A coordinator (or a community digital team volunteer) picks what the codes open and a
layout, and gets one file. Events are limited to those the viewer runs: another commune's
event answers 404. Every code holds a short link, made through `festival.short_link`."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _

from accounts.converters import parse_id
from learning import festival
from learning.forms import PrintForm, Target
from learning.printables import LAYOUTS, Printable, printable_pdf, short_url, with_svg

SVG_MM = {"poster": 100, "cards8": 38, "cards12": 36, "tents": 66}


def _items(request, targets: list[Target]) -> list[Printable]:
    """The targets' short links (made once per target) as printable items."""
    base = request.build_absolute_uri("/")
    items = []
    for target in targets:
        label = " — ".join(part for part in (target.context, target.title) if part)
        link = festival.short_link(
            target=target.path, label=label, commune=target.commune, event=target.event
        )
        items.append(
            Printable(
                title=target.title,
                link=short_url(base, link.code),
                context=target.context,
                action=target.action,
            )
        )
    return items


@login_required
def print_codes(request):
    """Choose what the codes open and a layout; get one PDF (or a page to print)."""
    communes = festival.festival_communes(request.user)
    if communes == set():
        raise PermissionDenied(
            _("Trang này dành cho người điều phối và tổ công nghệ số cộng đồng.")
        )
    events = festival.festival_events(request.user).order_by("-date", "pk")
    chosen = request.POST.get("event") or request.GET.get("event")
    if chosen:  # another commune's event is not found at all
        if parse_id(chosen) is None:  # not "²" or 25 digits either
            raise Http404
        get_object_or_404(events, pk=chosen)
    initial = {"event": chosen} if chosen else {}
    if request.GET.get("kind"):
        initial["kind"] = request.GET["kind"]
    data = request.POST if request.method == "POST" else None
    form = PrintForm(data, initial=initial, events=events, communes=communes)
    if form.is_valid():
        items = _items(request, form.cleaned_data["targets"])
        layout = form.cleaned_data["layout"]
        if form.cleaned_data["format"] == "pdf":
            return HttpResponse(
                printable_pdf(layout, items),
                content_type="application/pdf",
                headers={"Content-Disposition": f'attachment; filename="ma-qr-{layout}.pdf"'},
            )
        return render(
            request,
            "learning/print/sheet.html",
            {"layout": layout, "codes": with_svg(items, size_mm=SVG_MM[layout])},
        )
    return render(
        request,
        "learning/print/form.html",
        {"form": form, "has_events": events.exists(), "layouts": LAYOUTS},
    )


urlpatterns = [
    path("dieu-phoi/in-ma-qr/", print_codes, name="print_codes"),
]
