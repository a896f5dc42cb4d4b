"""A person's private calendar subscription: a named URL holding a random secret.

Only the SHA-256 of the secret is stored: a leaked database gives no working URL, and
the URL never names the user. What the feed lists is worked out at every request from
the owner's scope then, never from what they could see when they subscribed.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class CalendarFeed(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=80)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The calendar page's filters, as its query string holds them (ids and codes).
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    # The same filters in words, as the owner chose them (labels may change later).
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
