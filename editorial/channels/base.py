"""The contract between Cadence and a network.

An adapter declares its network's limits (`text_limit`, `media_limit`, how a text is
counted), validates content against them (before approval, not at publish time),
names the configuration a channel of its network needs (`config`, a `ChannelConfig`)
and publishes one publication. It reports failure by raising one of three
errors, and the publisher's behaviour follows from which:

- `TransientError`: nothing was published (connection refused, 429, 5xx): retried
  with back-off, honouring `retry_after` when the network gave one;
- `PermanentError`: the network refused for good (401, 403, 422…): failed, a person told;
- `UncertainError`: the request may have been published (time-out after sending): never
  re-sent automatically unless the adapter `honours_idempotency_key`, since a second
  post in public is worse than a missing one; otherwise the publication goes to
  `unknown`, unless the adapter's look-up settles it (below).

After an uncertain send — the adapter raised `UncertainError`, or the worker died
with the request in flight — the publisher asks `find_published(outgoing)`, "was this
published?", before leaving the publication `unknown` for a person:

- a `Result`: it is on the network (its id and address): recorded as sent;
- `None`: it is not, and a send now cannot make a second post: sent again;
- `UncertainError`: the adapter cannot tell (the default: a generic webhook keeps no
  record anyone can ask); a person checks. Any other error is taken the same way.

Answer `None` only when it is certain — the network dedupes on the idempotency key
(Mastodon), the record key derives from the publication so a re-send rewrites the
same record (Bluesky), or the account's recent posts were read and the exact text is
not there, knowing that a request which timed out may still be processed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from django import forms
from django.utils.translation import gettext as _

from editorial.credentials import CredentialsUnreadable
from editorial.messages import Message, message


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


class CredentialsRejected(PermanentError):
    """The network refused the channel's credentials (401, 403: revoked, expired): the
    publisher marks the channel **needs reconnecting**, and nothing goes out on it until
    someone connects it again."""


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


class ChannelConfig(forms.Form):
    """What a channel of one network needs besides its name, handle and department: a
    form, checked whenever a channel is saved (the workspace's channel page, the admin),
    so that a channel its adapter could not publish with is refused with a field error.

    Each field is kept in one of three places, by its name:
    - `settings_fields`: a key of `Channel.settings` (JSON; not secret: an instance's
      address);
    - `credential_fields`: a key of the encrypted `Channel.credentials` (an access
      token, an app password): always write-only;
    - any other: the `Channel` attribute of that name (the webhook's `endpoint_url`).

    `secret_fields` (the credentials, and any attribute named there) are written, never
    shown back: left empty on a channel that already has one, the stored value stays
    (so they are only required on a channel without)."""

    secret_fields: ClassVar[frozenset[str]] = frozenset()
    settings_fields: ClassVar[frozenset[str]] = frozenset()
    credential_fields: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.secret_fields = frozenset(cls.secret_fields) | frozenset(cls.credential_fields)

    def __init__(self, data=None, *, channel, prefix=None):
        self.channel = channel
        shown = {
            name: self.stored(channel, name)
            for name in self.base_fields
            if name not in self.secret_fields
        }
        super().__init__(data, initial=shown, prefix=prefix)
        for name in self.secret_fields:
            if self.has_secret(channel, name):
                self.fields[name].required = False

    @classmethod
    def stored(cls, channel, name: str):
        """The value of a field that is not secret, from where it is kept."""
        if name in cls.settings_fields:
            return (channel.settings or {}).get(name, "")
        return getattr(channel, name, None)

    @classmethod
    def has_secret(cls, channel, name: str) -> bool:
        """Whether a secret is stored; credentials no key opens count as none (they
        must be entered again)."""
        if name in cls.credential_fields:
            try:
                return bool(channel.credentials.get(name))
            except CredentialsUnreadable:
                return False
        return bool(getattr(channel, name, ""))

    @classmethod
    def missing(cls, channel) -> list[str]:
        """The required settings and credentials `channel` lacks: it is not connected."""
        return [
            name
            for name, form_field in cls.base_fields.items()
            if form_field.required
            and (
                (name in cls.settings_fields and not cls.stored(channel, name))
                or (name in cls.credential_fields and not cls.has_secret(channel, name))
            )
        ]

    def apply(self, channel) -> None:
        """Write the checked values onto `channel`; the caller saves it."""
        secrets = None
        for name, value in self.cleaned_data.items():
            if name in self.secret_fields and not value:
                continue  # empty: keep the stored one
            if name in self.settings_fields:
                channel.settings = {**(channel.settings or {}), name: value}
            elif name in self.credential_fields:
                if secrets is None:
                    secrets = _readable_credentials(channel)
                secrets[name] = value
            else:
                setattr(channel, name, value)
        if secrets is not None:
            channel.set_credentials(secrets)
            channel.needs_reconnecting = False  # new credentials: worth trying again


def _readable_credentials(channel) -> dict:
    try:
        return dict(channel.credentials)
    except CredentialsUnreadable:
        return {}  # replaced by what was just entered


@dataclass(frozen=True)
class AccountInfo:
    """Who a channel's credentials publish as (`check_credentials`): shown by **Test
    connection**. `settings`: what the check learned that the channel keeps (an
    instance's own limits), written into `Channel.settings`."""

    name: str
    avatar_url: str = ""
    url: str = ""
    expires_at: datetime | None = None
    settings: dict = field(default_factory=dict)


class ChannelAdapter:
    """Base class: one instance per channel. Subclasses set `network`, their network's
    limits and `config`, and implement `publish`; they may tighten `validate`.

    The limits are the network's, on the class: the registry and the editor read them
    without a channel. An adapter whose limit depends on the account (a Mastodon
    instance's own limit) overrides it per instance; `Channel.text_limit` and
    `Channel.media_limit` read the instance's. `None`: the network sets no such limit."""

    network: ClassVar[str]
    text_limit: ClassVar[int | None] = None
    media_limit: ClassVar[int | None] = None
    config: ClassVar[type[ChannelConfig]] = ChannelConfig
    honours_idempotency_key: ClassVar[bool] = False
    # Whether `check_credentials` can tell anything (the **Test connection** button).
    checks_connection: ClassVar[bool] = False

    def __init__(self, channel):
        self.channel = channel

    def text_length(self, text: str) -> int:
        """The text's length as the network counts it against `text_limit`: code points
        here, as the editor's counter (static/js/editor.js) counts. A network counting
        otherwise (graphemes, links as 23) overrides it, and teaches the counter too."""
        return len(text)

    def validate(self, text: str, image_count: int) -> list[str]:
        """Problems that stop this content from going out on this channel."""
        problems, channel, length = [], self.channel, self.text_length(text)
        if self.text_limit is not None and length > self.text_limit:
            problems.append(
                _("%(channel)s accepts %(limit)s characters, the text has %(length)s.")
                % {"channel": channel, "limit": self.text_limit, "length": length}
            )
        if self.media_limit is not None and image_count > self.media_limit:
            problems.append(
                _("%(channel)s accepts %(limit)s images, the post has %(count)s.")
                % {"channel": channel, "limit": self.media_limit, "count": image_count}
            )
        return problems

    def connection_problem(self) -> Message | None:
        """Why this channel cannot publish as configured: a required setting or
        credential missing, or credentials no key opens. Asked with the channel's other
        problems (`content.channel_publish_problem`), so before approval."""
        missing = self.config.missing(self.channel)
        if self.channel.encrypted_credentials:
            try:
                self.channel.credentials  # noqa: B018 - decrypting is the check
            except CredentialsUnreadable:
                return message("credentials_unreadable", channel=self.channel)
        if missing:
            return message("channel_not_connected", channel=self.channel)
        return None

    def check_credentials(self) -> AccountInfo:
        """Who the credentials publish as; raises `PermanentError` (or
        `CredentialsRejected`, `TransientError`) saying in words what is wrong."""
        raise PermanentError(message("no_connection_test", channel=self.channel))

    def validate_images(self, images: Sequence[Image]) -> list[str]:
        """Problems in the images themselves (their size, their type) that stop them from
        going out on this channel; asked with `validate`. Every network needs alt text:
        `content.content_problems` checks that for all."""
        return []

    def publish(self, outgoing: Outgoing) -> Result:  # pragma: no cover - abstract
        raise NotImplementedError

    def find_published(self, outgoing: Outgoing) -> Result | None:
        """Was `outgoing` published? A `Result` if it is on the network, None if it
        certainly is not (so sending it now cannot post it twice); raises
        `UncertainError` when this adapter cannot tell (the default), or any other
        `PublishError` when the look-up itself failed. The module's docstring says what
        the publisher does with each answer."""
        raise UncertainError(message("cannot_look_up", channel=self.channel))


def can_look_up(adapter: ChannelAdapter) -> bool:
    """Whether `adapter` offers a look-up of its own (overrides `find_published`)."""
    return type(adapter).find_published is not ChannelAdapter.find_published
