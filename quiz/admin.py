from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.exports import XLSX_CONTENT_TYPE
from common.spreadsheets import SpreadsheetError
from quiz import leaderboard
from quiz.bank import (
    BANK_INLINE_ROWS,
    MAX_BANK_ROWS,
    MAX_SHOWN_PROBLEMS,
    bank_warnings,
    bank_xlsx,
    check_bank,
)
from quiz.models import Attempt, Choice, Contest, Question, Review, Round, Topic
from quiz.services.attempts import AttemptRefused
from quiz.services.bank import import_bank, start_bank_import
from quiz.services.results import close_round, publish_results


class BankUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel ngân hàng câu hỏi (.xlsx)"),
        help_text=gettext_lazy(
            "Tối đa 5 MB và 5.000 câu hỏi. Tệp có dòng lỗi bị từ chối toàn bộ; "
            "mọi lỗi được liệt kê."
        ),
    )


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    min_num = 2
    max_num = 6


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "difficulty", "multiple"]
    list_filter = ["difficulty", "multiple", "topics"]
    search_fields = ["search_text"]
    filter_horizontal = ["topics"]
    inlines = [ChoiceInline]
    change_list_template = "admin/quiz/question/change_list.html"

    def get_urls(self):
        return [
            path(
                "nhap/", self.admin_site.admin_view(self.import_view), name="quiz_question_import"
            ),
            path(
                "xuat/", self.admin_site.admin_view(self.export_view), name="quiz_question_export"
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:quiz_question_changelist")
        form = BankUploadForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                checked = check_bank(upload)
            except SpreadsheetError as error:
                form.add_error("file", str(error))
            else:
                problems = checked.problems
                if not problems:
                    existing = Question.objects.values_list("text", flat=True).iterator()
                    for warning in bank_warnings(checked.rows, existing=existing):
                        messages.warning(request, warning)
                if not problems and len(checked.rows) > BANK_INLINE_ROWS:
                    upload.seek(0)
                    job = start_bank_import(
                        user=request.user, content=upload.read(), questions=len(checked.rows)
                    )
                    return redirect("accounts:job", pk=job.pk)
                if not problems:
                    count = import_bank(checked.rows)
                    messages.success(request, _("Đã thêm %(n)s câu hỏi.") % {"n": count})
                    return redirect("admin:quiz_question_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Nhập ngân hàng câu hỏi từ Excel"),
            "form": form,
            "problems": problems[:MAX_SHOWN_PROBLEMS],
            "problem_count": len(problems),
            "more_problems": max(0, len(problems) - MAX_SHOWN_PROBLEMS),
            "max_rows": MAX_BANK_ROWS,
            "inline_rows": BANK_INLINE_ROWS,
        }
        return TemplateResponse(request, "admin/quiz/question/import.html", context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            return redirect("admin:index")
        questions = Question.objects.prefetch_related("choices", "topics")
        response = HttpResponse(bank_xlsx(questions), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="ngan-hang-cau-hoi.xlsx"'
        return response


class RoundInline(admin.StackedInline):
    model = Round
    extra = 0
    filter_horizontal = ["topics"]
    fields = [
        ("number", "opens_at", "closes_at"),
        ("questions_per_attempt", "time_limit_minutes", "attempts_allowed"),
        ("stratified", "prediction"),
        "min_seconds",
        "topics",
        ("prizes", "unit_prizes"),
        "ranking",
    ]


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["communes", "organizations"]
    autocomplete_fields = ["excluded"]
    inlines = [RoundInline]


UNRATED_SHOWN = 20  # unit names in the organiser's warning; the headcounts page lists all


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    """Rounds are edited inside their contest; here the organiser ranks, publishes and
    downloads results."""

    list_display = ["__str__", "opens_at", "closes_at", "ranked_at", "published_at", "links"]
    list_filter = ["contest"]
    filter_horizontal = ["topics"]
    readonly_fields = ["prediction_actual", "ranked_at", "published_at"]
    actions = ["rank", "publish"]

    @admin.display(description=gettext_lazy("Xem"))
    def links(self, round_: Round) -> str:
        slug, n = round_.contest.slug, round_.number
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("quiz:leaderboard", args=[slug, n]),
            _("Bảng xếp hạng"),
            reverse("quiz:export", args=[slug, n]),
            _("Excel"),
            reverse("quiz:review_queue", args=[slug, n]),
            _("Xét duyệt"),
        )

    @admin.action(description=gettext_lazy("Chốt xếp hạng và trao giải (vòng đã đóng)"))
    def rank(self, request, queryset):
        for round_ in queryset.select_related("contest"):
            try:
                ranked = close_round(round_, now=timezone.now())
            except AttemptRefused as refusal:
                self.message_user(request, f"{round_}: {refusal}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(r)s: đã xếp hạng %(n)s người; đáp án câu dự đoán là %(v)s.")
                    % {"r": round_, "n": len(ranked), "v": round_.prediction_actual},
                )
                held = round_.attempts.filter(review=Review.HELD).count()
                if held:
                    self.message_user(
                        request,
                        _(
                            "%(r)s: %(n)s lượt thi chờ xét duyệt chưa được tính; duyệt xong "
                            "thì chốt xếp hạng lại."
                        )
                        % {"r": round_, "n": held},
                        messages.WARNING,
                    )
                self.warn_unrated(request, round_)

    @admin.action(description=gettext_lazy("Công bố kết quả lên trang công khai"))
    def publish(self, request, queryset):
        for round_ in queryset.select_related("contest"):
            try:
                publish_results(round_, now=timezone.now())
            except AttemptRefused as refusal:
                self.message_user(request, f"{round_}: {refusal}", messages.ERROR)
            else:
                self.message_user(request, _("%(r)s: đã công bố kết quả.") % {"r": round_})
                published = {
                    unit: round_.results[f"unrated_{unit}s"] for unit in ("commune", "organization")
                }
                if self.warn_unrated(request, round_, published):
                    self.message_user(
                        request,
                        _(
                            "%(r)s: kết quả công bố được giữ nguyên như lúc này; nhập số dự "
                            "kiến xong, hãy công bố lại để xét lại giải tập thể theo tỉ lệ."
                        )
                        % {"r": round_},
                        messages.WARNING,
                    )

    def warn_unrated(self, request, round_: Round, lacking: dict | None = None) -> bool:
        """Rate-based collective prizes go only to units with an expected headcount: name
        the units with participants but none (`lacking`, else the current ones), while the
        Department can still set theirs (published results keep the numbers they had: it
        then publishes again). Whether any was named."""
        if not round_.unit_prizes:
            return False
        lacking = lacking or leaderboard.without_expected(round_)
        for names, message in (
            (
                lacking["commune"],
                _(
                    "%(r)s: %(n)s xã, phường có người dự thi nhưng chưa có số người trưởng "
                    "thành dự kiến nên không được xét giải tập thể theo tỉ lệ: %(names)s."
                ),
            ),
            (
                lacking["organization"],
                _(
                    "%(r)s: %(n)s cơ quan, đơn vị có người dự thi nhưng chưa có số cán bộ, "
                    "nhân viên dự kiến nên không được xét giải tập thể theo tỉ lệ: %(names)s."
                ),
            ),
        ):
            if names:
                shown = ", ".join(names[:UNRATED_SHOWN]) + (
                    "…" if len(names) > UNRATED_SHOWN else ""
                )
                self.message_user(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>',
                        message % {"r": round_, "n": len(names), "names": shown},
                        reverse("accounts:headcounts"),
                        _("Nhập số dự kiến"),
                    ),
                    messages.WARNING,
                )
        return any(lacking.values())


class SuspiciousFilter(admin.SimpleListFilter):
    title = gettext_lazy("nghi vấn")
    parameter_name = "nghi-van"

    def lookups(self, request, model_admin):
        return [("1", _("Trả lời nhanh bất thường"))]

    def queryset(self, request, queryset):
        return queryset.suspicious() if self.value() == "1" else queryset


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    """The organiser's log of attempts, read-only, with the suspicious ones one click away."""

    list_display = [
        "user", "round", "number", "score", "total", "seconds", "submitted_at", "review",
    ]  # fmt: skip
    list_filter = [SuspiciousFilter, "review", "round"]
    search_fields = ["user__phone", "user__search_name"]
    list_select_related = ["user", "round__contest"]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("giây"), ordering="duration_ms")
    def seconds(self, attempt: Attempt):
        return None if attempt.duration_ms is None else attempt.duration_ms // 1000

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
