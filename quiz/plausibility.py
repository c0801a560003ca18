"""Whether a submitted attempt is plausibly a person's: one submitted faster than its
questions can be read, nearly all right in a few seconds a question, or from someone past a
per-minute limit is held for an organiser's review instead of going on the leaderboards
(issue 14).

Pure functions over the values a submission already has; docs/contest.md explains the
figures to organisers.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.text import reading_ms
from quiz.models.attempts import FAST_MS_PER_QUESTION

# The default floor is the drawn questions' reading time (common.text.reading_ms).
FLOOR_SHARE = 0.5  # a default floor never asks for more than half of the attempt's time

FLOOR, FAST_RIGHT, LIMIT = "floor", "fast_right", "limit"
LABELS = {  # short, for the queue; `describe` gives the figures
    FLOOR: gettext_lazy("Nộp quá nhanh"),
    FAST_RIGHT: gettext_lazy("Đúng nhiều trong thời gian rất ngắn"),
    LIMIT: gettext_lazy("Vượt giới hạn thao tác"),
}


def floor_ms(*, min_seconds: int | None, words: int, questions: int, allowed_ms: int) -> int:
    """The plausibility floor of an attempt: the round's own minimum when set (0: none),
    else the drawn questions' reading time, capped at half the time allowed."""
    if min_seconds is not None:
        return min_seconds * 1000
    reading = reading_ms(words=words, questions=questions)
    return min(reading, int(allowed_ms * FLOOR_SHARE))


def hold_patterns(
    *,
    duration_ms: int,
    floor: int,
    score: int,
    total: int,
    limit_hit: bool,
) -> list[str]:
    """The patterns an attempt matches, in the order shown to organisers; none: it counts.

    Not a pattern: answers saved close together. The server's receive times bunch up when
    a weak mobile connection stalls and then delivers several taps at once, so the review
    page shows each answer's save time as evidence instead."""
    patterns = []
    if duration_ms < floor:
        patterns.append(FLOOR)
    if total and score * 5 >= total * 4 and duration_ms < total * FAST_MS_PER_QUESTION:
        patterns.append(FAST_RIGHT)
    if limit_hit:
        patterns.append(LIMIT)
    return patterns


def describe(pattern: str, *, duration_ms: int, floor: int | None) -> str:
    """One pattern as the organiser reads it, with the attempt's figures."""
    if pattern == FLOOR:
        return _("Nộp sau %(sec)s giây, nhanh hơn thời gian tối thiểu %(floor)s giây.") % {
            "sec": _seconds(duration_ms),
            "floor": _seconds(floor or 0),
        }
    if pattern == FAST_RIGHT:
        return _("Đúng từ 80 %% số câu trở lên trong dưới %(s)s giây một câu.") % {
            "s": FAST_MS_PER_QUESTION // 1000
        }
    if pattern == LIMIT:
        return _("Vượt giới hạn số lần lưu câu trả lời hoặc bắt đầu lượt thi trong một phút.")
    return pattern


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.1f}".replace(".", ",")
