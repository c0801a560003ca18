"""The authorization matrix: every route the URL resolver knows, requested as every role,
for an object in scope A and one in scope B.

ROUTES below says, for each route name, its access class and how to build its arguments.
A route the resolver has and ROUTES lacks fails `test_every_route_has_an_entry` with its
name: a new view cannot ship without someone deciding who may open it. The admin site is
one "staff only" check; allauth's pages are public (allauth decides what each one shows).

How to read an entry: `Route(access, objects, sees, ok)`. The access class gates roles
(anonymous → login, wrong role → 403); then for each object, `sees` names the roles that
reach it — anyone else allowed through the gate gets 404, because another scope's object
must not even be known to exist.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import HeadcountImport, Job, Organization, Role, RosterImport, User
from courses.imports import parse_markdown
from courses.models import Course
from courses.services import import_course
from learning.models import Booth, Campaign, Event, ExportJob
from learning.services.completion import issue_certificate
from quiz import games
from quiz.models import Contest, Round
from quiz.services.attempts import start_attempt, submit_attempt
from tests import factories
from tests.factories import SAMPLE, make_question

ANONYMOUS = "anonymous"
RESIDENT = "resident"
COORD_A = "coordinator_A"
COORD_B = "coordinator_B"
COORD_ORG = "organization_coordinator"
EDITOR = "content_editor"
HOST = "contest_host"
ADMIN = "province_admin"
ROLES = [ANONYMOUS, RESIDENT, COORD_A, COORD_B, COORD_ORG, EDITOR, HOST, ADMIN]
SIGNED_IN = set(ROLES) - {ANONYMOUS}
STAFF = {EDITOR, HOST, ADMIN}  # grant_role makes them is_staff (the admin, course previews)

LOGIN = "login"  # 302 to the login page
# The access classes: who passes the gate. Anyone else signed in gets 403 (or `refuse`).
PUBLIC = "public"
LOGGED_IN = "logged-in"
OWNER = "owner-only"  # gate: signed in; `sees`: the object's owner
COORDINATOR = "coordinator"  # lists and province-wide objects; rows are scoped inside
COORDINATOR_SCOPED = "coordinator-scoped"  # an object in a commune's or organization's scope
FESTIVAL = "festival-staff"  # coordinators of a commune (and its digital volunteers)
HOST_ONLY = "host-only"
ORGANISER_OR_COORDINATOR = "organiser-or-coordinator"  # contest hosts, and coordinators
DEPARTMENT = "department"  # province-wide pages: the province administrator only
GATES = {
    PUBLIC: set(ROLES),
    LOGGED_IN: SIGNED_IN,
    OWNER: SIGNED_IN,
    COORDINATOR: {COORD_A, COORD_B, COORD_ORG, ADMIN},
    COORDINATOR_SCOPED: {COORD_A, COORD_B, COORD_ORG, ADMIN},
    FESTIVAL: {COORD_A, COORD_B, ADMIN},
    HOST_ONLY: {HOST, ADMIN},  # quiz.add_game; a province admin is a superuser
    ORGANISER_OR_COORDINATOR: {COORD_A, COORD_B, COORD_ORG, HOST, ADMIN},
    DEPARTMENT: {ADMIN},
}


@dataclass
class Route:
    access: str
    # object key → (world → URL kwargs); {"": ...} for a route without arguments
    objects: dict[str, Callable[[dict], dict]] = field(default_factory=lambda: {"": lambda w: {}})
    sees: dict[str, set[str]] = field(default_factory=dict)  # object key → roles; default all
    ok: int | dict[str, int] = 200  # what an allowed role gets (per role where it differs)
    method: str = "GET"
    refuse: int = 403  # what a signed-in role outside the gate gets
    missing: int = 404  # what a role through the gate but not in `sees` gets
    anonymous: str | int | None = None  # what anonymous gets when not LOGIN/ok

    def expected(self, role: str, key: str):
        if role == ANONYMOUS and self.anonymous is not None:
            return self.anonymous
        if role not in GATES[self.access]:
            return LOGIN if role == ANONYMOUS else self.refuse
        if key in self.sees and role not in self.sees[key]:
            return self.missing
        return self.ok.get(role, self.ok["*"]) if isinstance(self.ok, dict) else self.ok


def one(builder):
    return {"A": builder}


def a_and_b(a, b):
    return {"A": a, "B": b}


IN_A = {COORD_A, ADMIN}
IN_B = {COORD_B, ADMIN}
NOBODY: set[str] = set()
REDIRECTS_SIGNED_IN = {"*": 302, ANONYMOUS: 200}  # allauth's anonymous-only pages

ROUTES: dict[str, Route] = {
    # --- config ---
    "health": Route(PUBLIC),
    "home": Route(PUBLIC),
    "privacy": Route(PUBLIC),
    "short_link": Route(
        PUBLIC,
        a_and_b(lambda w: {"code": w["short_code"]}, lambda w: {"code": "ZZZZZZ"}),
        sees={"B": NOBODY},
        ok=302,
    ),
    "switch_language": Route(PUBLIC, one(lambda w: {"code": "en"}), ok=302),
    # A page with a button; only its POST spends the link (an SMS preview must not).
    "sign_in_code": Route(PUBLIC, one(lambda w: {"token": "khong-co-ma-nay"})),
    # --- allauth (public; what each shows a signed-in person is allauth's business) ---
    "account_signup": Route(PUBLIC, ok=REDIRECTS_SIGNED_IN),
    "account_login": Route(PUBLIC, ok=REDIRECTS_SIGNED_IN),
    "account_logout": Route(PUBLIC, ok={"*": 200, ANONYMOUS: 302}),
    "account_inactive": Route(PUBLIC),
    "account_reauthenticate": Route(LOGGED_IN),
    "account_email": Route(LOGGED_IN),
    "account_email_verification_sent": Route(PUBLIC),
    "account_change_password": Route(LOGGED_IN),
    "account_set_password": Route(LOGGED_IN, ok=302),  # they have one: go change it
    "account_reset_password": Route(PUBLIC),
    "account_reset_password_done": Route(PUBLIC),
    "account_reset_password_from_key": Route(PUBLIC, one(lambda w: {"uidb36": "1", "key": "x"})),
    "account_reset_password_from_key_done": Route(PUBLIC),
    "account_confirm_email": Route(PUBLIC, one(lambda w: {"key": "sai-ma"})),
    "account_request_login_code": Route(PUBLIC, ok=REDIRECTS_SIGNED_IN),
    # Nothing pending (no code asked for, no phone to verify): back to the start.
    "account_confirm_login_code": Route(PUBLIC, ok=302, anonymous=LOGIN),
    "account_verify_phone": Route(PUBLIC, ok=302, anonymous=LOGIN),
    "account_change_phone": Route(LOGGED_IN),
    # --- accounts ---
    "accounts:profile": Route(LOGGED_IN),
    "accounts:profile_edit": Route(LOGGED_IN),
    "accounts:consent": Route(LOGGED_IN, ok=302),  # everyone here has consented already
    "accounts:people_list": Route(COORDINATOR),
    "accounts:people_export": Route(COORDINATOR),
    "accounts:person_detail": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["users"][RESIDENT].pk}, lambda w: {"pk": w["person_B"].pk}),
        sees={"A": IN_A, "B": IN_B},
    ),
    "accounts:roster_upload": Route(COORDINATOR),
    "accounts:roster_template": Route(COORDINATOR),
    "accounts:roster_preview": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["roster_A"].pk}, lambda w: {"pk": w["roster_B"].pk}),
        sees={"A": {COORD_A}, "B": {COORD_B}},  # the uploader's own, even for the province
    ),
    "accounts:roster_slips": Route(  # starts a job: a redirect to its page
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["roster_A"].pk}, lambda w: {"pk": w["roster_B"].pk}),
        sees={"A": {COORD_A}, "B": {COORD_B}},
        ok=302,
        method="POST",
    ),
    "accounts:roster_problems": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["roster_A"].pk}, lambda w: {"pk": w["roster_B"].pk}),
        sees={"A": {COORD_A}, "B": {COORD_B}},
    ),
    # Organizations: every coordinator lists and adds within their scope (issue 14).
    "accounts:organization_list": Route(COORDINATOR),
    "accounts:organization_add": Route(COORDINATOR),
    "accounts:organization_edit": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["organization_X"].pk}, lambda w: {"pk": w["unit_B"].pk}),
        sees={"A": {COORD_ORG, ADMIN}, "B": {COORD_B, ADMIN}},
    ),
    # Expected headcounts: the Department's; an import is its uploader's own.
    "accounts:headcounts": Route(DEPARTMENT),
    "accounts:headcounts_export": Route(DEPARTMENT),
    "accounts:headcounts_upload": Route(DEPARTMENT),
    "accounts:headcounts_preview": Route(
        DEPARTMENT,
        a_and_b(lambda w: {"pk": w["headcounts_A"].pk}, lambda w: {"pk": w["headcounts_B"].pk}),
        sees={"A": {ADMIN}, "B": NOBODY},
    ),
    **{
        name: Route(  # a background job: only the person who started it
            OWNER,
            a_and_b(lambda w: {"pk": w["job_slips_A"].pk}, lambda w: {"pk": w["job_slips_B"].pk}),
            sees={"A": {COORD_A}, "B": {COORD_B}},
            **extra,
        )
        for name, extra in (
            ("accounts:job", {}),
            ("accounts:job_download", {}),
            ("accounts:job_retry", {"ok": 302, "method": "POST"}),  # not failed: its page
        )
    },
    # --- learning: reading ---
    "learning:catalogue": Route(PUBLIC),
    "learning:course": Route(
        PUBLIC,
        a_and_b(lambda w: {"slug": w["course"].slug}, lambda w: {"slug": w["draft"].slug}),
        sees={"B": STAFF},  # an unpublished course: staff preview it, nobody else knows it
    ),
    "learning:enroll": Route(
        LOGGED_IN,
        a_and_b(lambda w: {"slug": w["course"].slug}, lambda w: {"slug": w["draft"].slug}),
        sees={"B": STAFF},
        ok=302,
        method="POST",
    ),
    "learning:final_test": Route(
        LOGGED_IN, one(lambda w: {"slug": w["course"].slug}), sees={"A": NOBODY}
    ),  # the sample course has no final test
    "learning:lesson": Route(PUBLIC, one(lambda w: w["lesson"])),
    "learning:answer": Route(PUBLIC, one(lambda w: w["question"]), ok=302, method="POST"),
    "learning:complete": Route(PUBLIC, one(lambda w: w["lesson"]), ok=302, method="POST"),
    "learning:my_learning": Route(LOGGED_IN),
    "learning:notifications": Route(LOGGED_IN),
    "learning:certificate": Route(
        OWNER,
        a_and_b(lambda w: {"code": w["cert_A"].code}, lambda w: {"code": w["cert_B"].code}),
        sees={"A": {RESIDENT}, "B": NOBODY},
    ),
    "learning:certificate_pdf": Route(
        OWNER,
        a_and_b(lambda w: {"code": w["cert_A"].code}, lambda w: {"code": w["cert_B"].code}),
        sees={"A": {RESIDENT}, "B": NOBODY},
    ),
    "learning:verify": Route(
        PUBLIC,
        a_and_b(lambda w: {"code": w["cert_A"].code}, lambda w: {"code": "KHONGCOMA"}),
        sees={"B": NOBODY},
    ),
    # --- learning: coordinators' reports ---
    "learning:report_list": Route(COORDINATOR),
    "learning:report_detail": Route(COORDINATOR, one(lambda w: {"slug": w["course"].slug})),
    # Held certificates: reviewed by the coordinators of the holder's scope (issue 14).
    "learning:certificate_reviews": Route(COORDINATOR),
    "learning:certificate_review": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["cert_A"].pk}, lambda w: {"pk": w["cert_B"].pk}),
        sees={"A": IN_A, "B": IN_B},
    ),
    "learning:campaign_list": Route(COORDINATOR),
    "learning:campaign": Route(COORDINATOR, one(lambda w: {"pk": w["campaign"].pk})),
    "learning:campaign_people": Route(COORDINATOR, one(lambda w: {"pk": w["campaign"].pk})),
    "learning:campaign_export": Route(
        COORDINATOR, one(lambda w: {"pk": w["campaign"].pk}), ok=302, method="POST"
    ),
    "learning:export_job": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["job_A"].pk}, lambda w: {"pk": w["job_B"].pk}),
        sees={"A": {COORD_A}, "B": {COORD_B}},  # the requester's own report
    ),
    "learning:export_download": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["job_A"].pk}, lambda w: {"pk": w["job_B"].pk}),
        sees={"A": {COORD_A}, "B": {COORD_B}},
    ),
    # --- learning: the festival ---
    "learning:event_list": Route(PUBLIC),
    "learning:event": Route(
        PUBLIC,
        a_and_b(lambda w: {"pk": w["event_A"].pk}, lambda w: {"pk": w["event_B"].pk}),
        sees={"B": NOBODY},  # event B is not published
    ),
    "learning:event_check_in": Route(
        PUBLIC,
        one(lambda w: {"pk": w["event_A"].pk}),
        anonymous=302,  # → quick sign-up
    ),
    "learning:booth_check_in": Route(
        PUBLIC, one(lambda w: {"pk": w["event_A"].pk, "booth": w["booth_A"].pk}), anonymous=302
    ),
    "learning:event_screen": Route(
        PUBLIC,
        a_and_b(lambda w: {"pk": w["event_A"].pk}, lambda w: {"pk": w["event_B"].pk}),
        sees={"B": NOBODY},
    ),
    "learning:event_counts": Route(
        PUBLIC,
        a_and_b(lambda w: {"pk": w["event_A"].pk}, lambda w: {"pk": w["event_B"].pk}),
        sees={"B": NOBODY},
    ),
    "learning:attendee": Route(
        PUBLIC,
        a_and_b(
            lambda w: {"code": w["users"][RESIDENT].attendee_code}, lambda w: {"code": "khong-co"}
        ),
        sees={"B": NOBODY},
    ),
    "learning:manage_events": Route(FESTIVAL),
    "learning:event_add": Route(FESTIVAL),
    "learning:assisted_sign_up": Route(FESTIVAL),
    "learning:print_codes": Route(FESTIVAL),
    **{
        name: Route(
            FESTIVAL,
            a_and_b(lambda w: {"pk": w["event_A"].pk}, lambda w: {"pk": w["event_B"].pk}),
            sees={"A": IN_A, "B": IN_B},
        )
        for name in (
            "learning:event_edit",
            "learning:event_scan",
            "learning:attendance",
            "learning:attendance_export",
        )
    },
    # --- quiz: the contest ---
    "quiz:contest_list": Route(PUBLIC),
    "quiz:contest": Route(
        PUBLIC,
        a_and_b(lambda w: {"slug": w["contest"].slug}, lambda w: {"slug": w["draft_contest"].slug}),
        sees={"B": NOBODY},
    ),
    "quiz:start": Route(
        LOGGED_IN,
        a_and_b(lambda w: w["round"], lambda w: w["draft_round"]),
        sees={"B": NOBODY},
        ok=302,
        method="POST",
    ),
    **{
        name: Route(
            PUBLIC,
            a_and_b(lambda w: w["round"], lambda w: w["draft_round"]),
            sees={"B": NOBODY},
        )
        for name in ("quiz:leaderboard", "quiz:screen")
    },
    "quiz:results": Route(
        PUBLIC,
        a_and_b(lambda w: {"slug": w["contest"].slug}, lambda w: {"slug": w["draft_contest"].slug}),
        sees={"B": NOBODY},
    ),
    "quiz:export": Route(  # organisers; coordinators their scope's rows once published
        ORGANISER_OR_COORDINATOR,
        a_and_b(lambda w: w["round"], lambda w: w["draft_round"]),
        sees={"B": {HOST, ADMIN}},
        refuse=404,
    ),
    "quiz:review_queue": Route(  # organisers; coordinators their scope's held attempts
        ORGANISER_OR_COORDINATOR,
        a_and_b(lambda w: w["round"], lambda w: w["draft_round"]),
        sees={"B": {HOST, ADMIN}},
        refuse=404,
    ),
    "quiz:review_attempt": Route(
        ORGANISER_OR_COORDINATOR,
        a_and_b(
            lambda w: {**w["held_round"], "pk": w["held_A"].pk},
            lambda w: {**w["held_round"], "pk": w["held_B"].pk},
        ),
        sees={"A": {COORD_A, HOST, ADMIN}, "B": {COORD_B, HOST, ADMIN}},
        refuse=404,
    ),
    "quiz:attempt": Route(
        OWNER,
        a_and_b(lambda w: {"pk": w["attempt_A"].pk}, lambda w: {"pk": w["attempt_B"].pk}),
        sees={"A": {RESIDENT}, "B": NOBODY},
    ),
    "quiz:result": Route(
        OWNER,
        a_and_b(lambda w: {"pk": w["attempt_A"].pk}, lambda w: {"pk": w["attempt_B"].pk}),
        sees={"A": {RESIDENT}, "B": NOBODY},
        ok=302,  # not submitted yet: back to the attempt
    ),
    **{
        name: Route(
            OWNER,
            a_and_b(lambda w: {"pk": w["attempt_A"].pk}, lambda w: {"pk": w["attempt_B"].pk}),
            sees={"A": {RESIDENT}, "B": NOBODY},
            ok=302,  # nothing chosen / submitted: back to the attempt
            method="POST",
        )
        for name in ("quiz:answer", "quiz:submit")
    },
    # --- quiz: live games ---
    "quiz:enter_pin": Route(PUBLIC),
    "quiz:join": Route(
        PUBLIC,
        a_and_b(lambda w: {"pin": w["game_A"].pin}, lambda w: {"pin": "000000"}),
        sees={"B": NOBODY},
        missing=302,  # no open game with that PIN: back to the PIN page, with a message
    ),
    "quiz:play": Route(PUBLIC, one(lambda w: {"pin": w["game_A"].pin}), ok=302),  # not joined
    "quiz:host_list": Route(HOST_ONLY),
    **{
        name: Route(
            HOST_ONLY,
            a_and_b(lambda w: {"pk": w["game_A"].pk}, lambda w: {"pk": w["game_B"].pk}),
            sees={"A": {HOST, ADMIN}, "B": {ADMIN}},  # game B is another host's
        )
        for name in ("quiz:host", "quiz:join_qr", "quiz:game_export")
    },
}


# --- The resolver's routes -------------------------------------------------------------------


def resolver_routes() -> tuple[dict[str, str], list[str]]:
    """{route name: pattern} for every route outside the admin, and unnamed patterns."""
    named: dict[str, str] = {}
    unnamed: list[str] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin":
                    continue  # one "staff only" check below
                inner = ":".join(p for p in (namespace, entry.namespace) if p)
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                if entry.name is None:
                    unnamed.append(prefix + str(entry.pattern))
                else:
                    name = f"{namespace}:{entry.name}" if namespace else entry.name
                    named.setdefault(name, prefix + str(entry.pattern))

    walk(get_resolver(), "", "")
    return named, unnamed


def test_every_route_has_an_entry():
    named, unnamed = resolver_routes()
    missing = sorted(set(named) - set(ROUTES))
    assert not missing, (
        "These routes have no entry in tests/config/test_authorization.py ROUTES; say who "
        "may open them: " + ", ".join(f"{n} ({named[n]})" for n in missing)
    )
    assert not unnamed, f"Name these routes so the matrix can list them: {unnamed}"
    stale = sorted(set(ROUTES) - set(named))
    assert not stale, f"ROUTES lists routes the resolver no longer has: {stale}"


# --- The world: one per module ----------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Communes A and B, an organization X, one user per role, and in each scope the objects
    the routes take. Built once, rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = _build_world()
            # Sign each role in once: a test only copies the session cookie.
            built["sessions"] = {}
            for role_name, user in built["users"].items():
                client = Client()
                client.force_login(user)
                built["sessions"][role_name] = client.cookies[settings.SESSION_COOKIE_NAME].value
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _build_world() -> dict:
    now = timezone.now()
    a, b = factories.commune("00985"), factories.commune("02554")
    x = factories.organization("Sở Thử Nghiệm", kind=Organization.Kind.DEPARTMENT)
    role = factories.with_role
    users = {
        RESIDENT: factories.person(commune=a, full_name="Người Dân Giáp"),
        COORD_A: role(factories.person(commune=a), Role.COMMUNE_COORDINATOR, commune=a),
        COORD_B: role(factories.person(commune=b), Role.COMMUNE_COORDINATOR, commune=b),
        COORD_ORG: role(factories.person(commune=a), Role.ORGANIZATION_COORDINATOR, organization=x),
        EDITOR: role(factories.person(commune=a), Role.CONTENT_EDITOR),
        HOST: role(factories.person(commune=a), Role.CONTEST_HOST),
        ADMIN: role(factories.person(commune=b), Role.PROVINCE_ADMIN),
    }
    person_b = factories.person(commune=b, full_name="Người Dân Minh")
    unit_b = factories.organization("Trường Tiểu học Minh Thanh", commune=b)
    other_host = role(factories.person(commune=b), Role.CONTEST_HOST)
    User.objects.update(consent_at=now)

    course = import_course(data=parse_markdown(SAMPLE.read_text(encoding="utf-8")), publish=True)
    draft = Course.objects.create(
        title="Bản nháp", slug="ban-nhap", summary=".", audience="residents"
    )
    lesson = course.lessons.order_by("module__order", "order").first()
    question = lesson.questions.first()
    certificates = {
        key: issue_certificate(owner, course=course, now=now)
        for key, owner in (("A", users[RESIDENT]), ("B", person_b))
    }

    campaign = Campaign.objects.create(
        title="Đợt thử", kinds=["commune_official"], opens_on=now.date(), deadline=now.date()
    )
    campaign.courses.add(course)
    jobs = {
        key: ExportJob.objects.create(
            created_by=users[coordinator], campaign=campaign, created_at=now,
            state=ExportJob.State.DONE, file_name=f"exports/thu-{key}.xlsx", finished_at=now,
        )
        for key, coordinator in (("A", COORD_A), ("B", COORD_B))
    }  # fmt: skip
    rosters = {
        key: RosterImport.objects.create(
            created_by=users[coordinator], file_name="ds.xlsx", confirmed_at=now,
            problems_file=f"rosters/loi-{key}.xlsx",
        )
        for key, coordinator in (("A", COORD_A), ("B", COORD_B))
    }  # fmt: skip
    slips = {
        key: Job.objects.create(
            kind=Job.Kind.SLIPS, task="accounts.jobs.thu", created_by=users[coordinator],
            state=Job.State.DONE, result_file=f"jobs/phieu-{key}.pdf", result_name="phieu.pdf",
            created_at=now, updated_at=now, finished_at=now,
        )
        for key, coordinator in (("A", COORD_A), ("B", COORD_B))
    }  # fmt: skip

    headcount_imports = {
        key: HeadcountImport.objects.create(created_by=owner, file_name="so.xlsx")
        for key, owner in (("A", users[ADMIN]), ("B", other_host))
    }

    today = timezone.localdate()
    event_a = Event.objects.create(commune=a, title="Ngày hội A", date=today, venue="Nhà")
    event_b = Event.objects.create(
        commune=b, title="Ngày hội B", date=today, venue="Sân", is_published=False
    )
    booth_a = Booth.objects.create(event=event_a, title="Gian A")
    from learning import festival

    short = festival.short_link(target=event_a.get_absolute_url(), label="A", event=event_a)

    questions = [make_question(n, difficulty=1 + n % 3) for n in range(6)]
    contest = Contest.objects.create(title="Cuộc thi", slug="cuoc-thi", is_published=True)
    draft_contest = Contest.objects.create(title="Chưa công bố", slug="chua-cong-bo")
    window = {
        "opens_at": now - datetime.timedelta(hours=1),
        "closes_at": now + datetime.timedelta(hours=2),
        "questions_per_attempt": 6,
        "attempts_allowed": 0,
    }
    round_ = Round.objects.create(contest=contest, number=1, **window)
    Round.objects.create(contest=draft_contest, number=1, **window)
    attempts = {
        key: start_attempt(owner, round_=round_, now=now)
        for key, owner in (("A", users[RESIDENT]), ("B", person_b))
    }
    held_round = Round.objects.create(contest=contest, number=2, **window)
    held = {}  # submitted as soon as started: held for review
    for key, owner in (("A", users[RESIDENT]), ("B", person_b)):
        held[key] = start_attempt(owner, round_=held_round, now=now)
        submit_attempt(held[key], prediction=None, now=now)
    game_a = games.create_game(host=users[HOST], title="Trò chơi A", questions=questions)
    game_b = games.create_game(host=other_host, title="Trò chơi B", questions=questions)

    return {
        "users": users,
        "person_B": person_b,
        "organization_X": x,
        "unit_B": unit_b,
        "course": course,
        "draft": draft,
        "lesson": {"slug": course.slug, "lesson_id": lesson.pk},
        "question": {"slug": course.slug, "lesson_id": lesson.pk, "question_id": question.pk},
        "cert_A": certificates["A"],
        "cert_B": certificates["B"],
        "campaign": campaign,
        "job_A": jobs["A"],
        "job_B": jobs["B"],
        "roster_A": rosters["A"],
        "job_slips_A": slips["A"],
        "job_slips_B": slips["B"],
        "roster_B": rosters["B"],
        "headcounts_A": headcount_imports["A"],
        "headcounts_B": headcount_imports["B"],
        "event_A": event_a,
        "event_B": event_b,
        "booth_A": booth_a,
        "short_code": short.code,
        "contest": contest,
        "draft_contest": draft_contest,
        "round": {"slug": contest.slug, "number": 1},
        "draft_round": {"slug": draft_contest.slug, "number": 1},
        "attempt_A": attempts["A"],
        "attempt_B": attempts["B"],
        "held_round": {"slug": contest.slug, "number": 2},
        "held_A": held["A"],
        "held_B": held["B"],
        "game_A": game_a,
        "game_B": game_b,
    }


def _prepare(world) -> None:
    """Per-test files the world's objects point at (PRIVATE_ROOT is a new folder per test)."""
    names = [world[key].file_name for key in ("job_A", "job_B")]
    names += [world[key].problems_file for key in ("roster_A", "roster_B")]
    names += [world[key].result_file for key in ("job_slips_A", "job_slips_B")]
    for name in names:
        path = Path(settings.PRIVATE_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"PK")


def _answer(client: Client, method: str, url: str):
    response = client.post(url) if method == "POST" else client.get(url)
    if response.status_code == 302 and response.url.startswith(reverse("account_login")):
        return LOGIN
    return response.status_code


# --- The matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_role_as_its_access_class_says(db, world, name):
    route = ROUTES[name]
    _prepare(world)
    clients = {ANONYMOUS: Client()}
    for role_name, session in world["sessions"].items():
        clients[role_name] = Client()
        clients[role_name].cookies[settings.SESSION_COOKIE_NAME] = session
    wrong = []
    for key, build in route.objects.items():
        url = reverse(name, kwargs=build(world))
        for role_name in ROLES:
            expected = route.expected(role_name, key)
            got = _answer(clients[role_name], route.method, url)
            if got != expected:
                wrong.append(
                    f"{role_name} {route.method} {url} ({key or '-'}): {got}, not {expected}"
                )
    assert not wrong, f"{name} [{route.access}]:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("role_name", ROLES)
def test_the_admin_is_for_staff_only(db, world, role_name):
    client = Client()
    if role_name != ANONYMOUS:
        client.force_login(world["users"][role_name])
    response = client.get(reverse("admin:index"))
    if role_name in STAFF:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
