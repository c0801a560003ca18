"""Organizations: added deliberately by coordinators, where their scope lets them, never by a
roster."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Commune, Organization, Province, Role, RoleGrant, User
from accounts.scopes import Scope
from common.text import closest_keys, fold, organization_key


class OrganizationRefused(Exception):
    """An organization that cannot be added or changed so; the message is for the coordinator,
    `field` the form field it is about (None: the whole form)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class SimilarOrganizations(Exception):
    """Names like the new one's already stand in that commune: a misspelling would split the
    organization leaderboard, so the coordinator sees them and confirms first."""

    def __init__(self, names: list[str], *, key: str):
        super().__init__("; ".join(names))
        self.names, self.key = names, key


@dataclass(frozen=True)
class Placement:
    """Where someone may put an organization they add or move. A commune coordinator: in
    their commune(s), under a unit of their scope or none. An organization coordinator: under
    their organization or a unit below it (a parent is required), located in any commune or
    none. The Department (a province administrator): anywhere. Roles add up."""

    everything: bool = False
    communes: frozenset[int] = frozenset()  # the communes they coordinate
    parents: frozenset[int] = frozenset()  # the organizations of their scope
    branches: frozenset[int] = frozenset()  # their organizations and every unit below them

    @classmethod
    def of(cls, user: User) -> "Placement":
        scope = Scope.of(user)
        if scope.everything:
            return cls(everything=True)
        roots = RoleGrant.objects.filter(user=user, role=Role.ORGANIZATION_COORDINATOR).values_list(
            "organization_id", flat=True
        )
        return cls(
            communes=scope.commune_ids,
            parents=scope.organization_ids,
            branches=frozenset(Organization.objects.with_descendants(roots)),
        )

    @property
    def needs_commune(self) -> bool:
        return not (self.everything or self.branches)

    @property
    def needs_parent(self) -> bool:
        return not (self.everything or self.communes)

    def commune_choices(self):
        communes = Commune.objects.order_by("search_name")
        return communes if not self.needs_commune else communes.filter(pk__in=self.communes)

    def parent_choices(self):
        parents = Organization.objects.select_related("commune").order_by("search_name", "pk")
        return parents if self.everything else parents.filter(pk__in=self.parents)

    def refusal(self, *, commune: Commune | None, parent: Organization | None):
        """None when an organization may stand in `commune` under `parent`; else
        (the field, the reason)."""
        if self.everything:
            return None
        if parent is not None and parent.pk not in self.parents:
            return "parent", _("Đơn vị “%(p)s” ngoài phạm vi bạn phụ trách.") % {"p": parent}
        if (commune is not None and commune.pk in self.communes) or (
            parent is not None and parent.pk in self.branches
        ):
            return None
        if parent is None and not self.communes:
            return "parent", _(
                "Hãy chọn đơn vị cấp trên: bạn thêm được các đơn vị trực thuộc cơ quan bạn "
                "phụ trách."
            )
        if commune is None:
            return "commune", _("Hãy chọn xã, phường nơi đơn vị đặt trụ sở.")
        return "commune", _("Xã, phường “%(c)s” ngoài phạm vi bạn phụ trách.") % {"c": commune}


def create_organization(*, by: User, **fields) -> Organization:
    """Add an organization a coordinator needs (the school a roster names), within their
    scope; one whose name is another's of the same commune, however written, is refused.
    Takes update_organization's keywords: name, kind, commune, parent, similar_confirmed."""
    return update_organization(Organization(), by=by, **fields)


@transaction.atomic
def update_organization(
    organization: Organization,
    *,
    by: User,
    name: str,
    kind: str,
    commune: Commune | None,
    parent: Organization | None,
    similar_confirmed: bool = False,
) -> Organization:
    """Rename an organization, or change its kind, commune or parent, under the rules of
    adding one (the caller has checked that it is in `by`'s scope). Raises
    OrganizationRefused, or SimilarOrganizations until `similar_confirmed`."""
    name = " ".join(name.split())
    key = organization_key(name)
    if not key:
        raise OrganizationRefused(_("Tên cơ quan cần có chữ hoặc số."), field="name")
    moved = _check_placement(organization, by=by, commune=commune, parent=parent)
    province = _province_of(organization, commune=commune, parent=parent)
    neighbours = _neighbours(organization, commune=commune, province=province)
    same = neighbours.get(key)
    if same is not None:
        raise OrganizationRefused(
            _(
                "Đã có “%(name)s” (%(where)s): cùng một cơ quan với “%(new)s”. Hãy dùng "
                "đúng tên đó thay vì thêm mới."
            )
            % {"name": same.name, "where": commune or _("cấp tỉnh"), "new": name},
            field="name",
        )
    renamed = moved or key != organization_key(organization.name)
    places = [commune.search_name if commune else "", fold(province.name)]
    alike = closest_keys(key, neighbours, ignoring=places) if renamed else []
    similar = [neighbours[k].name for k in alike]
    if similar and not similar_confirmed:
        raise SimilarOrganizations(similar, key=key)
    organization.name, organization.kind = name, kind
    organization.commune, organization.parent, organization.province = commune, parent, province
    organization.save()
    return organization


def _check_placement(organization, *, by: User, commune, parent) -> bool:
    """Whether the organization moves (a new one always does); raises OrganizationRefused
    for a place `by` may not put it, or under itself."""
    place = (getattr(commune, "pk", None), getattr(parent, "pk", None))
    moved = organization.pk is None or (organization.commune_id, organization.parent_id) != place
    # Unmoved, it stays where it is even outside the editor's reach (an organization
    # coordinator renaming their own unit, whose parent is the province's).
    refusal = Placement.of(by).refusal(commune=commune, parent=parent) if moved else None
    if refusal:
        raise OrganizationRefused(refusal[1], field=refusal[0])
    if (
        parent is not None
        and organization.pk is not None
        and parent.pk in Organization.objects.with_descendants([organization.pk])
    ):
        raise OrganizationRefused(
            _("Một đơn vị không thể trực thuộc chính nó hay một đơn vị cấp dưới của nó."),
            field="parent",
        )
    return moved


def _neighbours(organization, *, commune, province) -> dict[str, Organization]:
    """The other organizations of `commune` (None: the province's own), by key."""
    # Two coordinators adding one school at once: the second waits, then sees the first's.
    if commune is not None:
        Commune.objects.select_for_update().filter(pk=commune.pk).first()
    else:
        Province.objects.select_for_update().filter(pk=province.pk).first()
    neighbours: dict[str, Organization] = {}
    for other in Organization.objects.filter(commune=commune).exclude(pk=organization.pk):
        neighbours.setdefault(organization_key(other.name), other)
    return neighbours


def _province_of(organization, *, commune, parent) -> Province:
    if commune is not None:
        return commune.province
    if parent is not None:
        return parent.province
    if organization.province_id:
        return organization.province
    return Province.objects.order_by("code").first()  # one province per platform
