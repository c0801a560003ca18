"""A visitor's reading before they have an account, kept in their (server-side) session.

Same rules as learning.services; adopted into the database when they sign up or log in.
"""

import datetime

from learning.services import check_lesson_done

KEY = "reading"


def reading(session) -> dict:
    return session.get(KEY) or {"lessons": {}, "answers": {}}


def _save(session, record: dict) -> None:
    session[KEY] = record
    session.modified = True


def open_lesson(session, *, lesson_id: int, now: datetime.datetime) -> dict:
    record = reading(session)
    entry = record["lessons"].get(str(lesson_id))
    if entry is None:
        entry = record["lessons"][str(lesson_id)] = {"opened": now.isoformat()}
        _save(session, record)
    return entry


def answer(session, *, question: dict, choice_id: int) -> bool:
    """Store the visitor's choice; False if the choice is not one of the question's."""
    if choice_id not in {c["id"] for c in question["choices"]}:
        return False
    record = reading(session)
    record["answers"][str(question["id"])] = choice_id
    _save(session, record)
    return True


def complete_lesson(session, *, lesson: dict, now: datetime.datetime) -> None:
    """Mark the lesson read in the session, or raise LessonNotDone."""
    entry = open_lesson(session, lesson_id=lesson["id"], now=now)
    record = reading(session)
    correct = {
        q["id"]
        for q in lesson["questions"]
        for c in q["choices"]
        if c["is_correct"] and record["answers"].get(str(q["id"])) == c["id"]
    }
    check_lesson_done(
        min_read_seconds=lesson["min_read_seconds"],
        opened_at=datetime.datetime.fromisoformat(entry["opened"]),
        now=now,
        correct_question_ids=correct,
        question_ids=[q["id"] for q in lesson["questions"]],
    )
    record["lessons"][str(lesson["id"])]["completed"] = now.isoformat()
    _save(session, record)
