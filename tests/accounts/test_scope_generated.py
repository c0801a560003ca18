"""The generated scope test (issue 14). For several seeds, a directory of communes with
0–5 organizations, nested units and people in several roles (tests/accounts/scope_world.py);
for every kind of coordinator, every scoped list (with its filters, every page), detail and
export holds exactly the viewer's scope, each object once, answering 200 or 404 and never a
500. What the viewer should see is computed here in plain Python over the generated data,
never by asking accounts.scopes.

Pages are made small so that paging runs on a small directory. Wrong answers are collected,
not raised, so that one run lists all of a seed's.
"""

from collections import Counter

import pytest
from django.http import Http404
from django.urls import reverse

from accounts.models import Commune, Organization, User
from accounts.scopes import Scope
from accounts.services.rosters import roster_directory
from courses.models import Course
from learning.models import Assignment, Campaign, Certificate, Enrollment
from quiz.models import Attempt, GameAnswer, Standing
from tests.accounts.scope_checks import (
    SEARCHES,
    Findings,
    answer,
    client_of,
    coordinators,
    listed,
    pick,
    sheet_columns,
    sheet_rows,
    status,
)
from tests.accounts.scope_world import KINDS, World

pytestmark = pytest.mark.usefixtures("small_pages")


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
