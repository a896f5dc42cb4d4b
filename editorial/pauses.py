"""Crisis mode in words: what a pause does, for the banner on every page and for the
crisis page's messages, so that a pause that only raises the approval level is never
announced as "publishing paused"."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import department_ids_of
from editorial.models import PublishingPause


def pauses_seen_by(user) -> list[PublishingPause]:
    """The active pauses that concern `user`: global ones, and those on channels of the
    departments they work in or of the national team (which every department posts
    on). One query."""
    ids = department_ids_of(user)
    concerned = (
        Q(channel__isnull=True)
        | Q(channel__department_id__in=ids)
        | Q(channel__department__is_national=True)
    )
    return list(
        PublishingPause.objects.active(timezone.now())
        .filter(concerned)
        .select_related("channel", "started_by")
        .order_by("started_at", "pk")
    )


def what_it_does(pause: PublishingPause) -> str:
    """One sentence: what is paused where, or that the approval level is raised."""
    where = pause.channel or _("every channel")
    if pause.stops_publishing and pause.requires_director:
        return _(
            "Publishing is paused on %(where)s, and every post needs the director's sign-off."
        ) % {"where": where}
    if pause.stops_publishing:
        return _("Publishing is paused on %(where)s.") % {"where": where}
    return _(
        "Approval level raised: every post needs the director's sign-off before it goes "
        "out. Publishing goes on."
    )


def what_its_end_does(pause: PublishingPause) -> str:
    """One sentence for when the pause ends."""
    held = _("Posts held meanwhile stay held until each is confirmed or rescheduled.")
    if pause.stops_publishing:
        where = pause.channel or _("every channel")
        return _("Publishing resumed on %(where)s. %(held)s") % {"where": where, "held": held}
    return _(
        "Approval level back to normal: posts no longer need the director's sign-off. %(held)s"
    ) % {"held": held}
