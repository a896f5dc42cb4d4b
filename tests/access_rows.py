"""The access sweep's table (tests/test_access_sweep.py): for each URL pattern, how to
build its arguments from the shared data set (tests/access_world.py) and which roles may
reach department B's object through it. A URL pattern added without a row fails
`test_every_url_pattern_has_a_row`, naming it: add its row here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from editorial.models import AuditEntry, Comment, Post
from tests.access_world import (
    ADMIN,
    ANONYMOUS,
    CM,
    DIRECTOR,
    EVERYONE,
    HEAD,
    IN_SCOPE,
    MANAGERS,
    NATIONAL,
    PLANNERS,
    REVIEWERS,
    SIGNED_IN,
    WEEK,
    WRITERS,
    YEAR,
)

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
    "api-campaigns": Row(),
    "api-campaign": Row(pk_of("campaign_b"), may=IN_SCOPE),
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
    # Calendar subscriptions: each person's own (department B's person's is nobody
    # else's to revoke); an address is its secret: a made-up one names nothing.
    "calendar-feeds": Row(),
    "calendar-feed-revoke": Row(pk_of("subscription_b"), may=frozenset()),
    "calendar-feed": Row(lambda w: {"secret": "made-up-secret"}, may=frozenset(), public=True),
    # A weekly plan from a spreadsheet: who plans (`deny_plan_board`).
    "plan-import": Row(may=PLANNERS),
    "plan-import-confirm": Row(may=PLANNERS, seen=frozenset({405})),
    "plan-import-template": Row(
        lambda w: [{"kind": "csv"}, {"kind": "xlsx"}], may=PLANNERS, seen=frozenset({200, 405})
    ),
    # Reports: the national team (`deny_reports`); the audit trail as a file, the
    # director and the administrators (`deny_audit_export`).
    "reports": Row(may=NATIONAL),
    "reports-pdf": Row(may=NATIONAL, seen=frozenset({200, 405})),
    "reports-csv": Row(lambda w: {"key": "over_time"}, may=NATIONAL, seen=frozenset({200, 405})),
    "reports-audit-csv": Row(may=frozenset({DIRECTOR, ADMIN}), seen=frozenset({200, 405})),
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


def row_of(pattern) -> Row | None:
    """The row of a URL pattern (`key`: its name as `reverse` names it), or None."""
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
