"""What a reader does in the tests: open lessons by address, answer, and let time pass."""

import datetime

from django.db.models import F
from django.urls import reverse

from learning.models import Enrollment
from learning.reads import forget_reading
from learning.session import KEY


def lessons(course):
    return list(course.lessons.order_by("module__order", "order"))


def lesson_url(course, lesson):
    return reverse("learning:lesson", args=[course.slug, lesson.pk])


def answer(client, course, lesson, *, right: bool):
    question = lesson.questions.get()
    choice = (
        question.choices.get(is_correct=True)
        if right
        else question.choices.filter(is_correct=False).first()
    )
    url = reverse("learning:answer", args=[course.slug, lesson.pk, question.pk])
    return client.post(url, {"choice": choice.pk})


def age_reading(client, seconds: int):
    """Move the start of the reader's current stretch back, as if they had been reading the
    lesson in front of them `seconds` longer: in the database for a logged-in learner (and
    their cached record forgotten), in the session for a visitor."""
    delta = datetime.timedelta(seconds=seconds)
    reading = Enrollment.objects.filter(reading_since__isnull=False)
    for user_id, course_id in reading.values_list("user_id", "course_id"):
        forget_reading(user_id, course_id)
    reading.update(reading_since=F("reading_since") - delta)
    session = client.session
    record = session.get(KEY)
    if record:
        for span in record.get("courses", {}).values():
            for key in ("since", "began"):
                span[key] = (datetime.datetime.fromisoformat(span[key]) - delta).isoformat()
        session[KEY] = record
        session.save()
