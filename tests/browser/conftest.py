"""The browser harness: Playwright for Python driving Debian's Chromium against
pytest-django's live server (which also serves the static files and the npm packages).

- `browser`: one Chromium for the session (`/usr/bin/chromium`, or CHROMIUM=…); when it
  is missing the tests skip, or fail when CI=true (`make test` installs it).
- `page`: a fresh browser context per test, in the given size and language.
- `login_as(page, user)`: signs in through the real login form (and the code page).
- `assert_accessible(page)`: runs axe-core (from node_modules) on the page and fails on
  any serious or critical violation, naming each.
- `screenshot(page, name)`: writes docs/screenshots/<name>.png when CADENCE_SCREENSHOTS=1
  (`make screenshots`), so ordinary runs leave the working tree alone.

Playwright's synchronous API runs an event loop in the test's thread; Django refuses
ORM calls from such a thread unless told the calls really are synchronous.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

# For the whole run, not per test: the session's browser keeps its loop running in
# the main thread, and the tests that run after the browser tests use the ORM too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _missing(what: str):
    message = f"browser tests need {what} (`make test` installs it)"
    if _ci():
        pytest.fail(f"CI=true: {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not executable:
        _missing("Debian's chromium package")
    if not AXE.exists():
        _missing("the npm packages (npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            # Root in a container has no user namespaces for Chromium's sandbox.
            args=["--no-sandbox"] if os.geteuid() == 0 else [],
        )
        yield browser
        browser.close()


class InFlight:
    """The live server's requests still being answered. A closed page does not wait for
    them: one still reading the database when the test's teardown empties it would
    deadlock with that TRUNCATE (PostgreSQL then cancels one of the two)."""

    def __init__(self):
        self.count = 0
        self.idle = threading.Condition()

    def started(self, **kwargs):
        with self.idle:
            self.count += 1

    def finished(self, **kwargs):
        with self.idle:
            self.count -= 1
            self.idle.notify_all()

    def wait(self, timeout: float = 15.0) -> None:
        with self.idle:
            assert self.idle.wait_for(lambda: self.count <= 0, timeout), (
                f"{self.count} request(s) of the live server still running after {timeout} s"
            )


@pytest.fixture(scope="session")
def in_flight():
    tracker = InFlight()
    request_started.connect(tracker.started, dispatch_uid="browser-in-flight-started")
    request_finished.connect(tracker.finished, dispatch_uid="browser-in-flight-finished")
    yield tracker
    request_started.disconnect(dispatch_uid="browser-in-flight-started")
    request_finished.disconnect(dispatch_uid="browser-in-flight-finished")


@pytest.fixture
def page(browser, live_server, in_flight):
    context = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP, locale="fr-FR", timezone_id="Europe/Paris"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: _csp_violation(message, errors))
    yield page
    context.close()
    in_flight.wait()
    assert not errors, f"JavaScript errors or CSP violations on the page: {errors}"


@pytest.fixture
def phone_page(browser, live_server, in_flight):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        timezone_id="Europe/Paris",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: _csp_violation(message, errors))
    yield page
    context.close()
    in_flight.wait()
    assert not errors, f"CSP violations on the page: {errors}"


def _csp_violation(message, errors: list[str]) -> None:
    """Chromium reports what the Content-Security-Policy refused on the console."""
    if message.type == "error" and "Content Security Policy" in message.text:
        errors.append(message.text)


def login_as(page, user, password: str = "demo", *, language: str = "en") -> None:
    """Sign in through the login form — and, for the two-factor roles, with a code from
    their authenticator (one is set up for them first) — then switch to `language`
    (French by default for a new visitor)."""
    from accounts.two_factor import needs_two_factor
    from tests.sign_in import code_for, enrol

    device = enrol(user) if needs_two_factor(user) else None
    page.goto("/login/")
    page.get_by_label("Username").or_(page.get_by_label("Nom d’utilisateur")).fill(user.username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/login/" not in url)
    if device is not None:
        page.locator("input[name=code]").fill(code_for(device))
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(lambda url: "/account/two-factor/" not in url)
    set_language(page, language)


def set_language(page, language: str) -> None:
    current = page.locator("html").get_attribute("lang")
    if current != language:
        page.locator(f".language-switch button[value={language}]").click()
        page.wait_for_function(f"document.documentElement.lang === '{language}'")


def assert_accessible(page) -> None:
    """axe-core on the page as it is now: no serious or critical violation."""
    # Evaluated by the browser's debugger, not as a <script> tag: the page's
    # Content-Security-Policy (no inline script) rightly refuses the latter.
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document)")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"accessibility violations on {page.url}:\n" + "\n".join(bad)


def screenshot(page, name: str) -> None:
    if os.environ.get("CADENCE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
