from django.core.cache import cache

from accounts.models import Role
from accounts.scopes import Scope

ROLES_TIMEOUT = 60 * 60


def coordinator_key(user_id: int) -> str:
    return f"is-coordinator:{user_id}"


def volunteer_key(user_id: int) -> str:
    return f"is-volunteer:{user_id}"


def roles(request):
    """`is_coordinator` for the navigation: asked lazily (anonymous pages run no query) and
    cached per user (accounts.signals forgets it when the user's roles change)."""

    def is_coordinator() -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        return cache.get_or_set(
            coordinator_key(user.pk), lambda: not Scope.of(user).is_empty, ROLES_TIMEOUT
        )

    def is_volunteer() -> bool:
        """A member of a commune's community digital team: the festival pages."""
        user = request.user
        if not user.is_authenticated:
            return False
        return cache.get_or_set(
            volunteer_key(user.pk),
            lambda: user.role_grants.filter(role=Role.DIGITAL_VOLUNTEER).exists(),
            ROLES_TIMEOUT,
        )

    return {"is_coordinator": is_coordinator, "is_volunteer": is_volunteer}
