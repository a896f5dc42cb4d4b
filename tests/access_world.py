"""The access sweep's roles and shared data set (tests/test_access_sweep.py): department
B's objects in every state a URL can name, and the people who ask for them."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from accounts.roles import Role
from api.tokens import create_token
from calendar_feeds.services import create_feed
from editorial import workflow as wf
from editorial.forms.images import keep_upload
from editorial.images import sanitize
from editorial.models import (
    BlackoutRule,
    BlackoutScope,
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


def build_world() -> SimpleNamespace:
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
    # And their own calendar subscription: nobody else's to revoke either.
    w.subscription_b, _secret = create_feed(w.writer_b, "Agenda 13", {})
    return w
