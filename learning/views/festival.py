"""The learning festival: short links, event pages, check-in both ways, assisted sign-up,
attendance and the live counters. Coordinator pages are limited to the communes whose
festivals the viewer runs; another commune's event answers 404."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.forms import inlineformset_factory
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.forms import AssistedSignupForm
from accounts.models import Commune, User
from accounts.phone import normalize_phone
from accounts.services.assisted import AssistRefused
from accounts.services.assisted import assisted_sign_up as sign_up_for
from common.exports import XLSX_CONTENT_TYPE, xlsx_bytes
from common.text import mask_name
from learning import festival
from learning.forms import BoothForm, EventForm
from learning.models import Booth, CheckIn, Event

PER_PAGE = 50
COUNTS_SECONDS = 5  # the big screen polls; one computation serves every screen for 5 s


# --- Short links ------------------------------------------------------------------------------


def short_link(request, code: str):
    """The first request of every festival visitor: a cached lookup and a redirect."""
    target = festival.resolve_short_link(code)
    if target is None:
        raise Http404
    return HttpResponseRedirect(target)


# --- Public pages -----------------------------------------------------------------------------


def _public_event(pk: int) -> Event:
    return get_object_or_404(Event.objects.select_related("commune"), pk=pk, is_published=True)


def event_list(request):
    today = timezone.localdate()
    events = Event.objects.filter(is_published=True, date__gte=today).select_related("commune")
    page = Paginator(events.order_by("date", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "learning/event_list.html", {"page": page})


def event_detail(request, pk: int):
    event = _public_event(pk)
    booths = event.booths.select_related("course")
    mine = set()
    if request.user.is_authenticated:
        mine = set(
            CheckIn.objects.filter(event=event, user=request.user).values_list("booth", flat=True)
        )
    runs = _runs(request.user, event)
    return render(
        request,
        "learning/event_detail.html",
        {"event": event, "booths": booths, "checked": mine, "runs": runs},
    )


def event_check_in(request, pk: int, booth: int | None = None):
    """What a booth's (or the entrance's) QR opens: one tap for a signed-in person; the
    fast sign-up with the commune filled in for anyone else, then back here."""
    event = _public_event(pk)
    booth_obj = get_object_or_404(Booth, pk=booth, event=event) if booth else None
    if not request.user.is_authenticated:
        query = urlencode({"commune": event.commune.code, "next": request.get_full_path()})
        return redirect(f"{reverse('account_signup')}?{query}")
    if request.method == "POST":
        checkin, new = festival.check_in(
            request.user, event=event, booth=booth_obj, now=timezone.now()
        )
        if new:
            messages.success(request, _("Đã điểm danh. Chúc bạn học vui!"))
        else:
            messages.info(request, _("Bạn đã điểm danh ở đây rồi."))
        return redirect(request.path)
    done = CheckIn.objects.filter(event=event, booth=booth_obj, user=request.user).first()
    return render(
        request,
        "learning/event_check_in.html",
        {"event": event, "booth": booth_obj, "done": done},
    )


def attendee(request, code: str):
    """What a resident's personal QR opens in an ordinary camera app: an explanation; the
    volunteer's scan page records the attendance."""
    if User.objects.by_attendee_code(code) is None:
        raise Http404
    return render(request, "learning/attendee.html")


def event_screen(request, pk: int):
    event = _public_event(pk)
    return render(
        request, "learning/event_screen.html", {"event": event, "figures": _figures(event)}
    )


def event_counts(request, pk: int):
    return JsonResponse(_figures(_public_event(pk)))


def _figures(event: Event) -> dict:
    return cache.get_or_set(
        f"learning:festival-figures:{event.pk}",
        lambda: festival.event_figures(event, now=timezone.now()),
        COUNTS_SECONDS,
    )


# --- Running a festival ----------------------------------------------------------------------


def _runs(user, event: Event) -> bool:
    communes = festival.festival_communes(user)
    return communes is None or event.commune_id in communes


def festival_staff(view):
    """Logged in and running some commune's festival (coordinator or digital team)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if festival.festival_communes(request.user) == set():
            raise PermissionDenied(
                _("Trang này dành cho người điều phối và tổ công nghệ số cộng đồng.")
            )
        return view(request, *args, **kwargs)

    return wrapper


def _my_event(request, pk: int) -> Event:
    return get_object_or_404(festival.festival_events(request.user), pk=pk)


@festival_staff
def manage_events(request):
    events = (
        festival.festival_events(request.user)
        .annotate(people=Count("checkins__user", distinct=True))
        .order_by("-date", "pk")
    )
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    communes = festival.festival_communes(request.user)
    by_commune = None
    if communes is None or len(communes) > 1:  # the province's view: communes side by side
        by_commune = (
            festival.festival_events(request.user)
            .values("commune__name")
            .annotate(
                events=Count("pk", distinct=True),
                people=Count("checkins__user", distinct=True),
            )
            .order_by("-people", "commune__name")
        )
    return render(request, "learning/event_manage.html", {"page": page, "by_commune": by_commune})


BoothFormSet = inlineformset_factory(
    Event, Booth, form=BoothForm, extra=3, can_delete=True, max_num=30
)


@festival_staff
def event_edit(request, pk: int | None = None):
    event = _my_event(request, pk) if pk else None
    communes = festival.festival_communes(request.user)
    data = request.POST if request.method == "POST" else None
    form = EventForm(data, instance=event, communes=communes)
    booths = BoothFormSet(data, instance=event or Event(), prefix="booths")
    if request.method == "POST" and form.is_valid() and booths.is_valid():
        event = form.save()
        booths.instance = event
        booths.save()
        messages.success(request, _("Đã lưu ngày hội."))
        return redirect("learning:event", pk=event.pk)
    return render(
        request, "learning/event_form.html", {"form": form, "booths": booths, "event": event}
    )


@festival_staff
def scan(request, pk: int):
    """The volunteer's phone reads residents' personal QR codes (camera, in the browser)
    or takes a typed phone number, and records attendance."""
    event = _my_event(request, pk)
    booths = list(event.booths.all())
    if request.method != "POST":
        return render(request, "learning/event_scan.html", {"event": event, "booths": booths})
    wants_json = request.headers.get("x-requested-with") == "fetch"
    person, problem = _scanned_person(request.POST)
    booth = next((b for b in booths if str(b.pk) == request.POST.get("booth", "")), None)
    if person is None:
        if wants_json:
            return JsonResponse({"ok": False, "message": problem}, status=400)
        messages.error(request, problem)
        return redirect("learning:event_scan", pk=event.pk)
    checkin, new = festival.check_in(
        person, event=event, booth=booth, now=timezone.now(), recorded_by=request.user
    )
    name = mask_name(person.full_name)
    message = (_("Đã điểm danh cho %(name)s") if new else _("%(name)s đã điểm danh trước đó")) % {
        "name": name
    }
    if wants_json:
        return JsonResponse({"ok": True, "new": new, "message": message})
    messages.success(request, message)
    return redirect("learning:event_scan", pk=event.pk)


def _scanned_person(post) -> tuple[User | None, str]:
    code = post.get("code", "").strip()
    if code:
        person = User.objects.by_attendee_code(code.rstrip("/").rsplit("/", 1)[-1])
        return person, "" if person else _("Mã này không phải mã cá nhân của Học Số.")
    raw = post.get("phone", "").strip()
    if not raw:
        return None, _("Hãy quét mã QR trên điện thoại người dân, hoặc nhập số điện thoại.")
    try:
        phone = normalize_phone(raw)
    except ValidationError as invalid:  # empty, short, landline, foreign: say which
        return None, invalid.messages[0]
    person = User.objects.filter(phone=phone, is_active=True).first()
    if person is None:
        return None, _("Số %(phone)s chưa có tài khoản. Hãy giúp người dân đăng ký trước.") % {
            "phone": phone
        }
    return person, ""


@festival_staff
def attendance(request, pk: int):
    event = _my_event(request, pk)
    # Check-ins share a moment: the pk makes the order total, or pages may overlap.
    checkins = event.checkins.select_related("user__commune", "booth", "recorded_by").order_by(
        "-at", "-pk"
    )
    page = Paginator(checkins, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/attendance.html",
        {
            "event": event,
            "page": page,
            "figures": festival.event_figures(event, now=timezone.now()),
        },
    )


@festival_staff
def attendance_export(request, pk: int):
    event = _my_event(request, pk)
    rows = (
        [
            at,
            name,
            phone,
            commune or "",
            booth or _("Cổng vào"),
            helper or "",
        ]
        for at, name, phone, commune, booth, helper in event.checkins.order_by("at").values_list(
            "at", "user__full_name", "user__phone", "user__commune__name", "booth__title",
            "recorded_by__full_name",
        )
    )  # fmt: skip
    content = xlsx_bytes(
        title=_("Điểm danh"),
        headers=[
            _("Lúc"),
            _("Họ và tên"),
            _("Số điện thoại"),
            _("Xã, phường"),
            _("Gian"),
            _("Người ghi nhận"),
        ],  # fmt: skip
        rows=rows,
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="diem-danh-ngay-hoi-{event.pk}.xlsx"'
    return response


@festival_staff
def assisted_sign_up(request):
    """Helper mode: sign a resident up on the volunteer's phone; the resident gets a text
    message to sign in. Shows how many people this volunteer helped, and the commune's
    volunteers ranked by people helped."""
    communes = festival.festival_communes(request.user)
    mine = Commune.objects.filter(pk__in=communes).first() if communes else None
    data = request.POST if request.method == "POST" else None
    form = AssistedSignupForm(data, initial={"commune": mine or request.user.commune})
    if request.method == "POST" and form.is_valid():
        try:
            person = sign_up_for(
                helper=request.user,
                **form.cleaned_data,
                now=timezone.now(),
                sign_in_url=lambda token: request.build_absolute_uri(
                    reverse("sign_in_code", args=[token])
                ),
            )
        except AssistRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("Đã tạo tài khoản cho %(name)s; tin nhắn đăng nhập đã gửi tới %(phone)s.")
                % {"name": person.full_name, "phone": person.phone},
            )
            return redirect("learning:assisted_sign_up")
    helped = User.objects.filter(assisted_by=request.user).count()
    return render(
        request,
        "learning/assisted_sign_up.html",
        {"form": form, "helped": helped, "board": festival.volunteer_board(communes)},
    )
