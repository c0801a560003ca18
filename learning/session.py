"""A visitor's reading before they have an account, kept in their (server-side) session.

Same rules as learning.services, and the same credit: each action in a course credits the
time since the visitor's previous one there to the lesson they were reading, at most a
few times its minimum, so tabs opened side by side earn it once. Adopted into the database
when they sign up or log in (learning.services.session_reading), which keeps the
time only if the account was not reading the same course in the same hours.

{"lessons": {"id": {"opened", "credited", "completed"?}}, "answers": {"id": choice id},
 "tries": {"id": tries}, "courses": {"id": {"lesson", "since", "cap", "began"}}}
"""

import datetime

from learning.models.reading import reading_cap
from learning.services.reading import check_lesson_done, credit_for

KEY = "reading"


def reading(session) -> dict:
    record = session.get(KEY) or {}
    for part in ("lessons", "answers", "tries", "courses"):
        record.setdefault(part, {})
    return record


def course_reading(session, *, course_id: int) -> dict:
    """The visitor's reading of one course in the shape learning.reads.reading gives a
    learner's: {"lessons": {lesson id: {"opened", "completed", "credited"}}, "answers":
    {question id: choice id}, "tries": {question id: tries}, "pointer"}."""
    record = reading(session)
    current = record["courses"].get(str(course_id))
    return {
        "lessons": {
            int(k): {
                "opened": v["opened"],
                "completed": v.get("completed"),
                "credited": v.get("credited", 0),
            }
            for k, v in record["lessons"].items()
        },
        "answers": {int(k): v for k, v in record["answers"].items()},
        "tries": {int(k): v for k, v in record["tries"].items()},
        "pointer": {"lesson": current["lesson"]} if current else None,
    }


def _save(session, record: dict) -> None:
    session[KEY] = record
    session.modified = True


def _act(record: dict, *, course_id: int, lesson: dict, now: datetime.datetime) -> None:
    """Credit the stretch since the visitor's last action in the course to the lesson they
    were reading; from `now` on they read `lesson`."""
    current = record["courses"].get(str(course_id))
    if current:
        since = datetime.datetime.fromisoformat(current["since"])
        entry = record["lessons"].get(str(current["lesson"]))
        if entry is not None:
            credit = credit_for(since=since, now=now, cap=current["cap"])
            entry["credited"] = entry.get("credited", 0) + credit
        now = max(now, since)
    record["courses"][str(course_id)] = {
        "lesson": lesson["id"],
        "since": now.isoformat(),
        "cap": reading_cap(lesson["min_read_seconds"]),
        "began": current["began"] if current else now.isoformat(),
    }


def open_lesson(session, *, course_id: int, lesson: dict, now: datetime.datetime) -> None:
    """Note that the visitor reads `lesson` from `now` on (a reload of the lesson they are
    reading changes nothing)."""
    record = reading(session)
    current = record["courses"].get(str(course_id))
    if str(lesson["id"]) in record["lessons"] and current and current["lesson"] == lesson["id"]:
        return
    record["lessons"].setdefault(str(lesson["id"]), {"opened": now.isoformat(), "credited": 0})
    _act(record, course_id=course_id, lesson=lesson, now=now)
    _save(session, record)


def answer(
    session,
    *,
    course_id: int,
    lesson: dict,
    question: dict,
    choice_id: int,
    tries_allowed: int,
    now: datetime.datetime,
) -> bool:
    """Record the visitor's try at a question unless it is settled; False if the choice is
    not one of the question's."""
    if choice_id not in {c["id"] for c in question["choices"]}:
        return False
    record = reading(session)
    record["lessons"].setdefault(str(lesson["id"]), {"opened": now.isoformat(), "credited": 0})
    _act(record, course_id=course_id, lesson=lesson, now=now)
    key = str(question["id"])
    if not _settled(record, question, tries_allowed):
        record["answers"][key] = choice_id
        record["tries"][key] = record["tries"].get(key, 0) + 1
    _save(session, record)
    return True


def _settled(record: dict, question: dict, tries_allowed: int) -> bool:
    key = str(question["id"])
    if key not in record["answers"]:
        return False
    right = next((c["id"] for c in question["choices"] if c["is_correct"]), None)
    return record["answers"][key] == right or record["tries"].get(key, 1) >= tries_allowed


def complete_lesson(
    session, *, course_id: int, lesson: dict, tries_allowed: int, now: datetime.datetime
) -> None:
    """Mark the lesson read in the session, or raise LessonNotDone (the press is an action
    either way: the time until the next one goes to this lesson)."""
    record = reading(session)
    entry = record["lessons"].setdefault(
        str(lesson["id"]), {"opened": now.isoformat(), "credited": 0}
    )
    _act(record, course_id=course_id, lesson=lesson, now=now)
    _save(session, record)
    if entry.get("completed"):
        return
    check_lesson_done(
        min_read_seconds=lesson["min_read_seconds"],
        credited_seconds=entry.get("credited", 0),
        settled_question_ids=[
            q["id"] for q in lesson["questions"] if _settled(record, q, tries_allowed)
        ],
        question_ids=[q["id"] for q in lesson["questions"]],
    )
    entry["completed"] = now.isoformat()
    _save(session, record)
