"""What the publisher works on: one publication per post and channel, pauses, and the
scheduler's heartbeat."""

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def web_address(url: str) -> str:
    """`url` if it is an http(s) address, else "": whatever a network answers or a person
    types becomes a link on the post page, and a `javascript:` or `data:` one would run."""
    url = (url or "").strip()
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


class PublicationState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Retrying")
    SENT = "sent", _("Sent")
    UNKNOWN = "unknown", _("Outcome unknown")
    FAILED = "failed", _("Failed")


# A publication in one of these may still be sent by the publisher.
PENDING_PUBLICATION = [PublicationState.QUEUED, PublicationState.RETRYING]
FINAL_PUBLICATION = [PublicationState.SENT, PublicationState.FAILED]


class Publication(models.Model):
    """The sending of one post to one channel. Claimed with a conditional update
    (queued/retrying -> sending) so that a message delivered twice sends once."""

    post = models.ForeignKey(
        "editorial.Post", on_delete=models.PROTECT, related_name="publications"
    )
    channel = models.ForeignKey(
        "editorial.Channel", on_delete=models.PROTECT, related_name="publications"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=PublicationState.choices, default=PublicationState.QUEUED
    )
    # Sent to networks that honour one, so that a retry after a lost answer is not a
    # second post.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    content_hash = models.CharField(max_length=64, help_text=_("The approved content."))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the sweep sends this publication's message again (the lease of a message
    # that may have been lost): overwritten by each requeue, so never a back-off.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # The publication's own back-off (the retry delay, a network's Retry-After): its
    # claim refuses it before then, whichever message, duplicate or requeue, arrives.
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    external_id = models.CharField(_("id on the network"), max_length=200, blank=True)
    external_url = models.URLField(_("address on the network"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["post_id", "channel_id"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="one_publication_per_channel")
        ]
        indexes = [
            # The header's counter (via the inbox's "unknown" kind) and the health page
            # look for unknown outcomes on every page: a handful among all publications.
            models.Index(
                fields=["post"], name="publication_unknown_idx", condition=Q(state="unknown")
            ),
            # The reaper's query: publications stuck in sending.
            models.Index(
                fields=["sending_since"],
                name="publication_sending_idx",
                condition=Q(state="sending"),
            ),
            # The retry sweep: publications whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                name="publication_retry_idx",
                condition=Q(state="retrying"),
            ),
            # What went out in a period (the reports).
            models.Index(
                fields=["sent_at"], name="publication_sent_idx", condition=Q(state="sent")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} → {self.channel}"

    @property
    def link(self) -> str:
        """The address to link to: a web address only (one stored before they were
        checked could be `javascript:`)."""
        return web_address(self.external_url)


class PauseQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(ended_at__isnull=True).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )


class PublishingPause(models.Model):
    """Crisis mode: publishing stopped everywhere (channel empty) or on one channel,
    and optionally every post needing the director's sign-off."""

    channel = models.ForeignKey(
        "editorial.Channel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pauses",
        help_text=_("Empty: every channel."),
    )
    reason = models.TextField(_("reason"))
    stops_publishing = models.BooleanField(
        _("stops publishing"),
        default=True,
        help_text=_("Off: publishing goes on, but only with the director's sign-off."),
    )
    requires_director = models.BooleanField(
        _("every post needs the director"),
        default=False,
        help_text=_("While on, approved posts not signed off by the director are held."),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = PauseQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("publishing pause")
        verbose_name_plural = _("publishing pauses")

    def __str__(self) -> str:
        where = self.channel or _("all channels")
        return _("Pause: %(where)s") % {"where": where}


class Heartbeat(models.Model):
    """The last time a background process (the scheduler) showed it was alive."""

    name = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%H:%M:%S}"
