"""Who is told of each event: every event × every role × own or other department.

Each row runs a real workflow (or publisher) step, by whoever would take it, with its
after-commit work done as in a request; the notices written must name exactly the
people the permission rules let act — nobody of another department, never the actor.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone

from editorial import workflow as wf
from editorial.messages import message
from editorial.models import Post, PostState, PublicationState
from editorial.publishing import holds, reconcile, sender
from tests.factories import ChannelFactory, PostFactory, shown_items
from tests.loopback import LoopbackChannel, Reply
from tests.notices import told
from tests.test_publishing_sender import claimed_post, webhook

EVERYONE = ("cm", "head", "director", "admin", "contrib67", "writer67", "contrib13", "outsider")


@dataclass
class People:
    cm: object
    head: object
    director: object
    admin: object
    contrib_a: object
    writer_a: object
    contrib_b: object
    outsider: object
    dept_a: object
    dept_b: object
    national: object

    def department(self, which: str):
        return self.dept_a if which == "a" else self.dept_b

    def author_in(self, which: str):
        """Who writes the posts of department `which`."""
        return self.writer_a if which == "a" else self.contrib_b


@pytest.fixture
def people(
    cm,
    head,
    director,
    admin_user,
    contrib_a,
    writer_a,
    contrib_b,
    outsider,
    dept_a,
    dept_b,
    national,
):
    return People(
        cm,
        head,
        director,
        admin_user,
        contrib_a,
        writer_a,
        contrib_b,
        outsider,
        dept_a,
        dept_b,
        national,
    )


def draft(p: People, which: str, **fields) -> Post:
    department = p.department(which)
    author = p.author_in(which)
    return PostFactory(
        author=author,
        origin_department=department,
        channels=[ChannelFactory(department=department)],
        **fields,
    )


def pending(p, which):
    post = draft(p, which)
    wf.fast_track(post, p.cm)
    return post


def submitted(p, which):
    post = draft(p, which)
    wf.submit(post, p.author_in(which))
    return post


# --- the events: each returns the action to observe --------------------------------------


def fast_tracked_by_the_cm(p, which):
    post = draft(p, which)
    return lambda: wf.fast_track(post, p.cm)


def fast_tracked_by_the_head(p, which):
    post = draft(p, which)
    return lambda: wf.fast_track(post, p.head)


def sensitive_post_approved(p, which):
    post = pending(p, which)
    wf.mark_sensitive(post, p.cm, "Procès en cours.")
    return lambda: wf.approve(post, p.head)


def approved_post_marked_sensitive(p, which):
    post = pending(p, which)
    wf.approve(post, p.head)
    return lambda: wf.mark_sensitive(post, p.cm, "Procès en cours.")


def returned_by_the_head(p, which):
    post = pending(p, which)
    return lambda: wf.request_changes(post, p.head, "Le chiffre est faux.")


def returned_by_the_director(p, which):
    post = pending(p, which)
    wf.mark_sensitive(post, p.cm, "Procès en cours.")
    wf.approve(post, p.head)
    return lambda: wf.request_changes(post, p.director, "Pas avant le verdict.")


def submission_accepted(p, which):
    post = submitted(p, which)
    return lambda: wf.accept(post, p.cm)


def submission_returned(p, which):
    post = submitted(p, which)
    return lambda: wf.return_submission(post, p.cm, "Précisez le lieu.")


def _plan(p, which, count=2):
    plan = wf.plan_for_week(p.national, 2030, 12, p.cm)
    posts = []
    for _n in range(count):
        post = submitted(p, which)
        wf.accept(post, p.cm, plan=plan)
        posts.append(post)
    return plan, posts


def plan_submitted(p, which):
    plan, _posts = _plan(p, which)
    return lambda: wf.submit_plan(plan, p.cm)


def plan_item_returned(p, which):
    plan, posts = _plan(p, which)
    wf.submit_plan(plan, p.cm)
    returns = {posts[0].pk: "Reformulez."}
    return lambda: wf.approve_plan(plan, p.head, shown=shown_items(plan), returns=returns)


def plan_returned(p, which):
    plan, _posts = _plan(p, which)
    wf.submit_plan(plan, p.cm)
    return lambda: wf.return_plan(plan, p.head, "Trop chargé.")


def held_by_the_publisher(p, which):
    post = pending(p, which)
    wf.approve(post, p.head)

    def hold():
        with transaction.atomic():
            holds.hold_post(post, message("held"), timezone.now())

    return hold


def paused_everywhere(p, which):
    return lambda: wf.pause_publishing(p.head, "Attentat en cours.")


def paused_on_a_channel(p, which):
    channel = ChannelFactory(department=p.department(which))
    return lambda: wf.pause_publishing(p.director, "Compte piraté.", channel=channel)


def resumed(p, which):
    pause = wf.pause_publishing(p.head, "Attentat en cours.")
    return lambda: wf.resume_publishing(pause, p.director)


A = "author"  # the post's author: writer67 in department A, contrib13 in B

ROWS = [
    (fast_tracked_by_the_cm, {("head", "urgent"), ("director", "urgent")}),
    (fast_tracked_by_the_head, {("director", "urgent")}),
    (sensitive_post_approved, {("director", "awaits_signoff")}),
    (approved_post_marked_sensitive, {("director", "awaits_signoff")}),
    (returned_by_the_head, {(A, "returned")}),
    (returned_by_the_director, {(A, "returned")}),
    (submission_accepted, {(A, "submission_accepted")}),
    (submission_returned, {(A, "submission_returned")}),
    (plan_submitted, {("head", "plan_submitted"), ("director", "plan_submitted")}),
    (plan_item_returned, {(A, "returned")}),
    (plan_returned, {("cm", "plan_returned")}),
    (held_by_the_publisher, {(A, "held"), ("cm", "held"), ("head", "held"), ("director", "held")}),
    (paused_everywhere, {("cm", "paused"), ("director", "paused")}),
    (paused_on_a_channel, {("cm", "paused"), ("head", "paused")}),
    (resumed, {("cm", "resumed"), ("head", "resumed")}),
]


@pytest.mark.parametrize("which", ["a", "b"], ids=["department A", "department B"])
@pytest.mark.parametrize(
    ("event", "expected"), ROWS, ids=[event.__name__.replace("_", " ") for event, _ in ROWS]
)
def test_each_event_tells_exactly_who_may_act_on_it_in_their_scope(
    people, which, event, expected, django_capture_on_commit_callbacks
):
    action = event(people, which)
    author = people.author_in(which).username
    expected = {(author if who == A else who, kind) for who, kind in expected}
    assert told(django_capture_on_commit_callbacks, action) == expected


def test_nobody_is_told_of_a_department_outside_their_scope(
    people, django_capture_on_commit_callbacks
):
    """Department B's post returned: department A's contributors hear nothing."""
    post = pending(people, "b")
    got = told(
        django_capture_on_commit_callbacks, lambda: wf.request_changes(post, people.head, "Non.")
    )
    assert got == {("contrib13", "returned")}


def test_whoever_changed_the_content_is_told_of_its_return_too(
    people, django_capture_on_commit_callbacks
):
    post = draft(people, "a")
    wf.edit_post(post, people.contrib_a, body="Un autre texte, revu par contrib67.")
    wf.fast_track(post, people.cm)
    got = told(
        django_capture_on_commit_callbacks, lambda: wf.request_changes(post, people.head, "Non.")
    )
    assert got == {("writer67", "returned"), ("contrib67", "returned")}


def test_a_failed_post_tells_its_author_and_who_may_send_it_again(
    people, django_capture_on_commit_callbacks
):
    refused = Reply(status=403, body={"error": "token expired"})
    with LoopbackChannel(respond=lambda request: refused) as server:
        post = claimed_post(people.cm, people.head, people.dept_a, [webhook(people.dept_a, server)])
        Post.objects.filter(pk=post.pk).update(author=people.writer_a)
        publication = post.publications.get()
        got = told(
            django_capture_on_commit_callbacks, lambda: sender.publish_batch([publication.pk])
        )
    post.refresh_from_db()
    assert post.state == PostState.FAILED
    assert got == {
        ("writer67", "failed"),
        ("cm", "failed"),
        ("head", "failed"),
        # The 403 also flagged the channel: who manages channels and the CMs are told.
        ("head", "channel_reconnect"),
        ("admin", "channel_reconnect"),
        ("cm", "channel_reconnect"),
    }


def test_an_unknown_outcome_tells_its_author_and_who_may_settle_it(
    people, django_capture_on_commit_callbacks, loopback
):
    post = claimed_post(people.cm, people.head, people.dept_b, [webhook(people.dept_b, loopback)])
    Post.objects.filter(pk=post.pk).update(author=people.contrib_b)
    long_ago = timezone.now() - timezone.timedelta(hours=1)
    post.publications.update(state=PublicationState.SENDING, sending_since=long_ago)
    got = told(django_capture_on_commit_callbacks, reconcile.reap)
    assert got == {
        ("contrib13", "unknown"),
        ("cm", "unknown"),
        ("head", "unknown"),
        ("director", "unknown"),
    }


def test_the_actor_is_never_told_of_their_own_action(people, django_capture_on_commit_callbacks):
    post = draft(people, "a")
    wf.fast_track(post, people.cm)
    got = told(
        django_capture_on_commit_callbacks, lambda: wf.request_changes(post, people.head, "x")
    )
    assert ("head", "returned") not in got
    assert {who for who, _kind in got} <= set(EVERYONE) - {"head"}
