"""reader_for(request): a learner's reading or a visitor's, one interface."""

import datetime
import inspect

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from courses.models import CompletionRule
from courses.reads import lesson_content
from learning.readers import LearnerReading, VisitorReading, reader_for
from learning.services.reading import LessonNotDone
from tests.factories import SIGNUP, sent_code


def lessons(course):
    return list(course.lessons.order_by("module__order", "order"))


def request_of(client, course):
    """The request Django handled for `client`, with its session, user and messages."""
    return client.get(course.get_absolute_url()).wsgi_request


def public_methods(cls) -> dict[str, inspect.Signature | None]:
    return {
        name: inspect.signature(value) if callable(value) else None
        for name, value in vars(cls).items()
        if not name.startswith("_")
    }


def test_both_readings_offer_the_same_methods_with_the_same_signatures():
    assert public_methods(LearnerReading) == public_methods(VisitorReading)
    assert {"reading", "open_lesson", "answer", "complete_lesson"} <= set(
        public_methods(VisitorReading)
    )


def test_reader_for_gives_a_visitor_their_session_and_a_learner_the_database(
    client, learner, course
):
    assert isinstance(reader_for(request_of(client, course)), VisitorReading)
    client.force_login(learner)
    assert isinstance(reader_for(request_of(client, course)), LearnerReading)


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "learner"])
def test_one_reading_script_reads_the_same_for_both_kinds(client, learner, course, logged_in):
    """Open, answer, finish too soon, finish: the same calls, the same reading."""
    if logged_in:
        client.force_login(learner)
    reader = reader_for(request_of(client, course))
    first = lessons(course)[0]
    lesson = lesson_content(course, first.pk)
    question = lesson["questions"][0]
    right = next(c["id"] for c in question["choices"] if c["is_correct"])
    start = timezone.now()

    reading = reader.open_lesson(course, first.pk, now=start)
    assert set(reading["lessons"]) == {first.pk}
    at = start + datetime.timedelta(seconds=10)
    reader.answer(course, lesson=lesson, question=question, choice_id=right, now=at)
    with pytest.raises(LessonNotDone) as too_soon:
        reader.complete_lesson(course, lesson=lesson, now=at + datetime.timedelta(seconds=5))
    assert too_soon.value.seconds_left == 15  # 30 s to read, 15 credited
    certificate = reader.complete_lesson(
        course, lesson=lesson, now=at + datetime.timedelta(seconds=40)
    )

    assert certificate is None and reader.certificate(course) is None
    reading = reader.reading(course)
    assert reading["lessons"][first.pk]["completed"]
    assert (reading["answers"], reading["tries"]) == ({question["id"]: right}, {question["id"]: 1})
    assert reading["pointer"]["lesson"] == first.pk
    assert reader.may_read(course)


def test_after_the_last_lesson_a_visitor_is_asked_to_sign_up(client, learner, course):
    visitor = request_of(client, course)
    assert reader_for(visitor).after_last_lesson(course) == course.get_absolute_url()
    assert "Hãy đăng ký" in str(list(get_messages(visitor))[0])
    client.force_login(learner)
    course.completion_rule = CompletionRule.FINAL_TEST
    after = reader_for(request_of(client, course)).after_last_lesson(course)
    assert after == reverse("learning:final_test", args=[course.slug])


def test_a_visitors_reading_reads_the_same_once_adopted_at_sign_up(
    client, course, tuyen_quang, sms_outbox
):
    first, second, _ = lessons(course)
    request = request_of(client, course)
    visitor = reader_for(request)
    lesson = lesson_content(course, first.pk)
    question = lesson["questions"][0]
    start = timezone.now() - datetime.timedelta(minutes=5)
    visitor.open_lesson(course, first.pk, now=start)
    visitor.answer(
        course,
        lesson=lesson,
        question=question,
        choice_id=next(c["id"] for c in question["choices"] if not c["is_correct"]),
        now=start + datetime.timedelta(seconds=5),
    )
    visitor.open_lesson(course, second.pk, now=start + datetime.timedelta(seconds=40))
    request.session.save()  # what the session middleware does after a view, and its cookie
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    before = visitor.reading(course)

    client.post(reverse("account_signup"), SIGNUP)
    client.post(reverse("account_verify_phone"), {"code": sent_code(sms_outbox)})
    learner = reader_for(request_of(client, course))

    assert isinstance(learner, LearnerReading)
    after = learner.reading(course)
    assert set(after["lessons"]) == set(before["lessons"]) == {first.pk, second.pk}
    for lesson_id, entry in before["lessons"].items():
        assert after["lessons"][lesson_id]["credited"] == entry["credited"]
    assert after["lessons"][first.pk]["credited"] == 40
    assert (after["answers"], after["tries"]) == (before["answers"], before["tries"])
    assert after["pointer"]["lesson"] == before["pointer"]["lesson"] == second.pk
