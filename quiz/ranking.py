"""Ranking a round: which attempt counts, and the order with every tie-breaker.

Pure functions over plain rows, so the rules can be tested tie by tie and reused for the
final ranking, the leaderboard and the export. The order is configurable per round
(Round.ranking); the default is DESIGN.md's: score (high first), then the prediction's
distance to the true value (small first), then the duration (short first), then the
submission time (early first).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

KEYS = {
    "score": lambda e, actual: -e.score,
    "prediction": lambda e, actual: (
        abs(e.prediction - actual)
        if e.prediction is not None and actual is not None
        else float("inf")
    ),
    "duration": lambda e, actual: e.duration_ms,
    "submitted": lambda e, actual: e.submitted_at,
}
DEFAULT_ORDER = ["score", "prediction", "duration", "submitted"]


@dataclass(frozen=True)
class Entry:
    user_id: int
    attempt_id: int
    score: int
    prediction: int | None
    duration_ms: int
    submitted_at: object  # datetime
    total: int = 0  # questions in the attempt


@dataclass(frozen=True)
class Ranked:
    rank: int
    entry: Entry


def counting_attempts(attempts: list[Entry]) -> list[Entry]:
    """Each participant's attempt that counts: the best score, then the earliest (then the
    first given). The one statement of the rule: closing a round and an organiser's review
    decision use it; a submission's upsert (quiz/services/attempts.py) is its incremental
    form, replacing the standing only with a higher score."""
    best: dict[int, Entry] = {}
    for entry in attempts:
        current = best.get(entry.user_id)
        if current is None or (-entry.score, entry.submitted_at) < (
            -current.score,
            current.submitted_at,
        ):
            best[entry.user_id] = entry
    return list(best.values())


def rank(
    entries: list[Entry], *, order: list[str] | None = None, actual: int | None
) -> list[Ranked]:
    """Entries in ranking order; entries equal on every key share a rank (1, 1, 3, …)."""
    keys = [KEYS[name] for name in (order or DEFAULT_ORDER)]

    def key(entry: Entry) -> tuple:
        return tuple(k(entry, actual) for k in keys)

    ordered = sorted(entries, key=key)
    ranks = shared_ranks(key(entry) for entry in ordered)
    return [Ranked(rank=r, entry=entry) for r, entry in zip(ranks, ordered, strict=True)]


def shared_ranks(keys: Iterable) -> Iterator[int]:
    """Ranks for keys already in ranking order, equal keys sharing one (1, 1, 3, …)."""
    previous, current = object(), 0
    for position, key in enumerate(keys, start=1):
        if key != previous:
            current, previous = position, key
        yield current
