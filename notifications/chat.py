"""Team chat: where a team named one of its chat webhooks (Mattermost, Slack, Teams) as
its notification chat (`TeamChat`), the events everyone must see at once — urgent hot
news, a pause or a resume, a failure — are also posted there.

One chat delivery per event and chat, keyed by both (a task that runs twice posts
once), hung on one of the event's notices for its words. Posted through the channel's
own adapter, so in the format its receiver reads (editorial/channels/webhook/formats.py).
A post's event goes to its department's chat and the national team's; a pause of one
channel to that channel's department's and the national team's; a crisis pause to
every chat set.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Department
from editorial import events
from editorial.channels import adapter_for
from editorial.channels.base import Outgoing
from editorial.channels.webhook.config import WebhookFormat
from editorial.models import Channel as SocialChannel
from editorial.models import Network, Post, PublishingPause
from notifications import messages
from notifications.models import Channel, Delivery, Kind, Notification, TeamChat

logger = logging.getLogger(__name__)

CHAT_KINDS = frozenset({Kind.URGENT, Kind.PAUSED, Kind.RESUMED, Kind.FAILED})
CHAT_FORMATS = (WebhookFormat.MATTERMOST, WebhookFormat.SLACK, WebhookFormat.TEAMS)
SET_ACTION = "set_team_chat"


def chat_channels_of(department: Department):
    """The channels a team may name as its chat: its own active chat webhooks."""
    return SocialChannel.objects.filter(
        department=department,
        network=Network.WEBHOOK,
        is_active=True,
        settings__webhook_format__in=[str(f) for f in CHAT_FORMATS],
    ).order_by("name")


def _departments(instance) -> list[int] | None:
    """The teams whose chat hears of an event on `instance` (None: every team)."""
    if isinstance(instance, Post):
        return [instance.origin_department_id]
    if isinstance(instance, PublishingPause):
        return None if instance.channel_id is None else [instance.channel.department_id]
    return []


def chats_for(event, notices, instance) -> dict[str, tuple[str, list]]:
    """{key prefix of the event's notices: (kind, [chat channels])} for the notices of
    `event` (on `instance`) a team's chat hears of."""
    wanted = [notice for notice in notices if notice.kind in CHAT_KINDS]
    if not wanted:
        return {}
    departments = _departments(wanted[0].post or instance)
    chats = TeamChat.objects.select_related("channel").filter(channel__is_active=True)
    if departments is not None:
        chats = chats.filter(department_id__in=departments) | chats.filter(
            department__is_national=True
        )
    channels = [chat.channel for chat in chats]
    if not channels:
        return {}
    return {f"event:{event.pk}:": (wanted[0].kind, channels)}


def deliveries(written: list[Notification], chats: dict) -> list[Delivery]:
    """The chat deliveries of `chats`, each hung on the first written notice of its
    event and kind (the same one whoever writes it)."""
    found = []
    for prefix, (kind, channels) in chats.items():
        carriers = sorted(
            (n for n in written if n.key.startswith(prefix) and n.kind == kind),
            key=lambda n: n.key,
        )
        if not carriers:
            continue
        for channel in channels:
            found.append(
                Delivery(
                    notification=carriers[0],
                    channel=Channel.CHAT,
                    chat=channel,
                    key=f"{prefix}chat:{channel.pk}",
                )
            )
    return found


def text_of(notification: Notification) -> str:
    """The message, in the site's language (a team's chat has no one reader)."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            messages.headline(notification.message, notification.params),
            messages.what_to_do(notification.message),
        ]
        if notification.post_id:
            lines.append(
                settings.SITE_URL.rstrip("/") + reverse("post-detail", args=[notification.post_id])
            )
    return "\n".join(line for line in lines if line)


def post(delivery: Delivery) -> None:
    """Post one chat delivery (raises what the adapter raises)."""
    channel = delivery.chat
    if channel is None or not channel.is_active or channel.needs_reconnecting:
        raise ValueError(_("The team chat's channel is switched off or needs reconnecting."))
    outgoing = Outgoing(
        publication_id=0, idempotency_key=delivery.key, text=text_of(delivery.notification)
    )
    adapter_for(channel).publish(outgoing)


def set_team_chat(department: Department, channel: SocialChannel | None, actor) -> None:
    """Name (or, with None, clear) `department`'s notification chat; audited. The rule
    (who manages channels) is checked by the caller's page; the channel by here."""
    if channel is not None and not chat_channels_of(department).filter(pk=channel.pk).exists():
        raise ValueError(_("Choose one of the team's own active chat webhooks."))
    with transaction.atomic():
        before = TeamChat.objects.select_for_update().filter(department=department).first()
        if (before.channel_id if before else None) == (channel.pk if channel else None):
            return
        if channel is None:
            before.delete()
        else:
            TeamChat.objects.update_or_create(department=department, defaults={"channel": channel})
        events.record(
            actor=actor,
            action=SET_ACTION,
            obj=department,
            from_state=before.channel.name if before else "",
            to_state=channel.name if channel else "",
        )
