from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.text import fold


class Topic(models.Model):
    name = models.CharField(_("chủ đề"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("chủ đề")
        verbose_name_plural = _("chủ đề")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Difficulty(models.IntegerChoices):
    EASY = 1, _("Dễ")
    MEDIUM = 2, _("Trung bình")
    HARD = 3, _("Khó")


class QuestionQuerySet(models.QuerySet):
    def search(self, text: str) -> "QuestionQuerySet":
        key = fold(text)
        return self.filter(search_text__contains=key) if key else self


class Question(models.Model):
    """A contest question: one correct choice, or several ("1–4 correct")."""

    text = models.TextField(_("câu hỏi"))
    multiple = models.BooleanField(_("nhiều đáp án đúng"), default=False)
    difficulty = models.PositiveSmallIntegerField(
        _("độ khó"), choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="questions")
    explanation = models.TextField(_("giải thích"), blank=True)
    image = models.ImageField(_("ảnh"), upload_to="quiz/", blank=True)
    image_alt = models.CharField(_("mô tả ảnh"), max_length=200, blank=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("câu hỏi thi")
        verbose_name_plural = _("ngân hàng câu hỏi")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs):
        self.search_text = fold(self.text)
        super().save(*args, **kwargs)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("phương án"), max_length=500)
    is_correct = models.BooleanField(_("đúng"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("phương án")
        verbose_name_plural = _("phương án")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


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


DEFAULT_RANKING = ["score", "prediction", "duration", "submitted"]


def default_prizes() -> list:
    """DESIGN.md's convention: 1 first, 2 second, 3 third and 10 consolation prizes."""
    return [["Giải Nhất", 1], ["Giải Nhì", 2], ["Giải Ba", 3], ["Giải Khuyến khích", 10]]


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

    def clean(self):
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("Giờ đóng phải sau giờ mở.")
        ranking = self.ranking or []
        if (
            not isinstance(ranking, list)
            or not set(ranking) <= set(DEFAULT_RANKING)
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


class Review(models.TextChoices):
    """Where a held attempt stands; an attempt never held has none and counts at once."""

    HELD = "held", _("Đang xét duyệt")
    APPROVED = "approved", _("Đã duyệt")
    DISQUALIFIED = "disqualified", _("Bị loại")


FAST_MS_PER_QUESTION = 3000  # faster than this per question, with ≥ 80 % right: suspicious


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

    def final_order(self) -> "StandingQuerySet":
        return self.order_by("rank", "pk")


class Standing(models.Model):
    """A participant's counting attempt in a round: what the leaderboards read.

    submit_attempt keeps it (the best score, then the earliest); closing the round rebuilds
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


# --- Live games (the festival and conference format) ----------------------------------------


class Phase(models.TextChoices):
    LOBBY = "lobby", _("Phòng chờ")
    QUESTION = "question", _("Đang hỏi")
    LOCKED = "locked", _("Hết giờ")
    REVEAL = "reveal", _("Đáp án")
    LEADERBOARD = "leaderboard", _("Bảng xếp hạng")
    FINISHED = "finished", _("Kết thúc")


class Scoring(models.TextChoices):
    SPEED = "speed", _("Theo tốc độ: 1.000 điểm nếu trả lời ngay, giảm dần còn 500 khi hết giờ")
    FLAT = "flat", _("Như nhau: 1.000 điểm mỗi câu đúng")


class Game(models.Model):
    """A live quiz run by a host on a big screen; players answer on their phones.

    The state (phase, current question, its deadline) lives here, so a restarted server
    process picks the game up where it was."""

    title = models.CharField(_("tên trò chơi"), max_length=200)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hosted_games"
    )
    pin = models.CharField(_("mã PIN"), max_length=6, db_index=True)
    seconds_per_question = models.PositiveSmallIntegerField(_("số giây mỗi câu"), default=20)
    scoring = models.CharField(
        _("cách tính điểm"), max_length=10, choices=Scoring.choices, default=Scoring.SPEED
    )
    streak_bonus = models.BooleanField(_("thưởng chuỗi trả lời đúng"), default=False)
    guests_allowed = models.BooleanField(
        _("cho khách không cần tài khoản"),
        default=True,
        help_text=_("Khách chọn biệt danh và xã, phường."),
    )
    late_join = models.BooleanField(_("cho vào muộn khi đã bắt đầu"), default=True)
    leaderboard_each_question = models.BooleanField(
        _("hiện bảng xếp hạng sau mỗi câu"), default=True
    )
    lobby_locked = models.BooleanField(_("khoá phòng chờ"), default=False)
    round = models.ForeignKey(
        Round,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="games",
        verbose_name=_("tính điểm vào vòng thi"),
        help_text=_(
            "Khi trò chơi kết thúc, điểm của người chơi được cộng vào bảng xếp hạng theo xã, "
            "phường và cơ quan của vòng thi này."
        ),
    )
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.LOBBY)
    current = models.PositiveSmallIntegerField(default=0)  # 1-based; 0 before the first
    opened_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)  # the open question's lock
    version = models.PositiveIntegerField(default=0)  # +1 with every broadcast
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("trò chơi trực tiếp")
        verbose_name_plural = _("trò chơi trực tiếp")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.pin})"


class GameQuestion(models.Model):
    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField()
    # The choice ids in the order the whole game shows them (projector and phones agree),
    # drawn when the game is created; empty for games made before choices were shuffled.
    choice_order = models.JSONField(default=list)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["game", "order"], name="gamequestion_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.game_id}#{self.order}"


class Player(models.Model):
    """Someone playing a game: an account, or a guest with a nickname and a commune."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="players")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    nickname = models.CharField(_("biệt danh"), max_length=24)
    commune = models.ForeignKey(
        "accounts.Commune", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    joined_at = models.DateTimeField()
    removed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["game", "user"],
                condition=models.Q(user__isnull=False),
                name="player_once_per_game",
            )
        ]

    def __str__(self) -> str:
        return self.nickname


class GameAnswer(models.Model):
    """One player's answer to one question: stored once, scored on arrival with the
    server's receive time."""

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="answers")
    game_question = models.ForeignKey(
        GameQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    chosen = models.JSONField(default=list)
    received_at = models.DateTimeField()
    elapsed_ms = models.PositiveIntegerField()
    correct = models.BooleanField()
    points = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["player", "game_question"], name="gameanswer_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.player_id}: {self.game_question_id}"
