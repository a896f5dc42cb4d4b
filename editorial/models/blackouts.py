"""Blackout periods: a stretch of time (a pre-election reserve period, national mourning,
an ongoing crisis) in which nothing may be scheduled, or everything needs the
director's sign-off, on every channel or some channels or some departments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BlackoutRule(models.TextChoices):
    FORBID = "forbid", _("Nothing may be scheduled")
    SIGNOFF = "signoff", _("Everything needs the director's sign-off")


class BlackoutScope(models.TextChoices):
    ALL = "all", _("Every channel")
    CHANNELS = "channels", _("Some channels")
    DEPARTMENTS = "departments", _("Some departments")


class BlackoutQuerySet(models.QuerySet):
    def in_force(self):
        """Not ended early: a period applies to the time it covers."""
        return self.filter(ended_at__isnull=True)

    def covering(self, start, end=None):
        """In force and overlapping [start, end] (one instant when `end` is None)."""
        end = end or start
        return self.in_force().filter(starts_at__lte=end, ends_at__gt=start)

    def active(self, now=None):
        return self.covering(now or timezone.now())


class Blackout(models.Model):
    name = models.CharField(_("name"), max_length=120)
    reason = models.TextField(_("reason"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    rule = models.CharField(_("rule"), max_length=8, choices=BlackoutRule.choices)
    scope = models.CharField(
        _("scope"), max_length=12, choices=BlackoutScope.choices, default=BlackoutScope.ALL
    )
    channels = models.ManyToManyField(
        "editorial.Channel", blank=True, related_name="blackouts", verbose_name=_("channels")
    )
    departments = models.ManyToManyField(
        "accounts.Department",
        blank=True,
        related_name="blackouts",
        verbose_name=_("departments"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Ended early by a person: it no longer applies to anything.
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = BlackoutQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("blackout period")
        verbose_name_plural = _("blackout periods")
        indexes = [
            models.Index(
                fields=["ends_at", "starts_at"],
                name="blackout_in_force_idx",
                condition=Q(ended_at__isnull=True),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="blackout_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def forbids(self) -> bool:
        return self.rule == BlackoutRule.FORBID


class PostAlert(models.Model):
    """A pre-flight problem or a late post, told once per post and slot: the row is the
    idempotency key of the alert's audit entry (a beat task that runs twice alerts once;
    a post given a new time may be alerted again for it)."""

    class Kind(models.TextChoices):
        PREFLIGHT = "preflight", _("Pre-flight problem")
        LATE = "late", _("Not published after its slot")

    post = models.ForeignKey("editorial.Post", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    slot = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "kind", "slot"], name="post_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.post_id} at {self.slot:%Y-%m-%d %H:%M}"
