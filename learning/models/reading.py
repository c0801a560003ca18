"""What a learner does in a course: their enrolment (with the lesson they read now), each
lesson's opening and credited reading time, their check answers and final-test tries."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models import Choice, Course, Lesson, Question

# One stretch of reading between two actions credits its lesson at most this many times
# the lesson's minimum: a tab left open overnight is not a night of reading, yet a slow
# reader always gets their minimum from one stretch (so "read N more seconds" stays true).
READ_CAP_FACTOR = 3


def reading_cap(min_read_seconds: int) -> int:
    """The most one stretch of reading credits to a lesson with this minimum."""
    return READ_CAP_FACTOR * min_read_seconds


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    enrolled_at = models.DateTimeField(_("ghi danh lúc"))
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    # What the learner is reading now: the lesson of their last action in the course and
    # when it was. The time until their next action is credited to that lesson, once,
    # whatever tabs are open (learning.services.reading.credit_reading).
    reading_lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reading_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ghi danh")
        verbose_name_plural = _("ghi danh")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="enrollment_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.course}"


class LessonProgress(models.Model):
    """When a learner first opened a lesson, the reading time credited to it, and when the
    server accepted it as read (credited time at least the lesson's minimum)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    credited_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lessonprogress_unique")
        ]
        indexes = [models.Index(fields=["user", "course"])]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.lesson_id}"


class Answer(models.Model):
    """A learner's latest answer to a check question and how many tries it took. A right
    answer, or the course's last try, settles the question: nothing replaces it then."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="+")
    is_correct = models.BooleanField()
    answered_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="answer_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.question_id}: {self.choice_id}"

    def settled(self, tries_allowed: int) -> bool:
        """Right, or out of tries: the question is done and its answer shown."""
        return self.is_correct or self.tries >= tries_allowed


class FinalTestTryQuerySet(models.QuerySet):
    def open(self) -> "FinalTestTryQuerySet":
        """Tries started and not submitted (at most one per learner and course)."""
        return self.filter(submitted_at__isnull=True)

    def started_after(self, moment: datetime.datetime) -> "FinalTestTryQuerySet":
        """Tries started after `moment`, oldest first."""
        return self.filter(started_at__gt=moment).order_by("started_at")


class FinalTestTry(models.Model):
    """One try at a course's final test: the questions drawn for it with their choices in
    the order shown, and, once submitted, the answers and the score against that draw."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="final_test_tries"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(_("bắt đầu lúc"))
    # [[question id, [choice id, …]], …] in the order shown.
    questions = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)  # {"question id": choice id}
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    correct = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField(default=0)
    passed = models.BooleanField(default=False)

    objects = FinalTestTryQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt làm bài kiểm tra cuối")
        verbose_name_plural = _("lượt làm bài kiểm tra cuối")
        constraints = [
            # Two tabs starting at once get the same try, not two.
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=models.Q(submitted_at__isnull=True),
                name="finaltesttry_one_open",
            )
        ]
        indexes = [models.Index(fields=["user", "course", "started_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.course_id} @ {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        return round(100 * (self.correct or 0) / self.total) if self.total else 0
