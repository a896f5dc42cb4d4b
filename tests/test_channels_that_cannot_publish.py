"""A channel that cannot publish (its network has no connector yet, or it is switched
off) is not offered in the editor, and a post aimed at it is refused at save, at
submission and at approval, with the reason, instead of failing at its slot."""

import pytest
from django.conf import settings
from django.urls import reverse

from editorial import workflow as wf
from editorial.messages import render
from editorial.models import Channel, Network, Post, PostState
from editorial.publishing import sender
from tests.factories import ChannelFactory, PostFactory, in_days, shown_items

NO_CONNECTOR = "cannot publish: no connector for Facebook Page yet"
pytestmark = pytest.mark.usefixtures("facebook_without_connector")


@pytest.fixture
def mastodon(dept_a):
    return ChannelFactory(department=dept_a, network=Network.FACEBOOK, name="Facebook 67")


def _lose_connector(channel) -> None:
    """The data of a deployment from before: a post already aimed at such a network."""
    Channel.objects.filter(pk=channel.pk).update(network=Network.FACEBOOK)


def _as(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _editor_data(*channels, **overrides):
    data = {
        "title": "Vigilance cambriolages",
        "body": "Fermez vos portes et fenêtres.",
        "category": "prevention",
        "channels": [channel.pk for channel in channels],
        "scheduled_at_0": in_days(3).strftime("%Y-%m-%dT%H:%M"),
        "campaign": "",
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "10",
        "images-0-alt_text": "",
    }
    data.update(overrides)
    return data


# --- the workflow's review checks -------------------------------------------------------


def test_a_post_on_a_network_without_a_connector_cannot_be_submitted(writer_a, dept_a, mastodon):
    post = PostFactory(author=writer_a, origin_department=dept_a, channels=[mastodon])
    with pytest.raises(wf.NotReady) as refusal:
        wf.submit(post, writer_a)
    assert NO_CONNECTOR in str(refusal.value)
    post.refresh_from_db()
    assert post.state == PostState.DRAFT


def test_approval_is_refused_with_the_reason_when_a_channel_cannot_publish(
    pending, head, channel_a
):
    _lose_connector(channel_a)
    with pytest.raises(wf.NotReady) as refusal:
        wf.approve(pending, head)
    assert NO_CONNECTOR in str(refusal.value)
    pending.refresh_from_db()
    assert pending.state == PostState.PENDING_APPROVAL


def test_approval_is_refused_when_a_channel_was_switched_off(pending, head, channel_a):
    Channel.objects.filter(pk=channel_a.pk).update(is_active=False)
    with pytest.raises(wf.NotReady) as refusal:
        wf.approve(pending, head)
    assert "is not active" in str(refusal.value)


def test_a_plan_approval_names_the_item_whose_channel_cannot_publish(week, head, channel_a):
    plan, posts = week
    _lose_connector(channel_a)
    with pytest.raises(wf.NotReady) as refusal:
        wf.approve_plan(plan, head, shown=shown_items(plan))
    assert f"Item 0: {channel_a.name} (Facebook Page) {NO_CONNECTOR}" in str(refusal.value)
    posts[0].refresh_from_db()
    assert posts[0].state == PostState.PENDING_APPROVAL


def test_the_publisher_refuses_it_with_the_same_reason(approved, channel_a):
    from django.utils import timezone

    from editorial.publishing import scheduler

    Post.objects.filter(pk=approved.pk).update(scheduled_at=timezone.now())
    assert scheduler.claim_post(approved.pk) == "claimed"
    publication = approved.publications.get()
    _lose_connector(channel_a)
    sender.publish(publication.pk)
    publication.refresh_from_db()
    assert NO_CONNECTOR in render(publication.last_error)


# --- the editor -------------------------------------------------------------------------


def test_the_editor_does_not_offer_a_channel_that_cannot_publish(
    client, contrib_a, channel_a, mastodon, dept_a
):
    off = ChannelFactory(department=dept_a, network=Network.ATOM, is_active=False)
    page = _as(client, contrib_a).get(reverse("post-create")).content.decode()
    assert f'id="id_channels_{channel_a.pk}"' in page
    assert f'id="id_channels_{mastodon.pk}"' not in page
    assert f'id="id_channels_{off.pk}"' not in page


def test_a_forged_save_with_a_channel_that_cannot_publish_is_refused(
    client, contrib_a, channel_a, mastodon
):
    response = _as(client, contrib_a).post(
        reverse("post-create"), _editor_data(channel_a, mastodon)
    )
    assert response.status_code == 200  # the editor again, with the error
    assert response.context["form"].errors["channels"]
    assert not Post.objects.exists()


def test_an_existing_post_keeps_showing_its_channel_and_saving_says_why_it_is_refused(
    client, contrib_a, post_a, channel_a
):
    _lose_connector(channel_a)
    client = _as(client, contrib_a)
    page = client.get(reverse("post-edit", args=[post_a.pk])).content.decode()
    assert f'id="id_channels_{channel_a.pk}"' in page
    data = _editor_data(channel_a, loaded_hash=post_a.content_hash, body="Nouveau texte.")
    response = client.post(reverse("post-edit", args=[post_a.pk]), data)
    assert NO_CONNECTOR in response.content.decode()
    assert "Untick it to save the post." in response.content.decode()
    post_a.refresh_from_db()
    assert post_a.body != "Nouveau texte."


def test_the_posts_page_shows_the_problem_before_approval(client, head, pending, channel_a):
    _lose_connector(channel_a)
    response = _as(client, head).get(reverse("post-detail", args=[pending.pk]))
    assert NO_CONNECTOR in response.content.decode()
    assert 'data-testid="channel-problem"' in response.content.decode()


def test_the_posts_page_is_quiet_when_every_channel_can_publish(client, head, pending):
    response = _as(client, head).get(reverse("post-detail", args=[pending.pk]))
    assert 'data-testid="channel-problem"' not in response.content.decode()


def test_the_admin_refuses_it_too(client, cm, dept_a, mastodon):
    from django.utils import timezone

    from tests.test_admin import admin_login, post_form, url

    admin_login(client, cm)
    data = post_form(
        title="Par l'admin",
        body="Texte",
        channels=[mastodon],
        when=timezone.now() + timezone.timedelta(days=2),
        department=dept_a,
    )
    response = client.post(url(Post, "add"), data)
    assert response.status_code == 200
    assert NO_CONNECTOR in str(response.context["adminform"].form.errors["channels"])
    assert not Post.objects.filter(title="Par l'admin").exists()
