"""Whether a learner's completion is plausibly earned: a course finished in less time than
its lessons' minimum reading time, or a final test passed faster than its questions can be
read, is held for a coordinator's review instead of issued (issue 14).

Pure functions over figures the completion already has; docs/integrity.md explains them.
"""

from django.utils.translation import gettext as _

from common.text import reading_ms
from learning.models import HoldReason


def drawn_from(pool: list[dict], questions: list) -> list[dict]:
    """The pool's question dicts a final-test try drew ([[question id, choice ids], …]), in
    its order; a question deleted since is left out."""
    by_id = {question["id"]: question for question in pool}
    return [by_id[question_id] for question_id, _choices in questions if question_id in by_id]


def final_test_floor(drawn: list[dict]) -> int:
    """The fewest whole seconds in which the drawn questions (the final test's question
    dicts, with their choices) can be read and answered."""
    words = sum(
        len(question["text"].split()) + sum(len(c["text"].split()) for c in question["choices"])
        for question in drawn
    )
    return reading_ms(words=words, questions=len(drawn)) // 1000  # as the contest's floor


def hold_reason(
    *, seconds_taken: int, min_seconds: int, test_seconds: int | None, test_floor: int
) -> str:
    """Why this completion waits for a coordinator (a HoldReason), or "" when it is issued.

    Through the lessons (`test_seconds` None), the course's time is the rule: from the first
    opening to the last lesson it can be no shorter than the lessons' minimums together.
    Through the final test, the test is the rule, so only the passing try's own time counts.
    """
    if test_seconds is None:
        return HoldReason.COURSE_FAST if seconds_taken < min_seconds else ""
    return HoldReason.TEST_FAST if test_seconds < test_floor else ""


def describe(reason: str, *, seconds_taken: int, min_seconds: int, test_seconds, test_floor):
    """A hold reason as the coordinator reads it, with the completion's figures."""
    if reason == HoldReason.COURSE_FAST:
        return _(
            "Hoàn thành khoá học sau %(s)s giây, ít hơn tổng thời gian đọc tối thiểu của các "
            "bài (%(m)s giây)."
        ) % {"s": seconds_taken, "m": min_seconds}
    if reason == HoldReason.TEST_FAST:
        return _(
            "Nộp bài kiểm tra cuối sau %(s)s giây, nhanh hơn thời gian tối thiểu để đọc đề và "
            "chọn đáp án (%(f)s giây)."
        ) % {"s": test_seconds, "f": test_floor}
    return ""
