from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import ParticipantKind
from learning.models import Booth, Campaign, Certificate, CheckIn, Enrollment, Event, ShortLink
from learning.services.campaigns import assign_campaign


class CampaignForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Đối tượng"),
        choices=ParticipantKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Để trống: mọi đối tượng."),
    )

    class Meta:
        model = Campaign
        fields = [
            "title",
            "courses",
            "kinds",
            "communes",
            "organizations",
            "added",
            "excluded",
            "opens_on",
            "deadline",
        ]

    def clean(self):
        cleaned = super().clean()
        opens, deadline = cleaned.get("opens_on"), cleaned.get("deadline")
        if opens and deadline and deadline < opens:
            self.add_error("deadline", _("Hạn hoàn thành phải sau ngày bắt đầu."))
        return cleaned


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    list_display = ["title", "opens_on", "deadline", "assigned"]
    filter_horizontal = ["courses", "communes", "organizations"]
    autocomplete_fields = ["added", "excluded"]

    @admin.display(description=gettext_lazy("Số người được giao"))
    def assigned(self, obj):
        return obj.assignments.count()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        added = assign_campaign(form.instance, now=timezone.now())
        messages.info(request, _("Đã giao thêm cho %(n)s người.") % {"n": added})


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "full_name", "course_title", "issued_at", "revoked_at", "review"]
    list_filter = ["course", "review"]
    search_fields = ["code", "full_name"]
    readonly_fields = [
        "user",
        "course",
        "code",
        "full_name",
        "course_title",
        "issued_at",
        "seconds_taken",
        "review",  # decided on the coordinators' review page, which logs and counts it
        "held_for",
    ]
    actions = ["revoke"]

    @admin.action(description=gettext_lazy("Thu hồi các giấy chứng nhận đã chọn"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, _("Đã thu hồi %(n)s giấy chứng nhận.") % {"n": count})


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "enrolled_at", "completed_at"]
    list_filter = ["course"]
    raw_id_fields = ["user"]
    readonly_fields = ["reading_lesson", "reading_since"]  # kept by learning.services only


class BoothInline(admin.TabularInline):
    model = Booth
    extra = 0
    autocomplete_fields = ["course"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "commune", "is_published"]
    list_filter = ["is_published", "date"]
    search_fields = ["title", "commune__name"]
    autocomplete_fields = ["commune"]
    inlines = [BoothInline]


@admin.register(ShortLink)
class ShortLinkAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "target", "scans"]
    search_fields = ["code", "label", "target"]
    readonly_fields = ["code", "scans"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "booth", "at", "recorded_by"]
    list_filter = ["event"]
    list_select_related = ["user", "event", "booth", "recorded_by"]
    raw_id_fields = ["user", "recorded_by"]
