"""Crisis mode and held posts in the admin: the same workflow functions behind the forms."""

import pytest
from django.utils import timezone

from editorial import workflow as wf
from editorial.models import AuditEntry, Post, PublishingPause
from editorial.publishing import scheduler
from tests.test_admin import admin_login, messages_of, run_action, url


@pytest.fixture
def held(post_a, cm, head):
    wf.fast_track(post_a, cm)
    wf.approve(post_a, head)
    Post.objects.filter(pk=post_a.pk).update(scheduled_at=timezone.now())
    pause = wf.pause_publishing(head, "Crise")
    scheduler.sweep()
    wf.resume_publishing(pause, head)
    post_a.refresh_from_db()
    assert post_a.held_at is not None
    return post_a


def test_the_head_of_communication_pauses_publishing_from_the_admin(client, head):
    admin_login(client, head)
    response = client.post(
        url(PublishingPause, "add"),
        {
            "reason": "Attentat : on suspend tout",
            "stops_publishing": "on",
        },
    )
    assert response.status_code == 302
    pause = PublishingPause.objects.get()
    assert (pause.started_by, pause.channel, pause.ended_at) == (head, None, None)
    assert AuditEntry.objects.filter(action="pause", actor=head).count() == 1


def test_a_community_manager_cannot_open_the_pause_form(client, cm):
    admin_login(client, cm)
    assert client.get(url(PublishingPause, "add")).status_code == 403


def test_resuming_from_the_admin_ends_the_pause(client, director, head):
    pause = wf.pause_publishing(head, "Crise")
    admin_login(client, director)
    response = run_action(client, PublishingPause, "resume", pause)
    pause.refresh_from_db()
    assert pause.ended_by == director
    assert any("Held posts stay held" in text for _level, text in messages_of(response))


def test_a_held_post_is_confirmed_from_the_post_list(client, head, held):
    admin_login(client, head)
    run_action(client, Post, "confirm_held", held)
    held.refresh_from_db()
    assert held.held_at is None
    assert scheduler.sweep().claimed == [held.pk]


def test_a_reschedule_at_a_time_that_does_not_exist_is_refused_and_keeps_the_hold(
    client, head, held
):
    admin_login(client, head)
    response = run_action(
        client, Post, "reschedule_held", held, text="2030-03-31 02:30", confirm="1"
    )
    held.refresh_from_db()
    assert held.held_at is not None
    errors = [text for level, text in messages_of(response) if level == "error"]
    assert errors and "Europe/Paris" in errors[0]


def test_a_held_post_is_rescheduled_in_the_users_time_zone(client, head, held):
    admin_login(client, head)
    run_action(client, Post, "reschedule_held", held, text="2030-07-14 10:00", confirm="1")
    held.refresh_from_db()
    assert held.held_at is None
    assert held.scheduled_at.isoformat() == "2030-07-14T08:00:00+00:00"
