"""The pages of a post that did not go out (failed, overdue) and the inbox's counter:
what each person is told, the actions offered, and forged requests answered with the
reason (403, 409, 400)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from editorial import workflow as wf
from editorial.models import Network, Post, PostState, Publication, PublicationState
from tests.factories import ChannelFactory, PostFactory, WebhookChannelFactory
from tests.refusals import refused_page

S = PostState
HTMX = {"HTTP_HX_REQUEST": "true"}


def failed_post(author, department, channel, *, error="No adapter for Facebook Page yet."):
    """A post that went out nowhere: its one publication failed."""
    post = PostFactory(author=author, origin_department=department, channels=[channel])
    Post.objects.filter(pk=post.pk).update(
        state=S.FAILED, scheduled_at=timezone.now() - datetime.timedelta(hours=1)
    )
    post.approvals.create(approver_id=author.pk, level="head", content_hash=post.content_hash)
    Publication.objects.create(
        post=post,
        channel=channel,
        content_hash=post.content_hash,
        state=PublicationState.FAILED,
        last_error=error,
    )
    return Post.objects.get(pk=post.pk)


@pytest.fixture
def on_mastodon(writer_a, dept_a, facebook_without_connector):
    return failed_post(
        writer_a,
        dept_a,
        ChannelFactory(department=dept_a, name="Facebook 67", network=Network.FACEBOOK),
    )


@pytest.fixture
def on_webhook(writer_a, dept_a):
    channel = WebhookChannelFactory(
        department=dept_a, name="Mattermost 67", endpoint_url="http://x"
    )
    return failed_post(writer_a, dept_a, channel, error="Mattermost 67 answered 403: expired")


@pytest.fixture
def overdue(writer_a, dept_a, channel_a, cm):
    post = PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
    wf.fast_track(post, cm)
    past = timezone.now() - datetime.timedelta(hours=2)
    Post.objects.filter(pk=post.pk).update(scheduled_at=past)
    wf.mark_overdue_posts()
    post.refresh_from_db()
    return post


def count(html: str) -> int:
    return int(re.search(r'data-testid="awaiting-count"[^>]*>(\d+)<', html).group(1))


def oob_count(html: str) -> int:
    match = re.search(r'<span[^>]*id="awaiting-count"[^>]*hx-swap-oob="true"[^>]*>(\d+)<', html)
    return int(match.group(1))


# --- a failed post -----------------------------------------------------------------------


def test_a_failed_post_is_in_its_authors_inbox_with_the_channel_and_the_error(
    client, on_mastodon, writer_a
):
    client.force_login(writer_a)
    html = client.get(reverse("inbox")).content.decode()
    assert f'id="row-{on_mastodon.pk}"' in html
    assert "Facebook 67" in html and "No adapter for Facebook Page yet." in html
    assert "Copy it to a new draft" in html
    assert count(html) == 1


def test_the_page_of_a_failed_post_says_why_it_cannot_be_sent_again_and_offers_a_copy(
    client, on_mastodon, cm
):
    client.force_login(cm)
    html = client.get(reverse("post-detail", args=[on_mastodon.pk])).content.decode()
    assert "There is nothing you can do" not in html
    assert "It cannot simply be sent again:" in html and "cannot publish on Facebook Page" in html
    assert "Copy to a new draft" in html
    assert "Send the failed publications again" not in html


def test_the_community_manager_sends_a_failed_post_again_from_its_page(client, on_webhook, cm):
    client.force_login(cm)
    page = client.get(reverse("post-detail", args=[on_webhook.pk])).content.decode()
    assert "Send the failed publications again" in page
    response = client.post(reverse("post-action", args=[on_webhook.pk, "retry_failed"]))
    assert response.status_code == 302
    assert response.url == reverse("post-detail", args=[on_webhook.pk])
    on_webhook.refresh_from_db()
    assert on_webhook.state == S.PUBLISHING
    assert on_webhook.publications.get().state == PublicationState.QUEUED
    page = client.get(response.url).content.decode()
    assert "Sending the failed publications again." in page
    assert re.search(r"Failed on Mattermost 67[^<]*: sent again", page)  # the history says so


def test_forged_requests_to_send_a_failed_post_again_are_refused_with_the_reason(
    client, on_webhook, on_mastodon, director, cm, contrib_b
):
    url = reverse("post-action", args=[on_webhook.pk, "retry_failed"])
    page = reverse("post-detail", args=[on_webhook.pk])
    client.force_login(director)
    assert "Only a community manager, head of communication may do this." in refused_page(
        client, client.post(url), page
    )
    client.force_login(contrib_b)
    assert client.post(url).status_code == 404  # another department's post
    client.force_login(cm)
    mastodon = client.post(reverse("post-action", args=[on_mastodon.pk, "retry_failed"]))
    mastodon_page = reverse("post-detail", args=[on_mastodon.pk])
    assert "fail the same way" in refused_page(client, mastodon, mastodon_page)
    assert client.post(url).status_code == 302
    again = client.post(url)  # someone did it meanwhile
    assert "is not possible while the item is publishing" in refused_page(client, again, page)
    assert Publication.objects.get(post=on_webhook).state == PublicationState.QUEUED


def test_copying_a_failed_post_opens_the_new_draft(client, on_mastodon, writer_a):
    client.force_login(writer_a)
    url = reverse("post-action", args=[on_mastodon.pk, "copy_to_draft"])
    response = client.post(url, {"copy_to_draft-when_0": ""})
    copy = Post.objects.exclude(pk=on_mastodon.pk).get()
    assert response.status_code == 302
    assert response.url == reverse("post-detail", args=[copy.pk])
    assert (copy.state, copy.author, copy.scheduled_at) == (S.DRAFT, writer_a, None)
    assert "Copied to a new draft" in client.get(response.url).content.decode()


def test_a_copy_with_a_time_goes_out_then_and_a_past_time_is_refused(
    client, on_mastodon, cm, settings
):
    client.force_login(cm)
    url = reverse("post-action", args=[on_mastodon.pk, "copy_to_draft"])
    past = client.post(url, {"copy_to_draft-when_0": "2020-01-06T10:00"})
    post_page = reverse("post-detail", args=[on_mastodon.pk])
    assert "Choose a time in the future" in refused_page(client, past, post_page)
    assert Post.objects.count() == 1
    response = client.post(url, {"copy_to_draft-when_0": "2030-01-07T10:30"})
    copy = Post.objects.exclude(pk=on_mastodon.pk).get()
    assert response.url == reverse("post-detail", args=[copy.pk])
    assert copy.scheduled_at == datetime.datetime(2030, 1, 7, 9, 30, tzinfo=datetime.UTC)


# --- an overdue post ----------------------------------------------------------------------


def test_an_overdue_post_is_in_its_authors_and_the_community_managers_inbox_saying_why(
    client, overdue, writer_a, cm, head
):
    for user in (writer_a, cm):
        client.force_login(user)
        html = client.get(reverse("inbox")).content.decode()
        assert f'id="row-{overdue.pk}"' in html
        assert "came before it was approved" in html
        assert count(html) == 1
    client.force_login(head)
    html = client.get(reverse("inbox")).content.decode()
    assert f'id="row-{overdue.pk}"' not in html and count(html) == 0


def test_an_overdue_post_is_offered_a_new_time_not_an_approval(client, overdue, head, writer_a):
    client.force_login(head)
    page = client.get(reverse("post-detail", args=[overdue.pk])).content.decode()
    assert ">Approve<" not in page
    forged = client.post(
        reverse("post-action", args=[overdue.pk, "approve"]),
        {"expected_hash": overdue.content_hash},
    )
    refusal = refused_page(client, forged, reverse("post-detail", args=[overdue.pk]))
    assert "The scheduled time has passed" in refusal
    overdue.refresh_from_db()
    assert overdue.state == PostState.PENDING_APPROVAL
    client.force_login(writer_a)
    page = client.get(reverse("post-detail", args=[overdue.pk])).content.decode()
    assert "Reschedule" in page and "Copy to a new draft" in page
    response = client.post(
        reverse("post-action", args=[overdue.pk, "reschedule"]),
        {"reschedule-when_0": "2030-01-07T10:30"},
    )
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.overdue_at is None
    client.force_login(head)  # back with its approver, for its new time
    html = client.get(reverse("inbox")).content.decode()
    assert f'id="row-{overdue.pk}"' in html and "Approve" in html


# --- the header's counter after an inbox action ----------------------------------------------


def test_an_inbox_action_with_htmx_also_sends_the_new_header_count(client, pending, head, cm):
    other = PostFactory(
        author=pending.author, origin_department=pending.origin_department, channels=[]
    )
    other.channels.set(pending.channels.all())
    wf.fast_track(Post.objects.get(pk=other.pk), cm)
    client.force_login(head)
    assert count(client.get(reverse("inbox")).content.decode()) == 2
    response = client.post(
        reverse("inbox-action", args=[pending.pk, "approve"]),
        {"expected_hash": pending.content_hash},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="row-{pending.pk}"' in html
    assert oob_count(html) == 1


def test_a_refused_inbox_action_with_htmx_sends_the_header_count_too(client, pending, head):
    wf.request_changes(pending, head, "Précisez.")  # dealt with meanwhile, elsewhere
    client.force_login(head)
    response = client.post(
        reverse("inbox-action", args=[pending.pk, "approve"]),
        {"expected_hash": pending.content_hash},
        **HTMX,
    )
    assert response.status_code == 409
    assert oob_count(response.content.decode()) == 0


def test_sending_a_failed_post_again_from_the_inbox_takes_it_off_the_count(client, on_webhook, cm):
    client.force_login(cm)
    html = client.get(reverse("inbox")).content.decode()
    assert count(html) == 1 and "Send again" in html
    response = client.post(reverse("inbox-action", args=[on_webhook.pk, "retry_failed"]), **HTMX)
    assert response.status_code == 200
    assert "Sending again:" in response.content.decode()
    assert oob_count(response.content.decode()) == 0
