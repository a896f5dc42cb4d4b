"""Each chosen channel's verdict on a post being written, as the editor shows it while
the author types: "Bluesky: 312 of 300 characters", and why the network would refuse.

Made from the same rules that refuse the post at submission (`content.network_problems`,
the alt-text rule of `content.content_problems`, `content.channel_access_problem`), on
the text as the server stores it, counted by the channel's adapter (graphemes for
Bluesky, links as 23 on Mastodon with the instance's own limit…): the verdict shown
cannot disagree with the refusal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import Department
from editorial.channels import adapter_for
from editorial.channels.base import Image
from editorial.content import channel_access_problem, network_problems
from editorial.models import Channel, Post


@dataclass(frozen=True)
class Verdict:
    channel: Channel
    length: int
    limit: int | None
    problems: tuple[str, ...]

    @property
    def refused(self) -> bool:
        return bool(self.problems)


def channel_verdicts(
    *,
    origin_department: Department | None,
    body: str,
    variants: dict[int, str],
    channels: Sequence[Channel],
    images: Sequence[Image],
) -> list[Verdict]:
    """One verdict per channel, in the order given. `variants`: each channel's own text,
    by channel id (empty: the main text), as stored (`PostTextField`)."""
    # The access rule reads only the post's department.
    probe = Post(origin_department=origin_department)
    missing_alt = any(not image.alt_text.strip() for image in images)
    verdicts = []
    for channel in channels:
        adapter = adapter_for(channel)
        text = variants.get(channel.pk) or body
        problems = network_problems(adapter, text, images)
        if missing_alt:
            problems.append(_("Every image needs an alternative text."))
        access = channel_access_problem(probe, channel) if origin_department else None
        if access:
            problems.append(str(access))
        length = adapter.text_length(text)
        verdicts.append(Verdict(channel, length, adapter.text_limit, tuple(problems)))
    return verdicts
