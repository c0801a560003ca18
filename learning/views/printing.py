"""Printable QR kits for the learning festival (posters, card sheets, table tents).

A coordinator (or a community digital team volunteer) picks what the codes open and a
layout, and gets one file. Events are limited to those the viewer runs: another commune's
event answers 404. Every code holds a short link, made through `festival.short_link`."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, path, resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.converters import parse_id
from accounts.models import Commune
from courses.models import Course
from learning import festival
from learning.models import Event
from learning.printables import LAYOUTS, Printable, printable_pdf, short_url, with_svg

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
SVG_MM = {"poster": 100, "cards8": 38, "cards12": 36, "tents": 66}


@dataclass(frozen=True)
class Target:
    path: str
    title: str
    context: str = ""
    action: str = ""
    commune: Commune | None = None
    event: Event | None = None


class PrintForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Mã QR mở trang nào?"),
        widget=forms.RadioSelect,
        initial="booths",
        choices=[
            ("booths", gettext_lazy("Điểm danh tại từng gian của một ngày hội")),
            ("event", gettext_lazy("Điểm danh vào cửa ngày hội")),
            ("lessons", gettext_lazy("Từng bài học của một khoá học")),
            ("course", gettext_lazy("Trang giới thiệu một khoá học")),
            ("signup", gettext_lazy("Đăng ký tài khoản, điền sẵn xã, phường")),
            ("page", gettext_lazy("Một trang khác: cuộc thi, xác minh giấy chứng nhận…")),
        ],
    )
    event = forms.ModelChoiceField(
        label=gettext_lazy("Ngày hội"), queryset=Event.objects.none(), required=False
    )
    course = forms.ModelChoiceField(
        label=gettext_lazy("Khoá học"), queryset=Course.objects.none(), required=False
    )
    commune = forms.ModelChoiceField(
        label=gettext_lazy("Xã, phường"), queryset=Commune.objects.none(), required=False
    )
    page = forms.CharField(
        label=gettext_lazy("Địa chỉ trang"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Dán địa chỉ trang, ví dụ trang một cuộc thi: …/thi/ten-cuoc-thi/"),
    )
    title = forms.CharField(
        label=gettext_lazy("Dòng chữ in kèm mã (cho “Một trang khác”)"),
        required=False,
        max_length=200,
    )
    layout = forms.ChoiceField(
        label=gettext_lazy("Kiểu in"),
        widget=forms.RadioSelect,
        initial="cards8",
        choices=[
            ("poster", gettext_lazy("Áp phích A4: một mã lớn mỗi trang, có hướng dẫn 3 bước")),
            ("cards8", gettext_lazy("Thẻ cắt rời: 8 thẻ mỗi trang A4")),
            ("cards12", gettext_lazy("Thẻ cắt rời: 12 thẻ mỗi trang A4")),
            ("tents", gettext_lazy("Biển để bàn: tờ A4 gấp đôi, đọc được từ hai phía")),
        ],
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Định dạng"),
        widget=forms.RadioSelect,
        initial="pdf",
        choices=[
            ("pdf", gettext_lazy("Tệp PDF (in đẹp nhất)")),
            ("html", gettext_lazy("Trang web để in từ trình duyệt")),
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
                "event": _("Hãy chọn một ngày hội."),
                "course": _("Hãy chọn một khoá học."),
                "commune": _("Hãy chọn một xã, phường."),
                "page": _("Hãy dán địa chỉ trang cần in mã."),
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
            return _(
                "Ngày hội “%(event)s” chưa có gian nào. Thêm các gian ở trang sửa ngày hội, "
                "hoặc chọn “Điểm danh vào cửa ngày hội”."
            ) % {"event": data["event"].title}
        return _("Khoá học “%(course)s” chưa có bài học nào để in mã.") % {
            "course": data["course"].title
        }

    def _booths(self, data) -> list[Target]:
        event = data["event"]
        action = _("Đăng nhập hoặc đăng ký bằng số điện thoại: bạn được điểm danh ngay.")
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
                _("Điểm danh: %(event)s") % {"event": event.title},
                context=str(event.commune),
                action=_("Đăng nhập hoặc đăng ký bằng số điện thoại: bạn được điểm danh ngay."),
                commune=event.commune,
                event=event,
            )
        ]

    def _lessons(self, data) -> list[Target]:
        course = data["course"]
        lessons = course.lessons.order_by("module__order", "module_id", "order", "pk")
        action = _("Học ngay trên điện thoại, mỗi bài vài phút, không cần cài ứng dụng.")
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
                action=_("Học ngay trên điện thoại, mỗi bài vài phút, không cần cài ứng dụng."),
            )
        ]

    def _signup(self, data) -> list[Target]:
        commune = data["commune"]
        return [
            Target(
                reverse("account_signup") + f"?commune={commune.code}",
                _("Đăng ký học trên Học Số"),
                context=str(commune),
                action=_("Nhập số điện thoại và họ tên để tạo tài khoản miễn phí."),
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
                _(
                    "Chỉ in được mã cho trang cuộc thi, khoá học, bài học, ngày hội hoặc xác "
                    "minh giấy chứng nhận của Học Số."
                ),
            )
            return [Target(target, "")]  # the field error is what the page shows
        return [Target(target, data.get("title") or target)]


def _items(request, targets: list[Target]) -> list[Printable]:
    """The targets' short links (made once per target) as printable items."""
    base = request.build_absolute_uri("/")
    items = []
    for target in targets:
        label = " — ".join(part for part in (target.context, target.title) if part)
        link = festival.short_link(
            target=target.path, label=label, commune=target.commune, event=target.event
        )
        items.append(
            Printable(
                title=target.title,
                link=short_url(base, link.code),
                context=target.context,
                action=target.action,
            )
        )
    return items


@login_required
def print_codes(request):
    """Choose what the codes open and a layout; get one PDF (or a page to print)."""
    communes = festival.festival_communes(request.user)
    if communes == set():
        raise PermissionDenied(
            _("Trang này dành cho người điều phối và tổ công nghệ số cộng đồng.")
        )
    events = festival.festival_events(request.user).order_by("-date", "pk")
    chosen = request.POST.get("event") or request.GET.get("event")
    if chosen:  # another commune's event is not found at all
        if parse_id(chosen) is None:  # not "²" or 25 digits either
            raise Http404
        get_object_or_404(events, pk=chosen)
    initial = {"event": chosen} if chosen else {}
    if request.GET.get("kind"):
        initial["kind"] = request.GET["kind"]
    data = request.POST if request.method == "POST" else None
    form = PrintForm(data, initial=initial, events=events, communes=communes)
    if form.is_valid():
        items = _items(request, form.cleaned_data["targets"])
        layout = form.cleaned_data["layout"]
        if form.cleaned_data["format"] == "pdf":
            return HttpResponse(
                printable_pdf(layout, items),
                content_type="application/pdf",
                headers={"Content-Disposition": f'attachment; filename="ma-qr-{layout}.pdf"'},
            )
        return render(
            request,
            "learning/print/sheet.html",
            {"layout": layout, "codes": with_svg(items, size_mm=SVG_MM[layout])},
        )
    return render(
        request,
        "learning/print/form.html",
        {"form": form, "has_events": events.exists(), "layouts": LAYOUTS},
    )


urlpatterns = [
    path("dieu-phoi/in-ma-qr/", print_codes, name="print_codes"),
]
