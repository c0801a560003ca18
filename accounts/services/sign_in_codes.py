"""One-time sign-in codes: printed on account slips, sent in an assisted sign-up's SMS."""

import datetime
import hashlib
import secrets

from django.db import transaction

from accounts.models import SignInCode, User

SIGN_IN_DAYS = 14


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_sign_in_codes(users, *, now: datetime.datetime, days: int = SIGN_IN_DAYS) -> dict:
    """A fresh one-time sign-in token per user whose account is not yet claimed (earlier
    unused ones stop working; a claimed account gets none: it is its owner's alone).
    Returns {user id: token}; only hashes are stored."""
    users = list(users)
    SignInCode.objects.filter(user__in=users, used_at__isnull=True).delete()
    tokens = {user.pk: secrets.token_urlsafe(12) for user in users if not user.is_claimed}
    SignInCode.objects.bulk_create(
        [
            SignInCode(
                user_id=uid,
                token_hash=_token_hash(token),
                created_at=now,
                expires_at=now + datetime.timedelta(days=days),
            )
            for uid, token in tokens.items()
        ]
    )
    return tokens


@transaction.atomic
def use_sign_in_code(token: str, *, now: datetime.datetime) -> User | None:
    """The user a valid, unused, unexpired token belongs to (the token is spent); else None."""
    code = (
        SignInCode.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    # A code printed before its owner claimed the account (a password reset by phone,
    # say) must not let whoever holds the slip in afterwards.
    if code is None or not code.user.is_active or code.user.is_claimed:
        return None
    code.used_at = now
    code.save(update_fields=["used_at"])
    return code.user
