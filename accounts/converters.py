"""`<id:pk>` in every URLconf: a primary key of at most 18 digits.

Django's `<int:…>` takes any number of digits; a 25-digit id then overflows SQLite's
64-bit integers (OverflowError, a 500) and PostgreSQL's bigint. 18 digits stay below
both (2**63 ≈ 9.2 × 10**18), so a longer id simply matches no route: a 404.
"""

from django.urls import register_converter

MAX_ID_DIGITS = 18


class IdConverter:
    regex = f"[0-9]{{1,{MAX_ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")


def parse_id(raw: str) -> int | None:
    """An id sent in a form field (a question, a choice), within the same bound; None for
    anything else ("", "²", "-1", "١٢", 25 digits) so the caller answers with a message."""
    raw = raw.strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS:
        return int(raw)
    return None
