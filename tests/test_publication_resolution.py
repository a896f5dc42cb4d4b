"""A publication whose outcome is unknown (the request left, no answer came) is never sent
again by the publisher: a person checks the network and says what happened. Through the
same workflow function the post page uses, against a real loopback channel."""

import pytest

from editorial import workflow as wf
from editorial.audit import entries_for, verify_chain
from editorial.models import AuditEntry, PostState, PublicationState
from editorial.publishing import outcomes, sender
from tests.loopback import Reply
from tests.test_publishing_sender import claimed_post, webhook

PS = PublicationState


@pytest.fixture
def unknown(cm, head, dept_a, loopback, settings):
    """A post whose only publication timed out after sending: outcome unknown."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    loopback.respond = lambda request: Reply(delay=1)
    post = claimed_post(cm, head, dept_a, [webhook(dept_a, loopback)])
    publication = post.publications.get()
    assert sender.publish(publication.pk) == PS.UNKNOWN
    assert loopback.wait_for(1, timeout=5)
    post.refresh_from_db()
    publication.refresh_from_db()
    assert post.state == PostState.PUBLISHING  # waits for a person
    return post, publication


def test_someone_who_saw_it_on_the_network_marks_it_sent_and_the_post_is_published(
    unknown, loopback, cm
):
    post, publication = unknown
    url = "https://social.example/@police/1"
    assert wf.resolve_unknown(publication, cm, went_out=True, url=url) == PS.SENT
    publication.refresh_from_db()
    post.refresh_from_db()
    assert (publication.state, publication.external_url) == (PS.SENT, url)
    assert publication.sent_at is not None and publication.last_error == ""
    assert post.state == PostState.PUBLISHED
    confirmed = entries_for(publication).get(action="publication_confirmed_sent")
    assert (confirmed.actor, confirmed.data) == (cm, {"url": url})
    assert entries_for(post).filter(action="mark_published", actor=cm).exists()
    assert len(loopback.received) == 1  # nothing sent again
    assert verify_chain() is None


def test_a_publication_that_did_not_go_out_is_sent_again_with_every_check(
    unknown, loopback, head, django_capture_on_commit_callbacks, settings
):
    post, publication = unknown
    loopback.respond = lambda request: Reply()  # the network answers again
    # …in time, however busy the machine: the fixture's 0.2 s was for the time-out.
    settings.WEBHOOK_TIMEOUT_SECONDS = 10
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert wf.resolve_unknown(publication, head, went_out=False) == PS.QUEUED
    assert len(callbacks) == 2  # the signal, and the publish message: once committed
    publication.refresh_from_db()
    assert publication.state == PS.QUEUED
    # The message's delivery, as a worker runs it: claimed and checked like any send.
    assert sender.publish(publication.pk) == PS.SENT
    assert sender.publish(publication.pk) == "not claimed"
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert loopback.keys() == [str(publication.idempotency_key)] * 2  # the person's call
    assert entries_for(publication).filter(action="publication_resent", actor=head).exists()
    assert verify_chain() is None


def test_a_publication_sent_again_that_ends_unknown_again_is_recorded_again(
    unknown, loopback, head
):
    _post, publication = unknown
    wf.resolve_unknown(publication, head, went_out=False)
    assert sender.publish(publication.pk) == PS.UNKNOWN  # still no answer
    actions = list(entries_for(publication).order_by("seq").values_list("action", flat=True))
    assert actions == ["publication_unknown", "publication_resent", "publication_unknown"]
    assert outcomes.unrecorded_outcomes() == []
    assert outcomes.record_outcomes([publication.pk]) == []  # nothing written twice
    assert AuditEntry.objects.filter(action="publication_unknown").count() == 2


def test_the_reaper_records_the_new_outcome_of_a_publication_sent_again(unknown, head):
    _post, publication = unknown
    wf.resolve_unknown(publication, head, went_out=False)
    # A worker sent it, made the outcome durable, and died before auditing it.
    type(publication).objects.filter(pk=publication.pk).update(state=PS.FAILED)
    assert outcomes.unrecorded_outcomes() == [publication.pk]


def test_a_contributor_may_not_settle_an_unknown_publication(unknown, writer_a, contrib_b):
    _post, publication = unknown
    for user in (writer_a, contrib_b):
        with pytest.raises(wf.ActionNotAllowed):
            wf.resolve_unknown(publication, user, went_out=True)
    publication.refresh_from_db()
    assert publication.state == PS.UNKNOWN


def test_a_publication_settled_meanwhile_is_not_settled_twice(unknown, cm, head):
    _post, publication = unknown
    stale = type(publication).objects.get(pk=publication.pk)
    wf.resolve_unknown(publication, cm, went_out=True)
    with pytest.raises(wf.StaleObject) as error:
        wf.resolve_unknown(stale, head, went_out=False)
    assert error.value.status == 409
    stale.refresh_from_db()
    assert stale.state == PS.SENT


def test_an_address_is_only_for_a_publication_that_went_out(unknown, cm):
    _post, publication = unknown
    with pytest.raises(wf.InvalidInput):
        wf.resolve_unknown(publication, cm, went_out=False, url="https://example.org/1")
    publication.refresh_from_db()
    assert publication.state == PS.UNKNOWN
