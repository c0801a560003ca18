"""Headless Chromium (Debian's package) driven by Playwright; never a downloaded browser."""

import os
import threading
import time
from pathlib import Path

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


# Module scope: Playwright's sync API keeps an event loop running in this thread while it
# is open, which would break async_to_sync in the tests that run after the browser tests.
@pytest.fixture(scope="module")
def playwright():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}. scripts/test installs it (apt-get install "
            "chromium); the browser tests never skip."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser):
    """A 360×740 phone screen, Vietnamese locale, touch."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class _Daphne:
    """Daphne serving config.asgi (pages and websockets) from a thread of this process,
    like the embedded default: the in-memory channel layer and cache are shared with the
    tests. Twisted's reactor runs once per process, so the server lives for the session."""

    def __init__(self):
        from daphne.server import Server  # installs the asyncio reactor first

        from config.asgi import application

        self.ready = threading.Event()
        self.server = Server(
            application=application,
            endpoints=["tcp:port=0:interface=127.0.0.1"],
            signal_handlers=False,
            verbosity=0,
            ready_callable=self.ready.set,
        )
        self.thread = threading.Thread(target=self.server.run, name="daphne", daemon=True)

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.listening_addresses and time.monotonic() < deadline:
            time.sleep(0.05)
        if not self.server.listening_addresses:
            pytest.fail("daphne did not start listening within 10 s")
        host, port = self.server.listening_addresses[0]
        return f"http://{host}:{port}"


@pytest.fixture(scope="session")
def _daphne_url():
    return _Daphne().start()


@pytest.fixture
def asgi_server(_daphne_url, transactional_db):
    """The URL of a live daphne (pages and websockets); tests using it commit their data.

    Each request runs in a thread of its own, so its connection is closed when it ends
    (CONN_MAX_AGE 0) rather than left open for the test database's teardown to trip on."""
    database = connections.settings["default"]
    kept = database["CONN_MAX_AGE"]
    database["CONN_MAX_AGE"] = 0
    yield _daphne_url
    database["CONN_MAX_AGE"] = kept
