"""State changes of the learning festival: short links, check-in, who may run a festival.

Short links are what every paper QR code holds. The code is five characters from an
alphabet without look-alikes (no 0/O, 1/I), upper case, so the printed URL fits the QR
alphanumeric mode and the code stays low-density. A scan is counted in the cache (one
increment, no database write on the visitor's first request) and folded into the table
by `flush_scans`, which the dashboard and `manage.py flush_scans` call.
"""

import datetime
import secrets

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import Role, User
from accounts.scopes import Scope
from common.counters import increment
from common.text import mask_name
from learning.models import Booth, CheckIn, Event, ShortLink

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 5
TARGET_SECONDS = 24 * 3600


def short_link(*, target: str, label: str, commune=None, event=None) -> ShortLink:
    """The short link of `target` (a path on this site), made once and reused."""
    existing = ShortLink.objects.filter(target=target).first()
    if existing:
        return existing
    for _ in range(10):
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                return ShortLink.objects.create(
                    code=code, target=target, label=label[:200], commune=commune, event=event
                )
        except IntegrityError:  # the code (or, in a race, the target) exists: look again
            existing = ShortLink.objects.filter(target=target).first()
            if existing:
                return existing
    raise RuntimeError("no free short code after 10 tries")


def _scan_key(code: str) -> str:
    return f"learning:scans:{code}"


def resolve_short_link(code: str) -> str | None:
    """Where a scanned code leads, counting the scan; None for an unknown code."""
    code = code.upper()
    target = cache.get(f"learning:link:{code}")
    if target is None:
        target = ShortLink.objects.filter(code=code).values_list("target", flat=True).first()
        if target is None:
            return None
        cache.set(f"learning:link:{code}", target, TARGET_SECONDS)
    increment(_scan_key(code), timeout=None)
    return target


def flush_scans(codes: list[str]) -> None:
    """Fold the scans counted in the cache into the table for `codes`."""
    pending = cache.get_many([_scan_key(code) for code in codes])
    for key, count in pending.items():
        if not count:
            continue
        code = key.rsplit(":", 1)[1]
        cache.decr(key, count)
        ShortLink.objects.filter(code=code).update(scans=F("scans") + count)


# --- Who runs a festival ----------------------------------------------------------------------


def festival_communes(user) -> set[int] | None:
    """The communes whose festivals `user` runs (coordinator or community digital team);
    None means every commune."""
    if not getattr(user, "is_authenticated", False):
        return set()
    scope = Scope.of(user)
    if scope.everything:
        return None
    volunteer = set(
        user.role_grants.filter(role=Role.DIGITAL_VOLUNTEER).values_list("commune_id", flat=True)
    )
    return set(scope.commune_ids) | volunteer


def festival_events(user):
    """The events `user` may run, as a queryset (another commune's event is not in it)."""
    communes = festival_communes(user)
    events = Event.objects.select_related("commune")
    return events if communes is None else events.filter(commune_id__in=communes)


def volunteer_board(communes: set[int] | None, *, limit: int = 10) -> list[tuple[str, int]]:
    """People who helped residents sign up, most first, among those of `communes` (None:
    every commune): (masked name, how many)."""
    helpers = User.objects.filter(assisted__isnull=False)
    if communes is not None:
        helpers = helpers.filter(commune_id__in=communes)
    rows = (
        helpers.annotate(n=Count("assisted"))
        .order_by("-n", "full_name")
        .values_list("full_name", "n")[:limit]
    )
    return [(mask_name(name), n) for name, n in rows]


# --- Check-in ---------------------------------------------------------------------------------


def check_in(
    user: User,
    *,
    event: Event,
    booth: Booth | None = None,
    now: datetime.datetime,
    recorded_by: User | None = None,
) -> tuple[CheckIn, bool]:
    """Record that `user` came to `event` (at `booth`); a second check-in changes nothing.
    Returns the check-in and whether it is new."""
    lookup = {"event": event, "user": user, "booth": booth}
    try:
        with transaction.atomic():
            return CheckIn.objects.get_or_create(
                **lookup, defaults={"at": now, "recorded_by": recorded_by}
            )
    except IntegrityError:  # two taps at once: the other one recorded it
        return CheckIn.objects.get(**lookup), False


# --- Figures (reads for the dashboard and the big screen) ------------------------------------


def event_figures(event: Event, *, now: datetime.datetime) -> dict:
    """The festival's counters, all about the people checked in at this event (at its
    entrance or its booths): how many came (per booth), how many of them signed up that day
    (and how many a volunteer helped), the lessons they opened and finished that day, and
    scans per printed code. Public figures: counts only."""
    codes = list(event.links.values_list("code", flat=True))
    flush_scans(codes)
    day = event.date
    # Two events of one commune on one day share the commune and the date, not their
    # attendees: every figure starts from this event's check-ins. One aggregate; the
    # distinct counts survive the join to lesson progress.
    joined = Q(date_joined__date=day)
    figures = User.objects.filter(
        pk__in=CheckIn.objects.filter(event=event).values("user")
    ).aggregate(
        people=Count("pk", distinct=True),
        signups=Count("pk", filter=joined, distinct=True),
        assisted=Count("pk", filter=joined & Q(assisted_by__isnull=False), distinct=True),
        lessons_opened=Count(
            "lesson_progress", filter=Q(lesson_progress__opened_at__date=day), distinct=True
        ),
        lessons_finished=Count(
            "lesson_progress", filter=Q(lesson_progress__completed_at__date=day), distinct=True
        ),
    )
    per_booth = dict(
        event.checkins.filter(booth__isnull=False)
        .values_list("booth")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        **figures,
        "booths": [[b.title, per_booth.get(b.pk, 0)] for b in event.booths.all()],
        "scans": [
            [label, n]
            for label, n in event.links.order_by("-scans", "code").values_list("label", "scans")
        ],
        "updated": timezone.localtime(now).strftime("%H:%M:%S"),
    }
