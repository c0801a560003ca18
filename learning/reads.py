"""A learner's reading of one course, cached: lessons opened and completed, check answers.

Every lesson and course page a learner opens needs it. The entry is filed under a version
number that learning.services bumps whenever it writes progress or answers (at once, and
again after the write commits), so a page that read the rows just before a write can only
store them under a version no later page asks for.
"""

import time

from django.core.cache import cache
from django.db import transaction

from learning.models import Answer, LessonProgress

TIMEOUT = 60 * 60


def _version_key(user_id: int, course_id: int) -> str:
    return f"reading-version:{user_id}:{course_id}"


def reading(user_id: int, course_id: int) -> dict:
    """{"lessons": {lesson id: {"opened", "completed"}}, "answers": {question id: choice id}}
    for one learner and course (a copy: the caller may change it)."""
    version_key = _version_key(user_id, course_id)
    version = cache.get(version_key)
    if version is None:
        # A clock value, not 1: a version that expired never comes back to name old entries.
        version = time.time_ns()
        if not cache.add(version_key, version, TIMEOUT):
            version = cache.get(version_key, version)
    key = f"reading:{user_id}:{course_id}:{version}"
    record = cache.get(key)
    if record is None:
        record = {
            "lessons": {
                row["lesson_id"]: {"opened": row["opened_at"], "completed": row["completed_at"]}
                for row in LessonProgress.objects.filter(
                    user_id=user_id, course_id=course_id
                ).values("lesson_id", "opened_at", "completed_at")
            },
            "answers": dict(
                Answer.objects.filter(user_id=user_id, question__course_id=course_id).values_list(
                    "question_id", "choice_id"
                )
            ),
        }
        cache.set(key, record, TIMEOUT)
    return record


def forget_reading(user_id: int, course_id: int) -> None:
    """Make the next read of this learner's course come from the database."""
    _bump(user_id, course_id)
    # Again after commit: a read between the bump and the commit saw the old rows.
    transaction.on_commit(lambda: _bump(user_id, course_id))


def _bump(user_id: int, course_id: int) -> None:
    key = _version_key(user_id, course_id)
    try:
        cache.incr(key)
    except ValueError:  # never read, or expired: any new clock value is a new version
        cache.set(key, time.time_ns(), TIMEOUT)
