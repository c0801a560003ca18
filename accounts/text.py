"""Accent-insensitive text keys for Vietnamese names."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip every diacritic (so tone-mark placement stops mattering), đ → d.

    "Thái Hoà", "Thái Hòa" and "thai  hoa" all fold to "thai hoa".
    """
    decomposed = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())
