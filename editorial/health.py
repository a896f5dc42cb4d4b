"""`/healthz` (text, for a person) and `/healthz.json` (for a monitor): what is alive,
what is waiting, and what needs a person.

Each check answers ok or not, with a detail; any check not ok makes the answer 503.

- `database`, `broker`: reachable;
- `scheduler`: beat's own heartbeat (`editorial.liveness`), so a dead scheduler is
  told apart from dead workers;
- `workers`: the heartbeats each worker writes on its own; none recent: no worker;
- `sweep`: the sweep's heartbeat, written by the sweep task on a worker: beat, broker
  and a worker working together;
- `queue`: messages waiting in the broker (`HEALTH_MAX_QUEUE_DEPTH`);
- `due`: the oldest approved post whose time has come and that nobody claimed
  (`HEALTH_MAX_DUE_LAG_SECONDS`);
- `publications`: unknown, held (posts, and the publications queued behind them),
  retrying, and failed in the last day, each against its own maximum
  (`HEALTH_MAX_UNKNOWN`, `HEALTH_MAX_HELD`, `HEALTH_MAX_RETRYING`,
  `HEALTH_MAX_FAILED_PER_DAY`).
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Max, Min
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from editorial.liveness import BEAT_HEARTBEAT, WORKER_HEARTBEAT_PREFIX
from editorial.models import Heartbeat, Post, PostState, Publication, PublicationState
from editorial.publishing.scheduler import SCHEDULER_HEARTBEAT, due_posts

PS = PublicationState
Check = tuple[bool, str, dict]  # ok, detail, figures for a monitor


def _failure(exc: Exception) -> Check:
    return False, f"{type(exc).__name__}: {exc}", {}


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok", {}
    except Exception as exc:  # any failure is the answer, not an error of this view
        return _failure(exc)


def check_broker() -> Check:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok", {}
    except Exception as exc:
        return _failure(exc)


def _heartbeat(name: str, what: str) -> Check:
    try:
        beat_at = Heartbeat.objects.filter(name=name).values_list("beat_at", flat=True).first()
    except Exception as exc:
        return _failure(exc)
    if beat_at is None:
        return False, "no heartbeat yet", {"age_seconds": None}
    age = (timezone.now() - beat_at).total_seconds()
    figures = {"age_seconds": round(age, 1)}
    if age > settings.HEARTBEAT_MAX_AGE_SECONDS:
        return False, f"{what}: last heartbeat {age:.0f} s ago", figures
    return True, f"last heartbeat {age:.1f} s ago", figures


def check_scheduler() -> Check:
    return _heartbeat(BEAT_HEARTBEAT, "the scheduler (beat) is not running")


def check_sweep() -> Check:
    return _heartbeat(SCHEDULER_HEARTBEAT, "no sweep ran (scheduler, broker or workers down)")


def check_workers() -> Check:
    try:
        recent = timezone.now() - timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS)
        beats = Heartbeat.objects.filter(name__startswith=WORKER_HEARTBEAT_PREFIX)
        alive = sorted(
            name.removeprefix(WORKER_HEARTBEAT_PREFIX)
            for name in beats.filter(beat_at__gte=recent).values_list("name", flat=True)
        )
        last = beats.aggregate(last=Max("beat_at"))["last"]
    except Exception as exc:
        return _failure(exc)
    figures = {"alive": len(alive), "names": alive}
    if alive:
        return True, f"{len(alive)} alive: {', '.join(alive)}", figures
    if last is None:
        return False, "no worker has ever beaten", figures
    age = (timezone.now() - last).total_seconds()
    return False, f"no worker alive: the last heartbeat is {age:.0f} s old", figures


def queue_depth() -> int:
    """Messages waiting in the default queue (not those a worker has reserved)."""
    from config.celery import app

    with app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        queue = app.conf.task_default_queue
        # Not passive: an empty queue may not exist yet (Redis drops an empty list).
        return conn.default_channel.queue_declare(queue=queue).message_count


def check_queue() -> Check:
    try:
        depth = queue_depth()
    except Exception as exc:
        return _failure(exc)
    ok = depth <= settings.HEALTH_MAX_QUEUE_DEPTH
    detail = f"{depth} message(s) waiting (at most {settings.HEALTH_MAX_QUEUE_DEPTH})"
    return ok, detail, {"depth": depth}


def check_due() -> Check:
    now = timezone.now()
    try:
        oldest = due_posts(now).aggregate(oldest=Min("scheduled_at"))["oldest"]
    except Exception as exc:
        return _failure(exc)
    if oldest is None:
        return True, "no due post waits", {"oldest_due_seconds": None}
    lag = (now - oldest).total_seconds()
    figures = {"oldest_due_seconds": round(lag, 1)}
    limit = settings.HEALTH_MAX_DUE_LAG_SECONDS
    detail = f"the oldest due post not claimed yet was due {lag:.0f} s ago (at most {limit})"
    return lag <= limit, detail, figures


def publication_counts(now=None) -> dict[str, int]:
    now = now or timezone.now()
    held_posts = Post.objects.filter(
        held_at__isnull=False, state__in=[PostState.APPROVED, PostState.PUBLISHING]
    )
    return {
        "unknown": Publication.objects.filter(state=PS.UNKNOWN).count(),
        "held": held_posts.count(),
        "queued_behind_a_hold": Publication.objects.filter(
            post__in=held_posts, state__in=[PS.QUEUED, PS.RETRYING]
        ).count(),
        "retrying": Publication.objects.filter(state=PS.RETRYING).count(),
        # A failed post stays failed once a person has seen it: the last day's only.
        "failed_last_day": Publication.objects.filter(
            state=PS.FAILED, post__updated_at__gte=now - timedelta(days=1)
        ).count(),
    }


def check_publications() -> Check:
    try:
        counts = publication_counts()
    except Exception as exc:
        return _failure(exc)
    limits = {
        "unknown": settings.HEALTH_MAX_UNKNOWN,
        "held": settings.HEALTH_MAX_HELD,
        "retrying": settings.HEALTH_MAX_RETRYING,
        "failed_last_day": settings.HEALTH_MAX_FAILED_PER_DAY,
    }
    over = [
        f"{name} {counts[name]} > {limit}" for name, limit in limits.items() if counts[name] > limit
    ]
    detail = ", ".join(f"{name} {count}" for name, count in counts.items())
    if over:
        detail = f"over the limit: {', '.join(over)} ({detail})"
    return not over, detail, counts


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "scheduler": check_scheduler,
    "workers": check_workers,
    "sweep": check_sweep,
    "queue": check_queue,
    "due": check_due,
    "publications": check_publications,
}


def report() -> tuple[bool, dict]:
    results = {name: check() for name, check in CHECKS.items()}
    healthy = all(ok for ok, _detail, _figures in results.values())
    body = {
        "status": "ok" if healthy else "unhealthy",
        "checks": {
            name: {"ok": ok, "detail": detail, **figures}
            for name, (ok, detail, figures) in results.items()
        },
    }
    return healthy, body


def may_see_details(request) -> bool:
    """The checks' details (queue depths, counts, what failed) are for the operator: a
    monitor with `Authorization: Bearer <HEALTHZ_TOKEN>`, a signed-in administrator, or
    anyone on a development run. Everyone else gets the verdict alone."""
    if settings.DEBUG:
        return True
    token = getattr(settings, "HEALTHZ_TOKEN", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_superuser)


@never_cache
@require_GET
def healthz_json(request):
    healthy, body = report()
    if not may_see_details(request):
        body = {"status": body["status"]}
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def healthz(request):
    """The same, one line per check, for a person at a terminal."""
    healthy, body = report()
    lines = [body["status"]]
    if not may_see_details(request):
        body = {"checks": {}}
    for name, check in body["checks"].items():
        lines.append(f"{name}: {'ok' if check['ok'] else 'FAIL'} - {check['detail']}")
    return HttpResponse(
        "\n".join(lines) + "\n",
        content_type="text/plain; charset=utf-8",
        status=200 if healthy else 503,
    )
