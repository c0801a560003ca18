"""Headless Chromium (Debian's package) driven by Playwright; never a downloaded browser."""

import datetime
import os
import threading
import time
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from quiz.models import Choice, Contest, Question, Round
from tests.browser.pages import CHROMIUM, CHROMIUM_ARGS

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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


# Every browser test runs with the site's Content-Security-Policy enforced and fails on any
# violation: each context the tests open (through these fixtures, browser.new_context or
# browser.new_page, or a browser of their own) reports the page's securitypolicyviolation
# events and Chromium's console complaints about the policy headers.
WATCH_SCRIPT = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__hocsoPolicyViolation({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    where: event.sourceFile + ":" + event.lineNumber,
    sample: event.sample,
    page: location.href,
  });
});
"""
POLICY_COMPLAINTS = ("Content Security Policy", "Permissions-Policy", "Permissions policy")


def watch_policies(context, violations: list) -> None:
    """Record in `violations` every CSP violation and policy-header error in `context`."""

    def on_console(message):
        if message.type in ("error", "warning") and any(
            complaint in message.text for complaint in POLICY_COMPLAINTS
        ):
            violations.append({"console": message.text, "page": message.page.url})

    def on_page(page):
        page.on("console", on_console)

    context.expose_binding(
        "__hocsoPolicyViolation", lambda source, report: violations.append(report)
    )
    context.add_init_script(WATCH_SCRIPT)
    context.on("page", on_page)
    for page in context.pages:
        on_page(page)


@pytest.fixture(autouse=True)
def policy_violations(request):
    """The CSP violations seen during the test; any left at its end fail it."""
    violations: list = []
    if request.node.get_closest_marker("browser") is None:
        yield violations
        return
    from playwright.sync_api import Browser

    new_context, new_page = Browser.new_context, Browser.new_page

    def watched_context(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        watch_policies(context, violations)
        return context

    def watched_page(self, *args, **kwargs):
        page = new_page(self, *args, **kwargs)  # about:blank: nothing loaded yet
        watch_policies(page.context, violations)
        return page

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(Browser, "new_context", watched_context)
    monkeypatch.setattr(Browser, "new_page", watched_page)
    try:
        yield violations
    finally:
        monkeypatch.undo()
    if violations:
        pytest.fail(
            "Content-Security-Policy or Permissions-Policy violations:\n"
            + "\n".join(str(violation) for violation in violations)
        )


def _phone(browser, **options):
    """A 360×740 touch screen in Vietnamese; `options` add to the browser context's."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        **options,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    """A 360×740 phone screen, Vietnamese locale, touch."""
    yield from _phone(browser, device_scale_factor=2)


@pytest.fixture
def second_phone(browser):
    """Another phone beside the first, for what one person sees of another's doing."""
    yield from _phone(browser)


@pytest.fixture
def no_js_phone(browser):
    """The same phone screen with JavaScript off: pages must work without it."""
    yield from _phone(browser, java_script_enabled=False)


@pytest.fixture
def contest_round(tuyen_quang):
    """A published contest whose round of four questions is open now."""
    for n in range(4):
        question = Question.objects.create(text=f"Câu hỏi số {n + 1} về chuyển đổi số?")
        Choice.objects.create(question=question, text=f"Đáp án đúng {n + 1}", is_correct=True)
        Choice.objects.create(question=question, text=f"Đáp án sai {n + 1}", is_correct=False)
    contest = Contest.objects.create(
        title="Tìm hiểu chuyển đổi số tỉnh Tuyên Quang", slug="cds-2025", is_published=True
    )
    now = timezone.now()
    return Round.objects.create(
        contest=contest,
        number=1,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=6),
        questions_per_attempt=4,
        time_limit_minutes=15,
    )


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
