"""A failed post is told and can be followed up: sent again (only what failed, through
every check of a send) or copied to a new draft. Through the workflow functions the
post page and the inbox use, against real loopback channels."""

import pytest
from django.utils import timezone

from editorial import workflow as wf
from editorial.audit import entries_for, verify_chain
from editorial.inbox import awaiting, awaiting_count
from editorial.models import (
    ApprovalLevel,
    AuditEntry,
    Channel,
    Network,
    Post,
    PostImage,
    PostState,
    PublicationState,
)
from editorial.publishing import sender
from tests.factories import CampaignFactory, ChannelFactory
from tests.loopback import LoopbackChannel, Reply
from tests.test_publishing_sender import claimed_post, webhook

S = PostState
PS = PublicationState
# A refusal of this content (a 403 or 401 would mean the hook itself is refused, and the
# channel would need reconnecting).
REFUSED = Reply(status=422, body={"error": "message refused"})


@pytest.fixture
def refusing():
    """A second network, which refuses what it is sent until told otherwise."""
    with LoopbackChannel(respond=lambda request: REFUSED) as server:
        yield server


@pytest.fixture
def failed(cm, head, dept_a, writer_a, loopback, refusing):
    """A post of writer_a sent to two channels: it went out on the first, was refused on
    the second."""
    post = claimed_post(cm, head, dept_a, [webhook(dept_a, loopback), webhook(dept_a, refusing)])
    Post.objects.filter(pk=post.pk).update(author=writer_a, last_editor=writer_a)
    sent, refused = post.publications.order_by("channel_id")
    sender.publish_batch([sent.pk, refused.pk])
    post.refresh_from_db()
    sent.refresh_from_db()
    refused.refresh_from_db()
    assert (post.state, sent.state, refused.state) == (S.FAILED, PS.SENT, PS.FAILED)
    return post, sent, refused


def test_a_failed_post_awaits_its_author_and_those_who_may_send_it_again(
    failed, cm, head, director, contrib_a, contrib_b
):
    post, _sent, _refused = failed
    assert post.author != cm  # written by someone else, fast-tracked by the CM
    for user in (post.author, cm, head):
        assert [(p.pk, p.awaits) for p in awaiting(user)] == [(post.pk, "failed")]
        assert awaiting_count(user) == 1
    for user in (director, contrib_a, contrib_b):
        assert not awaiting(user).exists()


def test_sending_again_sends_only_the_failed_publication_and_publishes_the_post(
    failed, cm, loopback, refusing, django_capture_on_commit_callbacks
):
    post, sent, refused = failed
    refusing.respond = lambda request: Reply(body={"id": "ok"})  # the token was renewed
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        wf.retry_failed(post, cm)
    assert len(callbacks) == 2  # the signal, and the publish message: once committed
    assert post.state == S.PUBLISHING
    refused.refresh_from_db()
    assert (refused.state, refused.attempts, refused.last_error) == (PS.QUEUED, 0, "")
    assert not awaiting(cm).exists()
    # The message's delivery, as a worker runs it: claimed and checked like any send.
    assert sender.publish(refused.pk) == PS.SENT
    assert sender.publish(sent.pk) == "not claimed"  # what went out is never sent again
    post.refresh_from_db()
    assert post.state == S.PUBLISHED
    assert len(loopback.received) == 1
    assert len(refusing.received) == 2
    entry = entries_for(post).get(action="retry_failed")
    assert (entry.actor, entry.from_state, entry.to_state) == (cm, S.FAILED, S.PUBLISHING)
    actions = list(entries_for(refused).order_by("seq").values_list("action", flat=True))
    assert actions == ["publication_failed", "publication_retried", "publication_sent"]
    assert verify_chain() is None


def test_a_publication_that_fails_again_is_recorded_again_and_the_post_told_again(failed, head, cm):
    post, _sent, refused = failed
    wf.retry_failed(post, head)
    assert sender.publish(refused.pk) == PS.FAILED
    post.refresh_from_db()
    assert post.state == S.FAILED
    actions = list(entries_for(refused).order_by("seq").values_list("action", flat=True))
    assert actions == ["publication_failed", "publication_retried", "publication_failed"]
    assert entries_for(post).filter(action="mark_failed").count() == 2
    assert [p.pk for p in awaiting(cm)] == [post.pk]


def test_a_post_sent_again_is_held_by_a_pause_that_starts_before_its_send(
    failed, cm, head, refusing
):
    post, _sent, refused = failed
    wf.retry_failed(post, cm)
    wf.pause_publishing(head, "Compte piraté")
    assert sender.publish(refused.pk) == "held"
    assert len(refusing.received) == 1  # nothing went out
    post.refresh_from_db()
    assert post.held_at is not None


@pytest.mark.parametrize("why", ["content", "pause", "crisis", "inactive"])
def test_a_post_is_not_sent_again_when_a_check_of_a_send_would_stop_it(
    failed, cm, head, director, why
):
    post, _sent, refused = failed
    if why == "content":
        Post.objects.filter(pk=post.pk).update(body="Texte jamais approuvé.")
    elif why == "pause":
        wf.pause_publishing(head, "Compte piraté", channel=refused.channel)
    elif why == "crisis":
        wf.pause_publishing(director, "Crise", stops_publishing=False, requires_director=True)
    else:
        type(refused.channel).objects.filter(pk=refused.channel_id).update(is_active=False)
    post.refresh_from_db()
    assert "retry_failed" not in wf.available_actions(post, cm)
    before = AuditEntry.objects.count()
    with pytest.raises(wf.InvalidState) as error:
        wf.retry_failed(post, cm)
    assert error.value.status == 409
    post.refresh_from_db()
    refused.refresh_from_db()
    assert (post.state, refused.state) == (S.FAILED, PS.FAILED)
    assert AuditEntry.objects.count() == before


def test_a_post_signed_off_by_the_director_is_sent_again_in_crisis_mode(failed, cm, director):
    post, _sent, _refused = failed
    post.approvals.update(level=ApprovalLevel.DIRECTOR)
    wf.pause_publishing(director, "Crise", stops_publishing=False, requires_director=True)
    assert "retry_failed" in wf.available_actions(post, cm)
    wf.retry_failed(post, cm)
    assert post.state == S.PUBLISHING


def test_a_network_without_an_adapter_is_not_retried_but_the_post_can_be_copied(cm, head, dept_a):
    channel = ChannelFactory(department=dept_a, network=Network.LOG)
    post = claimed_post(cm, head, dept_a, [channel])
    # The channel moved to a network without a connector after the approval.
    Channel.objects.filter(pk=channel.pk).update(network=Network.FACEBOOK)
    sender.publish(post.publications.get().pk)
    post.refresh_from_db()
    assert post.state == S.FAILED
    assert [(p.pk, p.awaits) for p in awaiting(cm)] == [(post.pk, "failed")]
    actions = wf.available_actions(post, cm)
    assert "retry_failed" not in actions and "copy_to_draft" in actions
    with pytest.raises(wf.InvalidState, match="fail the same way"):
        wf.retry_failed(post, cm)


def test_only_the_community_manager_and_the_head_may_send_a_failed_post_again(
    failed, director, contrib_a, contrib_b
):
    post, _sent, refused = failed
    for user in (director, post.author, contrib_a, contrib_b):
        assert "retry_failed" not in wf.available_actions(post, user)
        with pytest.raises(wf.ActionNotAllowed):
            wf.retry_failed(post, user)
    refused.refresh_from_db()
    assert refused.state == PS.FAILED


def test_a_post_sent_again_meanwhile_is_not_sent_again_twice(failed, cm, head):
    post, _sent, _refused = failed
    stale = Post.objects.get(pk=post.pk)
    wf.retry_failed(post, cm)
    with pytest.raises(wf.StaleObject) as error:
        wf.retry_failed(stale, head)
    assert error.value.status == 409
    assert entries_for(post).filter(action="retry_failed").count() == 1


def test_only_a_failed_post_is_sent_again(approved, cm):
    with pytest.raises(wf.InvalidState):
        wf.retry_failed(approved, cm)


# --- copy to a new draft ---------------------------------------------------------------


def test_a_failed_post_copied_to_a_new_draft_keeps_its_content_and_leaves_the_inbox(
    failed, cm, head, dept_a
):
    post, sent, refused = failed
    campaign = CampaignFactory(department=dept_a)
    Post.objects.filter(pk=post.pk).update(campaign=campaign)
    post.variants.create(channel=refused.channel, body="Texte pour ce réseau.")
    PostImage.objects.create(
        post=post, image="posts/alerte.png", alt_text="Affiche", sha256="a" * 64
    )
    post.refresh_from_db()
    when = timezone.now() + timezone.timedelta(days=1)
    copy = wf.copy_to_draft(post, cm, when)
    assert (copy.state, copy.author, copy.last_editor) == (S.DRAFT, cm, cm)
    assert (copy.title, copy.body, copy.category) == (post.title, post.body, post.category)
    assert (copy.origin_department, copy.campaign, copy.scheduled_at) == (dept_a, campaign, when)
    assert set(copy.channels.all()) == {sent.channel, refused.channel}
    assert {v.channel: v.body for v in copy.variants.all()} == {
        refused.channel: "Texte pour ce réseau."
    }
    assert [(i.image.name, i.alt_text) for i in copy.images.all()] == [
        ("posts/alerte.png", "Affiche")
    ]
    assert not copy.approvals.exists() and not copy.urgent and copy.plan is None
    assert entries_for(copy).get(action="create").data["copied_from"] == post.pk
    assert entries_for(post).get(action="copy_to_draft").data == {"copy": copy.pk}
    post.refresh_from_db()
    assert post.state == S.FAILED  # the original stays as it was
    for user in (cm, head, post.author):
        assert not awaiting(user).filter(pk=post.pk).exists()
    assert verify_chain() is None


def test_a_copy_without_a_time_waits_for_one_and_a_past_time_is_refused(failed, cm):
    post, _sent, _refused = failed
    assert wf.copy_to_draft(post, cm).scheduled_at is None
    with pytest.raises(wf.InvalidInput):
        wf.copy_to_draft(post, cm, timezone.now() - timezone.timedelta(minutes=1))


def test_a_copy_of_a_sensitive_post_is_sensitive_too(failed, cm):
    post, _sent, _refused = failed
    Post.objects.filter(pk=post.pk).update(sensitive=True, sensitive_reason="Enquête en cours.")
    post.refresh_from_db()
    copy = wf.copy_to_draft(post, cm)
    assert (copy.sensitive, copy.sensitive_reason) == (True, "Enquête en cours.")


def test_a_post_still_on_its_way_is_not_copied(approved, pending, cm):
    for post in (approved, pending):
        assert "copy_to_draft" not in wf.available_actions(post, cm)
        with pytest.raises(wf.InvalidState):
            wf.copy_to_draft(post, cm)
    assert Post.objects.count() == 1


def test_a_contributor_of_another_department_may_not_copy(failed, contrib_b):
    post, _sent, _refused = failed
    with pytest.raises(wf.ActionNotAllowed):
        wf.copy_to_draft(post, contrib_b)


def test_a_failed_post_sent_again_after_a_copy_is_listed_again_if_it_fails_again(failed, cm):
    post, _sent, refused = failed
    wf.copy_to_draft(post, cm)
    assert not awaiting(cm).filter(pk=post.pk).exists()
    wf.retry_failed(post, cm)
    sender.publish(refused.pk)
    assert awaiting(cm).filter(pk=post.pk).exists()
