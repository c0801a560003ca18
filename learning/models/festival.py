"""The learning festival: a commune's event, its booths, printed short links, check-ins."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Commune
from courses.models import Course


class Event(models.Model):
    """A commune's learning festival ("Ngày hội Bình dân học vụ số") with its booths."""

    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã, phường")
    )
    title = models.CharField(_("tên ngày hội"), max_length=200)
    date = models.DateField(_("ngày"))
    venue = models.CharField(_("địa điểm"), max_length=200)
    organiser = models.CharField(_("đơn vị tổ chức"), max_length=200, blank=True)
    description = models.TextField(_("giới thiệu"), blank=True)
    is_published = models.BooleanField(_("hiện công khai"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ngày hội")
        verbose_name_plural = _("ngày hội")
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("learning:event", args=[self.pk])


class Booth(models.Model):
    """A booth or session of a festival: a topic, optionally a course to start there."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="booths")
    title = models.CharField(_("gian, chủ đề"), max_length=200)
    course = models.ForeignKey(
        Course,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("khoá học đi kèm"),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("gian hướng dẫn")
        verbose_name_plural = _("gian hướng dẫn")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class ShortLink(models.Model):
    """A short code printed as a QR (/q/AB12C): low-density, scannable at arm's length,
    readable under the code. It resolves to a path on this site and counts its scans."""

    code = models.CharField(max_length=12, unique=True)
    target = models.CharField(_("đích"), max_length=300)
    label = models.CharField(_("nhãn"), max_length=200)
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="links"
    )
    scans = models.PositiveIntegerField(_("lượt quét"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mã QR rút gọn")
        verbose_name_plural = _("mã QR rút gọn")
        constraints = [models.UniqueConstraint(fields=["target"], name="shortlink_one_per_target")]

    def __str__(self) -> str:
        return f"{self.code} → {self.target}"


class CheckIn(models.Model):
    """A person's attendance at a festival (and a booth, when known); recorded once."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkins")
    booth = models.ForeignKey(
        Booth, on_delete=models.CASCADE, null=True, blank=True, related_name="checkins"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    at = models.DateTimeField(_("lúc"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=models.Q(booth__isnull=True),
                name="checkin_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["booth", "user"],
                condition=models.Q(booth__isnull=False),
                name="checkin_once_per_booth",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.booth or self.event}"
