"""Authentication backends that load the logged-in user from the cache.

Every page a logged-in learner opens needs their User row; with these backends it comes
from the cache (Redis in production) instead of one more SQL query. accounts.signals
forgets the cached copy whenever the user is saved or deleted, so a password change, a
deactivation or an edited profile is seen on the next request.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.cache import cache

USER_TIMEOUT = 60 * 60


def user_key(user_id) -> str:
    return f"user:{user_id}"


class CachedUserMixin:
    def get_user(self, user_id):
        user = cache.get(user_key(user_id))
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(user_key(user_id), user, USER_TIMEOUT)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(CachedUserMixin, DjangoModelBackend):
    pass


class AuthenticationBackend(CachedUserMixin, AllauthBackend):
    pass
