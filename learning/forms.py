"""Forms of the learning app: a festival and its booths; a decision on a held certificate."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import Commune
from courses.models import Course
from learning.models import Booth, Event, Review
from learning.reviews import REASON_MAX

BOOTH_ORDER_MAX = 999  # a festival has a few dozen booths; the column holds 32,767


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ["title", "commune", "date", "venue", "organiser", "description", "is_published"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, communes: set[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the communes whose festivals this person runs (None: every commune).
        queryset = Commune.objects.order_by("name")
        self.fields["commune"].queryset = (
            queryset if communes is None else queryset.filter(pk__in=communes)
        )
        if communes and len(communes) == 1 and not self.instance.pk:
            self.fields["commune"].initial = next(iter(communes))


class BoothForm(forms.ModelForm):
    class Meta:
        model = Booth
        fields = ["title", "course", "order"]
        labels = {"title": _("Gian, chủ đề (ví dụ: Cài đặt VNeID)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].max_value = BOOTH_ORDER_MAX
        self.fields["order"].validators.append(MaxValueValidator(BOOTH_ORDER_MAX))
        self.fields["order"].widget.attrs["max"] = BOOTH_ORDER_MAX
        self.fields["course"].queryset = Course.objects.filter(is_published=True)


class CertificateReviewForm(forms.Form):
    """A coordinator's decision on a held certificate: the reason is required, and not
    approving asks for a ticked confirmation (no script needed for the "are you sure")."""

    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[
            (Review.APPROVED, _("Duyệt: cấp giấy chứng nhận, tính là đã hoàn thành")),
            (Review.REJECTED, _("Không duyệt: người học phải hoàn thành lại khoá học")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn duyệt hoặc không duyệt.")},
    )
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Người học đọc được lý do khi giấy chứng nhận không được duyệt."),
        error_messages={
            "required": _("Hãy ghi lý do của quyết định."),
            "max_length": _("Lý do dài tối đa %(limit_value)d ký tự."),
        },
    )
    confirm = forms.BooleanField(
        label=_("Tôi xác nhận không duyệt giấy chứng nhận này"), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == Review.REJECTED and not data.get("confirm"):
            self.add_error("confirm", _("Hãy đánh dấu xác nhận trước khi không duyệt."))
        return data
