"""Organizations: coordinators list the units of their scope and add the ones their rosters
name."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts import headcounts
from accounts.converters import parse_id
from accounts.decorators import coordinator_required
from accounts.forms import OrganizationForm
from accounts.models import Organization
from accounts.scopes import Scope
from accounts.services.organizations import (
    OrganizationRefused,
    Placement,
    SimilarOrganizations,
    create_organization,
    update_organization,
)
from accounts.views.people import PEOPLE_PER_PAGE


def _in_scope(scope: Scope):
    """The organizations `scope` coordinates: located in its communes, or its units and
    those below them."""
    return scope.filter(Organization.objects.all(), commune="commune", organization="pk")


@coordinator_required
def organization_list(request, scope: Scope):
    """The organizations of the viewer's scope, searchable, with how many people each has:
    where a coordinator checks a unit exists before a roster names it, or adds it."""
    query = request.GET.get("q", "").strip()[:100]
    units = _in_scope(scope).select_related("commune", "parent").order_by("search_name", "pk")
    if query:
        units = units.search(query)
    page = Paginator(units, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    people = headcounts.registered(headcounts.ORGANIZATION, ids=[u.pk for u in page])
    return render(
        request,
        "accounts/organization_list.html",
        {"page": page, "rows": [(u, people.get(u.pk, 0)) for u in page], "q": query},
    )


@coordinator_required
def organization_add(request, scope: Scope):
    # The roster preview links an unknown organization here with its name and row's commune.
    asked = {
        "name": request.GET.get("ten", "")[:200],
        "commune": parse_id(request.GET.get("xa", "")),
    }
    initial = {key: value for key, value in asked.items() if value}
    return _organization_form(request, None, initial=initial)


@coordinator_required
def organization_edit(request, scope: Scope, pk: int):
    unit = get_object_or_404(_in_scope(scope), pk=pk)  # another scope's: 404
    return _organization_form(request, unit, initial=None)


def _organization_form(request, unit: Organization | None, *, initial: dict | None):
    """Add or change an organization: the form, the service, and the names like the new
    one's to confirm past."""
    placement = Placement.of(request.user)
    data = request.POST if request.method == "POST" else None
    form = OrganizationForm(data, placement=placement, instance=unit, initial=initial)
    similar = None
    if data is not None and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in ("name", "kind", "commune", "parent")}
        fields.update(by=request.user, similar_confirmed=form.similar_confirmed())
        try:
            if unit is None:
                saved = create_organization(**fields)
            else:
                saved = update_organization(unit, **fields)
        except OrganizationRefused as refusal:
            form.add_error(refusal.field, str(refusal))
        except SimilarOrganizations as alike:
            similar = alike
        else:
            done = (
                _("Đã lưu “%(n)s”.")
                if unit
                else _(
                    "Đã thêm “%(n)s”. Danh sách cán bộ nào đã báo thiếu cơ quan này: hãy tải "
                    "tệp lên lại."
                )
            )
            messages.success(request, done % {"n": saved.name})
            return redirect(
                f"{reverse('accounts:organization_list')}?{urlencode({'q': saved.name})}"
            )
    return render(
        request,
        "accounts/organization_form.html",
        {"form": form, "unit": unit, "similar": similar},
    )
