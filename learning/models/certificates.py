"""Certificates, held ones and the coordinators' decisions on them (issue 14)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from courses.models import Course, Lesson

# Crockford-style alphabet: no 0/O, 1/I/L, so a code read aloud or typed from paper works.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_certificate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


class Review(models.TextChoices):
    """Where a held certificate stands; one never held has none and is issued at once."""

    HELD = "held", _("Đang chờ xét duyệt")
    APPROVED = "approved", _("Đã duyệt")
    REJECTED = "rejected", _("Không được duyệt")


class HoldReason(models.TextChoices):
    """Why a completion was held for a coordinator's review (learning.plausibility)."""

    COURSE_FAST = "course_fast", _("Hoàn thành nhanh hơn tổng thời gian đọc tối thiểu")
    TEST_FAST = "test_fast", _("Nộp bài kiểm tra cuối nhanh hơn thời gian đọc đề")


class CertificateQuerySet(models.QuerySet):
    def counted(self) -> "CertificateQuerySet":
        """Certificates that stand: never held or approved, and not revoked."""
        return self.filter(review__in=["", Review.APPROVED], revoked_at__isnull=True)

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

    def too_fast(self, courses) -> "CertificateQuerySet":
        """Certificates of `courses` flagged `too_fast` by with_min_seconds(), with each
        course's minimum read once rather than summed again for every certificate."""
        minimums = (
            Lesson.objects.filter(course__in=courses)
            .order_by()
            .values("course")
            .annotate(total=Sum("min_read_seconds"))
            .values_list("course", "total")
        )
        condition = Q(pk__in=[])  # a course without lessons has a minimum of 0: never
        for course, total in minimums:
            condition |= Q(course=course, seconds_taken__lt=total)
        return self.filter(condition)


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
    # A completion the hold rule flagged waits for a coordinator (issue 14): until approved
    # it is no certificate for anyone (no page, PDF or verification, no campaign credit).
    review = models.CharField(
        _("xét duyệt"), max_length=10, choices=Review.choices, blank=True, default=""
    )
    held_for = models.CharField(
        _("lý do giữ lại"), max_length=20, choices=HoldReason.choices, blank=True, default=""
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy chứng nhận")
        verbose_name_plural = _("giấy chứng nhận")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="certificate_unique")
        ]
        indexes = [  # the review queue: a few rows among every certificate
            models.Index(fields=["review"], condition=~Q(review=""), name="certificate_reviewed")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.full_name}"

    def get_absolute_url(self) -> str:
        return reverse("learning:certificate", args=[self.code])

    @property
    def is_valid(self) -> bool:
        """Issued (never held, or approved) and not revoked: what verification confirms."""
        return self.revoked_at is None and self.review in ("", Review.APPROVED)

    @property
    def is_pending(self) -> bool:
        return self.review == Review.HELD

    @property
    def is_rejected(self) -> bool:
        return self.review == Review.REJECTED

    def get_verify_url(self) -> str:
        return reverse("learning:verify", args=[self.code])

    @property
    def decision(self) -> "CertificateReview | None":
        """The latest decision on it, if any (its reason is shown to the holder)."""
        return self.reviews.order_by("-at", "-pk").first()


class CertificateReview(models.Model):
    """A coordinator's decision on a held certificate, kept with who made it, when and why."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(
        _("quyết định"),
        max_length=10,
        choices=[(Review.APPROVED, _("Duyệt")), (Review.REJECTED, _("Không duyệt"))],
    )
    reason = models.TextField(_("lý do"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người quyết định"),
    )
    at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("quyết định xét duyệt giấy chứng nhận")
        verbose_name_plural = _("quyết định xét duyệt giấy chứng nhận")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.decision}"
