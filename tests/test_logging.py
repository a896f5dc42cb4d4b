"""Log lines an operator can follow and ship: JSON in production, each with the request
or task it belongs to, and never a secret (config/logging.py)."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from config.logging import RedactFilter, json_formatter, logging_config
from editorial import workflow as wf
from editorial.models import Network, Post, Publication
from editorial.publishing import scheduler
from tests.factories import PostFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lines():
    """What the configured handler (its formatter and filters, as LOGGING sets them up)
    writes, one parsed JSON object per line."""
    configured = next(h for h in logging.getLogger().handlers if h.filters)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configured.formatter)
    for kept in configured.filters:
        handler.addFilter(kept)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_the_suite_runs_the_production_format():
    assert settings.CADENCE_LOG_FORMAT == "json"


@pytest.mark.parametrize(("debug", "expected"), [("0", "json"), ("1", "plain")])
def test_json_in_production_and_plain_text_in_debug(debug, expected):
    env = {**os.environ, "DEBUG": debug, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("CADENCE_LOG_FORMAT", None)
    code = "import django; django.setup(); from django.conf import settings; "
    code += (
        "print(settings.CADENCE_LOG_FORMAT, settings.LOGGING['handlers']['console']['formatter'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == [expected, expected]


@pytest.mark.django_db
def test_a_request_logs_its_id_the_user_and_the_post_and_answers_the_id(client, lines, contrib_a):
    client.force_login(contrib_a)

    response = client.get("/posts/987654/", headers={"X-Request-ID": "edge-4f1c2a9b"})

    assert response.status_code == 404
    assert response["X-Request-ID"] == "edge-4f1c2a9b"
    record = next(r for r in lines() if r["logger"] == "django.request")
    assert record["level"] == "WARNING" and record["message"] == "Not Found: /posts/987654/"
    assert record["request_id"] == "edge-4f1c2a9b"
    assert record["user_id"] == contrib_a.pk
    assert record["post_id"] == 987654
    assert record["time"].endswith("+00:00")


@pytest.mark.django_db
@pytest.mark.parametrize("given", [None, "", "x", "id\nINFO forged line", "<script>1</script>"])
def test_a_request_id_is_made_up_when_none_or_no_sane_one_is_given(client, lines, given):
    headers = {"X-Request-ID": given} if given is not None else {}

    response = client.get("/no-such-page/", headers=headers)

    made = response["X-Request-ID"]
    assert made != given and len(made) == 32 and made.isalnum()
    assert [r["request_id"] for r in lines() if r["logger"] == "django.request"] == [made]


@pytest.mark.django_db
def test_two_requests_do_not_share_their_context(client, lines, contrib_a):
    client.force_login(contrib_a)
    client.get("/posts/5/")
    client.logout()
    client.get("/no-such-page/")
    first, second = [r for r in lines() if r["logger"] == "django.request"]
    assert first["request_id"] != second["request_id"]
    assert "user_id" not in second and "post_id" not in second


@pytest.mark.django_db
def test_a_publishing_task_logs_its_task_id_and_the_publication(lines, cm, head, dept_a):
    """The log channel writes one line per send: in the worker it carries the task."""
    from editorial.tasks import publish_batch
    from tests.factories import ChannelFactory

    post = PostFactory(
        origin_department=dept_a, channels=[ChannelFactory(department=dept_a, network=Network.LOG)]
    )
    wf.fast_track(post, cm)
    wf.approve(post, head)
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now())
    scheduler.sweep()
    publication = Publication.objects.get(post=post)

    result = publish_batch.apply(args=[[publication.pk]], task_id="task-7f3e")

    assert result.successful()
    sent = [r for r in lines() if r["message"].startswith("Published publication=")]
    assert len(sent) == 1
    assert sent[0]["task_id"] == "task-7f3e"
    assert sent[0]["task"] == "editorial.publish_batch"
    assert sent[0]["publication_id"] == publication.pk
    logging.getLogger("after").warning("after the task")
    after = next(r for r in lines() if r["message"] == "after the task")
    assert "task_id" not in after and "publication_id" not in after


SECRET = "s3cr3t-Value-9f8e7d"


@pytest.mark.parametrize(
    ("message", "args"),
    [
        ("Connecting with %s", ({"access_token": SECRET, "instance": "social.example"},)),
        ("Bluesky session for %s: %r", ("@police.example", {"app_password": SECRET})),
        ("Sign-in form %s", ({"username": "head", "password": SECRET},)),
        ("Sending headers %s", ({"Authorization": f"Bearer {SECRET}"},)),
        ("Refresh %s", (f"grant_type=refresh_token&refresh_token={SECRET}&client_id=x",)),
        ("Got %s", (f'{{"access_token": "{SECRET}", "token_type": "bearer"}}',)),
        ("Calling with Authorization: Bearer %s", (SECRET,)),
        ("Broker at %s", (f"redis://:{SECRET}@127.0.0.1:6379/0",)),
        ("Webhook %s", ({"endpoint_url": f"https://hooks.slack.example/services/{SECRET}"},)),
        ("Headers: %s", (f"Cookie: csrftoken=abc; sessionid={SECRET}",)),
    ],
)
def test_no_secret_reaches_the_log_whatever_carries_it(lines, message, args):
    logging.getLogger("editorial.channels").warning(message, *args)

    [record] = [r for r in lines() if r["logger"] == "editorial.channels"]
    assert SECRET not in json.dumps(record)
    assert "[redacted]" in record["message"]


def test_secrets_in_extra_fields_and_tracebacks_are_redacted_too(lines):
    log = logging.getLogger("editorial.channels")
    try:
        raise ValueError(f"refused: password={SECRET}")
    except ValueError:
        log.exception("Call failed", extra={"credentials": {"access_token": SECRET}})

    [record] = [r for r in lines() if r["logger"] == "editorial.channels"]
    assert SECRET not in json.dumps(record)
    assert record["credentials"] == {"access_token": "[redacted]"}
    assert "ValueError: refused: password=[redacted]" in record["exc_info"]


def test_ordinary_words_are_left_alone():
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "Password reset sent to %s; token bucket at %d",
        ("a", 3),
        None,
    )
    RedactFilter().filter(record)
    assert record.getMessage() == "Password reset sent to a; token bucket at 3"


def test_the_json_formatter_keeps_a_message_with_newlines_on_one_line():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "two\nlines", None, None)
    assert "\n" not in json_formatter().format(record)


def test_a_misspelt_format_is_refused(monkeypatch):
    env = {**os.environ, "CADENCE_LOG_FORMAT": "xml", "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0 and "CADENCE_LOG_FORMAT is json or plain" in out.stderr


def test_the_plain_format_has_the_same_filters():
    config = logging_config("plain", "INFO")
    assert config["handlers"]["console"]["filters"] == ["context", "redact"]
