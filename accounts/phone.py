"""Vietnamese mobile numbers: one canonical shape, 10 digits, `0[35789]xxxxxxxx`."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^0[35789]\d{8}$")
# What people type between digit groups: spaces, dots, dashes, brackets.
SEPARATORS_RE = re.compile(r"[\s.\-()]")

MESSAGES = {
    "invalid": _(
        "Số điện thoại di động không hợp lệ. Hãy nhập 10 chữ số, bắt đầu bằng 03, 05, 07, "
        "08 hoặc 09 (ví dụ 0912 345 678)."
    ),
    "landline": _("Đây là số máy bàn. Hãy nhập số điện thoại di động (10 chữ số)."),
    "old_eleven_digit": _(
        "Số di động 11 chữ số đã được chuyển sang 10 chữ số từ năm 2018. Hãy nhập số mới "
        "(10 chữ số)."
    ),
    "foreign": _("Chỉ nhận số điện thoại di động Việt Nam (+84)."),
}


def normalize_phone(raw: str) -> str:
    """Return `0xxxxxxxxx` for any usual way of writing a Vietnamese mobile number.

    Raises ValidationError (code `invalid`, `landline`, `old_eleven_digit` or `foreign`)
    with a message a resident can act on.
    """
    digits = SEPARATORS_RE.sub("", raw or "")
    if digits.startswith("+"):
        if not digits.startswith("+84"):
            raise ValidationError(MESSAGES["foreign"], code="foreign")
        digits = digits[3:]
    elif digits.startswith("0084"):
        digits = digits[4:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = digits[2:]
    if not digits.isdigit():
        raise ValidationError(MESSAGES["invalid"], code="invalid")
    if not digits.startswith("0"):
        digits = "0" + digits  # "+84 912…" and "84912…" drop the trunk zero
    if MOBILE_RE.match(digits):
        return digits
    if len(digits) == 11 and digits.startswith("01"):
        raise ValidationError(MESSAGES["old_eleven_digit"], code="old_eleven_digit")
    if digits.startswith("02") and len(digits) in (10, 11):
        raise ValidationError(MESSAGES["landline"], code="landline")
    raise ValidationError(MESSAGES["invalid"], code="invalid")
