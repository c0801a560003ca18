"""Live games (the festival and conference format): a host's screen, players' phones."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quiz.models.bank import Question
from quiz.models.contest import Round


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
