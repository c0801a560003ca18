"""Odd input never gets a 500: NUL characters refused at the edge, ids of any length, and a
property-based fuzz of every form and JSON endpoint the URL resolver knows.

The only acceptable answers are success (2xx, 3xx) or a Vietnamese error (4xx, or 200 with
the form shown again with its errors). Runs on both databases: PostgreSQL refuses NUL in
text and checks column lengths and integer ranges, SQLite does neither.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from accounts.converters import IdConverter
from accounts.models import HeadcountImport, Role
from courses.imports import parse_markdown
from courses.services import import_course
from learning import festival
from learning.models import Booth, Campaign, Event
from learning.services.completion import issue_certificate
from learning.services.final_test import start_final_test
from quiz.games import create_game
from quiz.models import Contest, Question, Round, Topic
from quiz.services.attempts import start_attempt, submit_attempt
from tests import factories
from tests.factories import FINAL_TEST_COURSE, PASSWORD, make_question

EXAMPLES = 12  # per route with a form or query: under two minutes for the file on SQLite
FUZZ_SETTINGS = {
    "deadline": None,
    "derandomize": True,  # the same examples on every run: CI stays stable
    "database": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,  # one world per route, shared by its examples
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
}

pytestmark = pytest.mark.django_db


# --- The routes -------------------------------------------------------------------------------


def routes(resolver=None, prefix="", namespace=""):
    """(name, route text, pattern) for every named route, namespaces joined with ':'."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry, text, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", text, entry.pattern


def fill(route: str, *, number: str = "1", text: str = "x") -> str:
    """A path for `route` with every converter filled in."""
    route = re.sub(r"<id:\w+>", number, route)
    return "/" + re.sub(r"<(?:slug|str):\w+>", text, route)


@pytest.fixture
def admin_client(client, tuyen_quang):
    """A province admin (a superuser): every page is open to them, so a 404 means no route."""
    admin = factories.person(commune=factories.commune("00985"), full_name="Quản Trị Tỉnh")
    client.force_login(factories.with_role(admin, Role.PROVINCE_ADMIN))
    return client


# --- Ids --------------------------------------------------------------------------------------


def test_no_route_takes_an_unbounded_integer():
    unbounded = [
        name
        for name, _route, pattern in routes()
        if not name.startswith("admin:")  # Django's admin: staff only, its own converters
        and any(isinstance(c, IntConverter) for c in getattr(pattern, "converters", {}).values())
    ]
    assert unbounded == []  # <id:…>, not <int:…>: 25 digits overflow SQLite and bigint


ID_ROUTES = sorted(
    (name, route)
    for name, route, pattern in routes()
    if any(isinstance(c, IdConverter) for c in getattr(pattern, "converters", {}).values())
)


@pytest.mark.parametrize(("name", "route"), ID_ROUTES, ids=[n for n, _ in ID_ROUTES])
def test_a_25_digit_id_on_every_id_route_answers_404(admin_client, name, route):
    assert resolve(fill(route)).url_name == name.rsplit(":", 1)[-1]  # the route exists
    for method in (admin_client.get, admin_client.post):
        response = method(fill(route, number="9" * 25))
        assert response.status_code == 404, (name, response.status_code)
        assert "Không tìm thấy trang" in response.content.decode()


# --- NUL --------------------------------------------------------------------------------------

NUL_SAYS = "ký tự không hợp lệ (ký tự rỗng)"


@pytest.mark.parametrize(
    "path", ["/choi/%00/", "/hoc/?q=%00", "/dieu-phoi/nguoi-hoc/?commune=%00", "/%00", "/?a%00=1"]
)
def test_a_nul_in_the_path_or_query_is_refused_in_vietnamese(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 400 and NUL_SAYS in response.content.decode()


def test_a_nul_in_a_form_field_is_refused_and_nothing_is_saved(client, tuyen_quang):
    user = factories.person(commune=factories.commune("00985"), full_name="Ma Thị Hoa")
    client.force_login(user)
    form = {"full_name": "Ma Thị\x00Hoa", "commune": "Giáp Trung", "participant_kind": "resident"}
    response = client.post("/ho-so/sua/", form)
    assert response.status_code == 400 and NUL_SAYS in response.content.decode()
    as_multipart = client.post("/ho-so/sua/", form, format="multipart")
    assert as_multipart.status_code == 400
    fetched = client.post("/ho-so/sua/", form, headers={"x-requested-with": "fetch"})
    assert fetched.status_code == 400 and NUL_SAYS in fetched.json()["message"]
    user.refresh_from_db()
    assert user.full_name == "Ma Thị Hoa"


# --- The fuzz ---------------------------------------------------------------------------------
#
# Every named route (Django's admin aside: staff only, Django's own forms) has an entry: who
# may use it, the query parameters its page reads, and for a form the fields with a valid
# sample each. Each example keeps most fields valid and makes some odd, so the odd value
# reaches the code behind the other checks. A route without an entry fails the build.


@dataclass(frozen=True)
class Entry:
    who: str  # guest, resident, coordinator, host, department
    args: Callable[[dict], dict] = lambda world: {}
    query: tuple[str, ...] = ()  # what the page reads from its query string
    post: Callable[[dict], dict] | None = None  # field → valid sample; None: no form
    fetch: bool = False  # the page's script posts it and reads JSON
    examples: int = EXAMPLES  # fewer for a page that takes a second to render


def _slug(world):
    return {"slug": world["course"].slug}


def _lesson(world):
    return {**_slug(world), "lesson_id": world["lesson"].pk}


def _round(world):
    return {"slug": world["contest"].slug, "number": 1}


def _attempt(world):
    return {"pk": world["attempt"].pk}


def _event(world):
    return {"pk": world["event"].pk}


def _game(world):
    return {"pk": world["game"].pk}


def _signup(world):
    return {"full_name": "Vàng Thị Mỷ", "phone": "0912 000 111", "password1": PASSWORD,
            "password2": PASSWORD, "commune": "Giáp Trung", "birth_year": "1961",
            "participant_kind": "resident", "gender": "female", "consent": "on"}  # fmt: skip


def _event_form(world):
    return {"title": "Ngày hội số", "commune": world["commune"].pk, "date": "2025-11-20",
            "venue": "Nhà văn hoá", "organiser": "Đoàn xã", "description": "Mời cả nhà",
            "is_published": "on", "booths-TOTAL_FORMS": "1", "booths-INITIAL_FORMS": "0",
            "booths-0-title": "VNeID", "booths-0-course": world["course"].pk,
            "booths-0-order": "1"}  # fmt: skip


def _game_form(world):
    return {"title": "Đố vui", "seconds_per_question": "20", "scoring": "speed",
            "guests_allowed": "on", "late_join": "on", "count": "3",
            "topics": world["topic"].pk, "round": ""}  # fmt: skip


def _organization_form(world, name):
    return {"name": name, "kind": "other", "commune": world["commune"].pk, "parent": "",
            "confirm_new": ""}  # fmt: skip


ROUTES: dict[str, Entry] = {
    "health": Entry("guest"),
    "short_link": Entry("guest", lambda w: {"code": w["short_code"]}),
    "account_signup": Entry("guest", query=("commune", "next"), post=_signup),
    "home": Entry("guest"),
    "privacy": Entry("guest"),
    "account_login": Entry(
        "guest", query=("next",), post=lambda w: {"login": w["resident"].phone, "password": "x"}
    ),
    "account_logout": Entry("resident", post=lambda w: {}),
    "account_inactive": Entry("guest"),
    "account_reauthenticate": Entry("resident", post=lambda w: {"password": PASSWORD}),
    "account_email": Entry(
        "resident", post=lambda w: {"email": "lan@example.vn", "action_add": ""}
    ),
    "account_email_verification_sent": Entry("guest"),
    "account_change_password": Entry(
        "resident",
        post=lambda w: {"oldpassword": PASSWORD, "password1": "x", "password2": "x"},
    ),
    "account_set_password": Entry(
        "resident", post=lambda w: {"password1": PASSWORD, "password2": PASSWORD}
    ),
    "account_reset_password": Entry("guest", post=lambda w: {"email": "lan@example.vn"}),
    "account_confirm_login_code": Entry("guest", post=lambda w: {"code": "123456"}),
    "account_confirm_email": Entry("guest", lambda w: {"key": "abc"}, post=lambda w: {}),
    "account_verify_phone": Entry("resident", post=lambda w: {"code": "123456"}),
    "account_change_phone": Entry("resident", post=lambda w: {"phone": "0912000222"}),
    "account_reset_password_from_key_done": Entry("guest"),
    "account_reset_password_from_key": Entry(
        "guest",
        lambda w: {"uidb36": "1", "key": "abc"},
        post=lambda w: {"password1": PASSWORD, "password2": PASSWORD},
    ),
    "account_reset_password_done": Entry("guest"),
    "account_request_login_code": Entry("guest", post=lambda w: {"phone": "0912000333"}),
    "accounts:profile": Entry("resident"),
    "accounts:profile_edit": Entry(
        "resident",
        post=lambda w: {
            "full_name": "Ma Thị Hoa",
            "email": "",
            "commune": "Giáp Trung",
            "organization": "",
            "participant_kind": "resident",
            "birth_year": "1990",
            "gender": "",
        },  # fmt: skip
    ),
    "accounts:consent": Entry("resident", query=("next",), post=lambda w: {"consent": "on"}),
    "accounts:people_list": Entry("coordinator", query=("q", "kind", "commune", "page")),
    "accounts:people_export": Entry("coordinator", query=("q", "kind", "commune")),
    "accounts:person_detail": Entry("coordinator", lambda w: {"pk": w["resident"].pk}),
    "accounts:roster_upload": Entry("coordinator", post=lambda w: {"file": ""}),
    "accounts:roster_template": Entry("coordinator"),
    "accounts:roster_preview": Entry(
        "coordinator", lambda w: {"pk": 1}, query=("page",), post=lambda w: {}
    ),
    "accounts:roster_slips": Entry("coordinator", lambda w: {"pk": 1}, post=lambda w: {}),
    "accounts:roster_problems": Entry("coordinator", lambda w: {"pk": 1}),
    "accounts:organization_list": Entry("coordinator", query=("q", "page")),
    "accounts:organization_add": Entry(
        "coordinator", query=("ten", "xa"), post=lambda w: _organization_form(w, "Trạm y tế")
    ),
    "accounts:organization_edit": Entry(
        "coordinator",
        lambda w: {"pk": w["organization"].pk},
        post=lambda w: _organization_form(w, "UBND xã Giáp Trung"),
    ),
    "accounts:headcounts": Entry(
        "department",
        query=("loai", "q", "thieu", "page"),
        post=lambda w: {f"u{w['commune'].pk}": "4500"},
    ),
    "accounts:headcounts_export": Entry("department", query=("loai",)),
    "accounts:headcounts_upload": Entry("department", post=lambda w: {"file": ""}),
    "accounts:headcounts_preview": Entry(
        "department", lambda w: {"pk": w["headcounts"].pk}, query=("page",), post=lambda w: {}
    ),
    "accounts:job": Entry("coordinator", lambda w: {"pk": 1}),
    "accounts:job_download": Entry("coordinator", lambda w: {"pk": 1}),
    "accounts:job_retry": Entry("coordinator", lambda w: {"pk": 1}, post=lambda w: {}),
    "learning:catalogue": Entry("guest", query=("q", "page")),
    "learning:course": Entry("guest", _slug),
    "learning:enroll": Entry("resident", _slug, post=lambda w: {}),
    "learning:final_test": Entry(
        "resident",
        lambda w: {"slug": w["test_course"].slug},
        post=lambda w: {
            "try": w["test_try"].pk,
            **{f"q{q}": c for q, c in w["test_answers"].items()},
        },
    ),
    "learning:lesson": Entry("guest", _lesson),
    "learning:answer": Entry(
        "resident",
        lambda w: {**_lesson(w), "question_id": w["question"].pk},
        post=lambda w: {"choice": w["question"].choices.first().pk},
    ),
    "learning:complete": Entry("resident", _lesson, post=lambda w: {}),
    "learning:my_learning": Entry("resident"),
    "learning:notifications": Entry("resident", query=("page",)),
    "learning:certificate": Entry("resident", lambda w: {"code": w["certificate"].code}),
    "learning:certificate_pdf": Entry("resident", lambda w: {"code": w["certificate"].code}),
    "learning:report_list": Entry("coordinator"),
    "learning:report_detail": Entry("coordinator", _slug, query=("nhanh", "page")),
    "learning:certificate_reviews": Entry("coordinator", query=("xem", "page")),
    "learning:certificate_review": Entry(
        "coordinator",
        lambda w: {"pk": w["held_certificate"].pk},
        post=lambda w: {"decision": "rejected", "reason": "Học quá nhanh.", "confirm": "on"},
    ),
    "learning:campaign_list": Entry("coordinator", query=("page",)),
    "learning:campaign": Entry(
        "coordinator", lambda w: {"pk": w["campaign"].pk}, query=("kind", "page")
    ),
    "learning:campaign_export": Entry(
        "coordinator", lambda w: {"pk": w["campaign"].pk}, post=lambda w: {"kind": ""}
    ),
    "learning:export_job": Entry("coordinator", lambda w: {"pk": 1}),
    "learning:export_download": Entry("coordinator", lambda w: {"pk": 1}),
    "learning:campaign_people": Entry(
        "coordinator",
        lambda w: {"pk": w["campaign"].pk},
        query=("status", "commune", "organization", "kind", "page"),
    ),
    "learning:verify": Entry("guest", lambda w: {"code": w["certificate"].code}),
    "learning:event_list": Entry("guest", query=("page",)),
    "learning:event": Entry("guest", _event),
    "learning:event_check_in": Entry("resident", _event, post=lambda w: {}),
    "learning:booth_check_in": Entry(
        "resident", lambda w: {**_event(w), "booth": w["booth"].pk}, post=lambda w: {}
    ),
    "learning:event_screen": Entry("guest", _event),
    "learning:event_counts": Entry("guest", _event),
    "learning:attendee": Entry("guest", lambda w: {"code": w["resident"].attendee_code}),
    "learning:manage_events": Entry("coordinator", query=("page",)),
    "learning:event_add": Entry("coordinator", post=_event_form, examples=4),
    "learning:event_edit": Entry("coordinator", _event, post=_event_form, examples=4),
    "learning:event_scan": Entry(
        "coordinator",
        _event,
        post=lambda w: {"code": "", "phone": w["resident"].phone, "booth": w["booth"].pk},
        fetch=True,
    ),
    "learning:attendance": Entry("coordinator", _event, query=("page",)),
    "learning:attendance_export": Entry("coordinator", _event),
    "learning:assisted_sign_up": Entry(
        "coordinator",
        post=lambda w: {
            "full_name": "Lý Thị Mỷ",
            "phone": "0912000444",
            "birth_year": "1970",
            "commune": "Giáp Trung",
            "consent_spoken": "on",
        },  # fmt: skip
    ),
    "learning:print_codes": Entry(
        "coordinator",
        query=("event", "kind"),
        post=lambda w: {
            "kind": "event",
            "event": w["event"].pk,
            "course": "",
            "commune": "",
            "page": "",
            "title": "",
            "layout": "cards8",
            "format": "html",
        },  # fmt: skip
    ),
    "quiz:contest_list": Entry("guest"),
    "quiz:contest": Entry("guest", lambda w: {"slug": w["contest"].slug}),
    "quiz:start": Entry("resident", _round, post=lambda w: {}),
    "quiz:leaderboard": Entry("guest", _round),
    "quiz:screen": Entry("guest", _round),
    "quiz:results": Entry("guest", lambda w: {"slug": w["contest"].slug}),
    "quiz:export": Entry("host", _round),
    "quiz:review_queue": Entry("host", _round, query=("xem", "page")),
    "quiz:review_attempt": Entry(
        "host",
        lambda w: {**_round(w), "pk": w["held"].pk},
        post=lambda w: {"decision": "disqualified", "reason": "Thi hộ", "confirm": "on"},
    ),
    "quiz:attempt": Entry("resident", _attempt),
    "quiz:answer": Entry(
        "resident",
        _attempt,
        post=lambda w: {
            "question": w["drawn"].question_id,
            "choice": w["drawn"].question.choices.first().pk,
        },  # fmt: skip
        fetch=True,
    ),
    "quiz:submit": Entry("resident", _attempt, post=lambda w: {"prediction": "1.200"}),
    "quiz:result": Entry("resident", _attempt),
    "quiz:enter_pin": Entry("guest", query=("pin",)),
    "quiz:join": Entry(
        "guest",
        lambda w: {"pin": w["game"].pin},
        post=lambda w: {"nickname": "Hoa Mai", "commune": "Giáp Trung"},
    ),
    "quiz:play": Entry("guest", lambda w: {"pin": w["game"].pin}),
    "quiz:host_list": Entry("host", query=("page",), post=_game_form),
    "quiz:host": Entry("host", _game),
    "quiz:join_qr": Entry("host", _game),
    "quiz:game_export": Entry("host", _game),
    "sign_in_code": Entry("guest", lambda w: {"token": "abc"}, post=lambda w: {}),
    "switch_language": Entry("guest", lambda w: {"code": "vi"}, query=("next",)),
}


def test_every_route_has_a_fuzz_entry():
    names = {name for name, _route, _pattern in routes() if not name.startswith("admin:")}
    assert sorted(names - set(ROUTES)) == []  # a new route: add who may use it and its fields
    assert sorted(set(ROUTES) - names) == []


@pytest.fixture
def world(tuyen_quang, settings):
    """One of everything the routes above open, in commune Giáp Trung (00985)."""
    # Logins check a password on every example: the fast hasher, not 0.3 s of PBKDF2 each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    commune = factories.commune("00985")
    resident = factories.person(commune=commune, full_name="Ma Thị Hoa")
    coordinator = factories.with_role(
        factories.person(commune=commune, full_name="Điều Phối"),
        Role.COMMUNE_COORDINATOR,
        commune=commune,
    )
    host = factories.with_role(
        factories.person(commune=commune, full_name="Ban Tổ Chức"), Role.CONTEST_HOST
    )
    department = factories.with_role(
        factories.person(commune=commune, full_name="Sở Khoa Học"), Role.PROVINCE_ADMIN
    )
    for user in (resident, coordinator, host):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    course = factories.sample_course()
    test_course = import_course(data=parse_markdown(FINAL_TEST_COURSE), publish=True)
    lesson = course.lessons.filter(questions__isnull=False).first()
    now = timezone.now()
    for n in range(4):
        make_question(n, difficulty=1 + n % 3)
    topic = Topic.objects.create(name="Chuyển đổi số")
    topic.questions.set(Question.objects.all())
    contest = Contest.objects.create(title="Tìm hiểu chuyển đổi số", slug="cds", is_published=True)
    round_ = Round.objects.create(
        contest=contest, number=1, opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1), questions_per_attempt=4,
    )  # fmt: skip
    attempt = start_attempt(resident, round_=round_, now=now)
    held = start_attempt(coordinator, round_=round_, now=now)
    submit_attempt(held, prediction=None, now=now)  # at once: held for review
    event = Event.objects.create(commune=commune, title="Ngày hội", date=now.date(), venue="Sân")
    campaign = Campaign.objects.create(
        title="Cán bộ xã", opens_on=now.date(), deadline=now.date() + datetime.timedelta(days=30)
    )
    campaign.courses.add(course)
    return {
        "commune": commune, "resident": resident, "coordinator": coordinator, "host": host,
        "department": department,
        "organization": factories.organization("UBND xã Giáp Trung", commune=commune),
        "headcounts": HeadcountImport.objects.create(created_by=department, file_name="so.xlsx"),
        "course": course, "lesson": lesson, "question": lesson.questions.first(),
        "test_course": test_course,
        "test_answers": {q.pk: q.choices.first().pk
                         for q in test_course.questions.filter(lesson__isnull=True)},
        "test_try": start_final_test(resident, course=test_course, now=now),
        "certificate": issue_certificate(resident, course=course, now=now),
        "held_certificate": issue_certificate(host, course=course, now=now, screened=True),
        "topic": topic, "contest": contest, "attempt": attempt, "drawn": attempt.drawn.first(),
        "held": held,
        "event": event, "booth": Booth.objects.create(event=event, title="VNeID"),
        "campaign": campaign,
        "game": create_game(host=host, title="Đố vui", questions=list(Question.objects.all())),
        "short_code": festival.short_link(target="/hoc/", label="Khoá học").code,
    }  # fmt: skip


# Odd values: Unicode edge cases, NUL, numbers out of every range, overlong text. Lone
# surrogates cannot be UTF-8, so they travel as the bytes a broken client would send.
ODD = st.one_of(
    st.sampled_from(
        [
            "", " ", "\x00", "a\x00b", "²", "١٢٣", "-1", "-99999999999", "0", "1.5", "1e309",
            "NaN", "9" * 19, "9" * 25, "9" * 5000, "2147483648", "32768", "9223372036854775808",
            "e\u0301\u0302\u0303" * 40, "\u202eالتحقق\u202c", "👨‍👩‍👧‍👦" * 30, "\ud800",
            "x\udfffy", "\ufeff", "\r\n", "<script>alert(1)</script>", "' OR 1=1 --", "../..",
            "x" * 101, "x" * 151, "x" * 201, "x" * 301, "x" * 501, "Nguyễn " * 3000,
        ]
    ),
    st.text(max_size=30),
    st.integers().map(str),
    st.text(min_size=150, max_size=700),
)  # fmt: skip


def _encode(fields: dict) -> str:
    return "&".join(
        f"{quote(str(k).encode('utf-8', 'surrogatepass'))}="
        f"{quote(str(v).encode('utf-8', 'surrogatepass'))}"
        for k, v in fields.items()
    )


def _odd_fields(names) -> st.SearchStrategy:
    """A dict with some of `names` set to an odd value (the rest keep their valid sample)."""
    return st.dictionaries(st.sampled_from(sorted(names)), ODD, max_size=len(names))


VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


def assert_answered(response, what: str) -> None:
    """Success, or an error a Vietnamese reader can act on; never a 500."""
    status = response.status_code
    assert status < 500, what
    if status >= 400:
        body = response.content.decode("utf-8", "replace")
        if response.get("content-type", "").startswith("application/json"):
            body = response.json().get("message", "")
        assert VIETNAMESE.search(body), (what, status, body[:300])


# Tried on every field of every route at once, whatever the random examples draw.
EVERY_FIELD = ["²", "9" * 25, "-1", "x" * 1001, "\ud800"]


def _request(client, entry: Entry, url: str, method: str, fields: dict):
    if method == "get":
        return client.get(f"{url}?{_encode(fields)}")
    headers = {"x-requested-with": "fetch"} if entry.fetch else {}
    body = _encode(fields)
    return client.post(url, body, content_type="application/x-www-form-urlencoded", headers=headers)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_odd_input_on_every_route_gets_success_or_a_vietnamese_error(client, world, name):
    entry = ROUTES[name]
    url = reverse(name, kwargs=entry.args(world))
    valid = {k: str(v) for k, v in entry.post(world).items()} if entry.post else {}
    user = world.get(entry.who)

    def as_the_user():
        cache.clear()  # rate limits would otherwise answer every later request
        if user is None:
            client.logout()
        else:
            client.force_login(user)

    def send(method: str, fields: dict):
        as_the_user()
        response = _request(client, entry, url, method, fields)
        if method == "get" and response.status_code == 405:
            assert entry.post is not None, f"GET {url}: 405 but no form in the table"
            return
        assert_answered(response, f"{method.upper()} {url} {fields!r}")

    methods = ["get"] + (["post"] if entry.post else [])
    for value in EVERY_FIELD:
        send("get", {**dict.fromkeys(entry.query or ["x"], value)})
        if entry.post:
            send("post", {**dict.fromkeys(valid, value), "extra": value})
    if not entry.query and not entry.post:
        return  # nothing more the page reads

    @examples(max_examples=entry.examples, **FUZZ_SETTINGS)
    @given(method=st.sampled_from(methods), query=_odd_fields(set(entry.query) or {"x"}),
           odd=_odd_fields(set(valid) | {"extra"}))  # fmt: skip
    def check(method, query, odd):
        send(method, query if method == "get" else {**valid, **odd})

    check()
