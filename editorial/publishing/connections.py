"""A channel whose network refused its credentials: flagged **needs reconnecting**.

Flagged by the publisher when a send is refused for its credentials (401, 403), and by
**Test connection** when the check is; cleared by new credentials
(`ChannelConfig.apply`) or a Test connection that works. While flagged, nothing goes
out on the channel and no post aimed at it is approved
(`content.channel_publish_problem`, the publisher's claim). Each change is one audit
entry and one `workflow_action` signal, for the notifications to tell the channel's
owner and the CM.
"""

from __future__ import annotations

from django.db import transaction

from editorial import events
from editorial.messages import Message
from editorial.models import Channel
from editorial.publishing.alerts import english, log

NEEDS_RECONNECTING = "channel_needs_reconnecting"
RECONNECTED = "channel_reconnected"


def flag_needs_reconnecting(channel: Channel, reason: Message | str, actor=None) -> bool:
    """Flag `channel` (once: a second refusal changes nothing). True if flagged now."""
    with transaction.atomic():
        flagged = Channel.objects.filter(pk=channel.pk, needs_reconnecting=False).update(
            needs_reconnecting=True
        )
        channel.needs_reconnecting = True
        if not flagged:
            return False
        words = english(reason)
        events.record(
            actor=actor,
            action=NEEDS_RECONNECTING,
            obj=channel,
            from_state="connected",
            to_state="needs_reconnecting",
            comment=words,
        )
    log.warning("Channel %s (%s) needs reconnecting: %s", channel.pk, channel, words)
    return True


def clear_needs_reconnecting(channel: Channel, actor) -> bool:
    """The credentials work again (a Test connection succeeded). True if cleared now."""
    with transaction.atomic():
        cleared = Channel.objects.filter(pk=channel.pk, needs_reconnecting=True).update(
            needs_reconnecting=False
        )
        channel.needs_reconnecting = False
        if cleared:
            events.record(
                actor=actor,
                action=RECONNECTED,
                obj=channel,
                from_state="needs_reconnecting",
                to_state="connected",
            )
    return bool(cleared)
