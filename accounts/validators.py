"""The rules a person's details meet however they arrive: typed into the sign-up, profile or
assisted sign-up form, or read from a row of an officials' roster. One set, so a roster
accepts what the sign-up form accepts and refuses what it refuses. A phone number's rule is
accounts.phone.normalize_phone, which both call.
"""

from django.utils import timezone

from common.text import fold

EARLIEST_BIRTH_YEAR = 1900
# Pupils from the first school year learn here too (a school's roster lists them).
YOUNGEST_AGE = 6
# The kind written before a commune's name, folded: "Xã Giáp Trung" is Giáp Trung.
KIND_PREFIXES = ("xa ", "phuong ", "dac khu ")


def latest_birth_year() -> int:
    """The latest birth year a person may give: YOUNGEST_AGE years before this one."""
    return timezone.localdate().year - YOUNGEST_AGE


def is_birth_year(year: int) -> bool:
    """Whether a person may give `year` as their birth year."""
    return EARLIEST_BIRTH_YEAR <= year <= latest_birth_year()


def without_kind(key: str) -> str:
    """A folded commune name without the kind written before it."""
    for prefix in KIND_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def commune_key(text: str) -> str:
    """What a commune is looked up by: `text` folded, without its kind ("Xã Giáp Trung" is
    "giap trung", as Commune.search_name holds it)."""
    return without_kind(fold(text))
