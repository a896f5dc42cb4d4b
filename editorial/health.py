"""`/healthz`: is the database reachable, the broker reachable, the scheduler alive?

A silent scheduler is the classic cause of missed scheduled posts: the sweep writes a
heartbeat every interval, and a heartbeat older than HEARTBEAT_MAX_AGE_SECONDS makes
the whole answer unhealthy (HTTP 503), for a monitor to page someone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from editorial.models import Heartbeat
from editorial.publishing.scheduler import SCHEDULER_HEARTBEAT


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:  # any failure is the answer, not an error of this view
        return False, f"{type(exc).__name__}: {exc}"


def check_broker() -> tuple[bool, str]:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"


def check_scheduler() -> tuple[bool, str]:
    try:
        beat_at = (
            Heartbeat.objects.filter(name=SCHEDULER_HEARTBEAT)
            .values_list("beat_at", flat=True)
            .first()
        )
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    if beat_at is None:
        return False, "no heartbeat yet"
    age = (timezone.now() - beat_at).total_seconds()
    if age > settings.HEARTBEAT_MAX_AGE_SECONDS:
        return False, f"last heartbeat {age:.0f} s ago"
    return True, f"last heartbeat {age:.1f} s ago"


@never_cache
@require_GET
def healthz(request):
    checks = {
        "database": check_database(),
        "broker": check_broker(),
        "scheduler": check_scheduler(),
    }
    healthy = all(ok for ok, _detail in checks.values())
    body = {
        "status": "ok" if healthy else "unhealthy",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)
