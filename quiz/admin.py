from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.exports import XLSX_CONTENT_TYPE
from accounts.spreadsheets import SpreadsheetError
from quiz.bank import bank_xlsx, check_bank
from quiz.models import Choice, Contest, Question, Round, Topic
from quiz.services import import_bank


class BankUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel ngân hàng câu hỏi (.xlsx)"),
        help_text=gettext_lazy(
            "Tối đa 5 MB. Tệp có dòng lỗi bị từ chối toàn bộ; mọi lỗi được liệt kê."
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
            try:
                checked = check_bank(form.cleaned_data["file"])
            except SpreadsheetError as error:
                form.add_error("file", str(error))
            else:
                problems = checked.problems
                if not problems:
                    count = import_bank(checked.rows)
                    messages.success(request, _("Đã thêm %(n)s câu hỏi.") % {"n": count})
                    return redirect("admin:quiz_question_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Nhập ngân hàng câu hỏi từ Excel"),
            "form": form,
            "problems": problems,
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
        "topics",
    ]


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["communes", "organizations"]
    autocomplete_fields = ["excluded"]
    inlines = [RoundInline]
