"""Crisis mode is visible to everyone it concerns: a banner on every page says what is
paused (or that the approval level is raised), since when, by whom, why and until when.
The crisis page's own messages use the same words."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from editorial import workflow as wf
from editorial.context_processors import crisis
from tests.factories import ChannelFactory

PAUSED = "Publishing is paused on every channel."
RAISED = "Approval level raised: every post needs the director&#x27;s sign-off"


def _page(client, user, name="post-list") -> str:
    client.force_login(user)
    return client.get(reverse(name)).content.decode()


def test_no_banner_while_nothing_is_paused(client, cm):
    assert 'data-testid="crisis-banner"' not in _page(client, cm)


@pytest.mark.parametrize("persona", ["cm", "contrib_a"])
def test_everyone_sees_a_global_pause_with_its_reason_author_and_start(
    client, request, persona, head
):
    head.first_name, head.last_name = "Hélène", "Dubois"
    head.save()
    wf.pause_publishing(head, "Attentat en cours")
    page = _page(client, request.getfixturevalue(persona))
    assert 'data-testid="crisis-banner"' in page
    assert PAUSED in page
    assert "Reason: Attentat en cours." in page
    assert "by Hélène Dubois" in page
    assert "Since " in page and "Until it is lifted." in page


def test_the_banner_shows_on_every_page(client, cm, head):
    wf.pause_publishing(head, "Attentat en cours")
    for name in ("calendar", "inbox", "post-list", "post-create"):
        assert PAUSED in _page(client, cm, name), name


def test_a_raised_approval_level_is_not_called_a_pause(client, contrib_a, director):
    wf.pause_publishing(director, "Élections", stops_publishing=False, requires_director=True)
    page = _page(client, contrib_a)
    assert RAISED in page
    assert "Publishing goes on." in page
    assert "Publishing is paused" not in page


def test_the_end_of_a_pause_is_shown(client, cm, head):
    end = timezone.now() + datetime.timedelta(hours=3)
    wf.pause_publishing(head, "Panne", ends_at=end)
    page = _page(client, cm)
    assert "Ends on " in page and "Until it is lifted." not in page


def test_a_channel_pause_shows_to_those_who_post_on_that_channel_only(
    client, head, cm, contrib_a, contrib_b, dept_b
):
    marseille = ChannelFactory(department=dept_b, name="Police 13")
    wf.pause_publishing(head, "Compte piraté", channel=marseille)
    assert "Publishing is paused on Police 13" in _page(client, contrib_b)
    assert "Publishing is paused on Police 13" in _page(client, cm)
    assert 'data-testid="crisis-banner"' not in _page(client, contrib_a)


def test_the_banner_goes_once_the_pause_is_lifted(client, cm, head):
    pause = wf.pause_publishing(head, "Attentat en cours")
    wf.resume_publishing(pause, head)
    assert 'data-testid="crisis-banner"' not in _page(client, cm)


def test_the_banner_costs_one_query_per_request(cm, head, django_assert_num_queries):
    wf.pause_publishing(head, "Attentat en cours")
    wf.pause_publishing(head, "Élections", stops_publishing=False, requires_director=True)
    request = RequestFactory().get("/")
    request.user = cm
    list(crisis(request)["crisis_pauses"])  # the user's departments, read once for the page
    request = RequestFactory().get("/")
    request.user = cm
    with django_assert_num_queries(1):
        assert len(list(crisis(request)["crisis_pauses"])) == 2
        assert len(list(crisis(request)["crisis_pauses"])) == 2


# --- the crisis page's messages --------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_pausing_and_resuming_publishing_say_so(client, head):
    client.force_login(head)
    response = client.post(
        reverse("crisis-pause"),
        {"scope": "", "reason": "Attentat", "stops_publishing": "on"},
        follow=True,
    )
    assert PAUSED in _messages(response)
    pause = response.context["pauses"][0]
    response = client.post(reverse("crisis-resume", args=[pause.pk]), follow=True)
    assert _messages(response)[0].startswith("Publishing resumed on every channel.")


def test_raising_the_approval_level_says_so_and_its_end_says_back_to_normal(client, director):
    client.force_login(director)
    response = client.post(
        reverse("crisis-pause"),
        {"scope": "", "reason": "Élections", "requires_director": "on"},
        follow=True,
    )
    [message] = _messages(response)
    assert message.startswith("Approval level raised: every post needs the director's sign-off")
    assert "paused" not in message
    page = response.content.decode()
    assert "Back to the normal approval level" in page
    pause = response.context["pauses"][0]
    response = client.post(reverse("crisis-resume", args=[pause.pk]), follow=True)
    [message] = _messages(response)
    assert message.startswith("Approval level back to normal")
    assert "resumed" not in message
