"""What an organiser weighs when reviewing a held attempt (issue 14): its time against the
floor, per question, the patterns that held it and each answer's save time. Reads only; the
decisions are quiz/services/reviews.py's."""

from dataclasses import dataclass

from quiz import plausibility
from quiz.models import Attempt


@dataclass(frozen=True)
class Answered:
    number: int
    seconds: float | None  # after the start
    gap: float | None  # after the answer saved before it


@dataclass(frozen=True)
class Evidence:
    """What the organiser weighs: the time against the floor, per question, the patterns
    and each answer's save time."""

    seconds: float
    floor: float | None
    per_question: float | None
    patterns: list[str]
    answers: list[Answered]


def timing(attempt: Attempt) -> dict:
    """The attempt's time, its floor and its time a question, in seconds (no query): the
    queue's row and the evidence page show the same figures."""
    ms = attempt.duration_ms or 0
    return {
        "seconds": round(ms / 1000, 1),
        "floor": None if attempt.floor_ms is None else round(attempt.floor_ms / 1000, 1),
        "per_question": round(ms / 1000 / attempt.total, 1) if attempt.total else None,
    }


def evidence(attempt: Attempt) -> Evidence:
    """The attempt's evidence, with each drawn question's save time in the order shown."""
    ms = attempt.duration_ms or 0
    rows = list(attempt.drawn.values_list("order", "answered_at"))
    saved = sorted((at, order) for order, at in rows if at is not None)
    answers, previous = {}, None
    for at, order in saved:
        gap = None if previous is None else round((at - previous).total_seconds(), 2)
        answers[order] = Answered(order, round((at - attempt.started_at).total_seconds(), 1), gap)
        previous = at
    return Evidence(
        **timing(attempt),
        patterns=[
            plausibility.describe(p, duration_ms=ms, floor=attempt.floor_ms)
            for p in attempt.held_for
        ],
        answers=[answers.get(order, Answered(order, None, None)) for order, _at in sorted(rows)],
    )
