"""Attempts at a round: the drawn questions, the server's clock, the answers, and the
standing each participant's counting attempt gives."""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from quiz.models.bank import Question
from quiz.models.contest import Round
from quiz.ranking import Entry

if TYPE_CHECKING:
    from quiz.models.reviews import AttemptReview


class Review(models.TextChoices):
    """Where a held attempt stands; an attempt never held has none and counts at once."""

    HELD = "held", _("Đang xét duyệt")
    APPROVED = "approved", _("Đã duyệt")
    DISQUALIFIED = "disqualified", _("Bị loại")


FAST_MS_PER_QUESTION = 3000  # faster than this per question, with ≥ 80 % right: suspicious
GRACE = datetime.timedelta(seconds=5)  # network delay after the countdown reaches zero


class AttemptQuerySet(models.QuerySet):
    def counted(self) -> "AttemptQuerySet":
        """Submitted attempts that may rank: never held, or approved by an organiser."""
        return self.filter(submitted_at__isnull=False, review__in=["", Review.APPROVED])

    def suspicious(self) -> "AttemptQuerySet":
        """Submitted attempts with at least 80 % right in under 3 seconds a question (a
        perfect 20 in under a minute): worth the organiser's look, not an automatic ban."""
        return self.filter(
            GreaterThanOrEqual(F("score") * 5, F("total") * 4),
            submitted_at__isnull=False,
            duration_ms__lt=F("total") * FAST_MS_PER_QUESTION,
        )

    def entries(self) -> list[Entry]:
        """The attempts as ranking entries (quiz/ranking.py), in this queryset's order: plain
        rows, no model instances (closing a round reads 100,000, bench/contest.py)."""
        fields = ("user_id", "pk", "score", "prediction", "duration_ms", "submitted_at", "total")
        return [Entry(*row) for row in self.values_list(*fields)]  # Entry's field order


class Attempt(models.Model):
    """One try at a round: the drawn questions, the server's clock, the answers."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    prediction = models.PositiveIntegerField(null=True, blank=True)
    # Held attempts stay off the leaderboards until an organiser approves them.
    review = models.CharField(
        _("xét duyệt"), max_length=12, choices=Review.choices, blank=True, default=""
    )
    held_for = models.JSONField(default=list, blank=True)  # the patterns that held it
    floor_ms = models.PositiveIntegerField(null=True, blank=True)  # the floor when submitted
    limit_hit = models.BooleanField(default=False)  # saved answers past the per-minute limit

    objects = AttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt thi")
        verbose_name_plural = _("lượt thi")
        constraints = [
            models.UniqueConstraint(fields=["round", "user", "number"], name="attempt_unique")
        ]
        indexes = [
            models.Index(fields=["round", "user"]),
            models.Index(
                fields=["round", "review", "submitted_at"],
                condition=~models.Q(review=""),
                name="attempt_reviewed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.user_id}#{self.number}"

    @property
    def cutoff(self) -> datetime.datetime:
        """The last moment an answer is saved or a submission's time counts: the deadline,
        and a grace for the network after the countdown reaches zero."""
        return self.deadline + GRACE

    def is_expired(self, *, now: datetime.datetime) -> bool:
        """Past the cutoff: no answer is saved any more, and an attempt left open is
        submitted with what was saved."""
        return now > self.cutoff

    @property
    def decision(self) -> "AttemptReview | None":
        """The organiser's latest decision on this attempt, if it was held."""
        return self.reviews.order_by("-at", "-pk").first() if self.review else None

    @staticmethod
    def suspicion(*, score: int, total: int, duration_ms: int) -> str:
        """Why an attempt of `suspicious()` is listed, for the organiser."""
        return _("%(s)s/%(t)s câu đúng trong %(sec)s giây (dưới %(limit)s giây một câu)") % {
            "s": score,
            "t": total,
            "sec": round(duration_ms / 1000),
            "limit": FAST_MS_PER_QUESTION // 1000,
        }


class AttemptQuestion(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="drawn")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField()
    chosen = models.JSONField(default=list)  # choice ids, saved on every tap
    answered_at = models.DateTimeField(null=True, blank=True)
    # The choice ids in the order this attempt shows them, drawn when the attempt starts
    # (a reload shows the same order); empty for attempts made before choices were shuffled.
    choice_order = models.JSONField(default=list)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="drawn_once")]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.question_id}"


class StandingQuerySet(models.QuerySet):
    def live_order(self) -> "StandingQuerySet":
        """While the round is open: score, then duration, then submission time (the
        prediction's true value is not known yet)."""
        return self.order_by("-score", "duration_ms", "submitted_at", "pk")

    def ahead_at_same_score(self, standing: "Standing") -> "StandingQuerySet":
        """The standings at `standing`'s score that live_order puts before it; equal
        duration and submission time share the place."""
        return self.filter(score=standing.score).filter(
            Q(duration_ms__lt=standing.duration_ms)
            | Q(duration_ms=standing.duration_ms, submitted_at__lt=standing.submitted_at)
        )

    def final_order(self) -> "StandingQuerySet":
        return self.order_by("rank", "pk")


class Standing(models.Model):
    """A participant's counting attempt in a round: what the leaderboards read.

    submit_attempt keeps it (ranking.counting_attempts' rule); closing the round rebuilds
    it from the attempts with the rank after every tie-breaker, and the prize. The commune
    and organization are the participant's at submission time.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="standings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey(
        "accounts.Commune", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField()
    submitted_at = models.DateTimeField()
    prediction = models.PositiveIntegerField(null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    prize = models.CharField(max_length=100, blank=True)

    objects = StandingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="standing_unique"),
        ]
        indexes = [
            models.Index(
                "round",
                models.F("score").desc(),
                "duration_ms",
                "submitted_at",
                name="standing_live",
            ),
            models.Index(fields=["round", "rank"], name="standing_final"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.user_id}: {self.score}"
