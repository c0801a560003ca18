"""Accent-insensitive text keys for Vietnamese names."""

import difflib
import re
import unicodedata
from collections.abc import Iterable


def fold(text: str) -> str:
    """Lower-case, strip every diacritic (so tone-mark placement stops mattering), đ → d.

    "Thái Hoà", "Thái Hòa" and "thai  hoa" all fold to "thai hoa".
    """
    decomposed = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


# Abbreviations an organization's name is written with, folded, each a whole word → its
# folded expansion. "TH" and "MN" are only ever schools' levels in a roster's unit column.
ORGANIZATION_ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "ub": "uy ban",
    "mttq": "mat tran to quoc",
    "thcs": "trung hoc co so",
    "thpt": "trung hoc pho thong",
    "th": "tieu hoc",
    "mn": "mam non",
    "mg": "mau giao",
    "ptdtbt": "pho thong dan toc ban tru",
    "ptdtnt": "pho thong dan toc noi tru",
    "ttyt": "trung tam y te",
    "tyt": "tram y te",
    "tp": "thanh pho",
}
_WORD = re.compile(r"[a-z0-9]+")
# "Ủy ban xã X" is the people's committee: "nhân dân" is left out before a unit's level.
_BARE_COMMITTEE = re.compile(r"\buy ban (?=(?:xa|phuong|thi tran|dac khu|huyen|tinh)\b)")


def organization_key(name: str) -> str:
    """The key two spellings of one organization share: folded, punctuation dropped,
    abbreviations expanded, a leading "Trường" dropped.

    "UBND xã Giáp Trung", "Ủy ban xã Giáp Trung" and "uỷ ban nhân dân xã giáp trung" share
    "uy ban nhan dan xa giap trung"; "Trường THCS Minh Thanh" and "THCS Minh Thanh" share
    "trung hoc co so minh thanh".
    """
    words = _WORD.findall(fold(name))
    key = " ".join(ORGANIZATION_ABBREVIATIONS.get(word, word) for word in words)
    key = _BARE_COMMITTEE.sub("uy ban nhan dan ", key)
    return key.removeprefix("truong ")


# How many names a misspelt one is offered instead, and how alike (difflib's ratio) they must
# be: "uy ban xa giap trug" finds "uy ban nhan dan xa giap trung".
CLOSEST = 3
CLOSEST_CUTOFF = 0.6
_LEVEL = r"(?:(?:xa|phuong|thi tran|dac khu|tinh|thanh pho) )?"


def closest_keys(key: str, keys: Iterable[str], *, ignoring: Iterable[str] = ()) -> list[str]:
    """The (at most CLOSEST) `keys` most like `key`, best first: what a roster suggests for an
    unknown organization, and what a coordinator is shown before adding a new one.

    `ignoring`: folded place names the keys share ("giap trung", "tuyen quang"), left out of
    the comparison with their level word: in one commune "mam non giap trung" and "uy ban
    nhan dan xa giap trung" are alike only by the commune's name."""
    places = [re.escape(place) for place in ignoring if place]
    if not places:
        return difflib.get_close_matches(key, keys, n=CLOSEST, cutoff=CLOSEST_CUTOFF)
    place = re.compile(rf"\b{_LEVEL}(?:{'|'.join(places)})\b")

    def bare(text: str) -> str:
        return " ".join(place.sub(" ", text).split()) or text

    by_bare: dict[str, list[str]] = {}
    for each in keys:
        by_bare.setdefault(bare(each), []).append(each)
    found = difflib.get_close_matches(bare(key), by_bare, n=CLOSEST, cutoff=CLOSEST_CUTOFF)
    return [each for match in found for each in by_bare[match]][:CLOSEST]


def mask_name(full_name: str) -> str:
    """What a public page shows of a person: "Nguyễn Văn An" → "Nguyễn V. A."

    The family name alone identifies nobody in Vietnam; the initials let someone holding
    a printed certificate check it is the same person.
    """
    words = (full_name or "").split()
    if not words:
        return ""
    return " ".join([words[0], *(word[0].upper() + "." for word in words[1:])])


# How long reading a question and its choices takes at the least: every word (a space-
# separated syllable in Vietnamese) at 5 words a second, the fast end of adult silent
# reading, plus a second a question to tap. The contest's plausibility floor and the final
# test's both use it (docs/contest.md, docs/integrity.md): a fast honest reader stays
# above it; a script or a copied answer sheet does not.
WORDS_PER_SECOND = 5
TAP_MS = 1000


def reading_ms(*, words: int, questions: int) -> int:
    """The fewest milliseconds in which `questions` holding `words` can be read and answered."""
    return round(words * 1000 / WORDS_PER_SECOND) + TAP_MS * questions
