"""A learner's reading of one course, cached: lessons opened, credited and completed, the
lesson being read, check answers and their tries.

Every lesson and course page a learner opens needs it. The entry is filed under a version
number that the learning services bump whenever they write progress or answers (at once,
and again after the write commits), so a page that read the rows just before a write can only
store them under a version no later page asks for.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Subquery

from learning.models import Answer, Enrollment, LessonProgress
from learning.models.reading import reading_cap

TIMEOUT = 60 * 60


def _version_key(user_id: int, course_id: int) -> str:
    return f"reading-version:{user_id}:{course_id}"


def reading(user_id: int, course_id: int) -> dict:
    """{"lessons": {lesson id: {"opened", "completed", "credited"}}, "answers": {question id:
    choice id}, "tries": {question id: tries}, "pointer": {"lesson", "since", "cap"} or None}
    for one learner and course (a copy: the caller may change it). "pointer" is the lesson
    they are reading now (learning.services.reading.credit_reading), None when unknown."""
    version_key = _version_key(user_id, course_id)
    version = cache.get(version_key)
    if version is None:
        # A clock value, not 1: a version that expired never comes back to name old entries.
        version = time.time_ns()
        if not cache.add(version_key, version, TIMEOUT):
            version = cache.get(version_key, version)
    key = f"reading-v2:{user_id}:{course_id}:{version}"  # v2: credited time, tries, pointer
    record = cache.get(key)
    if record is None:
        # The enrolment's pointer rides on the lesson row it points at: still two queries.
        reading_since = Enrollment.objects.filter(
            user_id=user_id, course_id=course_id, reading_lesson=OuterRef("lesson_id")
        ).values("reading_since")
        rows = (
            LessonProgress.objects.filter(user_id=user_id, course_id=course_id)
            .annotate(reading_since=Subquery(reading_since))
            .values(
                "lesson_id",
                "opened_at",
                "completed_at",
                "credited_seconds",
                "reading_since",
                "lesson__min_read_seconds",
            )
        )
        record = {"lessons": {}, "answers": {}, "tries": {}, "pointer": None}
        for row in rows:
            record["lessons"][row["lesson_id"]] = {
                "opened": row["opened_at"],
                "completed": row["completed_at"],
                "credited": row["credited_seconds"],
            }
            if row["reading_since"] is not None:
                record["pointer"] = {
                    "lesson": row["lesson_id"],
                    "since": row["reading_since"],
                    "cap": reading_cap(row["lesson__min_read_seconds"]),
                }
        for question_id, choice_id, tries in Answer.objects.filter(
            user_id=user_id, question__course_id=course_id
        ).values_list("question_id", "choice_id", "tries"):
            record["answers"][question_id] = choice_id
            record["tries"][question_id] = tries
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
