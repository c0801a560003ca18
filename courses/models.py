from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.text import fold
from courses.markdown import render_markdown
from courses.validators import validate_attachment, validate_video_file, validate_web_url


class Audience(models.TextChoices):
    RESIDENTS = "residents", _("Người dân")
    OFFICIALS = "officials", _("Cán bộ, công chức")
    EVERYONE = "everyone", _("Mọi người")


class CompletionRule(models.TextChoices):
    LESSONS = "lessons", _("Đọc đủ mọi bài và trả lời đúng câu hỏi kiểm tra")
    FINAL_TEST = "final_test", _("Đạt bài kiểm tra cuối khoá")


# A check question's tries: the lesson page renders each state once (learning.lesson_page),
# so the count is kept small.
MAX_CHECK_TRIES = 9
MAX_FINAL_TEST_TRIES = 99


class CourseQuerySet(models.QuerySet):
    def published(self) -> "CourseQuerySet":
        """Courses a visitor may open: published, and not before their opening day."""
        today = timezone.localdate()
        return self.filter(is_published=True).filter(
            Q(opens_on__isnull=True) | Q(opens_on__lte=today)
        )

    def search(self, text: str) -> "CourseQuerySet":
        """Courses whose title, or one of whose lessons' titles, contains `text` (accent-blind)."""
        key = fold(text)
        if not key:
            return self
        return self.filter(
            Q(search_title__contains=key) | Q(lessons__search_title__contains=key)
        ).distinct()


class Course(models.Model):
    title = models.CharField(_("tên khoá học"), max_length=200)
    slug = models.SlugField(_("đường dẫn"), max_length=100, unique=True)
    summary = models.TextField(_("giới thiệu ngắn"))
    audience = models.CharField(_("dành cho"), max_length=20, choices=Audience.choices)
    cover = models.ImageField(_("ảnh bìa"), upload_to="courses/covers/", blank=True)
    cover_alt = models.CharField(_("mô tả ảnh bìa"), max_length=200, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(_("thời lượng (phút)"), default=30)
    is_published = models.BooleanField(_("đã xuất bản"), default=False)
    opens_on = models.DateField(_("mở từ ngày"), null=True, blank=True)
    closes_on = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    completion_rule = models.CharField(
        _("điều kiện hoàn thành"),
        max_length=20,
        choices=CompletionRule.choices,
        default=CompletionRule.LESSONS,
    )
    pass_mark = models.PositiveSmallIntegerField(_("điểm đạt bài kiểm tra cuối (%)"), default=80)
    check_tries = models.PositiveSmallIntegerField(
        _("số lần trả lời mỗi câu hỏi kiểm tra"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CHECK_TRIES)],
        help_text=_(
            "Hết số lần này, người học được xem đáp án đúng và lời giải thích; câu hỏi được "
            "tính là đã làm nhưng không đúng."
        ),
    )
    final_test_questions = models.PositiveSmallIntegerField(
        _("số câu của bài kiểm tra cuối"),
        default=0,
        help_text=_(
            "Mỗi lần làm bài rút ngẫu nhiên từng ấy câu từ các câu hỏi kiểm tra cuối khoá. "
            "0: mọi câu."
        ),
    )
    final_test_tries_per_day = models.PositiveSmallIntegerField(
        _("số lần làm bài kiểm tra cuối trong 24 giờ"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_FINAL_TEST_TRIES)],
    )
    search_title = models.CharField(max_length=200, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("khoá học")
        verbose_name_plural = _("khoá học")
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.search_title = fold(self.title)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        """What CourseQuerySet.published() asks, for one course already in hand."""
        return self.is_published and (
            self.opens_on is None or self.opens_on <= timezone.localdate()
        )

    def clean(self):
        if self.cover and not self.cover_alt:
            raise ValidationError({"cover_alt": _("Ảnh bìa cần có mô tả cho người khiếm thị.")})


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("tên chương"), max_length=200)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("chương")
        verbose_name_plural = _("chương")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    # Copied from the module on save: the reader and the progress queries filter by course.
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="lessons", editable=False
    )
    title = models.CharField(_("tên bài"), max_length=200)
    body = models.TextField(_("nội dung (Markdown)"))
    body_html = models.TextField(editable=False)
    image = models.ImageField(_("ảnh minh hoạ"), upload_to="courses/lessons/", blank=True)
    image_alt = models.CharField(_("mô tả ảnh"), max_length=200, blank=True)
    video_url = models.URLField(
        _("video (đường dẫn)"),
        blank=True,
        validators=[validate_web_url],
        help_text=_("Địa chỉ web bắt đầu bằng https:// (ví dụ một video trên YouTube)."),
    )
    video_file = models.FileField(
        _("video (tải lên)"),
        upload_to="courses/videos/",
        blank=True,
        validators=[validate_video_file],
    )
    attachment = models.FileField(
        _("tài liệu đính kèm"),
        upload_to="courses/files/",
        blank=True,
        validators=[validate_attachment],
    )
    estimated_minutes = models.PositiveSmallIntegerField(_("thời lượng (phút)"), default=5)
    min_read_seconds = models.PositiveSmallIntegerField(
        _("thời gian đọc tối thiểu (giây)"), default=60
    )
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    search_title = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        verbose_name = _("bài học")
        verbose_name_plural = _("bài học")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.course_id = self.module.course_id
        self.search_title = fold(self.title)
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def clean(self):
        if self.image and not self.image_alt:
            raise ValidationError({"image_alt": _("Ảnh cần có mô tả cho người khiếm thị.")})


class Question(models.Model):
    """A check question inside a lesson, or (lesson empty) in the course's final test."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="questions"
    )
    text = models.TextField(_("câu hỏi"))
    explanation = models.TextField(_("giải thích"), blank=True)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs):
        if self.lesson_id:
            self.course_id = self.lesson.course_id
        super().save(*args, **kwargs)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("phương án"), max_length=500)
    is_correct = models.BooleanField(_("đúng"), default=False)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("phương án")
        verbose_name_plural = _("phương án")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text
