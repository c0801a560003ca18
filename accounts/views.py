from functools import wraps
from pathlib import Path

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import headcounts, jobs, services
from accounts.converters import parse_id
from accounts.forms import (
    ConsentForm,
    HeadcountsForm,
    HeadcountUploadForm,
    OrganizationForm,
    ProfileForm,
    RosterUploadForm,
)
from accounts.models import (
    Commune,
    HeadcountImport,
    Job,
    Organization,
    ParticipantKind,
    RosterImport,
    User,
)
from accounts.roster import template_xlsx
from accounts.scopes import Scope
from common.exports import XLSX_CONTENT_TYPE, xlsx_bytes
from common.qr import qr_svg
from common.spreadsheets import SpreadsheetError

PEOPLE_PER_PAGE = 50


def home(request):
    # COUNT(*) over every user is slow at province scale; the front page can be 5 minutes old.
    learners = cache.get_or_set("home:learner_count", User.objects.count, 300)
    return render(request, "home.html", {"learner_count": learners})


def switch_language(request, code: str):
    """The footer's language link: remember the choice in a cookie, go back where the
    person was. A plain link (no form, no CSRF token) so the footer can be cached."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    # Not redirect(): it would try a bare word such as "²" as a URL name and raise.
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@login_required
def profile(request):
    """The person's profile, with their personal check-in QR code for festivals."""
    personal = request.build_absolute_uri(
        reverse("learning:attendee", args=[request.user.attendee_code])
    )
    code = qr_svg(personal, size_mm=45, label=_("Mã QR điểm danh cá nhân"))
    return render(request, "accounts/profile_detail.html", {"person": request.user, "qr": code})


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu hồ sơ của bạn."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile_form.html", {"form": form})


def coordinator_required(view):
    """Logged in, with a coordinator role; the view gets the viewer's Scope."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        scope = Scope.of(request.user)
        if scope.is_empty:
            raise PermissionDenied(_("Trang này dành cho người điều phối."))
        return view(request, scope, *args, **kwargs)

    return wrapper


def _people(request, scope: Scope):
    """The people in the viewer's scope, narrowed by the list's filters."""
    people = scope.filter(User.objects.select_related("commune", "organization"))
    query = request.GET.get("q", "").strip()
    if query:
        people = people.search(query)
    kind = request.GET.get("kind", "")
    if kind in ParticipantKind.values:
        people = people.filter(participant_kind=kind)
    commune = request.GET.get("commune", "")
    if commune.isdigit():
        people = people.filter(commune__code=commune)
    return people.order_by("search_name", "phone"), {"q": query, "kind": kind, "commune": commune}


@coordinator_required
def people_list(request, scope: Scope):
    people, filters = _people(request, scope)
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    communes = scope.filter(Commune.objects.all(), commune="pk", organization="organizations")
    return render(
        request,
        "accounts/people_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": ParticipantKind.choices,
            "communes": communes,
            "department": scope.everything,
        },
    )


@coordinator_required
def person_detail(request, scope: Scope, pk: int):
    person = scope.get_object_or_404(User.objects.select_related("commune", "organization"), pk=pk)
    return render(request, "accounts/person_detail.html", {"person": person})


@coordinator_required
def people_export(request, scope: Scope):
    people, _filters = _people(request, scope)
    headers = [
        _("Họ và tên"),
        _("Số điện thoại"),
        _("Năm sinh"),
        _("Giới tính"),
        _("Mã xã"),
        _("Xã, phường"),
        _("Cơ quan, đơn vị"),
        _("Đối tượng"),
        _("Ngày tham gia"),
    ]
    rows = (
        [
            p.full_name,
            p.phone,
            p.birth_year,
            p.get_gender_display(),
            p.commune.code if p.commune else "",
            p.commune.name if p.commune else "",
            p.organization.name if p.organization else "",
            p.get_participant_kind_display(),
            timezone.localtime(p.date_joined).strftime("%d/%m/%Y"),
        ]
        for p in people.iterator(chunk_size=2000)
    )
    content = xlsx_bytes(title=_("Người học"), headers=headers, rows=rows)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="nguoi-hoc-{stamp}.xlsx"'
    return response


@coordinator_required
def roster_template(request, scope: Scope):
    response = HttpResponse(template_xlsx(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-can-bo.xlsx"'
    return response


@coordinator_required
def roster_upload(request, scope: Scope):
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            roster = services.preview_roster(
                form.cleaned_data["file"], user=request.user, scope=scope
            )
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            return redirect("accounts:roster_preview", pk=roster.pk)
    recent = RosterImport.objects.filter(created_by=request.user)[:10]
    return render(request, "accounts/roster_upload.html", {"form": form, "recent": recent})


@coordinator_required
def roster_preview(request, scope: Scope, pk: int):
    roster = get_object_or_404(RosterImport, pk=pk, created_by=request.user)
    if request.method == "POST" and not roster.confirmed_at:
        try:
            ids = services.confirm_roster(roster, now=timezone.now())
        except services.RosterAlreadyConfirmed:
            messages.info(request, _("Danh sách này đã được xác nhận trước đó."))
        except IntegrityError:
            messages.error(
                request,
                _("Có số điện thoại vừa được đăng ký trong lúc xác nhận. Hãy tải tệp lên lại."),
            )
        else:
            messages.success(request, _("Đã tạo %(n)s tài khoản.") % {"n": len(ids)})
        return redirect("accounts:roster_preview", pk=roster.pk)
    # At most services.MAX_STORED_PROBLEMS are kept; the rest are in the downloadable list.
    problems = Paginator(roster.problems, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/roster_preview.html",
        {
            "roster": roster,
            "problems": problems,
            "more_problems": roster.problem_count - len(roster.problems),
            "unknown_organizations": any(p.get("organization") for p in roster.problems),
            "preview": roster.rows[:PEOPLE_PER_PAGE],
        },
    )


@coordinator_required
def roster_problems(request, scope: Scope, pk: int):
    """Every problem of a roster's check, as .xlsx, for the person who uploaded it."""
    roster = get_object_or_404(RosterImport, pk=pk, created_by=request.user)
    path = Path(settings.PRIVATE_ROOT) / roster.problems_file
    if not roster.problems_file or not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"loi-danh-sach-{roster.pk}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@coordinator_required
@require_POST
def roster_slips(request, scope: Scope, pk: int):
    """Start building the account slips of the people a confirmed roster created (a job:
    thousands of slips take minutes); printing again issues new codes and retires the old
    ones, and an account its owner has claimed gets a slip without a code."""
    roster = get_object_or_404(
        RosterImport, pk=pk, created_by=request.user, confirmed_at__isnull=False
    )
    job = services.start_slips(
        user=request.user, roster=roster, site_url=request.build_absolute_uri("/")
    )
    return redirect("accounts:job", pk=job.pk)


def department_required(view):
    """The Department's pages: logged in, with the province-wide scope (a province
    administrator); any other coordinator gets 403."""

    @coordinator_required
    @wraps(view)
    def wrapper(request, scope: Scope, *args, **kwargs):
        if not scope.everything:
            raise PermissionDenied(_("Trang này dành cho Sở (quản trị cấp tỉnh)."))
        return view(request, *args, **kwargs)

    return wrapper


UNIT_PARAMS = {"xa": headcounts.COMMUNE, "co-quan": headcounts.ORGANIZATION}


def _unit(request) -> str:
    return UNIT_PARAMS.get(request.GET.get("loai", ""), headcounts.COMMUNE)


def _listed_units(request, unit: str):
    """The communes or organizations of the Department's list, narrowed by its filters."""
    model, field = headcounts.MODELS[unit]
    query = request.GET.get("q", "").strip()[:100]
    missing = request.GET.get("thieu") == "1"
    if query and unit == headcounts.COMMUNE:
        units = Commune.objects.search(query)
    else:
        units = model.objects.order_by("search_name", "pk")
        units = units.search(query) if query else units
    if unit == headcounts.ORGANIZATION:
        units = units.select_related("commune")
    if missing:
        units = units.filter(**{f"{field}__isnull": True})
    return units, {"q": query, "thieu": missing}


def _posted_units(request, unit: str) -> list | None:
    """The units whose fields a posted page holds (`u<id>`); None past a page of them."""
    ids = {parse_id(key[1:]) for key in request.POST if key.startswith("u")} - {None}
    if len(ids) > PEOPLE_PER_PAGE:
        return None
    model, _field = headcounts.MODELS[unit]
    return list(model.objects.filter(pk__in=ids).order_by("search_name", "pk"))


@department_required
def headcounts_list(request):
    """The expected adults of each commune, or staff of each organization, editable a page
    at a time: the base of participation rates and of rate-based collective prizes."""
    unit = _unit(request)
    _model, field = headcounts.MODELS[unit]
    units, filters = _listed_units(request, unit)
    page = Paginator(units, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    shown = page.object_list
    if request.method == "POST":
        shown = _posted_units(request, unit)
        if shown is None:
            messages.error(request, _("Mỗi lần lưu tối đa %(n)s dòng.") % {"n": PEOPLE_PER_PAGE})
            return HttpResponseRedirect(request.get_full_path())
        form = HeadcountsForm(request.POST, units=shown, field=field)
        if form.is_valid():
            changed = services.set_expected_headcounts(
                unit=unit, values=form.values(), source="", now=timezone.now()
            )
            messages.success(request, _("Đã lưu %(n)s thay đổi.") % {"n": changed})
            return HttpResponseRedirect(request.get_full_path())
    else:
        form = HeadcountsForm(units=shown, field=field)
    accounts = headcounts.registered(unit, ids=[u.pk for u in shown])
    return render(
        request,
        "accounts/headcount_list.html",
        {
            "unit": unit,
            "page": page,
            "filters": filters,
            "form": form,
            "rows": [(u, form[f"u{u.pk}"], accounts.get(u.pk, 0)) for u in shown],
            "posted": request.method == "POST",
        },
    )


@department_required
def headcounts_export(request):
    """The current numbers as .xlsx: also the template to fill in and upload."""
    unit = _unit(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = "xa" if unit == headcounts.COMMUNE else "co-quan"
    response = HttpResponse(headcounts.headcounts_xlsx(unit), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="so-du-kien-{name}-{stamp}.xlsx"'
    return response


@department_required
def headcounts_upload(request):
    form = HeadcountUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.preview_headcounts(form.cleaned_data["file"], user=request.user)
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            return redirect("accounts:headcounts_preview", pk=record.pk)
    recent = HeadcountImport.objects.filter(created_by=request.user)[:10]
    return render(request, "accounts/headcount_upload.html", {"form": form, "recent": recent})


@department_required
def headcounts_preview(request, pk: int):
    """What a checked file would change; confirmed in one step, or refused whole."""
    record = get_object_or_404(HeadcountImport, pk=pk, created_by=request.user)
    if request.method == "POST" and not record.confirmed_at:
        try:
            changed = services.confirm_headcounts(record, now=timezone.now())
        except services.HeadcountsNotImported as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, _("Đã cập nhật số dự kiến của %(n)s đơn vị.") % {"n": changed}
            )
        return redirect("accounts:headcounts_preview", pk=record.pk)
    number = request.GET.get("page")
    return render(
        request,
        "accounts/headcount_preview.html",
        {
            "record": record,
            "problems": Paginator(record.problems, PEOPLE_PER_PAGE).get_page(number),
            "changes": Paginator(record.rows, PEOPLE_PER_PAGE).get_page(number),
        },
    )


def _own_job(request, pk: int) -> Job:
    return get_object_or_404(Job, pk=pk, created_by=request.user)


@login_required
def job_detail(request, pk: int):
    """A background job: progress (the page reloads itself, no JavaScript needed), then its
    result, or what went wrong and a button to try again."""
    return render(request, "accounts/job_detail.html", {"job": _own_job(request, pk)})


@login_required
def job_download(request, pk: int):
    job = _own_job(request, pk)
    path = Path(settings.PRIVATE_ROOT) / job.result_file
    if job.state != Job.State.DONE or not job.result_file or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)


@login_required
@require_POST
def job_retry(request, pk: int):
    job = _own_job(request, pk)
    if not job.failed:
        return redirect("accounts:job", pk=job.pk)
    return redirect("accounts:job", pk=jobs.retry_job(job).pk)


def sign_in_code(request, token: str):
    """The QR on an account slip, or the link in an assisted sign-up's SMS: a page with one
    button, which signs in once, then asks for a password.

    Only the POST spends the one-time link: SMS and chat apps open links on their own to
    show a preview, and a GET that spent it would leave the person a dead link."""
    if request.method != "POST":
        return render(request, "accounts/sign_in_code.html", {"token": token})
    user = services.use_sign_in_code(token, now=timezone.now())
    if user is None:
        return render(request, "accounts/sign_in_code_invalid.html", status=404)
    login(request, user, backend="accounts.backends.ModelBackend")
    messages.success(
        request,
        _("Chào %(name)s! Hãy đặt mật khẩu để lần sau đăng nhập.")
        % {"name": user.get_short_name()},
    )
    set_password = f"{reverse('account_set_password')}?next={reverse('learning:my_learning')}"
    if user.consent_at is None:
        return redirect(f"{reverse('accounts:consent')}?{urlencode({'next': set_password})}")
    return redirect(set_password)


@login_required
def consent(request):
    """Explicit consent from someone whose account was created for them (a roster import);
    asked once."""
    target = request.GET.get("next", "")
    # A path on this site only: redirect() would take "abc" for a view name (a 500).
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = reverse("learning:my_learning")
    if request.user.consent_at:
        return HttpResponseRedirect(target)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        request.user.consent_at = timezone.now()
        request.user.save(update_fields=["consent_at"])
        return HttpResponseRedirect(target)
    return render(request, "accounts/consent.html", {"form": form})


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, with the commune filled in from ?commune=00985 (the festival's
    printed QR codes and check-in links carry it)."""

    def get_initial(self):
        initial = super().get_initial()
        code = self.request.GET.get("commune", "")
        commune = Commune.objects.filter(code=code).first() if code.isdigit() else None
        if commune:
            initial["commune"] = commune
        return initial


# --- Organizations: coordinators add the units their rosters name ---------------------------


def _in_scope(scope: Scope):
    """The organizations `scope` coordinates: located in its communes, or its units and
    those below them."""
    return scope.filter(Organization.objects.all(), commune="commune", organization="pk")


@coordinator_required
def organization_list(request, scope: Scope):
    """The organizations of the viewer's scope, searchable, with how many people each has:
    where a coordinator checks a unit exists before a roster names it, or adds it."""
    query = request.GET.get("q", "").strip()[:100]
    units = _in_scope(scope).select_related("commune", "parent").order_by("search_name", "pk")
    if query:
        units = units.search(query)
    page = Paginator(units, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    people = headcounts.registered(headcounts.ORGANIZATION, ids=[u.pk for u in page])
    return render(
        request,
        "accounts/organization_list.html",
        {"page": page, "rows": [(u, people.get(u.pk, 0)) for u in page], "q": query},
    )


@coordinator_required
def organization_add(request, scope: Scope):
    # The roster preview links an unknown organization here with its name and row's commune.
    asked = {
        "name": request.GET.get("ten", "")[:200],
        "commune": parse_id(request.GET.get("xa", "")),
    }
    initial = {key: value for key, value in asked.items() if value}
    return _organization_form(request, None, initial=initial)


@coordinator_required
def organization_edit(request, scope: Scope, pk: int):
    unit = get_object_or_404(_in_scope(scope), pk=pk)  # another scope's: 404
    return _organization_form(request, unit, initial=None)


def _organization_form(request, unit: Organization | None, *, initial: dict | None):
    """Add or change an organization: the form, the service, and the names like the new
    one's to confirm past."""
    placement = services.Placement.of(request.user)
    data = request.POST if request.method == "POST" else None
    form = OrganizationForm(data, placement=placement, instance=unit, initial=initial)
    similar = None
    if data is not None and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in ("name", "kind", "commune", "parent")}
        fields.update(by=request.user, similar_confirmed=form.similar_confirmed())
        try:
            if unit is None:
                saved = services.create_organization(**fields)
            else:
                saved = services.update_organization(unit, **fields)
        except services.OrganizationRefused as refusal:
            form.add_error(refusal.field, str(refusal))
        except services.SimilarOrganizations as alike:
            similar = alike
        else:
            done = (
                _("Đã lưu “%(n)s”.")
                if unit
                else _(
                    "Đã thêm “%(n)s”. Danh sách cán bộ nào đã báo thiếu cơ quan này: hãy tải "
                    "tệp lên lại."
                )
            )
            messages.success(request, done % {"n": saved.name})
            return redirect(
                f"{reverse('accounts:organization_list')}?{urlencode({'q': saved.name})}"
            )
    return render(
        request,
        "accounts/organization_form.html",
        {"form": form, "unit": unit, "similar": similar},
    )
