"""Plain functions that build test data through the real write paths."""

from itertools import count

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Commune, Organization, ParticipantKind, Province, Role, User
from accounts.services import grant_role

PASSWORD = "Mat-khau-thu-2025"
_phones = count(1)
_hashed = None


def commune(code: str) -> Commune:
    return Commune.objects.get(code=code)


def organization(name: str, *, kind=Organization.Kind.OTHER, commune=None, parent=None):
    return Organization.objects.create(
        name=name,
        kind=kind,
        province=Province.objects.get(code="08"),
        commune=commune,
        parent=parent,
    )


def person(
    *,
    commune: Commune,
    full_name: str = "Nguyễn Thị Lan",
    phone: str | None = None,
    organization=None,
    kind=ParticipantKind.RESIDENT,
) -> User:
    global _hashed
    _hashed = _hashed or make_password(PASSWORD)  # hashing is slow on purpose: do it once
    user = User(
        phone=phone or f"098{next(_phones):07d}",
        full_name=full_name,
        commune=commune,
        organization=organization,
        participant_kind=kind,
        phone_verified=True,
        password=_hashed,
        consent_at=timezone.now(),  # as sign-up records it; a roster's people start without
    )
    user.save()
    return user


def with_role(user: User, role: Role, *, commune=None, organization=None) -> User:
    grant_role(user, role=role, commune=commune, organization=organization)
    return user


def person_without_consent(*, commune: Commune, **kwargs) -> User:
    """Someone a coordinator's roster created: no password and no consent until they use
    their slip and agree."""
    user = person(commune=commune, **kwargs)
    user.consent_at, user.password = None, make_password(None)
    user.save(update_fields=["consent_at", "password"])
    return user
