"""Who may see whose data: the one scope check every list, detail and export goes through.

A province administrator sees everything. A commune coordinator sees the people of their
commune and of the organizations located in it. An organization coordinator sees the
people of their organization and of the units below it. Roles add up. Anything outside
the scope answers 404, so a coordinator cannot even learn that another scope's object
exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Commune, Organization, Role, User

COORDINATOR_ROLES = {Role.PROVINCE_ADMIN, Role.COMMUNE_COORDINATOR, Role.ORGANIZATION_COORDINATOR}


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    commune_ids: frozenset[int] = frozenset()
    organization_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, user) -> Scope:
        """The scope of `user`, computed once per request (cached on the user object)."""
        if not getattr(user, "is_authenticated", False):
            return cls()
        cached = getattr(user, "_hocso_scope", None)
        if cached is None:
            cached = cls._compute(user)
            user._hocso_scope = cached
        return cached

    @classmethod
    def _compute(cls, user) -> Scope:
        if user.is_superuser:
            return cls(everything=True)
        grants = list(user.role_grants.values_list("role", "commune_id", "organization_id"))
        if any(role == Role.PROVINCE_ADMIN for role, _, _ in grants):
            return cls(everything=True)
        communes = {c for role, c, _ in grants if role == Role.COMMUNE_COORDINATOR}
        roots = {o for role, _, o in grants if role == Role.ORGANIZATION_COORDINATOR}
        organizations = set(roots)
        if communes:
            organizations |= set(
                Organization.objects.filter(commune_id__in=communes).values_list("id", flat=True)
            )
        organizations = Organization.objects.with_descendants(organizations)
        return cls(commune_ids=frozenset(communes), organization_ids=frozenset(organizations))

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.commune_ids or self.organization_ids)

    def q(self, *, commune: str | None = "commune", organization: str | None = "organization") -> Q:
        """A filter for objects reaching a commune / an organization through these paths."""
        if self.everything:
            return Q()
        condition = Q(pk__in=[])
        if commune and self.commune_ids:
            condition |= Q(**{f"{commune}__in": self.commune_ids})
        if organization and self.organization_ids:
            condition |= Q(**{f"{organization}__in": self.organization_ids})
        return condition

    def filter(self, queryset: QuerySet, **paths: str | None) -> QuerySet:
        """`queryset` narrowed to this scope, each object once; see `q` for the paths."""
        condition = self.q(**paths)
        if self.everything or not any(
            _crosses_many(queryset.model, path) for path in paths.values() if path
        ):
            return queryset.filter(condition)
        # A path through a to-many relation (a commune's organizations) joins one row per
        # match: a commune with two organizations in scope came twice, and .get() raised
        # MultipleObjectsReturned (a 500 on a coordinator's own commune).
        inside = queryset.model._default_manager.filter(condition).values("pk")
        return queryset.filter(pk__in=inside)

    def communes(self) -> QuerySet:
        """The communes a list in this scope may be narrowed to: the scope's own, those its
        organizations are located in, and those its people live in (a dashboard names
        them and links to them). Any other commune is another scope's: 404."""
        if self.everything:
            return Commune.objects.all()
        return Commune.objects.filter(
            Q(pk__in=self.commune_ids)
            | Q(pk__in=Organization.objects.filter(pk__in=self.organization_ids).values("commune"))
            | Q(pk__in=self.filter(User.objects.all()).values("commune"))
        )

    def organizations(self) -> QuerySet:
        """The organizations a list in this scope may be narrowed to: the scope's own and
        those its people work in, wherever they are located."""
        if self.everything:
            return Organization.objects.all()
        return Organization.objects.filter(
            Q(pk__in=self.organization_ids)
            | Q(pk__in=self.filter(User.objects.all()).values("organization"))
        )

    def get_object_or_404(self, queryset: QuerySet, *, paths: dict | None = None, **lookup):
        """One object in scope, or 404 whether it is missing or out of scope."""
        try:
            return self.filter(queryset, **(paths or {})).get(**lookup)
        except queryset.model.DoesNotExist:
            raise Http404 from None


def _crosses_many(model, path: str) -> bool:
    """True when following `path` ("user__commune", "organizations") from `model` passes a
    to-many relation, so a filter on it can match one object several times."""
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False  # a lookup (pk, id…), not a relation
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False
