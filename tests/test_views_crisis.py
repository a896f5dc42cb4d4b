"""The crisis-mode page: pause and resume publishing, release held posts one by one."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from editorial import workflow as wf
from editorial.models import Post, PostState, PublishingPause
from editorial.publishing import scheduler
from tests.factories import PostFactory
from tests.refusals import refused_page


@pytest.fixture
def held(cm, head, dept_a, channel_a):
    """An approved post that came due during a pause, which has since ended."""
    post = PostFactory(title="Held one", origin_department=dept_a, channels=[channel_a])
    wf.fast_track(post, cm)
    wf.approve(post, head)
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now())
    pause = wf.pause_publishing(head, "Attentat : communication suspendue")
    scheduler.sweep()
    wf.resume_publishing(pause, head)
    post.refresh_from_db()
    assert post.held_at is not None
    return post


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cm", "contrib_a", "outsider"])
def test_only_the_head_or_the_director_may_use_crisis_mode(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("crisis")).status_code == 403
    response = client.post(
        reverse("crisis-pause"), {"scope": "", "reason": "Crise", "stops_publishing": "on"}
    )
    assert response.status_code == 403
    assert not PublishingPause.objects.exists()


def test_the_head_pauses_all_publishing_and_resumes_it(client, head):
    client.force_login(head)
    response = client.post(
        reverse("crisis-pause"),
        {
            "scope": "",
            "reason": "Attentat en cours",
            "stops_publishing": "on",
        },
    )
    assert response.status_code == 302
    pause = PublishingPause.objects.get()
    assert (pause.channel, pause.reason, pause.started_by) == (None, "Attentat en cours", head)
    page = client.get(reverse("crisis")).content.decode()
    assert "All publishing is paused" in page and "Attentat en cours" in page
    assert client.post(reverse("crisis-resume", args=[pause.pk])).status_code == 302
    pause.refresh_from_db()
    assert pause.ended_by == head
    assert "nothing is paused" in client.get(reverse("crisis")).content.decode()


def test_a_pause_of_one_channel_with_an_end_and_the_director_required(client, director, channel_a):
    client.force_login(director)
    end = (timezone.localtime() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    response = client.post(
        reverse("crisis-pause"),
        {
            "scope": str(channel_a.pk),
            "reason": "Compte piraté",
            "ends_at_0": end.strftime("%Y-%m-%dT%H:%M"),
            "stops_publishing": "on",
            "requires_director": "on",
        },
    )
    assert response.status_code == 302
    pause = PublishingPause.objects.get()
    assert pause.channel == channel_a and pause.requires_director
    assert pause.ends_at == end


def test_a_pause_without_a_reason_is_refused_and_keeps_what_was_typed(client, head, channel_a):
    client.force_login(head)
    response = client.post(
        reverse("crisis-pause"),
        {
            "scope": str(channel_a.pk),
            "reason": "",
            "stops_publishing": "on",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Say why publishing is paused." in html
    assert f'<option value="{channel_a.pk}" selected>' in html
    assert not PublishingPause.objects.exists()


def test_a_pause_that_neither_stops_nor_raises_the_level_is_refused_with_the_reason(client, head):
    client.force_login(head)
    response = client.post(reverse("crisis-pause"), {"scope": "", "reason": "Rien de grave"})
    page = refused_page(client, response, reverse("crisis"))
    assert "A pause must stop publishing or require the director." in page
    assert "Rien de grave" in page  # the reason typed, kept for the form
    assert not PublishingPause.objects.exists()


def test_resuming_an_ended_pause_is_refused_with_the_reason(client, head):
    pause = wf.pause_publishing(head, "Crise")
    wf.resume_publishing(pause, head)
    client.force_login(head)
    response = client.post(reverse("crisis-resume", args=[pause.pk]))
    assert "This pause has already ended." in refused_page(client, response, reverse("crisis"))


def test_held_posts_are_listed_and_confirming_one_sends_it_now(client, head, held):
    client.force_login(head)
    page = client.get(reverse("crisis")).content.decode()
    assert "Held one" in page and "Confirm: publish now" in page
    response = client.post(reverse("crisis-confirm", args=[held.pk]))
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.held_at is None
    assert held.scheduled_at <= timezone.now()


def test_a_held_post_is_rescheduled_to_a_new_local_time(client, head, held):
    client.force_login(head)
    when = (timezone.localtime() + datetime.timedelta(days=2)).replace(
        hour=10, minute=30, second=0, microsecond=0
    )
    response = client.post(
        reverse("crisis-reschedule", args=[held.pk]),
        {
            f"held-{held.pk}-when_0": when.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.held_at is None
    assert held.scheduled_at == when
    assert held.state == PostState.APPROVED


def test_rescheduling_into_the_spring_dst_gap_is_refused_with_the_typed_time_kept(
    client, head, held
):
    client.force_login(head)
    response = client.post(
        reverse("crisis-reschedule", args=[held.pk]),
        {
            f"held-{held.pk}-when_0": "2030-03-31T02:30",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "does not exist in Europe/Paris" in html
    assert 'value="2030-03-31T02:30"' in html
    held.refresh_from_db()
    assert held.held_at is not None


def test_a_held_post_cannot_be_confirmed_while_its_channel_is_still_paused(client, head, held):
    wf.pause_publishing(head, "Toujours en crise")
    client.force_login(head)
    response = client.post(reverse("crisis-confirm", args=[held.pk]))
    assert "Publishing is still paused" in refused_page(client, response, reverse("crisis"))
    held.refresh_from_db()
    assert held.held_at is not None


def test_a_contributor_cannot_release_a_held_post(client, contrib_a, held):
    client.force_login(contrib_a)
    assert client.post(reverse("crisis-confirm", args=[held.pk])).status_code == 403
    held.refresh_from_db()
    assert held.held_at is not None
