"""/healthz tells a monitor whether the database, the broker and the scheduler are alive."""

import datetime

from django.utils import timezone

from editorial.models import Heartbeat


def test_healthy_when_the_scheduler_beat_recently(client, db):
    Heartbeat.objects.create(name="scheduler", beat_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database",
        "broker",
        "scheduler",
    }


def test_a_silent_scheduler_makes_the_service_unhealthy(client, db, settings):
    settings.HEARTBEAT_MAX_AGE_SECONDS = 60
    Heartbeat.objects.create(
        name="scheduler", beat_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"]["ok"] is False


def test_no_heartbeat_at_all_is_unhealthy(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"]["detail"] == "no heartbeat yet"


def test_the_health_check_is_public_and_read_only(client, db):
    assert client.post("/healthz").status_code == 405
