"""A person settles a publication whose outcome is unknown: the request left, but no
answer came back (a time-out, a worker that died mid-send). The publisher never sends
such a publication again on its own, since the network may have posted it. Someone
checks the network, then says what happened:

- it went out: the publication is marked sent (with its address if they have it), and
  the post is published once every channel has it;
- it did not: the publication is queued and sent again, through every check the
  publisher makes just before a send (approval, content, pause, hold, channel).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from editorial import events
from editorial.models import Post, Publication, PublicationState
from editorial.models.publishing import web_address
from editorial.permissions import deny_resolve_publication
from editorial.workflow.errors import ActionNotAllowed, InvalidInput, StaleObject

PS = PublicationState


def resolve_unknown(publication: Publication, user, *, went_out: bool, url: str = "") -> str:
    """Settle `publication` (unknown) as sent or send it again. Returns its new state."""
    from editorial.publishing.outcomes import RESENT, record_settled, settle
    from editorial.publishing.scheduler import enqueue_publications

    reason = deny_resolve_publication(publication.post, user)
    if reason:
        raise ActionNotAllowed(reason)
    url = url.strip()
    if url and not went_out:
        raise InvalidInput(_("An address is only for a publication that went out."))
    if url and not web_address(url):
        raise InvalidInput(_("The address must start with http:// or https://."))
    now = timezone.now()
    if went_out:
        action, fields = "publication_confirmed_sent", {"state": PS.SENT, "sent_at": now}
        if url:
            fields["external_url"] = url[:500]
    else:
        action, fields = RESENT, {"state": PS.QUEUED, "next_attempt_at": now}
    fields["last_error"] = ""  # what went wrong is in the history; it is settled now
    with transaction.atomic():
        # The post's lock, as when the publisher settles it: one settling at a time.
        post = Post.objects.select_for_update().get(pk=publication.post_id)
        if not Publication.objects.filter(pk=publication.pk, state=PS.UNKNOWN).update(**fields):
            raise StaleObject(_("This publication is no longer unknown: reload the post."))
        for name, value in fields.items():
            setattr(publication, name, value)
        settled = settle(post) if went_out else None
        events.record(
            actor=user,
            action=action,
            obj=publication,
            from_state=PS.UNKNOWN,
            to_state=publication.state,
            data={"url": url} if url else None,
        )
        record_settled(post, settled, actor=user)
        if not went_out:
            transaction.on_commit(lambda: enqueue_publications([publication.pk]))
    return publication.state
