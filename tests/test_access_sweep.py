"""Every URL of the project, asked by every role for department B's objects, with GET and
POST: whoever the scope leaves out gets 403 or 404 (anonymous: the login page) and
changes nothing; whoever it lets in is answered (which proves the addresses built here
name real objects, so that a 404 for the others means something).

The table `ROWS` says, for each URL pattern, how to build its arguments from the shared
data set and which roles may reach department B's object through it. A URL pattern
added without a row fails `test_every_url_pattern_has_a_row`, naming it: add a row.
The admin's patterns are covered by one rule (administrators only) and their arguments
are built from the pattern's model; tests/test_url_access.py checks the login
redirect for anonymous visitors on every product URL, tests/test_admin_access.py the
admin's staff flag.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.roles import Role
from api.tokens import create_token
from editorial import workflow as wf
from editorial.forms.images import keep_upload
from editorial.images import sanitize
from editorial.models import (
    AuditEntry,
    BlackoutRule,
    BlackoutScope,
    Category,
    Comment,
    Network,
    Post,
    PostImage,
    Publication,
    PublicationState,
)
from editorial.publishing import scheduler
from notifications import chat
from notifications.models import Kind, Notification
from tests.factories import (
    CampaignFactory,
    ChannelFactory,
    DepartmentFactory,
    PostFactory,
    SensitivityRuleFactory,
    UserFactory,
    WebhookChannelFactory,
)
from tests.uploads import png

ANONYMOUS, OUTSIDER, CONTRIB_A, CONTRIB_B = "anonymous", "outsider", "contrib_a", "contrib_b"
CM, HEAD, DIRECTOR, ADMIN = "cm", "head", "director", "admin"
ROLES = (ANONYMOUS, OUTSIDER, CONTRIB_A, CONTRIB_B, CM, HEAD, DIRECTOR, ADMIN)
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}
NATIONAL = frozenset({CM, HEAD, DIRECTOR, ADMIN})
IN_SCOPE = NATIONAL | {CONTRIB_B}  # department B's own contributor and the national team
REVIEWERS = frozenset({HEAD, DIRECTOR})
WRITERS = frozenset({CONTRIB_A, CONTRIB_B, CM, HEAD, DIRECTOR})  # new posts, anywhere theirs
PLANNERS = frozenset({CM, HEAD, DIRECTOR})  # the weekly plans and the submissions
MANAGERS = frozenset({HEAD, ADMIN})  # channels, people and departments
# Outside department B's scope: for them any page of its objects is 403 or 404 (or the
# login page), never a refusal shown on the page itself.
OUTSIDE = frozenset({ANONYMOUS, OUTSIDER, CONTRIB_A})
EVERYONE = frozenset(ROLES)
YEAR, WEEK = 2030, 12


# --- The shared data set ---------------------------------------------------------------


def _build() -> SimpleNamespace:
    w = SimpleNamespace()
    national = DepartmentFactory(name="Équipe nationale", code="national", is_national=True)
    w.dept_a = DepartmentFactory(name="DDSP 67", code="ddsp-67")
    w.dept_b = DepartmentFactory(name="DDSP 13", code="ddsp-13")
    roles = {
        CM: (Role.COMMUNITY_MANAGER, national),
        HEAD: (Role.HEAD_OF_COMMUNICATION, national),
        DIRECTOR: (Role.DIRECTOR, national),
        ADMIN: (Role.ADMINISTRATOR, national),
        CONTRIB_A: (Role.CONTRIBUTOR, w.dept_a),
        CONTRIB_B: (Role.CONTRIBUTOR, w.dept_b),
    }
    w.users = {
        name: UserFactory(username=name, role=r, department=d) for name, (r, d) in roles.items()
    }
    w.users[OUTSIDER] = UserFactory(username=OUTSIDER)  # no role, no department
    u = w.users
    w.writer_b = UserFactory(username="writer_b", role=Role.CONTRIBUTOR, department=w.dept_b)
    w.channel_b = ChannelFactory(name="Police 13", department=w.dept_b)
    w.feed_b = ChannelFactory(name="Flux 13", department=w.dept_b, network=Network.ATOM)
    w.campaign_b = CampaignFactory(name="Été 13", department=w.dept_b)
    w.rule = SensitivityRuleFactory(created_by=u[HEAD])

    def post_b(title, **fields):
        return PostFactory(
            title=title,
            author=w.writer_b,
            origin_department=w.dept_b,
            channels=[w.channel_b],
            campaign=w.campaign_b,
            **fields,
        )

    w.draft = post_b("Brouillon 13")
    wf.comment(w.draft, w.writer_b, "Relu.")
    w.image = PostImage(post=w.draft, image=sanitize(png()), alt_text="Affiche")
    w.image.save()
    w.kept = keep_upload(sanitize(png()), "affiche.png", w.writer_b)

    w.submitted = post_b("Proposé 13")
    wf.submit(w.submitted, w.writer_b)

    w.plan = wf.plan_for_week(national, YEAR, WEEK, u[CM])
    w.planned = post_b("Planifié 13")
    wf.submit(w.planned, w.writer_b)
    wf.accept(w.planned, u[CM], plan=w.plan)
    wf.submit_plan(w.plan, u[CM])
    w.planned.refresh_from_db()

    w.pending = post_b("En attente 13")
    wf.fast_track(w.pending, u[CM])

    # An approved post that came due during a pause of B's channel, since ended: held.
    w.held = post_b("Retenu 13")
    wf.fast_track(w.held, u[CM])
    wf.approve(w.held, u[HEAD])
    Post.objects.filter(pk=w.held.pk).update(scheduled_at=timezone.now())
    ended = wf.pause_publishing(u[HEAD], "Crise 13", channel=w.channel_b)
    scheduler.sweep()
    wf.resume_publishing(ended, u[HEAD])
    w.held.refresh_from_db()
    assert w.held.held_at is not None
    w.pause = wf.pause_publishing(u[HEAD], "Crise 13 encore", channel=w.channel_b)

    # A publication whose outcome nobody knows.
    w.unknown = post_b("Inconnu 13")
    wf.fast_track(w.unknown, u[CM])
    wf.approve(w.unknown, u[HEAD])
    Post.objects.filter(pk=w.unknown.pk).update(state="publishing")
    w.publication = Publication.objects.create(
        post=w.unknown,
        channel=w.channel_b,
        state=PublicationState.UNKNOWN,
        content_hash=w.unknown.content_hash,
    )
    w.notification = Notification.objects.create(
        recipient=w.writer_b, kind=Kind.URGENT, post=w.draft, message="urgent", key="sweep-1"
    )
    # A blackout of department B to come (after every post's date: it holds none).
    w.blackout = wf.create_blackout(
        u[HEAD],
        name="Deuil 13",
        starts_at=timezone.now() + timedelta(days=30),
        ends_at=timezone.now() + timedelta(days=31),
        rule=BlackoutRule.FORBID,
        scope=BlackoutScope.DEPARTMENTS,
        departments=[w.dept_b],
    )
    w.chat_b = WebhookChannelFactory(
        name="Chat 13", department=w.dept_b, settings={"webhook_format": "mattermost"}
    )
    chat.set_team_chat(w.dept_b, w.chat_b, u[HEAD])
    # Department B's person's own token: nobody else's to revoke.
    w.token_b, _raw = create_token(w.writer_b, "Agenda 13", verified=False)
    return w


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
                data = _build()
            yield data
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.MEDIA_ROOT = media


# --- The table -------------------------------------------------------------------------

Kwargs = Callable[[SimpleNamespace], dict]


@dataclass(frozen=True)
class Row:
    """How to reach department B's object through one URL pattern: `kwargs` builds the
    URL's arguments (one dict, or several: each is asked), `may` the roles the scope lets
    through, `seen` what they get to a GET (the others get 403/404, never a change, to a
    GET and to each method of `unsafe`). `act`, when given, narrows who may change
    something through it (a list that anyone reads, where only some may add)."""

    kwargs: Kwargs | Callable[[SimpleNamespace], list[dict]] = lambda w: {}
    may: frozenset = SIGNED_IN
    seen: frozenset = frozenset({200})
    public: bool = False  # answered to anonymous visitors too (its token or nothing)
    why: str = ""
    unsafe: tuple = ("post",)
    act: frozenset | None = None

    def lets_in(self, role: str, method: str = "post") -> bool:
        if method == "get" or self.act is None:
            return role in self.may
        return role in self.act


def post(attr: str, **extra) -> Kwargs:
    return lambda w: {"pk": getattr(w, attr).pk, **extra}


def each(attr: str, slugs: Iterable[str]) -> Callable[[SimpleNamespace], list[dict]]:
    return lambda w: [{"pk": getattr(w, attr).pk, "action": slug} for slug in slugs]


def week(**extra) -> Kwargs:
    return lambda w: {"year": YEAR, "week": WEEK, **extra}


def _post_actions():
    from editorial.workflow.catalog import POST_ACTIONS

    return sorted(POST_ACTIONS)


def _plan_actions():
    from editorial.workflow.catalog import PLAN_ACTIONS

    return sorted(PLAN_ACTIONS)


def _uid(w) -> str:
    return urlsafe_base64_encode(force_bytes(w.writer_b.pk))


def pk_of(attr: str) -> Kwargs:
    return lambda w: {"pk": getattr(w, attr).pk}


# The REST API (/api/v1/): the same scope as the pages, answered in JSON: 401 to
# anonymous callers, 404 outside the scope, 403 or 409 for a refused action (see
# `_verdict`). Its actions are one URL pattern each, named after the catalogue.
API_ROWS: dict[str, Row] = {
    "api-posts": Row(act=WRITERS),  # anyone reads the list of their scope's posts
    # The administrator reads department B's post but does not write it (as "post-edit").
    "api-post": Row(post("draft"), may=IN_SCOPE, act=IN_SCOPE - {ADMIN}, unsafe=("post", "patch")),
    "api-post-actions": Row(post("pending"), may=IN_SCOPE),
    **{
        f"api-post-{name}": Row(post("pending"), may=IN_SCOPE, seen=frozenset({405}))
        for name in _post_actions()
    },
    "api-post-comments": Row(post("draft"), may=IN_SCOPE),
    "api-post-publications": Row(post("unknown"), may=IN_SCOPE),
    # The weekly plan is the national team's: its members', the administrator's too.
    "api-plans": Row(),
    "api-plan": Row(pk_of("plan"), may=NATIONAL),
    "api-plan-actions": Row(pk_of("plan"), may=NATIONAL),
    # Asked of the administrator too (not a planner): refused, nothing changes.
    **{
        f"api-plan-{name}": Row(pk_of("plan"), may=PLANNERS, seen=frozenset({405}))
        for name in _plan_actions()
    },
    "api-channels": Row(),
    "api-channel": Row(pk_of("channel_b"), may=IN_SCOPE),
    # The schema and its page describe the API and hold no data.
    "api-schema": Row(may=EVERYONE, public=True),
    "api-docs": Row(may=EVERYONE, public=True),
}


ROWS: dict[str, Row] = {
    # Lists and forms: no object in the URL; what they list is scoped (tested by each
    # page's own tests), the sweep checks that no one outside the roles gets in.
    "home": Row(seen=frozenset({200, 302})),
    "post-list": Row(),
    "post-create": Row(may=WRITERS),
    "post-check": Row(may=WRITERS, seen=frozenset({405})),
    "calendar": Row(),
    "calendar-events": Row(),
    "inbox": Row(),
    "submissions": Row(may=PLANNERS),
    "plan-board": Row(may=PLANNERS, seen=frozenset({200, 302})),
    "crisis": Row(may=REVIEWERS),
    "crisis-pause": Row(may=REVIEWERS, seen=frozenset({405})),
    "notification-list": Row(),
    "notification-mark-all-read": Row(seen=frozenset({405})),
    "notification-preferences": Row(),
    # Each team's chat: set by who manages channels, for the departments of their scope.
    "notification-team-chats": Row(may=MANAGERS),
    # A local run's mailbox: 404 unless DEBUG (never in tests nor in production).
    "notification-sent-mail": Row(may=frozenset()),
    # Department B's objects.
    "post-detail": Row(post("draft"), may=IN_SCOPE),
    "post-edit": Row(post("draft"), may=IN_SCOPE - {ADMIN}),
    "post-action": Row(each("pending", _post_actions()), may=IN_SCOPE, seen=frozenset({405})),
    "publication-resolve": Row(
        post("unknown", publication_pk=0), may=IN_SCOPE, seen=frozenset({405})
    ),
    "post-reschedule": Row(post("pending"), may=IN_SCOPE, seen=frozenset({405})),
    "inbox-action": Row(each("pending", _post_actions()), may=IN_SCOPE, seen=frozenset({405})),
    "submission-action": Row(
        each("submitted", ["accept", "return"]), may=frozenset({CM}), seen=frozenset({405})
    ),
    "plan-review": Row(lambda w: {"pk": w.plan.pk}, may=NATIONAL),  # the admin reads it
    "plan-board-week": Row(week(), may=PLANNERS),
    "plan-place": Row(week(), may=frozenset({CM}), seen=frozenset({405})),
    "plan-action": Row(
        lambda w: [{"year": YEAR, "week": WEEK, "action": a} for a in _plan_actions()],
        may=PLANNERS,
        seen=frozenset({405}),
    ),
    "plan-fast-track": Row(week(pk=0), may=frozenset({CM, HEAD}), seen=frozenset({405})),
    "crisis-resume": Row(lambda w: {"pk": w.pause.pk}, may=REVIEWERS, seen=frozenset({405})),
    "crisis-confirm": Row(post("held"), may=REVIEWERS, seen=frozenset({405})),
    "crisis-reschedule": Row(post("held"), may=REVIEWERS, seen=frozenset({405})),
    # Blackout periods: the organisation's, managed by whoever manages the rules
    # (`deny_manage_blackouts`); department B's period is asked.
    "blackouts": Row(may=REVIEWERS | {ADMIN}),
    "blackout-edit": Row(pk_of("blackout"), may=REVIEWERS | {ADMIN}),
    "blackout-end": Row(pk_of("blackout"), may=REVIEWERS | {ADMIN}, seen=frozenset({405})),
    "notification-open": Row(
        lambda w: {"pk": w.notification.pk}, may=frozenset(), seen=frozenset({302})
    ),
    "post-image": Row(lambda w: {"name": w.image.image.name.removeprefix("posts/")}, may=IN_SCOPE),
    "pending-image": Row(lambda w: {"token": w.kept["token"]}, may=frozenset()),
    # For Instagram to fetch: public, but only through a signed link (tests/
    # test_channel_instagram.py); an unsigned token names nothing: 404 to everyone.
    "signed-image": Row(
        lambda w: {"token": w.image.image.name.removeprefix("posts/")},
        may=frozenset(),
        public=True,
    ),
    # The workspace.
    "workspace": Row(seen=frozenset({200, 302})),
    "workspace-account": Row(),
    "workspace-password": Row(),
    # Each person's own tokens: another's (department B's person's) is not there.
    "api-tokens": Row(),
    "api-token-revoke": Row(pk_of("token_b"), may=frozenset()),
    "workspace-rules": Row(may=REVIEWERS | {ADMIN}),
    "workspace-rule-test": Row(may=REVIEWERS | {ADMIN}, seen=frozenset({405})),
    "workspace-rule-create": Row(may=REVIEWERS | {ADMIN}),
    "workspace-rule-edit": Row(lambda w: {"pk": w.rule.pk}, may=REVIEWERS | {ADMIN}),
    "workspace-rule-draft-test": Row(
        lambda w: [{}, {"pk": w.rule.pk}], may=REVIEWERS | {ADMIN}, seen=frozenset({405})
    ),
    "workspace-rule-switch": Row(
        lambda w: {"pk": w.rule.pk}, may=REVIEWERS | {ADMIN}, seen=frozenset({405})
    ),
    "workspace-channels": Row(may=MANAGERS),
    "workspace-channel-create": Row(may=MANAGERS),
    "workspace-channel-edit": Row(lambda w: {"pk": w.channel_b.pk}, may=MANAGERS),
    "workspace-channel-test": Row(
        lambda w: {"pk": w.channel_b.pk}, may=MANAGERS, seen=frozenset({405})
    ),
    # Connect with a network (OAuth 2): each step checks the role, then the channel's
    # department (the callback and the choice find the channel in the session: without
    # a round trip begun, back to the channels).
    "workspace-channel-connect": Row(pk_of("channel_b"), may=MANAGERS, seen=frozenset({405})),
    "workspace-oauth-callback": Row(may=MANAGERS, seen=frozenset({302})),
    "workspace-oauth-choose": Row(may=MANAGERS, seen=frozenset({302})),
    "workspace-campaigns": Row(may=NATIONAL - {DIRECTOR}),
    "workspace-campaign-create": Row(may=NATIONAL - {DIRECTOR}),
    "workspace-campaign-edit": Row(lambda w: {"pk": w.campaign_b.pk}, may=NATIONAL - {DIRECTOR}),
    "workspace-people": Row(may=MANAGERS),
    "workspace-invite": Row(may=MANAGERS),
    "workspace-person-edit": Row(lambda w: {"pk": w.writer_b.pk}, may=MANAGERS),
    "workspace-person-deactivate": Row(
        lambda w: {"pk": w.writer_b.pk}, may=MANAGERS, seen=frozenset({405})
    ),
    "workspace-person-reinvite": Row(
        lambda w: {"pk": w.writer_b.pk}, may=MANAGERS, seen=frozenset({405})
    ),
    "workspace-departments": Row(may=MANAGERS),
    "workspace-department-create": Row(may=MANAGERS),
    "workspace-department-edit": Row(lambda w: {"pk": w.dept_b.pk}, may=MANAGERS),
    # Public on purpose (tests/test_url_access.py says why); asked here with department
    # B's person and a made-up token: nobody gets in, nothing changes.
    "workspace-invitation": Row(
        lambda w: {"uidb64": _uid(w), "token": "set-password"},
        may=frozenset(),
        public=True,
        seen=frozenset({200, 302}),
    ),
    "password_reset_confirm": Row(
        lambda w: {"uidb64": _uid(w), "token": "set-password"},
        may=frozenset(),
        public=True,
        seen=frozenset({200, 302}),
    ),
    "login": Row(may=EVERYONE, public=True, seen=frozenset({200, 302})),
    "logout": Row(may=EVERYONE, public=True, seen=frozenset({302, 405})),
    "set_language": Row(may=EVERYONE, public=True, seen=frozenset({302, 405})),
    "healthz": Row(may=EVERYONE, public=True, seen=frozenset({200, 503})),
    "healthz-json": Row(may=EVERYONE, public=True, seen=frozenset({200, 503})),
    "channel-atom-feed": Row(lambda w: {"channel_id": w.feed_b.pk}, may=EVERYONE, public=True),
    "password_reset": Row(may=EVERYONE, public=True),
    "password_reset_done": Row(may=EVERYONE, public=True),
    "password_reset_complete": Row(may=EVERYONE, public=True),
    "two-factor-verify": Row(seen=frozenset({200, 302})),
    "two-factor-setup": Row(seen=frozenset({200, 302})),
    "two-factor-codes": Row(seen=frozenset({200, 302})),
    **API_ROWS,
}


# --- The admin: one rule for all its pages ---------------------------------------------

# What an administrator gets: a page of department B's object or list (proof that the
# address names a real one), or, where the role holds no such permission (delete, add),
# a refusal.
ADMIN_SHOWS = ("_change", "_changelist", "_history")
ADMIN_ANSWERS = frozenset({200, 302, 403, 404, 405})
# Department B's object of each model the admin shows (`object_id` of its pages).
ADMIN_OBJECTS: dict[str, Callable[[SimpleNamespace], object]] = {
    "editorial.post": lambda w: w.draft,
    "editorial.comment": lambda w: Comment.objects.filter(post=w.draft).first(),
    "editorial.approval": lambda w: w.held.approvals.first(),
    "editorial.auditentry": lambda w: (
        AuditEntry.objects.filter(object_id=str(w.draft.pk)).order_by("seq").first()
    ),
    "editorial.publication": lambda w: w.publication,
    "editorial.publishingpause": lambda w: w.pause,
    "editorial.blackout": lambda w: w.blackout,
    "editorial.weeklyplan": lambda w: w.plan,
    "editorial.channel": lambda w: w.channel_b,
    "editorial.campaign": lambda w: w.campaign_b,
    "editorial.sensitivityrule": lambda w: w.rule,
    "accounts.user": lambda w: w.writer_b,
    "accounts.department": lambda w: w.dept_b,
    "auth.group": lambda w: w.dept_b.group,
}


# The admin's own sign-in and sign-out: anyone may ask (a non-administrator is refused
# at the sign-in, and signing out harms no one).
ADMIN_PUBLIC = {
    # A signed-in administrator gets 403 there too (not a redirect to the index): odd,
    # harmless, left to accounts/views.admin_login.
    "admin:login": Row(may=frozenset({ANONYMOUS}), public=True, seen=frozenset({200, 302})),
    "admin:logout": Row(may=EVERYONE, public=True, seen=frozenset({302, 405})),
}


def _admin_model(name: str) -> str | None:
    """ "admin:editorial_post_change" -> "editorial.post" (None for the site's own pages)."""
    verb_model = name.removeprefix("admin:")
    for model in apps.get_models():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if verb_model.startswith(prefix):
            return model._meta.label_lower
    return None


def _admin_kwargs(name: str, keywords: set[str]) -> Callable[[SimpleNamespace], dict]:
    def build(w: SimpleNamespace) -> dict:
        label = _admin_model(name)
        obj = ADMIN_OBJECTS[label](w) if label in ADMIN_OBJECTS else None
        kwargs = {}
        for key in {"object_id", "id"} & keywords:
            kwargs[key] = str(obj.pk) if obj is not None else "1"
        if "app_label" in keywords:
            kwargs["app_label"] = "editorial"
        if "content_type_id" in keywords:
            kwargs["content_type_id"] = ContentType.objects.get_for_model(Post).pk
            kwargs["object_id"] = str(w.draft.pk)
        if "url" in keywords:  # the catch-all: any address under /admin/
            kwargs["url"] = f"editorial/post/{w.draft.pk}/"
        return kwargs

    return build


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


def row_of(pattern: Pattern) -> Row | None:
    if pattern.key in ADMIN_PUBLIC:
        return ADMIN_PUBLIC[pattern.key]
    if pattern.key.startswith("admin:") or pattern.route.startswith("admin/"):
        label = _admin_model(pattern.key)
        shows = label in ADMIN_OBJECTS and pattern.key.endswith(ADMIN_SHOWS)
        return Row(
            _admin_kwargs(pattern.key, set(pattern.keywords)),
            may=frozenset({ADMIN}),
            seen=frozenset({200}) if shows else ADMIN_ANSWERS,
        )
    return ROWS.get(pattern.key)


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
        "tests/test_access_sweep.py (its arguments from the data set and the roles that "
        "may reach department B's object through it):\n"
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
