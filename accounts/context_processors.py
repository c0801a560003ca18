"""What the navigation in base.html asks about the person looking at a page."""

from django.core.cache import cache
from django.utils.functional import cached_property

from accounts.models import Role
from accounts.scopes import Scope

ROLES_TIMEOUT = 60 * 60


def coordinator_key(user_id: int) -> str:
    return f"is-coordinator:{user_id}"


def volunteer_key(user_id: int) -> str:
    return f"is-volunteer:{user_id}"


class Roles:
    """The roles of the person making `request` that a template asks about, each answered
    on first use (an anonymous page runs no query; a page rendered before the
    authentication middleware never asks) and cached per user; accounts.signals forgets
    them when the person's roles change."""

    def __init__(self, request) -> None:
        self.request = request

    @cached_property
    def is_coordinator(self) -> bool:
        """Coordinates a commune, an organization or the province: the people pages."""
        user = self.request.user
        if not user.is_authenticated:
            return False
        return cache.get_or_set(
            coordinator_key(user.pk), lambda: not Scope.of(user).is_empty, ROLES_TIMEOUT
        )

    @cached_property
    def is_volunteer(self) -> bool:
        """A member of a commune's community digital team: the festival pages."""
        user = self.request.user
        if not user.is_authenticated:
            return False
        return cache.get_or_set(
            volunteer_key(user.pk),
            lambda: user.role_grants.filter(role=Role.DIGITAL_VOLUNTEER).exists(),
            ROLES_TIMEOUT,
        )


def roles(request) -> dict:
    """`roles` in every template rendered with a request."""
    return {"roles": Roles(request)}
