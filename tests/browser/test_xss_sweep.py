"""In Chromium: every page that shows what people typed (tests/payloads.py: a script
payload in every free-text field), opened by the people who read it, while listening
for a dialog, script errors and Content-Security-Policy violations (which an injected
script or handler would cause even where the policy stops it). The server's side of it,
field by field, is tests/test_escaping.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login_as
from tests.payloads import build, pages, readers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Markup a payload would have made, had it been taken for markup.
INJECTED = "b.xss, img[src='x'], script:not([src]):not([type='application/json'])"


class Watched:
    """A signed-in browser context, and what went wrong in it."""

    def __init__(self, browser, live_server):
        self.context = browser.new_context(base_url=live_server.url, locale="en-GB")
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))

    def _dialog(self, dialog) -> None:
        self.problems.append(f"a dialog opened on {self.page.url}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"CSP violation on {self.page.url}: {message.text}")

    def open(self, url: str) -> None:
        response = self.page.goto(url)
        if response.status != 200:
            self.problems.append(f"{url}: {response.status}")
        if url.startswith("/calendar/"):  # its events come by script, after the load
            expect(self.page.locator(".fc-event").first).to_contain_text("xss-title")
        self.check(url)

    def check(self, where: str) -> None:
        if count := self.page.locator(INJECTED).count():
            self.problems.append(f"{where}: {count} injected element(s)")


def test_no_payload_runs_or_becomes_markup_on_any_page(
    browser, live_server, national, cm, head, director, admin_user
):
    stage = build(national, cm, head, admin_user)
    people = readers(stage, cm, head, admin_user)
    problems, opened = [], 0
    for who, urls in pages(stage).items():
        watched = Watched(browser, live_server)
        login_as(watched.page, people[who])
        for url in urls:
            watched.open(url)
            opened += 1
        if who == "writer":  # the editor's verdict, fetched as the payload is typed (htmx)
            watched.open("/posts/new/")
            with watched.page.expect_response(lambda r: "/posts/check/" in r.url):
                watched.page.locator("textarea[name=body]").fill(stage.post.body)
            watched.check("the editor's verdict")
        watched.context.close()
        problems += [f"{who}: {problem}" for problem in watched.problems]
    assert opened >= 30
    assert not problems, "\n".join(problems)
