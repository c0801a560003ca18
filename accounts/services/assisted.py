"""Assisted sign-up: a community digital team member signs a resident up at a festival."""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Commune, ParticipantKind, User
from accounts.services.sign_in_codes import SIGN_IN_DAYS, issue_sign_in_codes
from accounts.sms import send_sms


class AssistRefused(Exception):
    """An assisted sign-up that cannot be made; the message is for the volunteer."""


@transaction.atomic
def assisted_sign_up(
    *,
    helper: User,
    full_name: str,
    phone: str,
    birth_year: int | None,
    commune: Commune,
    consent_spoken: bool,
    now: datetime.datetime,
    sign_in_url: Callable[[str], str],
) -> User:
    """A community digital team member signs a resident up on the volunteer's phone; the
    resident gets a text message with a one-time sign-in link to set a password."""
    if not consent_spoken:
        raise AssistRefused(
            _("Hãy đọc thông báo về dữ liệu cá nhân cho người dân và xác nhận họ đồng ý.")
        )
    if User.objects.filter(phone=phone).exists():
        raise AssistRefused(
            _(
                "Số %(phone)s đã có tài khoản. Người dân đăng nhập bằng số này; quên mật khẩu "
                "thì chọn “Quên mật khẩu”."
            )
            % {"phone": phone}
        )
    user = User(
        phone=phone,
        full_name=full_name,
        birth_year=birth_year,
        commune=commune,
        participant_kind=ParticipantKind.RESIDENT,
        assisted_by=helper,
        consent_spoken=True,
        consent_at=now,
    )
    user.set_unusable_password()
    user.save()
    token = issue_sign_in_codes([user], now=now)[user.pk]
    body = _(
        "Học Số: tài khoản của bạn đã được tạo. Mở liên kết để đăng nhập và đặt mật khẩu "
        "(dùng một lần, trong %(days)s ngày): %(link)s"
    ) % {"days": SIGN_IN_DAYS, "link": sign_in_url(token)}
    transaction.on_commit(lambda: send_sms(to=phone, body=body))
    return user
