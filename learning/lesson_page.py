"""The lesson page in two layers, so that a page view renders no template.

What every reader of a lesson sees (the page around it, the lesson, the pager) is rendered
once per lesson, content version, language and menu, and kept in the cache as pieces. What
is the reader's own has few possible forms, all rendered alongside: the progress bar for
each number of lessons done, each check question unanswered, answered right, answered
wrong with each number of tries left, and shown after the last try, for each choice (the
explanation is only in the settled forms, so a wrong try does not give the answer away),
the finish form with and without its "done" badge. A request joins the pieces that fit its
reader, their messages and their CSRF token.

The shared layer is rendered without the request and with a stand-in user that only says
whether someone is logged in: nothing personal can be baked into it.
"""

import functools
import hashlib
import re
import secrets
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from courses.models import Course
from courses.reads import content_key
from learning import contents

TIMEOUT = 60 * 60
# This process's copies of shared layers. A key names one content version, language, menu
# and release, so a copy never goes stale; keeping them saves the largest cache read (a
# Redis round trip in production) on most page views.
_copies: dict[str, dict] = {}
COPIES = 500
TEMPLATES = (
    "base.html",
    "_components/messages.html",
    "learning/lesson_detail.html",
    "learning/_progress.html",
    "learning/_check_question.html",
    "learning/_lesson_finish.html",
)


def _release() -> str:
    """Changes with a deploy that changes the page's templates, static files or
    translations, so pages cached by the previous release are not served by this one.
    Worked out again on every page while developing (a template edit shows at once)."""
    return _fingerprint() if settings.DEBUG else _fingerprint_once()


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    for asset in ("css/site.css", "learning/lesson.js"):
        digest.update(static(asset).encode())
    for folder in settings.LOCALE_PATHS:
        for catalogue in sorted(Path(folder).rglob("*.mo")):
            digest.update(f"{catalogue}:{catalogue.stat().st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


_fingerprint_once = functools.cache(_fingerprint)


def shared_page(course: Course, lesson_id: int, *, menu: str) -> dict | None:
    """The lesson's shared layer for this language and menu; None if the course has no
    such lesson."""
    key = content_key(course, f"lesson-page:{lesson_id}:{get_language()}:{menu}:{_release()}")
    page = _copies.get(key)
    if page is not None:
        return page
    page = cache.get(key)
    if page is None:
        page = _build(course, lesson_id, menu=menu)
        if page is None:
            return None
        cache.set(key, page, TIMEOUT)
    if len(_copies) >= COPIES:
        _copies.clear()  # old versions would otherwise stay for the life of the process
    _copies[key] = page
    return page


def _build(course: Course, lesson_id: int, *, menu: str) -> dict | None:
    lesson = contents.lesson_with_urls(course, lesson_id)
    if lesson is None:
        return None
    outline = contents.outline(course)
    index = next(i for i, item in enumerate(outline) if item["id"] == lesson_id)
    following = outline[index + 1] if index + 1 < len(outline) else None
    # Slots are HTML comments named with a fresh nonce: no lesson text can forge one.
    nonce = secrets.token_hex(8)
    csrf = f"csrf{nonce}"
    total = len(outline)
    return {
        "parts": _shared_parts(
            course, lesson, outline=outline, index=index, menu=menu, nonce=nonce
        ),
        "csrf": csrf,
        "lesson_ids": [item["id"] for item in outline],
        "progress": [
            render_to_string(
                "learning/_progress.html",
                {"summary": {"done": done, "total": total, "percent": round(100 * done / total)}},
            )
            for done in range(total + 1)
        ],
        "tries": course.check_tries,
        "correct": {q["id"]: _correct(q) for q in lesson["questions"]},
        "questions": {
            question["id"]: {
                state: render_to_string(
                    "learning/_check_question.html",
                    {
                        "q": _with_answer(question, state, allowed=course.check_tries),
                        "csrf_token": csrf,
                    },
                )
                for state in _states(question, tries=course.check_tries)
            }
            for question in lesson["questions"]
        },
        "finish": [
            render_to_string(
                "learning/_lesson_finish.html",
                {"lesson": lesson, "next": following, "completed": completed, "csrf_token": csrf},
            )
            for completed in (False, True)
        ],
    }


def _shared_parts(
    course: Course, lesson: dict, *, outline: list[dict], index: int, menu: str, nonce: str
) -> list:
    """The page every reader of the lesson sees, split at its slots: text, then (kind, key)
    where a personal piece goes, then text again."""

    def slot(*name) -> str:
        return mark_safe(f"<!--{nonce}:{':'.join(map(str, name))}-->")

    html = render_to_string(
        "learning/lesson_detail.html",
        {
            "user": SimpleNamespace(is_authenticated=menu != "visitor"),
            "roles": SimpleNamespace(
                is_coordinator=menu == "coordinator", is_volunteer=menu == "volunteer"
            ),
            "csrf_token": f"csrf{nonce}",
            "course": course,
            "lesson": lesson,
            "lesson_url": outline[index]["url"],
            "position": index + 1,
            "total": len(outline),
            "module": outline[index]["module"],
            "previous": outline[index - 1] if index else None,
            "next": outline[index + 1] if index + 1 < len(outline) else None,
            "questions": [{"slot": slot("question", q["id"])} for q in lesson["questions"]],
            "slots": {name: slot(name) for name in ("messages", "progress", "finish")},
        },
    )
    parts: list = re.split(f"<!--{nonce}:(.*?)-->", html)
    for i in range(1, len(parts), 2):
        kind, _, key = parts[i].partition(":")
        parts[i] = (kind, int(key) if key else None)
    return parts


def _correct(question: dict) -> int | None:
    return next((c["id"] for c in question["choices"] if c["is_correct"]), None)


def question_state(
    *, chosen: int | None, tries: int, allowed: int, correct: int | None
) -> tuple | None:
    """Which form of a check question its reader sees: None (unanswered), ("right", choice),
    ("wrong", choice, tries left) or ("shown", choice) once the last try was wrong."""
    if chosen is None:
        return None
    if chosen == correct:
        return ("right", chosen)
    if tries >= allowed:
        return ("shown", chosen)
    return ("wrong", chosen, allowed - tries)


def _states(question: dict, *, tries: int) -> list:
    correct = _correct(question)
    states: list = [None]
    for choice in question["choices"]:
        if choice["id"] == correct:
            states.append(("right", choice["id"]))
            continue
        states.append(("shown", choice["id"]))
        states += [("wrong", choice["id"], left) for left in range(1, tries)]
    return states


def _with_answer(question: dict, state: tuple | None, *, allowed: int) -> dict:
    kind = state[0] if state else None
    correct = _correct(question)
    return {
        **question,
        "chosen": state[1] if state else None,
        "answered": state is not None,
        "right": kind == "right",
        "shown": kind == "shown",
        "settled": kind in ("right", "shown"),
        "left": state[2] if kind == "wrong" else 0,
        "allowed": allowed,
        "correct": correct,
        "correct_text": next((c["text"] for c in question["choices"] if c["id"] == correct), ""),
    }


def fill(page: dict, *, lesson_id: int, reading: dict, messages_html: str, csrf_token: str) -> str:
    """The page for one reader: `reading` as learning.reads.reading gives it."""
    lessons, answers, tries = reading["lessons"], reading["answers"], reading["tries"]
    done = sum(1 for i in page["lesson_ids"] if (lessons.get(i) or {}).get("completed"))
    completed = bool((lessons.get(lesson_id) or {}).get("completed"))
    pieces = []
    for part in page["parts"]:
        if type(part) is str:
            pieces.append(part)
            continue
        kind, key = part
        if kind == "question":
            states = page["questions"][key]
            state = question_state(
                chosen=answers.get(key),
                tries=tries.get(key, 1),
                allowed=page["tries"],
                correct=page["correct"][key],
            )
            pieces.append(states.get(state) or states[None])
        elif kind == "progress":
            pieces.append(page["progress"][done])
        elif kind == "finish":
            pieces.append(page["finish"][completed])
        elif kind == "messages":
            pieces.append(messages_html)
    return "".join(pieces).replace(page["csrf"], csrf_token)
