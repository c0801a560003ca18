"""Notifications: campaign reminders to the people assigned and weekly digests to their
coordinators, each sent once (in the site, by SMS, and by email where given)."""

import datetime

from django.core.mail import send_mail
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import RoleGrant, User
from accounts.scopes import COORDINATOR_ROLES, Scope
from accounts.sms import send_sms
from learning.models import Campaign, Certificate, Notification, Review
from learning.services.campaigns import BATCH

REMIND_DAYS = (7, 1)  # days before the deadline


def notify(
    user_ids_to_message: dict[int, tuple[str, str, str]],
    *,
    key: str,
    now: datetime.datetime,
    sms: bool = True,
) -> int:
    """Create one notification per person under `key` unless they already have it, and
    text the ones just created. {user id: (title, body, url)}. Returns how many were new."""
    already = set(
        Notification.objects.filter(key=key, user_id__in=list(user_ids_to_message)).values_list(
            "user_id", flat=True
        )
    )
    fresh = {uid: msg for uid, msg in user_ids_to_message.items() if uid not in already}
    Notification.objects.bulk_create(
        [
            Notification(user_id=uid, key=key, title=t, body=b, url=u, created_at=now)
            for uid, (t, b, u) in fresh.items()
        ],
        ignore_conflicts=True,  # a run at the same moment made it: that run texts them
        batch_size=BATCH,
    )
    if sms and fresh:
        contacts = {
            pk: (phone, email)
            for pk, phone, email in User.objects.filter(pk__in=list(fresh)).values_list(
                "pk", "phone", "email"
            )
        }
        for uid, (title, body, url) in fresh.items():
            phone, email = contacts[uid]
            send_sms(to=phone, body=f"{title}. {body}")
            if email:  # few people here give one; those who did get it by email too
                send_mail(title, f"{body}\n{url}", None, [email], fail_silently=True)
    return len(fresh)


def send_campaign_reminders(campaign: Campaign, *, now: datetime.datetime) -> int:
    """Remind everyone not yet done: N days before the deadline, and once when overdue."""
    today = timezone.localdate(now)
    days_left = (campaign.deadline - today).days
    if days_left < 0:
        key = f"campaign:{campaign.pk}:overdue"
        title = _("Đã quá hạn: %(t)s") % {"t": campaign.title}
        body = _("Hạn hoàn thành là %(d)s. Hãy hoàn thành sớm nhất có thể.")
    else:
        due = [n for n in REMIND_DAYS if n >= days_left]
        if not due:
            return 0
        key = f"campaign:{campaign.pk}:due:{min(due)}"
        title = _("Còn %(n)s ngày: %(t)s") % {"n": days_left, "t": campaign.title}
        body = _("Hạn hoàn thành là %(d)s. Mở Học Số để học tiếp.")
    body = body % {"d": campaign.deadline.strftime("%d/%m/%Y")}
    url = reverse("learning:my_learning")
    pending = campaign.assignments.filter(completed_at__isnull=True).values("user_id")
    waiting = _only_waiting(campaign, pending)
    return notify(
        {uid["user_id"]: (title, body, url) for uid in pending if uid["user_id"] not in waiting},
        key=key,
        now=now,
    )


def _only_waiting(campaign: Campaign, pending) -> set[int]:
    """Of the `pending` people (a values("user_id") query), those who finished every course
    of `campaign` and wait only for a coordinator to review a held certificate: "hãy học
    tiếp" would tell them to do what they have done."""
    courses = set(campaign.courses.values_list("pk", flat=True))
    finished = (
        Certificate.objects.filter(user_id__in=pending, course_id__in=courses)
        .exclude(review=Review.REJECTED)
        .filter(revoked_at__isnull=True)
        .values("user_id")
        .annotate(n=Count("course_id", distinct=True))
        .filter(n=len(courses))
        .values_list("user_id", flat=True)
    )
    return set(finished) if courses else set()


def send_coordinator_digests(*, now: datetime.datetime) -> int:
    """Once a week, each coordinator gets the state of every campaign in their scope that is
    open or ended less than a week ago (one last digest, then quiet)."""
    today = timezone.localdate(now)
    year, week, _weekday = today.isocalendar()
    campaigns = list(Campaign.objects.reminding(today))
    if not campaigns:
        return 0
    sent = 0
    coordinator_ids = RoleGrant.objects.filter(role__in=COORDINATOR_ROLES).values_list(
        "user_id", flat=True
    )
    for coordinator in User.objects.filter(pk__in=coordinator_ids, is_active=True):
        scope = Scope.of(coordinator)
        lines = []
        for campaign in campaigns:
            total = scope.filter(
                campaign.assignments.all(),
                commune="user__commune",
                organization="user__organization",
            ).tally(campaign=campaign, today=today)
            if total["assigned"]:
                lines.append(
                    _("%(t)s: %(c)s/%(n)s hoàn thành (%(r)s%%), %(o)s quá hạn")
                    % {
                        "t": campaign.title,
                        "c": total["completed"],
                        "n": total["assigned"],
                        "r": total["rate"],
                        "o": total["overdue"],
                    }
                )
        if lines:
            sent += notify(
                {
                    coordinator.pk: (
                        _("Tổng hợp tuần %(w)s") % {"w": week},
                        "; ".join(lines),
                        reverse("learning:campaign_list"),
                    )
                },
                key=f"digest:{year}-W{week:02d}",
                now=now,
            )
    return sent
