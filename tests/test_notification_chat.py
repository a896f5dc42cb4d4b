"""Team chats, channels that need reconnecting, and the page of sent mail.

- A team that named one of its chat webhooks hears there, once, of urgent hot news,
  pauses and resumes, and failures: posted to a real HTTP receiver on loopback in the
  channel's own format; a team that named none, or another team, hears nothing.
- Naming the chat is for who manages channels, from the team's own chat webhooks, and
  audited.
- A channel flagged "needs reconnecting" tells who manages channels and the CMs, in
  its department only.
- The page of sent mail exists in DEBUG only.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from editorial import workflow as wf
from editorial.models import AuditEntry
from editorial.publishing.connections import flag_needs_reconnecting
from notifications import chat, tasks
from notifications.models import Delivery, Kind, Notification, TeamChat
from tests.factories import WebhookChannelFactory
from tests.loopback import LoopbackChannel
from tests.notices import told


def chat_channel(department, server, webhook_format="mattermost", name="Chat"):
    return WebhookChannelFactory(
        name=name,
        department=department,
        endpoint_url=server.url,
        settings={"webhook_format": webhook_format},
    )


def chat_deliveries() -> list[int]:
    return list(Delivery.objects.filter(channel="chat").values_list("pk", flat=True))


@pytest.fixture
def receivers():
    with LoopbackChannel() as a, LoopbackChannel() as national_chat, LoopbackChannel() as b:
        yield a, national_chat, b


@pytest.fixture
def chats(receivers, dept_a, dept_b, national, head):
    a, national_server, b = receivers
    chat.set_team_chat(dept_a, chat_channel(dept_a, a, "mattermost"), head)
    chat.set_team_chat(national, chat_channel(national, national_server, "slack"), head)
    chat.set_team_chat(dept_b, chat_channel(dept_b, b, "teams"), head)
    return receivers


def test_urgent_hot_news_is_posted_once_to_its_team_chat_and_the_national_one(
    chats, post_a, cm, head, director, django_capture_on_commit_callbacks
):
    a, national_server, b = chats
    told(django_capture_on_commit_callbacks, lambda: wf.fast_track(post_a, cm))
    ids = chat_deliveries()
    assert len(ids) == 2
    assert tasks.deliver(ids) == {"sent": 2}
    assert tasks.deliver(ids) == {"already": 2}
    assert a.wait_for(1, timeout=5) and national_server.wait_for(1, timeout=5)
    [mattermost] = a.received
    [slack] = national_server.received
    assert post_a.title in mattermost.body["text"]
    assert f"/posts/{post_a.pk}/" in mattermost.body["text"]
    assert slack.body["blocks"][0]["type"] == "section"
    assert b.received == []  # department B hears nothing of A
    # The event written again writes no second chat delivery.
    entry = AuditEntry.objects.get(action="fast_track")
    from editorial.events import workflow_action

    with django_capture_on_commit_callbacks(execute=True):
        workflow_action.send(
            sender=type(post_a),
            instance=post_a,
            actor=cm,
            action="fast_track",
            from_state="draft",
            to_state="pending_approval",
            comment="",
            entry=entry,
        )
    assert len(chat_deliveries()) == 2


def test_a_crisis_pause_is_posted_to_every_team_chat(
    chats, head, cm, director, django_capture_on_commit_callbacks
):
    told(django_capture_on_commit_callbacks, lambda: wf.pause_publishing(head, "Attentat."))
    assert tasks.deliver(chat_deliveries()) == {"sent": 3}
    for server in chats:
        assert server.wait_for(1, timeout=5)


def test_a_team_without_a_chat_hears_nothing_and_an_ordinary_step_posts_nothing(
    receivers, post_a, cm, head, director, django_capture_on_commit_callbacks
):
    told(django_capture_on_commit_callbacks, lambda: wf.fast_track(post_a, cm))
    assert chat_deliveries() == []
    a, *_ = receivers
    chat.set_team_chat(post_a.origin_department, chat_channel(post_a.origin_department, a), head)
    told(django_capture_on_commit_callbacks, lambda: wf.request_changes(post_a, head, "Non."))
    assert chat_deliveries() == []


def test_a_team_chat_is_one_of_the_teams_own_chat_webhooks_and_is_audited(
    receivers, dept_a, dept_b, head
):
    a, _, b = receivers
    generic = WebhookChannelFactory(department=dept_a, endpoint_url=a.url)
    of_b = chat_channel(dept_b, b)
    for wrong in (generic, of_b):
        with pytest.raises(ValueError):
            chat.set_team_chat(dept_a, wrong, head)
    mine = chat_channel(dept_a, a)
    chat.set_team_chat(dept_a, mine, head)
    chat.set_team_chat(dept_a, mine, head)  # unchanged: no second entry
    chat.set_team_chat(dept_a, None, head)
    entries = AuditEntry.objects.filter(action=chat.SET_ACTION).order_by("seq")
    assert [(e.from_state, e.to_state) for e in entries] == [("", "Chat"), ("Chat", "")]
    assert not TeamChat.objects.exists()


def test_the_team_chats_page_is_for_who_manages_channels(client, receivers, dept_a, head, cm):
    a, *_ = receivers
    mine = chat_channel(dept_a, a, name="Mattermost 67")
    url = reverse("notification-team-chats")
    client.force_login(cm)
    assert client.get(url).status_code == 403
    assert client.post(url, {f"team_{dept_a.pk}": mine.pk}).status_code == 403
    client.force_login(head)
    page = client.get(url)
    assert page.status_code == 200 and "Mattermost 67" in page.content.decode()
    response = client.post(url, {f"team_{dept_a.pk}": mine.pk})
    assert response.status_code == 302
    assert TeamChat.objects.get(department=dept_a).channel == mine
    wrong = client.post(url, {f"team_{dept_a.pk}": "999999"})
    assert wrong.status_code == 400  # not one of its choices: said on the form
    assert TeamChat.objects.get(department=dept_a).channel == mine


def test_a_channel_needing_reconnecting_tells_its_managers_and_the_cms_in_scope(
    channel_a,
    cm,
    head,
    director,
    admin_user,
    contrib_a,
    contrib_b,
    outsider,
    django_capture_on_commit_callbacks,
):
    told_now = told(
        django_capture_on_commit_callbacks,
        lambda: flag_needs_reconnecting(channel_a, "401 Unauthorized"),
    )
    assert told_now == {
        ("head", Kind.CHANNEL_RECONNECT),
        ("admin", Kind.CHANNEL_RECONNECT),
        ("cm", Kind.CHANNEL_RECONNECT),
    }
    # Flagged again: nothing new.
    assert (
        told(
            django_capture_on_commit_callbacks,
            lambda: flag_needs_reconnecting(channel_a, "401 Unauthorized"),
        )
        == set()
    )
    notice = Notification.objects.get(recipient=head)
    assert notice.params["channel"] == channel_a.name
    client_target = reverse("workspace-channel-edit", args=[channel_a.pk])
    from notifications.links import target_url

    assert target_url(notice, head) == client_target


def test_the_sent_mail_page_is_a_404_without_debug(client, head, settings):
    settings.DEBUG = False
    client.force_login(head)
    assert client.get(reverse("notification-sent-mail")).status_code == 404


def test_the_sent_mail_page_lists_the_mail_sent_newest_first(
    client, post_a, cm, head, director, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.NOTIFICATION_KEEP_SENT_MAIL = True
    told(django_capture_on_commit_callbacks, lambda: wf.fast_track(post_a, cm))
    tasks.deliver(list(Delivery.objects.filter(channel="email").values_list("pk", flat=True)))
    settings.DEBUG = True
    client.force_login(head)
    page = client.get(reverse("notification-sent-mail")).content.decode()
    assert "head@example.org" in page and "director@example.org" in page
    assert post_a.title in page  # the text body
    assert "[Cadence]" in page  # the subject


def test_the_sent_mail_page_costs_the_same_queries_for_few_or_many(
    client, post_a, cm, head, director, settings, django_capture_on_commit_callbacks, mailoutbox
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PostFactory

    settings.NOTIFICATION_KEEP_SENT_MAIL = True
    settings.DEBUG = True
    client.force_login(head)

    def send_and_count() -> int:
        tasks.deliver(
            list(
                Delivery.objects.filter(channel="email", state="pending").values_list(
                    "pk", flat=True
                )
            )
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("notification-sent-mail")).status_code == 200
        return len(queries)

    told(django_capture_on_commit_callbacks, lambda: wf.fast_track(post_a, cm))
    few = send_and_count()
    for _ in range(30):
        post = PostFactory(author=post_a.author, origin_department=post_a.origin_department)
        told(django_capture_on_commit_callbacks, lambda post=post: wf.fast_track(post, cm))
    assert send_and_count() == few
    assert Delivery.objects.filter(channel="email", state="sent").count() > 50  # bounded to 50
