import pytest
from django.core.cache import cache

from accounts import sms
from accounts.services import load_tuyen_quang


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Every test sends SMS into accounts.sms.outbox, emptied first."""
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture(autouse=True)
def empty_cache():
    """allauth keeps rate-limit counters in the cache; each test starts with none."""
    cache.clear()


@pytest.fixture
def tuyen_quang(db):
    """The 124 communes (a migration loads them; a transactional test may have flushed them)."""
    load_tuyen_quang()


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Report exports go to a temporary private folder and are built inline."""
    settings.PRIVATE_ROOT = tmp_path / "private"
    settings.EXPORTS_IN_BACKGROUND = False
    return settings.PRIVATE_ROOT
