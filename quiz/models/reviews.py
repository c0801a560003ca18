"""The organisers' decisions on held attempts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from quiz.models.attempts import Attempt, Review


class AttemptReview(models.Model):
    """An organiser's decision on a held attempt, kept with who made it, when and why."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(
        _("quyết định"),
        max_length=12,
        choices=[
            (Review.APPROVED, _("Duyệt")),
            (Review.DISQUALIFIED, pgettext_lazy("contest decision", "Loại")),
        ],
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
        verbose_name = _("quyết định xét duyệt")
        verbose_name_plural = _("quyết định xét duyệt")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.decision}"
