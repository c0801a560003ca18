import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from accounts.services.communes import load_tuyen_quang
from tests import factories
from tests.accounts.scope_world import World, build


@pytest.fixture
def province_admin(tuyen_quang):
    """A province administrator (a superuser): the Department, who may import anyone."""
    user = factories.person(commune=factories.commune("02215"), full_name="Quản Trị")
    user.is_superuser = True
    user.save()
    return user


SEEDS = [14, 2025, 7]


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


@pytest.fixture
def small_pages(monkeypatch):
    """Pages small enough that paging runs on a small directory."""
    monkeypatch.setattr("accounts.views.people.PEOPLE_PER_PAGE", 10)
    monkeypatch.setattr("learning.views.reports.REPORT_PER_PAGE", 12)
    monkeypatch.setattr("learning.views.festival.PER_PAGE", 4)
