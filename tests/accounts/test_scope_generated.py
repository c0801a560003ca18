"""The generated scope test (issue 14). For several seeds, a directory of communes with
0–5 organizations, nested units and people in several roles (tests/accounts/scope_world.py);
for every kind of coordinator, every scoped list (with its filters, every page), detail and
export holds exactly the viewer's scope, each object once, answering 200 or 404 and never a
500. What the viewer should see is computed here in plain Python over the generated data,
never by asking accounts.scopes.

Pages are made small so that paging runs on a small directory. Wrong answers are collected,
not raised, so that one run lists all of a seed's.
"""

import io
import random
from collections import Counter

import pytest
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Commune, Organization, User
from accounts.scopes import Scope
from accounts.services.communes import load_tuyen_quang
from accounts.services.rosters import roster_directory
from courses.models import Course
from learning.models import Assignment, Campaign, Certificate, Enrollment, Status
from quiz.models import Attempt, GameAnswer, Standing
from tests.accounts.scope_world import KINDS, World, build

SEEDS = [14, 2025, 7]
# What a search box gets, and the same without accents or case.
SEARCHES = [("văn", "van"), ("THỊ LAN", "thi lan"), ("Lê Văn Hòa", "le van hoa")]


@pytest.fixture(scope="module", params=SEEDS)
def world(request, django_db_setup, django_db_blocker) -> World:
    """One directory per seed, built once for the module's tests and rolled back after."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_tuyen_quang()
            built = build(request.param)
            for key, viewer in built.viewers.items():  # signed in once; a test copies the cookie
                client = Client()
                client.force_login(viewer.user)
                built.sessions[key] = client.cookies[settings.SESSION_COOKIE_NAME].value
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr("accounts.views.people.PEOPLE_PER_PAGE", 10)
    monkeypatch.setattr("learning.views.reports.REPORT_PER_PAGE", 12)
    monkeypatch.setattr("learning.views.festival.PER_PAGE", 4)


class Findings(list):
    """Every wrong answer of a test, one line each."""

    def check(self, label: str, got, expected) -> bool:
        if got != expected:
            self.append(f"{label}: got {_sorted(got)}, expected {_sorted(expected)}")
        return got == expected

    def once(self, label: str, items: list) -> None:
        repeated = sorted(str(k) for k, n in Counter(items).items() if n > 1)
        if repeated:
            self.append(f"{label}: listed more than once: {repeated}")

    def report(self, world: World) -> str:
        return f"seed {world.seed}: {len(self)} wrong\n  " + "\n  ".join(self[:60])


def _sorted(value):
    return sorted(value, key=str) if isinstance(value, set) else value


def client_of(world: World, key: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[key]
    return client


def coordinators(world: World):
    return [v for v in world.viewers.values() if v.coordinator]


def pick(items, n: int, *salt) -> list:
    """`n` of `items`, the same ones on every run."""
    items = sorted(items)
    return random.Random(":".join(map(str, salt))).sample(items, min(n, len(items)))


def answer(found: Findings, label: str, client: Client, url: str, params=None, method="get"):
    """The response, or None after noting a 500 (the test client re-raises a view's error)."""
    try:
        return getattr(client, method)(url, params or {})
    except Exception as error:  # noqa: BLE001 — whatever it is, a person would see a 500
        found.append(f"{label}: 500 ({type(error).__name__}: {error})")
        return None


def status(found: Findings, label: str, response, expected: int) -> bool:
    return response is not None and found.check(f"{label} status", response.status_code, expected)


def every_page(found: Findings, label: str, client: Client, url: str, params: dict):
    """(every page's objects in order, page 1's response), or (None, None) after a wrong
    answer."""
    first = answer(found, label, client, url, params)
    if not status(found, label, first, 200):
        return None, None
    paginator = first.context["page"].paginator
    items = list(first.context["page"].object_list)
    for number in range(2, paginator.num_pages + 1):
        more = answer(found, f"{label} page {number}", client, url, {**params, "page": number})
        if not status(found, f"{label} page {number}", more, 200):
            return None, None
        items += list(more.context["page"].object_list)
    found.check(f"{label} count", paginator.count, len(items))
    return items, first


def listed(
    found: Findings,
    label: str,
    client: Client,
    url: str,
    params: dict,
    expected,
    *,
    key=lambda row: row.pk,
):
    """Walk every page of a list: each object once, and the `key`s of all of them exactly
    `expected`. Returns what every_page does."""
    items, first = every_page(found, label, client, url, params)
    if items is not None:
        found.once(label, [row.pk for row in items])
        found.check(label, {key(row) for row in items}, expected)
    return items, first


def sheet_rows(content: bytes, title: str | None = None) -> list[tuple]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    sheet = book[title] if title else book.active
    return list(sheet.iter_rows(min_row=2, values_only=True))


def sheet_columns(content: bytes, title: str, *headers: str) -> list[tuple]:
    """The columns named `headers` of every row, found by their header wherever they are."""
    rows = load_workbook(io.BytesIO(content), read_only=True)[title].iter_rows(values_only=True)
    first = list(next(rows))
    where = [first.index(header) for header in headers]
    return [tuple(row[i] for i in where) for row in rows]


# --- Scope.filter on every model it serves, and on paths through to-many relations ------------

BY_USER = {"commune": "user__commune", "organization": "user__organization"}


def _cases(world: World, viewer, every_commune: set[int], every_unit: set[int]):
    """(name, queryset, paths, the values_list fields naming an object, what the viewer
    sees) for every model a scope narrows."""
    visible, reach, everything = world.visible(viewer), world.reach(viewer), viewer.everything
    sees = world.sees
    named = {plan.pk: set(plan.communes) for plan in world.plans.values()}
    return [
        ("User", User.objects.all(), {}, ("pk",), visible),
        ("Commune, its organizations", Commune.objects.all(),
         {"commune": "pk", "organization": "organizations"}, ("pk",),
         world.scope_communes(viewer, every_commune)),
        ("Commune, its people's organizations", Commune.objects.all(),
         {"commune": "pk", "organization": "people__organization"}, ("pk",),
         every_commune if everything else viewer.communes
         | {p.commune for p in world.people.values() if p.organization in reach}),
        ("Organization", Organization.objects.all(),
         {"commune": "commune", "organization": "pk"}, ("pk",),
         every_unit if everything else reach),
        ("Organization, its sub-units", Organization.objects.all(),
         {"commune": None, "organization": "children"}, ("pk",),
         every_unit if everything
         else {u.parent for u in world.units.values() if u.parent and u.pk in reach}),
        ("Campaign, its communes", Campaign.objects.all(),
         {"commune": "communes", "organization": None}, ("pk",),
         set(named) if everything else {pk for pk, c in named.items() if c & viewer.communes}),
        ("Enrollment", Enrollment.objects.all(), BY_USER, ("user_id", "course_id"),
         {(r.person, r.course) for r in world.learning if r.person in visible}),
        ("Certificate", Certificate.objects.all(), BY_USER, ("user_id", "course_id"),
         {(r.person, r.course) for r in world.learning if r.issued_at and r.person in visible}),
        ("Assignment", Assignment.objects.all(), BY_USER, ("campaign_id", "user_id"),
         {(p.pk, pk) for p in world.plans.values() for pk in world.assigned(p) & visible}),
        ("Attempt", Attempt.objects.all(), BY_USER, ("pk",),
         {pk for pk, person in world.attempts.items() if person in visible}),
        ("Standing", Standing.objects.all(), {}, ("user_id",),
         {pk for pk, s in world.scores.items() if sees(viewer, s.commune, s.organization)}),
        ("GameAnswer", GameAnswer.objects.all(),
         {"commune": "player__commune", "organization": "player__organization"}, ("pk",),
         {a.pk for a in world.plays if sees(viewer, a.commune, a.organization)}),
    ]  # fmt: skip


def test_scope_filter_holds_each_object_once_on_every_model(db, world):
    found = Findings()
    every_commune = set(Commune.objects.values_list("pk", flat=True))
    every_unit = set(Organization.objects.values_list("pk", flat=True))
    for viewer in coordinators(world):
        scope = Scope.of(User.objects.get(pk=viewer.user.pk))
        for name, queryset, paths, fields, expected in _cases(
            world, viewer, every_commune, every_unit
        ):
            label = f"{viewer.key} {name}"
            narrowed = scope.filter(queryset, **paths)
            rows = [row if len(row) > 1 else row[0] for row in narrowed.values_list(*fields)]
            found.once(label, rows)
            found.check(f"{label} count", narrowed.count(), len(set(rows)))
            found.check(label, set(rows), expected)
            # One object at a time: inside, the object; outside, 404; never another error.
            for pk in pick(queryset.values_list("pk", flat=True), 8, label):
                try:
                    got = scope.get_object_or_404(queryset, paths=paths, pk=pk).pk == pk
                except Http404:
                    got = False
                except Exception as error:  # noqa: BLE001
                    found.append(f"{label} get {pk}: {type(error).__name__}: {error}")
                    continue
                found.check(f"{label} get {pk}", got, narrowed.filter(pk=pk).exists())
        # A roster may name only the organizations of the importer's scope.
        found.check(
            f"{viewer.key} roster organizations",
            {pk for pk, _, _ in roster_directory(scope).organizations},
            every_unit if viewer.everything else world.reach(viewer),
        )
    assert not found, found.report(world)


# --- People: list (filters, search, pages, commune choices), detail, export -------------------


def test_people_list_detail_and_export_hold_exactly_the_scope(db, world):
    found = Findings()
    codes = dict(Commune.objects.filter(pk__in=world.communes).values_list("pk", "code"))
    every_commune = set(Commune.objects.values_list("pk", flat=True))
    list_url, export_url = reverse("accounts:people_list"), reverse("accounts:people_export")
    digits = world.people[min(world.people)].phone[-4:]
    home = min(world.communes)
    filters = [
        ({}, lambda p: True),
        *[({"kind": k}, lambda p, k=k: p.kind == k) for k in KINDS[:2]],
        *[({"commune": codes[c]}, lambda p, c=c: p.commune == c) for c in pick(codes, 3, "c")],
        *[({"q": q}, lambda p, key=key: key in p.folded) for q, key in SEARCHES],
        ({"q": digits}, lambda p: digits in p.phone),
        ({"q": "van", "commune": codes[home], "kind": KINDS[0]},
         lambda p: "van" in p.folded and p.commune == home and p.kind == KINDS[0]),
        ({"commune": "²"}, lambda p: False),  # a digit to Python, no commune's code
        ({"page": "abc"}, lambda p: True),
    ]  # fmt: skip
    exported = ({}, {"q": "van"}, {"kind": KINDS[1]})
    for viewer in coordinators(world):
        client = client_of(world, viewer.key)
        visible = world.visible(viewer)
        for params, keep in filters:
            label = f"{viewer.key} people_list {params}"
            expected = {pk for pk in visible if keep(world.people[pk])}
            items, first = listed(found, label, client, list_url, params, expected)
            # The commune filter offers the scope's communes, each once.
            if items is not None and params == {}:
                offered = [commune.pk for commune in first.context["communes"]]
                found.once(f"{viewer.key} commune choices", offered)
                found.check(
                    f"{viewer.key} commune choices",
                    set(offered),
                    world.scope_communes(viewer, every_commune),
                )
            if params in exported:
                label = f"{viewer.key} people_export {params}"
                response = answer(found, label, client, export_url, params)
                if status(found, label, response, 200):
                    phones = [row[1] for row in sheet_rows(response.content)]
                    found.once(label, phones)
                    found.check(label, set(phones), {world.people[pk].phone for pk in expected})
        outside = set(world.people) - visible
        for pk in [*pick(visible, 5, viewer.key), *pick(outside, 5, viewer.key), 10**12]:
            label = f"{viewer.key} person_detail {pk}"
            response = answer(found, label, client, reverse("accounts:person_detail", args=[pk]))
            status(found, label, response, 200 if pk in visible else 404)
    for viewer in world.viewers.values():
        if not viewer.coordinator:
            response = answer(found, viewer.key, client_of(world, viewer.key), list_url)
            status(found, f"{viewer.key} people_list", response, 403)
    assert not found, found.report(world)


# --- Course reports: counts per course, certificates (too fast, pages) -------------------------


def test_course_reports_count_and_list_exactly_the_scope(db, world):
    found = Findings()
    slugs = dict(Course.objects.values_list("pk", "slug"))
    for viewer in coordinators(world):
        client = client_of(world, viewer.key)
        visible = world.visible(viewer)
        mine = [r for r in world.learning if r.person in visible]
        label = f"{viewer.key} report_list"
        response = answer(found, label, client, reverse("learning:report_list"))
        if status(found, label, response, 200):
            found.check(
                label,
                {
                    row["course"].pk: (row["enrolled"], row["completed"], row["fast"])
                    for row in response.context["rows"]
                },
                {
                    course: (
                        sum(r.course == course for r in mine),
                        sum(r.course == course and bool(r.issued_at) for r in mine),
                        sum(r.course == course and r.fast for r in mine),
                    )
                    for course in world.courses
                },
            )
        for course, slug in slugs.items():
            url = reverse("learning:report_detail", args=[slug])
            for params, keep in (({}, lambda r: True), ({"nhanh": "1"}, lambda r: r.fast)):
                label = f"{viewer.key} report_detail {slug} {params}"
                expected = {
                    r.person for r in mine if r.course == course and r.issued_at and keep(r)
                }
                listed(found, label, client, url, params, expected, key=lambda c: c.user_id)
    assert not found, found.report(world)


# --- Campaigns: list, dashboard, people (filters, pages), export -------------------------------


def _tally(world: World, plan, people: set[int]) -> tuple:
    """(assigned, started, on time, late, overdue) of `people`, from what they did."""
    statuses = Counter(world.status(plan, pk) for pk in people)
    started = sum(world.progress(plan, pk)[0] is not None for pk in people)
    return (len(people), started, statuses["on_time"], statuses["late"], statuses["overdue"])


def _row(row: dict) -> tuple:
    return (row["assigned"], row["started"], row["on_time"], row["late"], row["overdue"])


def _by(world: World, people: set[int], key: str) -> dict:
    groups: dict = {}
    for pk in people:
        groups.setdefault(getattr(world.people[pk], key), set()).add(pk)
    return groups


def test_campaign_list_and_dashboards_count_exactly_the_scope(db, world):
    found = Findings()
    for viewer in coordinators(world):
        client = client_of(world, viewer.key)
        visible = world.visible(viewer)
        response = answer(found, viewer.key, client, reverse("learning:campaign_list"))
        if status(found, f"{viewer.key} campaign_list", response, 200):
            found.check(
                f"{viewer.key} campaign_list",
                {row["campaign"].pk: _row(row["total"]) for row in response.context["rows"]},
                {
                    plan.pk: _tally(world, plan, world.assigned(plan) & visible)
                    for plan in world.plans.values()
                },
            )
        for title, plan in world.plans.items():
            mine = world.assigned(plan) & visible
            fast = {r.person for r in world.learning if r.fast and r.course in plan.courses}
            for kind in ("", KINDS[1], "not-a-kind") if title == "open" else ("",):
                people = {pk for pk in mine if kind not in KINDS or world.people[pk].kind == kind}
                label = f"{viewer.key} campaign {title} kind={kind}"
                url = reverse("learning:campaign", args=[plan.pk])
                response = answer(found, label, client, url, {"kind": kind})
                if not status(found, label, response, 200):
                    continue
                context = response.context
                found.check(f"{label} total", _row(context["total"]), _tally(world, plan, people))
                for table, key in (("communes", "commune"), ("organizations", "organization")):
                    found.once(f"{label} {table}", [row["id"] for row in context[table]])
                    found.check(
                        f"{label} {table}",
                        {row["id"]: _row(row) for row in context[table]},
                        {k: _tally(world, plan, v) for k, v in _by(world, people, key).items()},
                    )
                found.check(f"{label} too fast", context["fast"], len(fast & people))
    assert not found, found.report(world)


def _known(world: World, viewer, every_commune: set[int]) -> dict[str, set[int]]:
    """The communes and organizations a viewer may narrow a list to: their scope's, and
    those its people live or work in (the dashboard names them and links to them)."""
    visible = world.visible(viewer)
    communes = world.scope_communes(viewer, every_commune)
    units = set(world.units) if viewer.everything else world.reach(viewer)
    return {
        "commune": communes | {world.people[pk].commune for pk in visible},
        "organization": units | {world.people[pk].organization for pk in visible} - {None},
    }


# The statuses a campaign's people can have: it ended, it is open, its deadline is far off.
STATUSES = {
    "ended": ["on_time", "late", "overdue"],
    "open": ["not_started", "in_progress", "on_time"],
    "communes": [],
}


def test_campaign_people_filters_and_pages_hold_exactly_the_scope(db, world):
    found = Findings()
    every_commune = set(Commune.objects.values_list("pk", flat=True))
    drills = [("commune", c) for c in pick(world.communes, 3, "c")]
    drills += [("organization", u) for u in pick(world.units, 5, "u")]
    for viewer in coordinators(world):
        client = client_of(world, viewer.key)
        visible = world.visible(viewer)
        known = _known(world, viewer, every_commune)
        for title, plan in world.plans.items():
            mine = world.assigned(plan) & visible
            filters = [({}, lambda p: True)]
            filters += [
                ({"status": s}, lambda p, s=s, plan=plan: world.status(plan, p.pk) == s)
                for s in STATUSES[title]
            ]
            if title == "open":  # everyone is assigned: every unit drills down to its people
                filters += [({"commune": "²"}, lambda p: True)]  # not an id: no filter
                filters += [({"kind": k}, lambda p, k=k: p.kind == k) for k in KINDS[:2]]
                filters += [
                    ({key: unit}, lambda p, key=key, unit=unit: getattr(p, key) == unit)
                    for key, unit in drills
                ]
            url = reverse("learning:campaign_people", args=[plan.pk])
            for params, keep in filters:
                label = f"{viewer.key} campaign_people {title} {params}"
                key, unit = next(iter(params.items()), (None, None))
                if isinstance(unit, int) and unit not in known[key]:
                    status(found, label, answer(found, label, client, url, params), 404)
                    continue
                expected = {pk for pk in mine if keep(world.people[pk])}
                listed(found, label, client, url, params, expected, key=lambda a: a.user_id)
    assert not found, found.report(world)


def test_campaign_exports_hold_exactly_the_scope(db, world, django_capture_on_commit_callbacks):
    found = Findings()
    names = dict(Commune.objects.filter(pk__in=world.communes).values_list("pk", "name"))
    labels = {value: str(label) for value, label in Status.choices}
    for viewer in coordinators(world):
        client = client_of(world, viewer.key)
        visible = world.visible(viewer)
        for title in ("ended", "open"):  # every status between them
            plan = world.plans[title]
            mine = world.assigned(plan) & visible
            label = f"{viewer.key} campaign_export {title}"
            url = reverse("learning:campaign_export", args=[plan.pk])
            with django_capture_on_commit_callbacks(execute=True):
                started = answer(found, label, client, url, method="post")
            if not status(found, label, started, 302):
                continue
            job = client.get(started.url).context["job"]
            url = reverse("learning:export_download", args=[job.pk])
            download = answer(found, label, client, url)
            if not status(found, f"{label} download", download, 200):
                continue
            content = b"".join(download.streaming_content)
            people = sheet_rows(content, "Người học")
            found.once(label, [row[1] for row in people])
            found.check(
                f"{label} people",
                {(row[1], row[6]) for row in people},
                {(world.people[pk].phone, labels[world.status(plan, pk)]) for pk in mine},
            )
            found.check(
                f"{label} by commune",
                {row[0]: tuple(row[1:6]) for row in sheet_rows(content, "Theo xã, phường")},
                {names[c]: _tally(world, plan, v) for c, v in _by(world, mine, "commune").items()},
            )
    assert not found, found.report(world)


# --- The festival: events, attendance (pages, export), edit, printed codes ---------------------


def test_festival_pages_hold_exactly_the_viewers_communes(db, world):
    found = Findings()
    every_commune = set(Commune.objects.values_list("pk", flat=True))
    names = dict(Commune.objects.filter(pk__in=world.communes).values_list("pk", "name"))
    visitors = {pk: {v.person for v in world.visits if v.event == pk} for pk in world.events}
    manage, printing = reverse("learning:manage_events"), reverse("learning:print_codes")
    for viewer in [*coordinators(world), world.viewers["volunteer"]]:
        client = client_of(world, viewer.key)
        communes = world.festival_communes(viewer)
        if communes == set():  # an organization's coordinator runs no commune's festival
            for url in (manage, printing):
                status(found, f"{viewer.key} {url}", answer(found, viewer.key, client, url), 403)
            continue
        runs = {pk for pk, (c, _) in world.events.items() if communes is None or c in communes}
        label = f"{viewer.key} manage_events"
        items, first = every_page(found, label, client, manage, {})
        if items is not None:
            found.once(label, [e.pk for e in items])
            found.check(
                label, {e.pk: e.people for e in items}, {pk: len(visitors[pk]) for pk in runs}
            )
            if communes is None or len(communes) > 1:  # the communes side by side
                by_commune: dict = {}
                for pk in runs:
                    events, people = by_commune.setdefault(
                        names[world.events[pk][0]], (set(), set())
                    )
                    events.add(pk)
                    people |= visitors[pk]
                rows = first.context["by_commune"]
                found.check(
                    f"{label} by commune",
                    {r["commune__name"]: (r["events"], r["people"]) for r in rows},
                    {name: (len(e), len(p)) for name, (e, p) in by_commune.items()},
                )
        response = answer(found, viewer.key, client, printing)
        if status(found, f"{viewer.key} print_codes", response, 200):
            fields = response.context["form"].fields
            found.check(
                f"{viewer.key} print_codes events", {e.pk for e in fields["event"].queryset}, runs
            )
            found.check(
                f"{viewer.key} print_codes communes",
                {c.pk for c in fields["commune"].queryset},
                every_commune if communes is None else communes,
            )
        for pk in world.events:
            expected = 200 if pk in runs else 404
            # Editing, scanning and attendance find the event one way (festival._my_event).
            label = f"{viewer.key} attendance_export {pk}"
            url = reverse("learning:attendance_export", args=[pk])
            response = answer(found, label, client, url)
            if status(found, label, response, expected) and expected == 200:
                rows = [(row[2], row[4]) for row in sheet_rows(response.content)]
                expected_rows = Counter(
                    (world.people[v.person].phone, v.booth or "Cổng vào")
                    for v in world.visits
                    if v.event == pk
                )
                found.check(label, Counter(rows), expected_rows)
            label = f"{viewer.key} print_codes event={pk}"
            status(found, label, answer(found, label, client, printing, {"event": pk}), expected)
            url, label = reverse("learning:attendance", args=[pk]), f"{viewer.key} attendance {pk}"
            if pk not in runs:
                status(found, label, answer(found, label, client, url), 404)
                continue
            listed(found, label, client, url, {}, {v.pk for v in world.visits if v.event == pk})
    assert not found, found.report(world)


# --- The contest round's workbook ---------------------------------------------------------------

UNIT_COLUMNS = (
    "Số người dự thi",
    "Điểm trung bình",
    "Số người đúng hết",
    "Điểm trò chơi trực tiếp",
)
UNIT_SHEETS = {"commune": ("Theo xã, phường", "Xã, phường"),
               "organization": ("Theo cơ quan", "Cơ quan, đơn vị")}  # fmt: skip


def _unit_table(scores, plays, key: str, names: dict) -> dict:
    """{unit name: (participants, average score, perfect scores, live-game points)}."""
    sums: dict = {}
    for s in scores:
        if getattr(s, key) is not None:
            n, points, perfect, game = sums.get(getattr(s, key), (0, 0, 0, 0))
            sums[getattr(s, key)] = (n + 1, points + s.score, perfect + (s.score == s.total), game)
    for a in plays:
        if getattr(a, key) is not None:
            n, points, perfect, game = sums.get(getattr(a, key), (0, 0, 0, 0))
            sums[getattr(a, key)] = (n, points, perfect, game + a.points)
    return {
        names[pk]: (n, round(points / n, 1) if n else None, perfect, game)
        for pk, (n, points, perfect, game) in sums.items()
    }


def test_round_workbook_holds_exactly_the_scope(db, world):
    found = Findings()
    url = reverse("quiz:export", args=[world.round.contest.slug, world.round.number])
    names = {
        "commune": dict(Commune.objects.values_list("pk", "name")),
        "organization": {pk: u.name for pk, u in world.units.items()},
    }
    for viewer in world.viewers.values():
        label = f"{viewer.key} round export"
        response = answer(found, label, client_of(world, viewer.key), url)
        if not (viewer.coordinator or viewer.host):
            status(found, label, response, 404)
            continue
        if not status(found, label, response, 200):
            continue

        def sees(commune, organization, viewer=viewer) -> bool:
            return viewer.host or world.sees(viewer, commune, organization)  # a host: all

        scores = [s for s in world.scores.values() if sees(s.commune, s.organization)]
        ranking = [row[2] for row in sheet_rows(response.content, "Xếp hạng")]
        found.once(f"{label} ranking", ranking)
        found.check(
            f"{label} ranking", set(ranking), {world.people[s.person].phone for s in scores}
        )
        people = [world.people[person] for person in world.attempts.values()]
        found.check(
            f"{label} attempts",
            Counter(row[1] for row in sheet_rows(response.content, "Tất cả lượt thi")),
            Counter(p.phone for p in people if sees(p.commune, p.organization)),
        )
        plays = [a for a in world.plays if a.counted and sees(a.commune, a.organization)]
        for key, (sheet, first) in UNIT_SHEETS.items():
            rows = sheet_columns(response.content, sheet, first, *UNIT_COLUMNS)
            found.once(f"{label} {sheet}", [row[0] for row in rows])
            found.check(
                f"{label} {sheet}",
                {row[0]: row[1:] for row in rows},
                _unit_table(scores, plays, key, names[key]),
            )
    assert not found, found.report(world)
