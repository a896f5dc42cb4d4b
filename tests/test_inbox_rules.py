"""The inbox and the buttons come from one rule: for every persona and a post in every
state and of every authorship, the inbox lists a post for approval (or sign-off) exactly
when its page offers the person Approve (or Sign off); and every other row offers the
follow-up it is listed for."""

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.scope import give_role
from editorial import workflow as wf
from editorial.inbox import awaiting, awaiting_count
from editorial.models import (
    Approval,
    ApprovalLevel,
    Network,
    Post,
    PostState,
    Publication,
    PublicationState,
)
from tests.factories import ChannelFactory, PostFactory, UserFactory

S = PostState
PS = PublicationState
STATES = [s for s in S if s != S.PUBLISHING] + ["publishing_unknown", "overdue", "held"]
APPROVALS = {"approve", "sign_off"}
# The action a row of each kind is there for.
FOLLOW_UP = {
    "approve": {"approve"},
    "sign_off": {"sign_off"},
    "held": {"confirm_held"},
    "failed": {"copy_to_draft"},
    "overdue": {"reschedule"},
    "submitted": {"accept"},
    "changes_requested": {"edit"},
}


@pytest.fixture
def personas(cm, head, director, admin_user, contrib_a, contrib_b, writer_a, outsider, national):
    both = UserFactory(
        username="head-director", role=Role.HEAD_OF_COMMUNICATION, department=national
    )
    give_role(both, Role.DIRECTOR)
    return {
        "cm": cm,
        "head": head,
        "director": director,
        "head_director": both,
        "admin": admin_user,
        "contrib_a": contrib_a,
        "contrib_b": contrib_b,
        "writer_a": writer_a,
        "outsider": outsider,
    }


def _make(state: str, author, editor, department, channel, *, sensitive=False, approver=None):
    post = PostFactory(
        author=author, last_editor=editor, origin_department=department, channels=[channel]
    )
    fields = {"sensitive": sensitive, "sensitive_reason": "Enquête." if sensitive else ""}
    now = timezone.now()
    if state == "overdue":
        fields.update(state=S.PENDING_APPROVAL, overdue_at=now, scheduled_at=now)
    elif state == "held":
        fields.update(state=S.APPROVED, held_at=now, held_reason="Paused.")
    elif state == "publishing_unknown":
        fields.update(state=S.PUBLISHING)
    else:
        fields.update(state=state)
    if state in (S.PUBLISHED, S.FAILED, "publishing_unknown"):
        fields["scheduled_at"] = now - datetime.timedelta(hours=1)
    Post.objects.filter(pk=post.pk).update(**fields)
    if state in (S.PENDING_SIGNOFF, S.APPROVED, "held", S.FAILED, "publishing_unknown"):
        Approval.objects.create(
            post=post, approver=approver, level=ApprovalLevel.HEAD, content_hash=post.content_hash
        )
    outcome = {S.FAILED: PS.FAILED, S.PUBLISHED: PS.SENT, "publishing_unknown": PS.UNKNOWN}
    if state in outcome:
        Publication.objects.create(
            post=post,
            channel=channel,
            content_hash=post.content_hash,
            state=outcome[state],
            last_error="Refused." if state == S.FAILED else "",
        )
    return Post.objects.get(pk=post.pk)


@pytest.fixture
def posts(personas, dept_a, dept_b, national, head):
    """A post in every state, by every kind of author (and last editor), sensitive or not,
    in department A, B and national; failed ones on a network with and without adapter."""
    made = []
    authors = ["writer_a", "cm", "head", "director", "head_director"]
    channels = {
        dept_a: [
            ChannelFactory(department=dept_a, network=Network.LOG),
            ChannelFactory(department=dept_a),
        ],
        national: [ChannelFactory(department=national, network=Network.LOG)],
        dept_b: [ChannelFactory(department=dept_b)],
    }
    for department, department_channels in channels.items():
        for channel in department_channels:
            for state in STATES:
                for author in authors:
                    for sensitive in (False, True):
                        editor = personas["cm"] if author == "writer_a" else personas[author]
                        approver = personas["head_director"] if author != "head_director" else head
                        made.append(
                            _make(
                                state,
                                personas[author],
                                editor,
                                department,
                                channel,
                                sensitive=sensitive,
                                approver=approver,
                            )
                        )
    return made


PERSONAS = [
    "cm",
    "head",
    "director",
    "head_director",
    "admin",
    "contrib_a",
    "contrib_b",
    "writer_a",
    "outsider",
]


def test_the_inbox_lists_for_approval_exactly_the_posts_whose_page_offers_it(personas, posts):
    everything = list(
        Post.objects.filter(pk__in=[p.pk for p in posts]).select_related("author", "last_editor")
    )
    for persona in PERSONAS:
        user = personas[persona]
        rows = {post.pk: post.awaits for post in awaiting(user)}
        offered = {post.pk: set(wf.available_actions(post, user)) for post in everything}
        listed_for_approval = {pk for pk, kind in rows.items() if kind in APPROVALS}
        with_approval_button = {pk for pk, actions in offered.items() if actions & APPROVALS}
        assert listed_for_approval == with_approval_button, persona
        for pk, kind in rows.items():
            if kind in FOLLOW_UP:
                assert offered[pk] & FOLLOW_UP[kind], (persona, kind, offered[pk])
        assert awaiting_count(user) == len(rows), persona


def test_a_post_the_head_wrote_and_fast_tracked_awaits_the_director(
    head, director, dept_a, channel_a
):
    post = PostFactory(author=head, origin_department=dept_a, channels=[channel_a])
    wf.fast_track(post, head)
    assert "approve" not in wf.available_actions(post, head)
    assert post not in awaiting(head)
    assert "approve" in wf.available_actions(post, director)
    assert [p.pk for p in awaiting(director)] == [post.pk]
    assert awaiting_count(director) == 1
