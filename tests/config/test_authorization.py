"""The authorization matrix: every route the URL resolver knows, requested as every role,
for an object in scope A and one in scope B.

ROUTES says, for each route name, its access class and how to build its arguments; it is
written by app in tests/config/access_accounts.py, access_learning.py and access_quiz.py
(the vocabulary in tests/config/access.py). A route the resolver has and ROUTES lacks
fails `test_every_route_has_an_entry` with its name: a new view cannot ship without
someone deciding who may open it. The admin site is one "staff only" check; allauth's
pages are public (allauth decides what each one shows).
"""

from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.config import access_accounts, access_learning, access_quiz
from tests.config.access import ANONYMOUS, LOGIN, ROLES, STAFF
from tests.config.world import build_world

TABLES = (access_accounts.ROUTES, access_learning.ROUTES, access_quiz.ROUTES)
ROUTES = {name: route for table in TABLES for name, route in table.items()}


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
        "These routes have no entry in the tables of tests/config/access_*.py; say who "
        "may open them: " + ", ".join(f"{n} ({named[n]})" for n in missing)
    )
    twice = [name for name, times in Counter(n for t in TABLES for n in t).items() if times > 1]
    assert not twice, f"Routes with an entry in two tables (one would hide the other): {twice}"
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
            built = build_world()
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
