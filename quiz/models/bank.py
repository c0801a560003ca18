"""The question bank: topics, questions and their choices."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
