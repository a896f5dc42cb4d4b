"""Every URL of the project, asked by every role for department B's objects, with GET and
POST: whoever the scope leaves out gets 403 or 404 (anonymous: the login page) and
changes nothing; whoever it lets in is answered (which proves the addresses built here
name real objects, so that a 404 for the others means something).

The table `ROWS` (tests/access_rows.py) says, for each URL pattern, how to build its
arguments from the shared data set (tests/access_world.py) and which roles may reach
department B's object through it. A URL pattern added without a row fails
`test_every_url_pattern_has_a_row`, naming it: add a row (an app with many patterns
keeps its rows in a dict of its own, as `API_ROWS`, spread into `ROWS`).
The REST API under /api/v1/ is judged by its own rules (`_api_verdict`): JSON answers,
401 to anonymous callers, never a page nor a redirect; it is sent a well-formed JSON
body, so that a refusal comes from the scope or the role, not from the parser.
The admin's patterns are covered by one rule (administrators only) and their arguments
are built from the pattern's model; tests/test_url_access.py checks the login
redirect for anonymous visitors on every product URL, tests/test_admin_access.py the
admin's staff flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from editorial.models import AuditEntry, Category
from tests.access_rows import ROWS, Row, row_of
from tests.access_world import ANONYMOUS, OUTSIDE, ROLES, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction rolled back at its end (as
    Django's setUpTestData does): each test's own transaction is a savepoint in it."""
    from django.conf import settings

    media, settings.MEDIA_ROOT = settings.MEDIA_ROOT, tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                data = build_world()
            yield data
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.MEDIA_ROOT = media


# --- The walk ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # the URL name, or "route:<route>" for a pattern without one
    route: str
    keywords: frozenset = field(default_factory=frozenset)


def patterns(resolvers=None, prefix: str = "", namespace: str = "") -> list[Pattern]:
    """Every URL pattern of the project, the admin's included, named as `reverse` names
    it."""
    found = []
    for item in get_resolver().url_patterns if resolvers is None else resolvers:
        route = prefix + str(item.pattern)
        if isinstance(item, URLResolver):
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            found += patterns(item.url_patterns, route, inner)
        elif isinstance(item, URLPattern):
            key = f"{namespace}{item.name}" if item.name else f"route:{route}"
            keywords = frozenset(item.pattern.regex.groupindex)
            found.append(Pattern(key, route, keywords))
    return found


def url_of(pattern: Pattern, kwargs: dict) -> str:
    if pattern.key.startswith("route:"):
        return "/" + pattern.route.replace("(?P<url>.*)$", kwargs.get("url", "")).lstrip("^")
    return reverse(pattern.key, kwargs=kwargs or None)


def requests_of(world) -> list[tuple[Pattern, Row, str, bool]]:
    """(pattern, row, URL, whether the URL names an object) of every request to make."""
    asked = []
    for pattern in patterns():
        row = row_of(pattern)
        assert row is not None, pattern.key
        built = row.kwargs(world)
        for kwargs in built if isinstance(built, list) else [built]:
            asked.append((pattern, row, url_of(pattern, kwargs), bool(kwargs)))
    return asked


# --- What must not change --------------------------------------------------------------

WATCHED = [
    "editorial.Post",
    "editorial.PostVariant",
    "editorial.PostImage",
    "editorial.Comment",
    "editorial.Approval",
    "editorial.AuditEntry",
    "editorial.Publication",
    "editorial.PublishingPause",
    "editorial.WeeklyPlan",
    "editorial.Channel",
    "editorial.Campaign",
    "editorial.SensitivityRule",
    "editorial.Blackout",
    "accounts.Department",
    "notifications.Notification",
    "notifications.TeamChat",
    "api.ApiToken",
    "calendar_feeds.CalendarFeed",
]


def changes_audited():
    """Audit entries that record a change: not a refused action ("approval_refused"), nor
    the sweep's own signing in (and the public sign-in form's failures)."""
    signing_in = ("login", "login_failed", "locked_out")
    return AuditEntry.objects.exclude(action__endswith="_refused").exclude(action__in=signing_in)


def snapshot(world) -> dict:
    tables = {
        label: list(apps.get_model(label).objects.order_by("pk").values()) for label in WATCHED
    }
    tables["editorial.AuditEntry"] = list(changes_audited().order_by("pk").values())
    # People: department B's (what a request could change), not the sign-in bookkeeping.
    from accounts.models import User

    people = User.objects.exclude(pk__in=[u.pk for u in world.users.values()])
    tables["accounts.User"] = list(
        people.order_by("pk").values("pk", "username", "email", "is_active", "password")
    )
    tables["memberships"] = list(
        User.groups.through.objects.order_by("pk").values("user_id", "group_id")
    )
    return tables


def changes(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


# --- The tests --------------------------------------------------------------------------

LOGIN_PAGES = ("/login/?next=", "/admin/login/?next=")
DENIED = frozenset({403, 404, 405})
REFUSED_ON_A_PAGE = frozenset({200, 302, 303, 400, 409})
# The API asks who you are with a 401 (a script follows no login page), and a refusal
# is never a page: what it sent is wrong (400), or the item moved on (409).
API = "/api/v1/"
REFUSED_BY_THE_API = frozenset({400, 409})


def test_every_url_pattern_has_a_row():
    missing = [p for p in patterns() if row_of(p) is None]
    assert not missing, (
        "URL patterns the access sweep does not cover; add a row to ROWS in "
        "tests/access_rows.py (its arguments from the data set and the roles that "
        "may reach department B's object through it; `act` when fewer may change "
        "something through it than read it, `unsafe` for methods other than POST):\n"
        + "\n".join(f"  {p.key!r}: /{p.route}" for p in missing)
    )
    names = {p.key for p in patterns()}
    stale = sorted(set(ROWS) - names)
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"


def _client(world, role: str) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


def api_body(world) -> dict:
    """What any of the API's actions asks for, well formed (a body it could not read
    would be refused before the scope and the role are looked at, proving nothing)."""
    return {
        "text": "Balayage.",
        "body": "Balayage.",
        "title": "Balayage",
        "category": Category.values[0],
        "department": world.dept_b.pk,
        "channels": [world.channel_b.pk],
        "content_hash": world.pending.content_hash,
        "when": (timezone.now() + timedelta(days=5)).isoformat(),
        "shown": [{"post": world.planned.pk, "content_hash": world.planned.content_hash}],
    }


def _ask(client, method: str, url: str, body: dict):
    try:
        if method == "get":
            return client.get(url)
        if url.startswith(API):  # it reads JSON only
            if method == "patch":  # a change without the hash read is not refused as stale
                body = {k: v for k, v in body.items() if k != "content_hash"}
            return getattr(client, method)(url, body, content_type="application/json")
        return getattr(client, method)(url)
    except Exception as exc:  # a 500: the client re-raises the view's exception
        return exc


def _verdict(role: str, row: Row, method: str, response) -> str | None:
    """What is wrong with `response`, or None. A role the table lets in gets its page;
    a role outside department B's scope gets 403/404 (anonymous: the login page); a
    national role that the table keeps out of an action may also be answered with the
    refusal on a page (a redirect, 400, 409): the sweep checks that nothing changed.
    The API answers in JSON, anonymous callers 401, and a refusal 403/404/405 (a
    national role's also 400 or 409), never a page nor a redirect."""
    if isinstance(response, Exception):
        return f"raised {type(response).__name__}: {response}"
    if response.request["PATH_INFO"].startswith(API):
        return _api_verdict(role, row, method, response)
    status = response.status_code
    location = response.get("Location", "")
    if row.lets_in(role, method):
        if method == "get" and status not in row.seen:
            return f"answered {status} to a role that may see it (expected {sorted(row.seen)})"
        return None
    if status in DENIED or (status == 302 and location.startswith(LOGIN_PAGES)):
        return None
    if row.public and status in row.seen:
        return None
    if role not in OUTSIDE and method == "post" and status in REFUSED_ON_A_PAGE:
        return None
    return f"answered {status} {location}".rstrip()


def _api_verdict(role: str, row: Row, method: str, response) -> str | None:
    status = response.status_code
    if response.get("Content-Type") != "application/json":
        return f"answered {status} in {response.get('Content-Type')!r}, not JSON"
    if row.lets_in(role, method):
        if method == "get" and status not in row.seen:
            return f"answered {status} to a role that may see it (expected {sorted(row.seen)})"
        return None
    if role == ANONYMOUS:
        if status == 401 and response.get("WWW-Authenticate") == "Bearer":
            return None
        return f"answered {status} to an anonymous caller (expected 401, Bearer)"
    if status in DENIED:
        return None
    if role not in OUTSIDE and method != "get" and status in REFUSED_BY_THE_API:
        return None
    return f"answered {status}"


# Written by any request, changing nothing of anyone's: the session, sign-in bookkeeping,
# the second factor's last code. The audit trail is read instead (a refusal is audited).
BOOKKEEPING = ("django_session", "axes_", "otp_", "editorial_audit")
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def writes(queries) -> set[str]:
    """The tables the statements of one request wrote to, bookkeeping aside."""
    tables = {m[1] for q in queries if (m := _WRITE.match(q["sql"]))}
    return {t for t in tables if not t.startswith(BOOKKEEPING)}


def audited_since(seq: int) -> list[str]:
    return list(changes_audited().filter(seq__gt=seq).values_list("action", flat=True))


class Tables:
    """Every table's rows, read again only when a request's SQL wrote to it: a write a
    refusal rolled back (a plan made, then the action refused) is no change."""

    def __init__(self):
        self.rows = {table: self.read(table) for table in connection.introspection.table_names()}

    @staticmethod
    def read(table: str) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            return sorted(map(repr, cursor.fetchall()))

    def changed(self, written: set[str]) -> list[str]:
        changed = []
        for table in sorted(written):
            now = self.read(table)
            if now != self.rows.get(table):
                changed.append(table)
                self.rows[table] = now
        return changed


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_role_reaches_department_bs_objects_outside_its_scope(world, role):
    """Each request's writes are found from its SQL and checked in the tables (cheap,
    and it names the request); the watched tables are also compared whole, before and
    after all of them. GET once per pattern: its variants differ by what a POST does.
    A role the table lets in is asked only for URLs that name an object of department B
    (the proof that the URL names a real one); its lists are each page's own tests'."""
    client = _client(world, role)
    problems = []
    before, tables = snapshot(world), Tables()
    asked: set[str] = set()
    body = api_body(world)
    for pattern, row, url, names_object in requests_of(world):
        allowed = role in row.may
        methods = [] if pattern.key in asked or (allowed and not names_object) else ["get"]
        asked.add(pattern.key)
        methods += [] if row.lets_in(role) else list(row.unsafe)
        seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        with CaptureQueriesContext(connection) as queries:
            for method in methods:
                wrong = _verdict(role, row, method, _ask(client, method, url, body))
                if wrong:
                    problems.append(f"{method.upper()} {url} ({pattern.key}): {wrong}")
        written = tables.changed(writes(queries)) + audited_since(seq)
        if not row.lets_in(role) and written:
            problems.append(f"{url} ({pattern.key}) changed {written} for {role}")
        if pattern.key in ("logout", "admin:logout") and role != ANONYMOUS:
            client = _client(world, role)  # signed out by it: sign in again
    if changed := changes(before, snapshot(world)):
        problems.append(f"the sweep changed {changed}")
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_the_public_rows_are_the_public_addresses_of_test_url_access():
    """One list of what is open to anonymous visitors: tests/test_url_access.py's."""
    from tests.test_url_access import PUBLIC

    public = {name for name, row in ROWS.items() if row.public}
    # A post's image is answered to anyone (404 unless published), not login-redirected.
    assert public == PUBLIC - {"post-image"}


def test_the_write_detector_names_what_a_request_wrote_bookkeeping_aside():
    sql = [
        'UPDATE "editorial_post" SET "state" = %s WHERE "editorial_post"."id" = %s',
        'INSERT INTO "editorial_comment" ("post_id", "body") VALUES (%s, %s)',
        'DELETE FROM "notifications_notification" WHERE "id" IN (%s)',
        'UPDATE "django_session" SET "session_data" = %s',
        'INSERT INTO "editorial_auditentry" ("seq") VALUES (%s)',
        'SELECT "editorial_post"."id" FROM "editorial_post"',
        'SAVEPOINT "s1"',
    ]
    assert writes([{"sql": q} for q in sql]) == {
        "editorial_post",
        "editorial_comment",
        "notifications_notification",
    }


def test_the_apis_answers_are_judged_strictly():
    """A JSON 401 with its challenge for anonymous callers only; a refusal, never a
    page, a redirect nor a success; a national role's refused action may say why (400,
    409), an outsider's only 403/404/405."""
    from django.http import HttpResponse, JsonResponse

    def answer(status, json=True, **headers):
        response = JsonResponse({}, status=status) if json else HttpResponse(status=status)
        response.request = {"PATH_INFO": "/api/v1/posts/1/"}
        for name, value in headers.items():
            response[name] = value
        return response

    row = Row(may=frozenset({"head"}))
    bearer = {"WWW-Authenticate": "Bearer"}
    assert _verdict(ANONYMOUS, row, "post", answer(401, **bearer)) is None
    assert _verdict(ANONYMOUS, row, "get", answer(401)) is not None  # no challenge
    assert _verdict(ANONYMOUS, row, "get", answer(302, Location="/login/?next=/")) is not None
    assert _verdict("contrib_a", row, "get", answer(401, **bearer)) is not None
    assert _verdict("contrib_a", row, "post", answer(404)) is None
    assert _verdict("contrib_a", row, "post", answer(404, json=False)) is not None
    assert _verdict("contrib_a", row, "post", answer(409)) is not None
    assert _verdict("cm", row, "post", answer(409)) is None
    assert _verdict("cm", row, "post", answer(200)) is not None
    assert _verdict("cm", row, "get", answer(200)) is not None
    assert _verdict("head", row, "get", answer(200)) is None
