"""The contract between the publisher and a network.

An adapter validates content against the network's limits (before approval, not at
publish time) and publishes one publication. It reports failure by raising one of three
errors, and the publisher's behaviour follows from which:

- `TransientError`: nothing was published (connection refused, 429, 5xx): retried
  with back-off, honouring `retry_after` when the network gave one;
- `PermanentError`: the network refused for good (401, 403, 422…): failed, a person told;
- `UncertainError`: the request may have been published (time-out after sending): never
  re-sent automatically unless the adapter `honours_idempotency_key`, since a second
  post in public is worse than a missing one; otherwise the publication goes to
  `unknown` and a person checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from django.utils.translation import gettext as _

from editorial.messages import Message


class PublishError(Exception):
    """`message`: a stored-message (`editorial.messages.message`), so that the person
    who reads it later reads it in their language; or plain text."""

    def __init__(self, message: Message | str, *, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after

    def __str__(self) -> str:
        return str(self.message)


class TransientError(PublishError):
    """Nothing went out; trying again later may work."""


class PermanentError(PublishError):
    """The network refused this content or these credentials; trying again will not help."""


class UncertainError(PublishError):
    """The request may or may not have been published."""


@dataclass(frozen=True)
class Image:
    path: str
    alt_text: str


@dataclass(frozen=True)
class Outgoing:
    """Exactly what goes out: built from the approved content just before sending."""

    publication_id: int
    idempotency_key: str
    text: str
    images: tuple[Image, ...] = ()
    link: str = ""


@dataclass(frozen=True)
class Result:
    external_id: str
    url: str = ""
    extra: dict = field(default_factory=dict)


class ChannelAdapter:
    """Base class: one instance per channel. Subclasses set `network` and implement
    `publish`; they may tighten `validate`."""

    network: ClassVar[str]
    honours_idempotency_key: ClassVar[bool] = False

    def __init__(self, channel):
        self.channel = channel

    def validate(self, text: str, image_count: int) -> list[str]:
        """Problems that stop this content from going out on this channel."""
        problems, channel = [], self.channel
        if len(text) > channel.text_limit:
            problems.append(
                _("%(channel)s accepts %(limit)s characters, the text has %(length)s.")
                % {"channel": channel, "limit": channel.text_limit, "length": len(text)}
            )
        if image_count > channel.media_limit:
            problems.append(
                _("%(channel)s accepts %(limit)s images, the post has %(count)s.")
                % {"channel": channel, "limit": channel.media_limit, "count": image_count}
            )
        return problems

    def publish(self, outgoing: Outgoing) -> Result:  # pragma: no cover - abstract
        raise NotImplementedError
