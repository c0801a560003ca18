"""Contests and their rounds: who may take part, when, and how the round ranks."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from quiz.models.bank import Topic
from quiz.ranking import DEFAULT_ORDER


class Contest(models.Model):
    """An online contest: who may take part, and its rounds."""

    title = models.CharField(_("tên cuộc thi"), max_length=200)
    slug = models.SlugField(_("đường dẫn"), max_length=100, unique=True)
    rules = models.TextField(_("thể lệ"), blank=True)
    kinds = models.JSONField(
        _("đối tượng dự thi"), default=list, blank=True, help_text=_("Để trống: mọi đối tượng.")
    )
    min_age = models.PositiveSmallIntegerField(_("tuổi tối thiểu"), null=True, blank=True)
    communes = models.ManyToManyField(
        "accounts.Commune", blank=True, related_name="+", verbose_name=_("xã, phường")
    )
    organizations = models.ManyToManyField(
        "accounts.Organization", blank=True, related_name="+", verbose_name=_("cơ quan, đơn vị")
    )
    excluded = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("không được dự thi (ban tổ chức, giám khảo)"),
    )
    is_published = models.BooleanField(_("đã công bố"), default=False)

    class Meta:
        verbose_name = _("cuộc thi")
        verbose_name_plural = _("cuộc thi")

    def __str__(self) -> str:
        return self.title


class Prediction(models.TextChoices):
    PARTICIPANTS = "participants", _("Bao nhiêu người tham gia vòng này?")
    PERFECT = "perfect", _("Bao nhiêu người trả lời đúng tất cả các câu?")


def default_prizes() -> list:
    """DESIGN.md's convention: 1 first, 2 second, 3 third and 10 consolation prizes."""
    return [["Giải Nhất", 1], ["Giải Nhì", 2], ["Giải Ba", 3], ["Giải Khuyến khích", 10]]


UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"  # Round.state


class Round(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("vòng số"))
    opens_at = models.DateTimeField(_("mở lúc"))
    closes_at = models.DateTimeField(_("đóng lúc"))
    questions_per_attempt = models.PositiveSmallIntegerField(_("số câu mỗi lượt"), default=20)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="+", verbose_name=_("chỉ lấy câu thuộc chủ đề")
    )
    stratified = models.BooleanField(
        _("chia đều theo độ khó"),
        default=True,
        help_text=_("Lấy câu dễ, trung bình, khó đều nhau."),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(_("thời gian làm bài (phút)"), default=15)
    attempts_allowed = models.PositiveSmallIntegerField(
        _("số lượt được thi"), default=1, help_text=_("0: không giới hạn.")
    )
    prediction = models.CharField(
        _("câu hỏi dự đoán"), max_length=20, choices=Prediction.choices,
        default=Prediction.PARTICIPANTS,
    )  # fmt: skip
    ranking = models.JSONField(_("thứ tự xếp hạng"), default=list, blank=True)
    prediction_actual = models.PositiveIntegerField(null=True, blank=True, editable=False)
    prizes = models.JSONField(
        _("giải cá nhân"),
        default=default_prizes,
        blank=True,
        help_text=_('Danh sách [tên giải, số giải], theo thứ tự, ví dụ [["Giải Nhất", 1]].'),
    )
    unit_prizes = models.PositiveSmallIntegerField(
        _("số giải tập thể mỗi loại"),
        default=3,
        help_text=_("Cho các xã, cơ quan có nhiều người dự thi nhất và tỉ lệ dự thi cao nhất."),
    )
    min_seconds = models.PositiveIntegerField(
        _("thời gian tối thiểu một lượt (giây)"),
        null=True,
        blank=True,
        help_text=_(
            "Lượt thi nộp nhanh hơn bị giữ lại chờ ban tổ chức xét duyệt. Để trống: tính theo "
            "thời gian đọc các câu đã rút; 0: không giữ theo thời gian."
        ),
    )
    ranked_at = models.DateTimeField(_("xếp hạng lúc"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(
        _("công bố kết quả lúc"), null=True, blank=True, editable=False
    )
    # What round_results gave at publishing: the public results page reads this record,
    # so later changes to headcounts, people or units do not rewrite published prizes.
    results = models.JSONField(_("kết quả đã công bố"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("vòng thi")
        verbose_name_plural = _("vòng thi")
        ordering = ["contest", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "number"], name="round_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contest} — vòng {self.number}"

    def state(self, *, now: datetime.datetime) -> str:
        """UPCOMING, OPEN or CLOSED at `now`: a round takes attempts from its opening time up
        to, not including, its closing time."""
        if now < self.opens_at:
            return UPCOMING
        return OPEN if now < self.closes_at else CLOSED

    def shows_answers(self, *, now: datetime.datetime) -> bool:
        """Whether its attempts' correct answers and explanations may be shown: only once the
        round has closed, or one participant's result page would give the next the key."""
        return self.state(now=now) == CLOSED

    def clean(self):
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("Giờ đóng phải sau giờ mở.")
        ranking = self.ranking or []
        if (
            not isinstance(ranking, list)
            or not set(ranking) <= set(DEFAULT_ORDER)
            or len(set(ranking)) != len(ranking)
        ):
            errors["ranking"] = _(
                "Chỉ dùng các khoá score, prediction, duration, submitted, mỗi khoá một lần; "
                "để trống là thứ tự mặc định."
            )
        if self.min_seconds and self.min_seconds >= (self.time_limit_minutes or 0) * 60:
            errors["min_seconds"] = _("Thời gian tối thiểu phải ngắn hơn thời gian làm bài.")
        prizes = self.prizes or []
        if not isinstance(prizes, list) or not all(
            isinstance(p, list)
            and len(p) == 2
            and isinstance(p[0], str)
            and isinstance(p[1], int)
            and p[1] > 0
            for p in prizes
        ):
            errors["prizes"] = _('Mỗi giải là [tên giải, số giải], ví dụ ["Giải Nhất", 1].')
        if errors:
            raise ValidationError(errors)
