"""Forms of the learning app: a festival and its booths; a decision on a held certificate;
what a printed QR kit's codes open (each choice cleaned into its targets)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django import forms
from django.core.validators import MaxValueValidator
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext
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


# Pages a printed code may open besides the ones chosen from lists: public pages only.
PRINTABLE_PAGES = {
    "quiz:contest",
    "quiz:contest_list",
    "learning:verify",
    "learning:course",
    "learning:lesson",
    "learning:event",
    "learning:event_list",
    "learning:catalogue",
}


@dataclass(frozen=True)
class Target:
    """What one printed code opens, with the words printed beside it."""

    path: str
    title: str
    context: str = ""
    action: str = ""
    commune: Commune | None = None
    event: Event | None = None


class PrintForm(forms.Form):
    """What a printed QR kit's codes open and its layout; cleaning turns the choice into
    its targets (every booth of a festival, every lesson of a course, …)."""

    kind = forms.ChoiceField(
        label=_("Mã QR mở trang nào?"),
        widget=forms.RadioSelect,
        initial="booths",
        choices=[
            ("booths", _("Điểm danh tại từng gian của một ngày hội")),
            ("event", _("Điểm danh vào cửa ngày hội")),
            ("lessons", _("Từng bài học của một khoá học")),
            ("course", _("Trang giới thiệu một khoá học")),
            ("signup", _("Đăng ký tài khoản, điền sẵn xã, phường")),
            ("page", _("Một trang khác: cuộc thi, xác minh giấy chứng nhận…")),
        ],
    )
    event = forms.ModelChoiceField(
        label=_("Ngày hội"), queryset=Event.objects.none(), required=False
    )
    course = forms.ModelChoiceField(
        label=_("Khoá học"), queryset=Course.objects.none(), required=False
    )
    commune = forms.ModelChoiceField(
        label=_("Xã, phường"), queryset=Commune.objects.none(), required=False
    )
    page = forms.CharField(
        label=_("Địa chỉ trang"),
        required=False,
        max_length=300,
        help_text=_("Dán địa chỉ trang, ví dụ trang một cuộc thi: …/thi/ten-cuoc-thi/"),
    )
    title = forms.CharField(
        label=_("Dòng chữ in kèm mã (cho “Một trang khác”)"),
        required=False,
        max_length=200,
    )
    layout = forms.ChoiceField(
        label=_("Kiểu in"),
        widget=forms.RadioSelect,
        initial="cards8",
        choices=[
            ("poster", _("Áp phích A4: một mã lớn mỗi trang, có hướng dẫn 3 bước")),
            ("cards8", _("Thẻ cắt rời: 8 thẻ mỗi trang A4")),
            ("cards12", _("Thẻ cắt rời: 12 thẻ mỗi trang A4")),
            ("tents", _("Biển để bàn: tờ A4 gấp đôi, đọc được từ hai phía")),
        ],
    )
    format = forms.ChoiceField(
        label=_("Định dạng"),
        widget=forms.RadioSelect,
        initial="pdf",
        choices=[
            ("pdf", _("Tệp PDF (in đẹp nhất)")),
            ("html", _("Trang web để in từ trình duyệt")),
        ],
    )

    def __init__(self, *args, events, communes: set[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events
        self.fields["course"].queryset = Course.objects.published()
        every = Commune.objects.order_by("name")
        self.fields["commune"].queryset = (
            every if communes is None else every.filter(pk__in=communes)
        )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        needs = {"booths": "event", "event": "event", "lessons": "course", "course": "course",
                 "signup": "commune", "page": "page"}.get(kind)  # fmt: skip
        if needs and not data.get(needs):
            missing = {
                "event": gettext("Hãy chọn một ngày hội."),
                "course": gettext("Hãy chọn một khoá học."),
                "commune": gettext("Hãy chọn một xã, phường."),
                "page": gettext("Hãy dán địa chỉ trang cần in mã."),
            }
            self.add_error(needs, missing[needs])
            return data
        if kind and not self.errors:
            targets = getattr(self, f"_{kind}")(data)
            if not targets:
                raise forms.ValidationError(self._nothing(kind, data))
            data["targets"] = targets
        return data

    @staticmethod
    def _nothing(kind: str, data) -> str:
        if kind == "booths":
            return gettext(
                "Ngày hội “%(event)s” chưa có gian nào. Thêm các gian ở trang sửa ngày hội, "
                "hoặc chọn “Điểm danh vào cửa ngày hội”."
            ) % {"event": data["event"].title}
        return gettext("Khoá học “%(course)s” chưa có bài học nào để in mã.") % {
            "course": data["course"].title
        }

    def _booths(self, data) -> list[Target]:
        event = data["event"]
        action = gettext("Đăng nhập hoặc đăng ký bằng số điện thoại: bạn được điểm danh ngay.")
        return [
            Target(
                reverse("learning:booth_check_in", args=[event.pk, booth.pk]),
                booth.title,
                context=event.title,
                action=action,
                commune=event.commune,
                event=event,
            )
            for booth in event.booths.all()
        ]

    def _event(self, data) -> list[Target]:
        event = data["event"]
        return [
            Target(
                reverse("learning:event_check_in", args=[event.pk]),
                gettext("Điểm danh: %(event)s") % {"event": event.title},
                context=str(event.commune),
                action=gettext(
                    "Đăng nhập hoặc đăng ký bằng số điện thoại: bạn được điểm danh ngay."
                ),
                commune=event.commune,
                event=event,
            )
        ]

    def _lessons(self, data) -> list[Target]:
        course = data["course"]
        lessons = course.lessons.order_by("module__order", "module_id", "order", "pk")
        action = gettext("Học ngay trên điện thoại, mỗi bài vài phút, không cần cài ứng dụng.")
        return [
            Target(
                reverse("learning:lesson", args=[course.slug, lesson.pk]),
                lesson.title,
                context=course.title,
                action=action,
            )
            for lesson in lessons
        ]

    def _course(self, data) -> list[Target]:
        course = data["course"]
        return [
            Target(
                reverse("learning:course", args=[course.slug]),
                course.title,
                action=gettext(
                    "Học ngay trên điện thoại, mỗi bài vài phút, không cần cài ứng dụng."
                ),
            )
        ]

    def _signup(self, data) -> list[Target]:
        commune = data["commune"]
        return [
            Target(
                reverse("account_signup") + f"?commune={commune.code}",
                gettext("Đăng ký học trên Học Số"),
                context=str(commune),
                action=gettext("Nhập số điện thoại và họ tên để tạo tài khoản miễn phí."),
                commune=commune,
            )
        ]

    def _page(self, data) -> list[Target]:
        address = urlsplit(data["page"].strip())
        target = address.path or "/"
        try:
            name = resolve(target).view_name
        except Resolver404:
            name = None
        if name not in PRINTABLE_PAGES:
            self.add_error(
                "page",
                gettext(
                    "Chỉ in được mã cho trang cuộc thi, khoá học, bài học, ngày hội hoặc xác "
                    "minh giấy chứng nhận của Học Số."
                ),
            )
            return [Target(target, "")]  # the field error is what the page shows
        return [Target(target, data.get("title") or target)]
