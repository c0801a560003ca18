import pytest
from asgiref.sync import SyncToAsync
from django.core.cache import cache
from django.db import connections

from accounts import sms
from accounts.services.communes import load_tuyen_quang


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Every test sends SMS into accounts.sms.outbox, emptied first."""
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture(autouse=True)
def empty_cache():
    """allauth keeps rate-limit counters in the cache; each test starts with none (and
    with nothing the quiz remembers per process)."""
    from quiz import hub

    cache.clear()
    hub._announced.clear()
    hub._questions.clear()  # test databases reuse game ids; a process never does


@pytest.fixture(autouse=True)
def answer_thread_closed():
    """Phones' answers are written on a thread of their own (quiz/answers.py), and
    `database_sync_to_async` called from an event loop of its own (a test's, the browser
    tests' daphne) runs on asgiref's single thread: their database connections must not
    outlive the test's database (on PostgreSQL its teardown found "1 other session")."""
    from quiz import answers

    yield
    answers.close_connections()
    executor = SyncToAsync.single_thread_executor
    if executor._threads:  # started by such a call
        executor.submit(connections.close_all).result()


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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, not memory: the browser tests' daphne server
    (tests/browser/conftest.py) answers from its own threads, and each thread needs its own
    connection to the same data, as in production."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("database") / "test.sqlite3"
        )
