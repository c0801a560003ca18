"""Accent-insensitive text keys for Vietnamese names."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip every diacritic (so tone-mark placement stops mattering), đ → d.

    "Thái Hoà", "Thái Hòa" and "thai  hoa" all fold to "thai hoa".
    """
    decomposed = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def mask_name(full_name: str) -> str:
    """What a public page shows of a person: "Nguyễn Văn An" → "Nguyễn V. A."

    The family name alone identifies nobody in Vietnam; the initials let someone holding
    a printed certificate check it is the same person.
    """
    words = (full_name or "").split()
    if not words:
        return ""
    return " ".join([words[0], *(word[0].upper() + "." for word in words[1:])])
