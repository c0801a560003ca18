"""Odd input never gets a 500: a property-based fuzz of every form and JSON endpoint the URL
resolver knows (the table of routes is tests/config/fuzz_routes.py; ids and NUL at the edge
are tests/config/test_ids_and_nul.py).

The only acceptable answers are success (2xx, 3xx) or a Vietnamese error (4xx, or 200 with
the form shown again with its errors). Runs on both databases: PostgreSQL refuses NUL in
text and checks column lengths and integer ranges, SQLite does neither.
"""

import datetime
import re
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

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
from tests.config.fuzz_routes import ROUTES, Entry
from tests.config.routing import routes
from tests.factories import FINAL_TEST_COURSE, PASSWORD, make_question

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


# Every named route (Django's admin aside) has an entry in fuzz_routes.ROUTES. Each example
# keeps most fields valid and makes some odd, so the odd value reaches the code behind the
# other checks. A route without an entry fails the build.


def test_every_route_has_a_fuzz_entry():
    names = {name for name, _route, _pattern in routes() if not name.startswith("admin:")}
    assert sorted(names - set(ROUTES)) == []  # a new route: add who may use it and its fields
    assert sorted(set(ROUTES) - names) == []


def _people(commune) -> dict:
    """A resident, a commune coordinator, a contest host and the Department, each with the
    password the login forms are fuzzed with, hashed by the fast hasher."""
    people = {
        "resident": factories.person(commune=commune, full_name="Ma Thị Hoa"),
        "coordinator": factories.with_role(
            factories.person(commune=commune, full_name="Điều Phối"),
            Role.COMMUNE_COORDINATOR,
            commune=commune,
        ),
        "host": factories.with_role(
            factories.person(commune=commune, full_name="Ban Tổ Chức"), Role.CONTEST_HOST
        ),
        "department": factories.with_role(
            factories.person(commune=commune, full_name="Sở Khoa Học"), Role.PROVINCE_ADMIN
        ),
    }
    for key in ("resident", "coordinator", "host"):
        people[key].set_password(PASSWORD)
        people[key].save(update_fields=["password"])
    return people


def _contest(people, now) -> dict:
    """Four bank questions in a topic, a contest round open now, the resident's attempt
    under way and the coordinator's held for review."""
    for n in range(4):
        make_question(n, difficulty=1 + n % 3)
    topic = Topic.objects.create(name="Chuyển đổi số")
    topic.questions.set(Question.objects.all())
    contest = Contest.objects.create(title="Tìm hiểu chuyển đổi số", slug="cds", is_published=True)
    round_ = Round.objects.create(
        contest=contest, number=1, opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1), questions_per_attempt=4,
    )  # fmt: skip
    attempt = start_attempt(people["resident"], round_=round_, now=now)
    held = start_attempt(people["coordinator"], round_=round_, now=now)
    submit_attempt(held, prediction=None, now=now)  # at once: held for review
    return {"topic": topic, "contest": contest, "attempt": attempt,
            "drawn": attempt.drawn.first(), "held": held}  # fmt: skip


@pytest.fixture
def world(tuyen_quang, settings):
    """One of everything the routes above open, in commune Giáp Trung (00985)."""
    # Logins check a password on every example: the fast hasher, not 0.3 s of PBKDF2 each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    commune = factories.commune("00985")
    people = _people(commune)
    resident, host, department = people["resident"], people["host"], people["department"]
    course = factories.sample_course()
    test_course = import_course(data=parse_markdown(FINAL_TEST_COURSE), publish=True)
    lesson = course.lessons.filter(questions__isnull=False).first()
    now = timezone.now()
    contest = _contest(people, now)
    event = Event.objects.create(commune=commune, title="Ngày hội", date=now.date(), venue="Sân")
    campaign = Campaign.objects.create(
        title="Cán bộ xã", opens_on=now.date(), deadline=now.date() + datetime.timedelta(days=30)
    )
    campaign.courses.add(course)
    return {
        "commune": commune, **people,
        "organization": factories.organization("UBND xã Giáp Trung", commune=commune),
        "headcounts": HeadcountImport.objects.create(created_by=department, file_name="so.xlsx"),
        "course": course, "lesson": lesson, "question": lesson.questions.first(),
        "test_course": test_course,
        "test_answers": {q.pk: q.choices.first().pk
                         for q in test_course.questions.filter(lesson__isnull=True)},
        "test_try": start_final_test(resident, course=test_course, now=now),
        "certificate": issue_certificate(resident, course=course, now=now),
        "held_certificate": issue_certificate(host, course=course, now=now, screened=True),
        **contest,
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
