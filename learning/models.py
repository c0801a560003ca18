import secrets

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from courses.models import Choice, Course, Lesson, Question

# Crockford-style alphabet: no 0/O, 1/I/L, so a code read aloud or typed from paper works.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_certificate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    enrolled_at = models.DateTimeField(_("ghi danh lúc"))
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("ghi danh")
        verbose_name_plural = _("ghi danh")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="enrollment_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.course}"


class LessonProgress(models.Model):
    """When a learner first opened a lesson and when the server accepted it as read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lessonprogress_unique")
        ]
        indexes = [models.Index(fields=["user", "course"])]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.lesson_id}"


class Answer(models.Model):
    """A learner's latest answer to a check question (every tap replaces it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="+")
    is_correct = models.BooleanField()
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="answer_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.question_id}: {self.choice_id}"


class CertificateQuerySet(models.QuerySet):
    def with_min_seconds(self) -> "CertificateQuerySet":
        """Annotate `min_seconds` (the course's total minimum reading time) and `too_fast`.

        Each lesson's minimum holds on its own, but lessons opened side by side in many
        tabs are read "at once": a course finished in less than the sum of its minimums
        is flagged for a coordinator to look at.
        """
        total = (
            Lesson.objects.filter(course=OuterRef("course"))
            .order_by()
            .values("course")
            .annotate(total=Sum("min_read_seconds"))
            .values("total")
        )
        return self.annotate(
            min_seconds=Coalesce(Subquery(total), 0),
            too_fast=ExpressionWrapper(
                Q(seconds_taken__lt=F("min_seconds")), output_field=models.BooleanField()
            ),
        )


class Certificate(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    code = models.CharField(_("mã xác minh"), max_length=12, unique=True)
    # Copied at issue time: the certificate says what was true that day.
    full_name = models.CharField(_("họ và tên"), max_length=150)
    course_title = models.CharField(_("khoá học"), max_length=200)
    issued_at = models.DateTimeField(_("cấp lúc"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    # Seconds from first opening the course to completing it, for the report's speed flag.
    seconds_taken = models.PositiveIntegerField(default=0)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy chứng nhận")
        verbose_name_plural = _("giấy chứng nhận")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="certificate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.full_name}"

    def get_absolute_url(self) -> str:
        return reverse("learning:certificate", args=[self.code])

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    def get_verify_url(self) -> str:
        return reverse("learning:verify", args=[self.code])
