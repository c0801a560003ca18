from django.core.cache import cache

from accounts.scopes import Scope

ROLES_TIMEOUT = 60 * 60


def coordinator_key(user_id: int) -> str:
    return f"is-coordinator:{user_id}"


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

    return {"is_coordinator": is_coordinator}
