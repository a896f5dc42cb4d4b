"""The public Atom feed of each active "atom" channel: what was published there.

Only publications in state `sent` appear, so nothing of a post that has not gone out
on this channel is ever shown. Public: no login. Three queries whatever the number
of entries (channel; publications with their posts; this channel's variants).

The entry title is *not* the post's title, which the editors write as an internal
label ("Internal, not published."): it is the first line of the published text.
"""

from __future__ import annotations

import datetime
import re

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.utils.feedgenerator import Atom1Feed

from editorial.channels.atom import entry_id, entry_url, feed_path
from editorial.models import Channel, Network, PostVariant, Publication, PublicationState

MAX_ENTRIES = 50
TITLE_LENGTH = 100
# Characters XML 1.0 cannot carry: Django refuses to write them, which would take the
# whole feed down because of one pasted character.
_XML_INVALID = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]")


def _xml_safe(text: str) -> str:
    return _XML_INVALID.sub("", text)


def title_from(text: str) -> str:
    """The first non-empty line of the text, shortened to a headline."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(line) > TITLE_LENGTH:
        line = line[: TITLE_LENGTH - 1].rstrip() + "…"
    return _xml_safe(line)


class AtomWithContent(Atom1Feed):
    """Atom1Feed with the entry's full text in <content type="text">, which Django's
    generator does not write (it only knows <summary type="html">)."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        if item.get("content") is not None:
            handler.addQuickElement("content", item["content"], {"type": "text"})


class ChannelAtomFeed(Feed):
    feed_type = AtomWithContent

    def get_object(self, request, channel_id: int) -> Channel:
        # DoesNotExist becomes a 404 in Feed.__call__.
        return Channel.objects.select_related("department").get(
            pk=channel_id, network=Network.ATOM, is_active=True
        )

    def title(self, channel: Channel) -> str:
        return channel.name

    def subtitle(self, channel: Channel) -> str:
        return channel.handle

    def link(self, channel: Channel) -> str:
        return feed_path(channel.pk)

    def feed_url(self, channel: Channel) -> str:
        return feed_path(channel.pk)

    def author_name(self, channel: Channel) -> str:
        return channel.department.name

    def items(self, channel: Channel) -> list[Publication]:
        variants = Prefetch(
            "post__variants",
            queryset=PostVariant.objects.filter(channel=channel),
            to_attr="feed_variants",
        )
        return list(
            Publication.objects.filter(
                channel=channel, state=PublicationState.SENT, sent_at__isnull=False
            )
            .select_related("post")
            .prefetch_related(variants)
            .order_by("-sent_at", "-pk")[:MAX_ENTRIES]
        )

    @staticmethod
    def text(publication: Publication) -> str:
        """What went out: this channel's variant if any, else the main text (as
        editorial.content.text_for, from the prefetched variants)."""
        post = publication.post
        return post.feed_variants[0].body if post.feed_variants else post.body

    def item_title(self, publication: Publication) -> str:
        return title_from(self.text(publication))

    def item_description(self, publication: Publication) -> None:
        return None  # the text goes in <content>, not in an HTML <summary>

    def item_extra_kwargs(self, publication: Publication) -> dict:
        return {"content": _xml_safe(self.text(publication))}

    def item_link(self, publication: Publication) -> str:
        return entry_url(publication.channel_id, publication.pk)

    def item_guid(self, publication: Publication) -> str:
        # The id the adapter stored; a row sent without one still gets a stable id.
        sent_year = publication.sent_at.astimezone(datetime.UTC).year
        return publication.external_id or entry_id(publication.pk, sent_year)

    def item_pubdate(self, publication: Publication) -> datetime.datetime:
        return publication.sent_at

    def item_updateddate(self, publication: Publication) -> datetime.datetime:
        return publication.sent_at  # Atom requires <updated>; a sent entry never changes


channel_atom_feed = ChannelAtomFeed()
