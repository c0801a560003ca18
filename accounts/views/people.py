"""The coordinator's list of the people in their scope: filters, a person's page, the
Excel export."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import coordinator_required
from accounts.models import Commune, ParticipantKind, User
from accounts.scopes import Scope
from common.exports import XLSX_CONTENT_TYPE, xlsx_bytes

PEOPLE_PER_PAGE = 50


def _people(request, scope: Scope):
    """The people in the viewer's scope, narrowed by the list's filters."""
    people = scope.filter(User.objects.select_related("commune", "organization"))
    query = request.GET.get("q", "").strip()
    if query:
        people = people.search(query)
    kind = request.GET.get("kind", "")
    if kind in ParticipantKind.values:
        people = people.filter(participant_kind=kind)
    commune = request.GET.get("commune", "")
    if commune.isdigit():
        people = people.filter(commune__code=commune)
    return people.order_by("search_name", "phone"), {"q": query, "kind": kind, "commune": commune}


@coordinator_required
def people_list(request, scope: Scope):
    people, filters = _people(request, scope)
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    communes = scope.filter(Commune.objects.all(), commune="pk", organization="organizations")
    return render(
        request,
        "accounts/people_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": ParticipantKind.choices,
            "communes": communes,
            "department": scope.everything,
        },
    )


@coordinator_required
def person_detail(request, scope: Scope, pk: int):
    person = scope.get_object_or_404(User.objects.select_related("commune", "organization"), pk=pk)
    return render(request, "accounts/person_detail.html", {"person": person})


@coordinator_required
def people_export(request, scope: Scope):
    people, _filters = _people(request, scope)
    headers = [
        _("Họ và tên"),
        _("Số điện thoại"),
        _("Năm sinh"),
        _("Giới tính"),
        _("Mã xã"),
        _("Xã, phường"),
        _("Cơ quan, đơn vị"),
        _("Đối tượng"),
        _("Ngày tham gia"),
    ]
    rows = (
        [
            p.full_name,
            p.phone,
            p.birth_year,
            p.get_gender_display(),
            p.commune.code if p.commune else "",
            p.commune.name if p.commune else "",
            p.organization.name if p.organization else "",
            p.get_participant_kind_display(),
            timezone.localtime(p.date_joined).strftime("%d/%m/%Y"),
        ]
        for p in people.iterator(chunk_size=2000)
    )
    content = xlsx_bytes(title=_("Người học"), headers=headers, rows=rows)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="nguoi-hoc-{stamp}.xlsx"'
    return response
