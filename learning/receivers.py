from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext as _

from learning import session
from learning.models import Campaign
from learning.services.campaigns import assign_campaign, assign_campaigns_to
from learning.services.session_reading import adopt_session_reading

# A save touching only these fields cannot change who a campaign names.
IRRELEVANT_FIELDS = {"last_login", "password", "phone_verified", "consent_at"}


def keep_visitor_reading(sender, request, user, **kwargs):
    """What a visitor read before signing up or logging in becomes theirs (its reading time
    only where the account was not reading the same course meanwhile: they are told)."""
    reading = request.session.pop(session.KEY, None) if request is not None else None
    if reading and (reading.get("lessons") or reading.get("answers")):
        for course in adopt_session_reading(user, reading=reading):
            messages.warning(
                request,
                _(
                    "Thời gian đọc khoá “%(t)s” khi chưa đăng nhập trùng với lúc tài khoản "
                    "của bạn cũng đang đọc khoá này, nên không được tính thêm."
                )
                % {"t": course.title},
                fail_silently=True,
            )


def assign_new_people(sender, instance, created, raw, update_fields=None, **kwargs):
    """A person who joins (or moves into) a campaign's audience is assigned at once, with
    the campaign's deadline."""
    if raw or (update_fields and set(update_fields) <= IRRELEVANT_FIELDS):
        return
    assign_campaigns_to(instance, now=timezone.now())


def assign_imported_people(sender, user_ids, **kwargs):
    """Accounts created in bulk from a roster join the campaigns whose rule names them."""
    now = timezone.now()
    for campaign in Campaign.objects.running(timezone.localdate(now)):
        assign_campaign(campaign, now=now)
