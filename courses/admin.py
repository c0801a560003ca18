from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.exports import XLSX_CONTENT_TYPE
from courses.course_file import CourseFileError
from courses.exports import course_workbook
from courses.forms import CourseImportForm
from courses.models import Choice, Course, Lesson, Module, Question
from courses.services import import_course


def _preview(obj) -> str:
    if not obj.pk:
        return "—"
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), _("Xem trước")
    )


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ["order", "title", "lessons_link"]
    readonly_fields = ["lessons_link"]
    ordering = ["order", "id"]

    @admin.display(description=gettext_lazy("Bài học"))
    def lessons_link(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("admin:courses_module_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Sửa các bài của chương"))


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "audience",
        "is_published",
        "opens_on",
        "closes_on",
        "order",
        "preview",
    ]
    list_filter = ["audience", "is_published"]
    list_editable = ["is_published", "order"]
    search_fields = ["title", "search_title"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ModuleInline]
    change_list_template = "admin/courses/course/change_list.html"

    preview = admin.display(description=gettext_lazy("Xem trước"))(staticmethod(_preview))

    def get_urls(self):
        return [
            path(
                "nhap/",
                self.admin_site.admin_view(self.import_view),
                name="courses_course_import",
            ),
            path(
                "<int:pk>/xlsx/",
                self.admin_site.admin_view(self.export_view),
                name="courses_course_export",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:courses_course_changelist")
        form = CourseImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                course = import_course(data=form.course_data, publish=form.cleaned_data["publish"])
            except CourseFileError as error:
                form.add_error("file", str(error))
            else:
                messages.success(
                    request,
                    _("Đã nhập khoá học “%(title)s”: %(m)s chương, %(n)s bài.")
                    % {
                        "title": course.title,
                        "m": course.modules.count(),
                        "n": course.lessons.count(),
                    },
                )
                return redirect("admin:courses_course_change", course.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Nhập khoá học từ tệp"),
            "form": form,
        }
        return TemplateResponse(request, "admin/courses/course/import.html", context)

    def export_view(self, request, pk: int):
        course = self.get_object(request, str(pk))
        if course is None or not self.has_view_permission(request, course):
            return redirect("admin:courses_course_changelist")
        response = HttpResponse(course_workbook(course), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{course.slug}.xlsx"'
        return response


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0
    fields = ["order", "title", "estimated_minutes", "min_read_seconds", "body"]
    ordering = ["order", "id"]
    show_change_link = True


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "order"]
    list_filter = ["course"]
    inlines = [LessonInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    min_num = 2
    max_num = 6
    ordering = ["order", "id"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["order", "text", "explanation", "edit_choices"]
    readonly_fields = ["edit_choices"]
    ordering = ["order", "id"]

    @admin.display(description=gettext_lazy("Phương án"))
    def edit_choices(self, obj):
        if not obj.pk:
            return _("Lưu bài trước, rồi sửa phương án.")
        url = reverse("admin:courses_question_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Sửa phương án trả lời"))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["text"].widget.attrs["rows"] = 2
        return formset


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "module", "course", "order", "min_read_seconds", "preview"]
    list_filter = ["course"]
    search_fields = ["title", "search_title"]
    fields = [
        "module",
        "order",
        "title",
        "body",
        ("image", "image_alt"),
        ("video_url", "video_file"),
        "attachment",
        ("estimated_minutes", "min_read_seconds"),
        "preview",
    ]
    readonly_fields = ["preview"]
    inlines = [QuestionInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    preview = admin.display(description=gettext_lazy("Xem trước"))(staticmethod(_preview))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("module", "course")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "lesson", "course", "choice_count"]
    list_filter = ["course"]
    inlines = [ChoiceInline]
    fields = ["course", "lesson", "order", "text", "explanation"]

    @admin.display(description=gettext_lazy("Số phương án"))
    def choice_count(self, obj):
        return obj.choice_count

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(choice_count=Count("choices"))
