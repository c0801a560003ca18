"""Ranking a round: which attempt counts, and the order with every tie-breaker.

Pure functions over plain rows, so the rules can be tested tie by tie and reused for the
final ranking, the leaderboard and the export. The order is configurable per round
(Round.ranking); the default is DESIGN.md's: score (high first), then the prediction's
distance to the true value (small first), then the duration (short first), then the
submission time (early first).
"""

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
    """Each participant's attempt that counts: the best score, then the earliest."""
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
    result, previous, current_rank = [], None, 0
    for position, entry in enumerate(ordered, start=1):
        k = key(entry)
        if k != previous:
            current_rank, previous = position, k
        result.append(Ranked(rank=current_rank, entry=entry))
    return result
