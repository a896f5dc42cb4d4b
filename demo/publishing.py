"""What went out: yesterday's posts and one a few minutes ago, sent by the real publisher.

Each post is written and approved by the people who would, at the time they would
(`Stage.clock`); at its time, the scheduler claims it (`scheduler.claim_post`, the
precise wake-up's claim) and the sender sends its publications (`sender.publish_batch`,
what the `publish_batch` task runs), here synchronously instead of through Celery. The
channels' own adapters decide what happens, offline:

- the Atom feeds publish in Cadence's own database: they succeed;
- a webhook whose receiver is down (nothing listens at its address): the connection is
  refused, nothing went out (`TransientError`); the publication is sent again when its
  back-off has passed, as the sweep's requeue does, until PUBLISHING_MAX_ATTEMPTS, then
  failed for good and the post with it;
- a webhook whose receiver reads the request and hangs up without answering
  (`HangsUp`): it may have been posted (`UncertainError`), so the outcome is unknown,
  never sent again on its own, and the post waits for a person.

Outcomes, audit entries and the posts' settling are the publisher's own. The claim also
queues its usual `publish_batch` messages, sent once the seeding commits; the seeding
delivers them itself (`as_its_own_worker`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

import time_machine
from django.conf import settings
from django.utils import timezone

from config.celery import app
from demo.stage import SOCIAL, Stage
from editorial import workflow as wf
from editorial.channels.webhook.config import WebhookFormat, new_signing_secret
from editorial.models import Category, Channel, Network, Post, Publication
from editorial.publishing import scheduler, sender

# Nothing may listen on a port below 1024 without root, and nothing serves port 1
# (tcpmux) today: a connection is refused, now and whenever a person retries the post.
RECEIVER_DOWN = "http://127.0.0.1:1/hooks/prefecture-69"
# How long the hanging-up receiver waits for its one request (it comes at once).
HANG_UP_WAIT_SECONDS = 10


@contextmanager
def as_its_own_worker() -> Iterator[None]:
    """Deliver in this process (Celery's eager mode), until the block ends, the publish
    messages the claims queue for after the commit. They are addressed to a worker
    whose part the demo has done already, at the posts' times: their task finds the
    publications sent and does nothing. Sent to a broker, each would wait for it, and
    `make run`, which starts the broker after seeding, would print it unreachable once
    a message. The task's "succeeded" lines, a worker's log, are left out."""
    trace = logging.getLogger("celery.app.trace")
    eager, level = app.conf.task_always_eager, trace.level
    app.conf.task_always_eager = True
    trace.setLevel(logging.WARNING)
    try:
        yield
    finally:
        app.conf.task_always_eager = eager
        trace.setLevel(level)


def yesterdays_publications(stage: Stage) -> None:
    """What went out yesterday: three posts published on the Atom feeds, and one whose
    relay to the prefecture's chat room failed (its receiver was down), for a person to
    look at."""
    cm, head = stage.user("cm"), stage.user("head")
    day = stage.yesterday

    with stage.clock(stage.at(day, 7, 50)) as clock:
        desk_closed = stage.write(
            "cm",
            "ddsp-69",
            stage.on("ddsp-69", Network.MASTODON, Network.FACEBOOK),
            category=Category.HOT_NEWS,
            scheduled_at=stage.at(day, 8, 15),
            title="Accueil du commissariat de Lyon 3e fermé",
            body="L'accueil du commissariat de Lyon 3e est exceptionnellement fermé ce matin "
            "(panne électrique). Urgence : composez le 17. Plainte : commissariat de "
            "Lyon 7e.",
        )
        wf.fast_track(desk_closed, cm)
        wf.approve(desk_closed, head)
        send_when_due(clock, desk_closed)

        clock.move_to(stage.at(day, 9, 20))
        sms = stage.write(
            "cm",
            "national",
            stage.on("national", *SOCIAL, Network.ATOM),
            category=Category.HOT_NEWS,
            scheduled_at=stage.at(day, 9, 45),
            title="Alerte — SMS « amende impayée »",
            body="Attention aux SMS « amende impayée » : ils sont frauduleux. L'ANTAI ne "
            "demande jamais de paiement par SMS. Ne cliquez pas et signalez le message "
            "au 33700. #Arnaque",
        )
        wf.fast_track(sms, cm)
        wf.approve(sms, head)
        send_when_due(clock, sms)

        clock.move_to(stage.at(day, 16, 10))
        thanks = stage.write(
            "cm",
            "national",
            stage.on("national", Network.MASTODON),
            category=Category.CONVERSATION,
            scheduled_at=stage.at(day, 16, 20),
            title="Réponse — signalement transmis",
            body="@karim_b@piaille.example Merci pour votre signalement, transmis aux "
            "policiers de votre secteur. Pour toute urgence, composez le 17.",
        )
        wf.self_approve(thanks, cm)
        send_when_due(clock, thanks)

        clock.move_to(stage.at(day, 20, 50))
        prefecture = webhook(
            stage,
            "ddsp-69",
            "Salon Mattermost de la préfecture du Rhône",
            "mattermost-prefecture-69",
            RECEIVER_DOWN,
        )
        operation = stage.write(
            "cm",
            "ddsp-69",
            [*stage.on("ddsp-69", Network.MASTODON, Network.FACEBOOK), prefecture],
            category=Category.HOT_NEWS,
            scheduled_at=stage.at(day, 21, 10),
            title="Intervention en cours à Vaulx-en-Velin",
            body="Intervention de police en cours à Vaulx-en-Velin, secteur du Mas du "
            "Taureau : évitez le secteur et suivez les consignes des policiers sur "
            "place.",
        )
        wf.fast_track(operation, cm)
        wf.approve(operation, head)
        send_when_due(clock, operation)


def a_moment_ago(stage: Stage) -> None:
    """An alert sent five minutes ago to the national feed and to the prefectures' chat
    room, whose receiver took the request and hung up: whether it was posted there is
    unknown, and the post waits in the community manager's inbox."""
    cm, head = stage.user("cm"), stage.user("head")
    with HangsUp() as receiver, stage.clock(stage.ago(15)) as clock:
        prefectures = webhook(
            stage,
            "national",
            "Salon Mattermost des préfectures",
            "mattermost-prefectures",
            receiver.url,
        )
        alert = stage.write(
            "cm",
            "national",
            [stage.channels["national", Network.ATOM], prefectures],
            category=Category.HOT_NEWS,
            scheduled_at=stage.ago(5),
            title="Alerte — faux conseillers bancaires au téléphone",
            body="Vague d'appels de faux conseillers bancaires en cours : votre banque ne "
            "vous demandera jamais de valider une opération ni de donner vos codes. "
            "Raccrochez et rappelez votre agence. #Arnaque",
        )
        wf.fast_track(alert, cm)
        wf.approve(alert, head)
        send_when_due(clock, alert)


def webhook(stage: Stage, team: str, name: str, handle: str, url: str) -> Channel:
    channel = Channel(
        department=stage.teams[team],
        network=Network.WEBHOOK,
        name=name,
        handle=handle,
        settings={"webhook_format": WebhookFormat.GENERIC},
    )
    channel.set_credentials({"endpoint_url": url, "signing_secret": new_signing_secret()})
    channel.save()
    stage.channels[team, Network.WEBHOOK] = channel
    return channel


def send_when_due(clock: time_machine.Traveller, post: Post) -> None:
    """At the post's time, what the publisher does: the claim, then the sends; each
    publication that asks to be retried is sent again once its back-off has passed
    (the sweep's requeue, then the task), until it has an outcome. `clock`: the
    traveller of `Stage.clock`, moved to each of those times."""
    clock.move_to(post.scheduled_at)
    if scheduler.claim_post(post.pk) != "claimed":
        raise RuntimeError(f"The demo's post {post.title!r} was not claimed at its time.")
    ids = list(post.publications.values_list("pk", flat=True))
    sender.publish_batch(ids)
    for _attempt in range(settings.PUBLISHING_MAX_ATTEMPTS):
        retry_at = (
            Publication.objects.filter(pk__in=ids, state__in=sender.PENDING)
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if retry_at is None:
            return
        clock.move_to(retry_at)
        requeued = scheduler.requeue_publications(timezone.now(), limit=len(ids))
        sender.publish_batch(requeued)
    raise RuntimeError(f"The demo's post {post.title!r} still has publications to send.")


class HangsUp:
    """A webhook receiver on loopback that reads one request and closes the connection
    without answering: the request left, whether it was posted is unknown. It lives as
    long as the `with` block; its address then refuses connections, like any port
    nothing listens on, when a person sends the publication again."""

    def __init__(self):
        self._server = HTTPServer(("127.0.0.1", 0), _HangUp)
        self._server.timeout = HANG_UP_WAIT_SECONDS
        self._thread = threading.Thread(target=self._server.handle_request, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/prefectures"

    def __enter__(self) -> HangsUp:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._thread.join()
        self._server.server_close()


class _HangUp(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.close_connection = True  # and not a byte of an answer

    def log_message(self, format, *args) -> None:
        pass  # the seeding's output is the demo's summary
