"""What a person is told (`Notification`), and how it reached them (`Delivery`).

A notice is written once per event and recipient, a delivery once per notice and
channel: both carry a key naming exactly that (`Notification.key`, `Delivery.key`),
unique in the database, so a receiver or a task that runs twice writes and sends once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notice is about. Stored: add kinds, never rename one."""

    PLAN_SUBMITTED = "plan_submitted", _("A weekly plan awaits your approval")
    URGENT = "urgent", _("Urgent hot news awaits your approval")
    AWAITS_SIGNOFF = "awaits_signoff", _("A sensitive post awaits your sign-off")
    RETURNED = "returned", _("A post of yours was returned")
    PLAN_RETURNED = "plan_returned", _("A weekly plan of yours was returned")
    SUBMISSION_ACCEPTED = "submission_accepted", _("Your submission was accepted")
    SUBMISSION_RETURNED = "submission_returned", _("Your submission was returned")
    FAILED = "failed", _("A post failed to go out")
    UNKNOWN = "unknown", _("A publication's outcome is unknown")
    HELD = "held", _("A post is held")
    PAUSED = "paused", _("Publishing paused")
    RESUMED = "resumed", _("Publishing resumed")
    # Time-based (notifications/timed.py, notifications/digest.py) and channels.
    REMINDER = "reminder", _("A post due soon still awaits approval")
    ESCALATION = "escalation", _("A post due within the hour is still unapproved")
    MISSED_SLOT = "missed_slot", _("A post did not go out at its time")
    DIGEST = "digest", _("Your daily digest")
    CHANNEL_RECONNECT = "channel_reconnect", _("A channel needs reconnecting")
    # Blackout periods and pre-flight checks (editorial/publishing/preflight.py).
    PREFLIGHT_PROBLEM = "preflight_problem", _("A post may not go out at its time")
    POST_LATE = "post_late", _("An approved post is late going out")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the application")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Team chat")


class Choice(models.TextChoices):
    """How a person wants one kind of notice."""

    IN_APP = "in_app", _("In the application only")
    EMAIL = "email", _("In the application and by e-mail")
    DIGEST = "digest", _("In the application and in the daily digest")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # What it is about: a post, a plan, or neither (a pause concerns everyone). Two
    # plain keys rather than a generic one: the bell lists them with one join each.
    post = models.ForeignKey(
        "editorial.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    plan = models.ForeignKey(
        "editorial.WeeklyPlan",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The audit entry it tells of (none for the time-based notices to come).
    event = models.ForeignKey(
        "editorial.AuditEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    # A sentence of notifications.messages and its parameters, put into words when
    # shown, in the reader's language (as editorial.messages does for stored reasons).
    message = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    # Event (or rule and instant) × recipient: the notice is written once.
    key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The bell's list, newest first, and the post page's "who was told".
            models.Index(fields=["recipient", "-created_at"], name="notice_recipient_idx"),
            # The bell's count reads only the unread.
            models.Index(
                fields=["recipient"],
                name="notice_unread_idx",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.get_kind_display()}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # The notice's key and the channel: a task that runs twice sends once.
    key = models.CharField(max_length=140, unique=True)
    # The e-mail as sent, kept only where NOTIFICATION_KEEP_SENT_MAIL (DEBUG) says so,
    # for the local page listing sent mail (notifications/sent_mail.py).
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    # A team chat delivery: the webhook channel it is posted to.
    chat = models.ForeignKey(
        "editorial.Channel",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            # A sweep resending the messages a broker lost reads only these.
            models.Index(
                fields=["created_at"],
                name="delivery_pending_idx",
                condition=models.Q(state="pending"),
            )
        ]

    def __str__(self) -> str:
        return self.key


def default_language() -> str:
    return settings.LANGUAGE_CODE


class Preferences(models.Model):
    """A person's choices: per kind, how to be told; and the language of e-mails, which
    have no request to read a language from."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preferences",
    )
    language = models.CharField(
        _("language of e-mails"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=default_language,
    )
    # {kind: Choice}; a kind left out gets `DEFAULT_CHOICE`.
    choices = models.JSONField(default=dict, blank=True)
    # The daily digest even when no kind is kept for it (notifications/digest.py).
    wants_digest = models.BooleanField(_("send me the daily digest"), default=False)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def choice_for(self, kind: str) -> str:
        value = self.choices.get(kind)
        return value if value in Choice.values else DEFAULT_CHOICE

    @property
    def gets_digest(self) -> bool:
        return self.wants_digest or Choice.DIGEST in self.choices.values()


DEFAULT_CHOICE = Choice.EMAIL


class TeamChat(models.Model):
    """Where a team (a department, or the national team) is also told, in its chat: one
    of its own webhook channels in a chat format (Mattermost, Slack, Teams). Set in the
    workspace by who manages channels (notifications/chat.py)."""

    department = models.OneToOneField(
        "accounts.Department",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_chat",
        verbose_name=_("department"),
    )
    channel = models.ForeignKey(
        "editorial.Channel",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("notification chat"),
    )

    class Meta:
        verbose_name = _("team chat")
        verbose_name_plural = _("team chats")

    def __str__(self) -> str:
        return f"{self.department}: {self.channel}"
