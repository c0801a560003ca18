"""Whose reading a page shows, behind one interface.

A learner's reading is kept in the database (learning.services writes it, learning.reads
caches it); a visitor's in their session (learning.session) until they sign up or log in,
when learning.services.session_reading takes it over. reader_for(request) returns
one or the other with the same methods, the way django.contrib.sites' get_current_site()
returns a Site or a RequestSite, so the reader's views never ask who is reading.
"""

import datetime

from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.context_processors import Roles
from courses.models import Audience, CompletionRule, Course, Lesson, Question
from courses.reads import lesson_content
from learning import reads, session
from learning.models import Certificate
from learning.services.completion import complete_lesson
from learning.services.reading import answer_question, open_lesson


def open_to_visitors(course: Course) -> bool:
    """Whether someone without an account may read the course's lessons."""
    return course.audience in (Audience.RESIDENTS, Audience.EVERYONE)


class LearnerReading:
    """A logged-in learner's reading: rows in the database, through learning.services."""

    def __init__(self, request: HttpRequest):
        self.request = request
        self.user = request.user

    @property
    def menu(self) -> str:
        """Which of base.html's navigation variants this person sees."""
        role = Roles(self.request)
        if role.is_coordinator:
            return "coordinator"
        return "volunteer" if role.is_volunteer else "learner"

    def may_read(self, course: Course) -> bool:
        return True

    def reading(self, course: Course) -> dict:
        """{"lessons": {lesson id: {"opened", "completed", "credited"}}, "answers": {question
        id: choice id}, "tries": {question id: tries}, "pointer"} (learning.reads)."""
        return reads.reading(self.user.pk, course.pk)

    def certificate(self, course: Course) -> Certificate | None:
        return Certificate.objects.filter(user=self.user, course=course).first()

    def open_lesson(self, course: Course, lesson_id: int, *, now: datetime.datetime) -> dict:
        """Note that the reader reads the lesson from `now` on; their reading as it stands."""
        reading = self.reading(course)
        # Opening a lesson is an action, unless it is the one being read (a reload).
        if (reading["pointer"] or {}).get("lesson") != lesson_id:
            lesson = Lesson(pk=lesson_id, course=course)
            open_lesson(self.user, lesson=lesson, now=now, reading=reading)
            reading["lessons"].setdefault(
                lesson_id, {"opened": now, "completed": None, "credited": 0}
            )
        return reading

    def answer(
        self,
        course: Course,
        *,
        lesson: dict,
        question: dict,
        choice_id: int,
        now: datetime.datetime,
    ) -> None:
        """Record a try at one of the lesson's check questions (`choice_id` is one of its)."""
        answer_question(
            self.user,
            question=Question(pk=question["id"], course=course, lesson_id=lesson["id"]),
            choice_id=choice_id,
            now=now,
        )

    def complete_lesson(
        self, course: Course, *, lesson: dict, now: datetime.datetime
    ) -> Certificate | None:
        """Mark the lesson read or raise LessonNotDone; the certificate if this completed
        the course."""
        return complete_lesson(self.user, lesson=Lesson.objects.get(pk=lesson["id"]), now=now)

    def after_last_lesson(self, course: Course) -> str:
        """Where the reader goes once they have read the course's last lesson."""
        if course.completion_rule == CompletionRule.FINAL_TEST:
            return reverse("learning:final_test", args=[course.slug])
        return course.get_absolute_url()


class VisitorReading:
    """Someone reading without an account: their session, through learning.session. Nothing
    they do earns a certificate until they sign up."""

    menu = "visitor"

    def __init__(self, request: HttpRequest):
        self.request = request
        self.session = request.session

    def may_read(self, course: Course) -> bool:
        return open_to_visitors(course)

    def reading(self, course: Course) -> dict:
        return session.course_reading(self.session, course_id=course.pk)

    def certificate(self, course: Course) -> Certificate | None:
        return None

    def open_lesson(self, course: Course, lesson_id: int, *, now: datetime.datetime) -> dict:
        lesson = lesson_content(course, lesson_id)
        session.open_lesson(self.session, course_id=course.pk, lesson=lesson, now=now)
        return self.reading(course)

    def answer(
        self,
        course: Course,
        *,
        lesson: dict,
        question: dict,
        choice_id: int,
        now: datetime.datetime,
    ) -> None:
        session.answer(
            self.session,
            course_id=course.pk,
            lesson=lesson,
            question=question,
            choice_id=choice_id,
            tries_allowed=course.check_tries,
            now=now,
        )

    def complete_lesson(
        self, course: Course, *, lesson: dict, now: datetime.datetime
    ) -> Certificate | None:
        session.complete_lesson(
            self.session,
            course_id=course.pk,
            lesson=lesson,
            tries_allowed=course.check_tries,
            now=now,
        )
        return None

    def after_last_lesson(self, course: Course) -> str:
        # A visitor's reading earns nothing (no final test, no certificate) until they sign up.
        messages.info(
            self.request,
            _("Bạn đã đọc hết các bài. Hãy đăng ký để lưu kết quả và nhận giấy chứng nhận."),
        )
        return course.get_absolute_url()


def reader_for(request: HttpRequest) -> LearnerReading | VisitorReading:
    """The reading of whoever sent `request`: the learner's if logged in, else the visitor's."""
    if request.user.is_authenticated:
        return LearnerReading(request)
    return VisitorReading(request)
