"""Browser tests: the real app served over HTTP, driven by headless Chromium (Playwright, sync API).

Each test gets its own server on a free port, on the same clean database the other tests get
(``app_factory`` from tests/conftest.py: SQLite by default, ``TEST_DATABASE_URL`` for
PostgreSQL or MariaDB), seeded with the title catalogue, the opinion templates, a platform
admin and an acceptance point with its account. One Chromium runs for all these tests; each
test has its own browser context (cookies, downloads) in Chinese, Beijing time, 1366×768, and
may open more (``another_browser``) for further people working at the same time.

A page fails its test on any console error, uncaught script error, failed request or response
of 400 and above, unless the test allows it (``problems.allow(...)``), and on any
Content-Security-Policy violation (a script, handler or resource the policy blocked), always.

Without Chromium (``/usr/bin/chromium`` or ``ZCPS_CHROMIUM``) the tests are skipped, except
when ``CI`` is set: there a missing browser is a failure.
"""
import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from models import AdminKind, Role
from tests import factories
from zcps import clock as system_clock
from zcps.catalogue import seed_catalogue, seed_opinion_templates
from zcps.extensions import db

CHROMIUM = Path(os.environ.get("ZCPS_CHROMIUM") or "/usr/bin/chromium")
NO_CHROMIUM = "Chromium not found: apt-get install -y chromium (Debian) to run the browser tests"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1366, "height": 768}
# How long a step may take before a test gives up (ms); the app answers in a few ms.
TIMEOUT_MS = 10_000

ADMIN_USERNAME = "admin"
ACCEPTANCE_POINT = "杭州市职称受理点"
ACCEPTANCE_USERNAME = "accept1"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _missing() -> str | None:
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        return NO_CHROMIUM
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright not installed: pip install -r requirements.txt to run the browser tests"
    return None


@pytest.fixture(scope="package", autouse=True)
def _browser_available():
    """Skip every browser test when Chromium is missing; on CI (``CI`` set) fail instead."""
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so the browser tests may not be skipped)",
                        pytrace=False)
        pytest.skip(reason)


# --- the server ------------------------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr; a 500's traceback still shows through the app's logger."""

    def log_request(self, code="-", size="-"):
        pass


@dataclass
class LiveServer:
    url: str
    app: object
    admin_username: str = ADMIN_USERNAME
    acceptance_username: str = ACCEPTANCE_USERNAME
    acceptance_point: str = ACCEPTANCE_POINT
    password: str = factories.PASSWORD

    @contextmanager
    def database(self):
        """An app context for setting up or reading records; commits when the block ends.

        Keep it short: the server answers the browser from other threads meanwhile.
        """
        with self.app.app_context():
            try:
                yield db.session
                db.session.commit()
            finally:
                db.session.remove()


@pytest.fixture
def live_server(app_factory, tmp_path):
    # Flask-Admin's static files carry a version in their URLs; letting the browser keep them
    # (as a front web server would) saves a dozen requests on every page.
    app = app_factory(SMS_BACKEND="file", SMS_FILE=str(tmp_path / "sms.jsonl"),
                      SEND_FILE_MAX_AGE_DEFAULT=3600)
    with app.app_context():
        seed_catalogue()
        seed_opinion_templates()
        factories.account(Role.PLATFORM_ADMIN, ADMIN_USERNAME, display_name="系统管理员",
                          admin_kind=AdminKind.SYSTEM)
        point = factories.acceptance_point(ACCEPTANCE_POINT)
        factories.acceptance_account(point, ACCEPTANCE_USERNAME)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    # A short poll so that shutdown() at the end does not wait half a second.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# --- the clock -------------------------------------------------------------------------------

class Clock:
    """The system's clock (``zcps.clock``), set by the test: today's date and every timestamp.

    The server runs in this process, so the moved clock is what every request sees.
    """

    def __init__(self, start: date):
        self.today = start

    def set(self, day: date) -> date:
        system_clock.set(day)
        self.today = day
        return day

    def advance(self, days: int = 1) -> date:
        return self.set(self.today + timedelta(days=days))


@pytest.fixture
def clock():
    yield Clock(system_clock.today())
    system_clock.reset()


# --- the browser -----------------------------------------------------------------------------

# One Playwright driver and one Chromium for all the browser tests, closed when they are done
# (package scope) so the rest of the suite runs without them.
@pytest.fixture(scope="package")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright_driver):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    # Chromium takes its own language (date fields: 年/月/日) from LANGUAGE, as a person's
    # browser in Chinese would have it; file names need a UTF-8 locale the machine has.
    env = {name: value for name, value in os.environ.items() if not name.startswith("LC_")}
    env.update(LANG="C.UTF-8", LANGUAGE="zh_CN:zh")
    chromium = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=LAUNCH_ARGS, env=env)
    yield chromium
    chromium.close()


# Runs in every page before its own scripts (outside the page's policy): reports what the
# Content-Security-Policy blocked, whether or not the browser logs it.
CSP_WATCH = """
document.addEventListener('securitypolicyviolation', function (event) {
  console.error('Content-Security-Policy violation: ' + event.effectiveDirective + ' blocked '
                + (event.blockedURI || 'inline code') + ' in ' + event.sourceFile + ':'
                + event.lineNumber + ' ' + (event.sample || ''));
});
"""


@dataclass
class PageProblems:
    """What went wrong on the test's pages, and what the test said to expect."""

    seen: list = field(default_factory=list)
    failed_requests: list = field(default_factory=list)
    csp_violations: list = field(default_factory=list)
    allowed: list = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Expect a problem whose description matches ``pattern`` (a regular expression)."""
        self.allowed.append(re.compile(pattern))

    def watch(self, page) -> None:
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.seen.append(f"page error on {page.url}: {error}"))
        page.on("response", lambda response: response.status >= 400 and self.seen.append(
            f"HTTP {response.status} {response.request.method} {response.url}"))
        page.on("requestfailed", lambda request: self.failed_requests.append(
            (request.url, request.method, request.failure)))

    def _console(self, page, message) -> None:
        where = f"on {page.url}: {message.text} ({message.location.get('url')})"
        if re.search("Content.Security.Policy", message.text):
            self.csp_violations.append(f"blocked by the Content-Security-Policy {where}")
        elif message.type == "error":
            self.seen.append(f"console error {where}")

    def unexpected(self) -> list[str]:
        problems = list(self.seen)
        for url, method, failure in self.failed_requests:
            if not url.startswith(("http://", "https://")):
                continue  # the browser's own pages (the PDF viewer) are none of the app's business
            # The browser gave the request up itself: the page moved on before it finished (the
            # PDF beside the decision form, a script), or the response became a download.
            if "ERR_ABORTED" in (failure or ""):
                continue
            problems.append(f"request failed: {method} {url}: {failure}")
        return [problem for problem in problems
                if not any(pattern.search(problem) for pattern in self.allowed)
                ] + self.csp_violations  # no test may allow one


@pytest.fixture
def problems():
    return PageProblems()


def new_context(browser, problems, **options):
    """A browser profile of its own (cookies, downloads): Chinese, Beijing time, 1366×768
    unless ``options`` say otherwise."""
    browser_context = browser.new_context(**{
        "locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": VIEWPORT,
        "accept_downloads": True, **options})
    browser_context.set_default_timeout(TIMEOUT_MS)
    browser_context.add_init_script(CSP_WATCH)
    browser_context.on("page", problems.watch)  # every page, popups included
    return browser_context


@pytest.fixture
def context(browser, problems):
    browser_context = new_context(browser, problems)
    yield browser_context
    browser_context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_call_failed = report.failed
    return report


@pytest.fixture
def page(context, problems, request, tmp_path):
    browser_page = context.new_page()
    yield browser_page
    if getattr(request.node, "e2e_call_failed", False) and not browser_page.is_closed():
        # What the browser showed when the test failed, next to the test's other files.
        browser_page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        (tmp_path / "failure.html").write_text(browser_page.content(), encoding="utf-8")
        print(f"failure page ({browser_page.url}) saved in {tmp_path}")
    unexpected = problems.unexpected()
    assert not unexpected, "problems on the pages:\n" + "\n".join(unexpected)


@pytest.fixture
def another_browser(browser, problems, page):
    """Open the browser of a further person in the same test (e.g. the unit's officer while the
    applicant keeps working in ``page``): a new context and page, watched like ``page``."""
    contexts = []

    def open_page():
        browser_context = new_context(browser, problems)
        contexts.append(browser_context)
        return browser_context.new_page()

    yield open_page
    for browser_context in contexts:
        browser_context.close()
