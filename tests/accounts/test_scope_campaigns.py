"""The generated scope test (issue 14), continued: campaigns (list, dashboards, people,
exports) and the festival's pages hold exactly the viewer's scope, each object once, 200 or
404 and never a 500. The directories and the checks are tests/accounts/scope_world.py and
scope_checks.py; what the viewer should see is computed in plain Python."""

from collections import Counter

import pytest
from django.urls import reverse

from accounts.models import Commune
from learning.models import Status
from tests.accounts.scope_checks import (
    Findings,
    answer,
    client_of,
    coordinators,
    every_page,
    listed,
    pick,
    sheet_rows,
    status,
)
from tests.accounts.scope_world import KINDS, World

pytestmark = pytest.mark.usefixtures("small_pages")


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
        _check_manage_events(found, world, viewer, client, runs=runs, visitors=visitors)
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
            _check_event_pages(found, world, viewer, client, pk=pk, runs=runs)
    assert not found, found.report(world)


def _check_manage_events(found, world, viewer, client, *, runs: set[int], visitors: dict):
    """The events page: the viewer's events with their people, side by side by commune."""
    label = f"{viewer.key} manage_events"
    items, first = every_page(found, label, client, reverse("learning:manage_events"), {})
    if items is None:
        return
    found.once(label, [e.pk for e in items])
    found.check(label, {e.pk: e.people for e in items}, {pk: len(visitors[pk]) for pk in runs})
    communes = world.festival_communes(viewer)
    if communes is not None and len(communes) <= 1:
        return  # one commune's events: no side-by-side table
    names = dict(Commune.objects.filter(pk__in=world.communes).values_list("pk", "name"))
    by_commune: dict = {}
    for pk in runs:
        events, people = by_commune.setdefault(names[world.events[pk][0]], (set(), set()))
        events.add(pk)
        people |= visitors[pk]
    found.check(
        f"{label} by commune",
        {r["commune__name"]: (r["events"], r["people"]) for r in first.context["by_commune"]},
        {name: (len(e), len(p)) for name, (e, p) in by_commune.items()},
    )


def _check_event_pages(found, world, viewer, client, *, pk: int, runs: set[int]):
    """Attendance (export and pages) and the event's printed codes: 200 for an event the
    viewer runs, else 404. Editing, scanning and attendance find the event one way
    (festival._my_event)."""
    expected = 200 if pk in runs else 404
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
    printing = reverse("learning:print_codes")
    status(found, label, answer(found, label, client, printing, {"event": pk}), expected)
    url, label = reverse("learning:attendance", args=[pk]), f"{viewer.key} attendance {pk}"
    if pk not in runs:
        status(found, label, answer(found, label, client, url), 404)
        return
    listed(found, label, client, url, {}, {v.pk for v in world.visits if v.event == pk})
