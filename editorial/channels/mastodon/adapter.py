"""Mastodon, through its REST API with httpx (see docs/channels.md for why not
Mastodon.py): the instance's own limits, images with their alt text, and the
publication's key as `Idempotency-Key`.

Publishing is two steps: each image is uploaded with its description
(`POST /api/v2/media`; a 202 means still processing, polled on
`GET /api/v1/media/:id` until it has a URL), then the status is posted
(`POST /api/v1/statuses`) with the media ids. An upload that fails publishes nothing
(an unattached upload is never shown and the instance removes it), so only the
status post can be uncertain; Mastodon keeps the `Idempotency-Key` for an hour and
answers a repeated post with the status the first one made, so the publisher retries
an uncertain post with the same key (`honours_idempotency_key`).

A post laid out as a thread (`editorial/channels/threads.py`) goes out part by part,
each a reply to the one before, the images on the first; part n carries the key
`<key>:<n>`. Before sending, the adapter reads the account's latest statuses for the
parts already out (an earlier attempt that failed half-way), and sends only the rest:
a retry after more than the hour Mastodon keeps a key still never posts a part twice.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from editorial.channels.base import (
    AccountInfo,
    ChannelAdapter,
    Image,
    Outgoing,
    PermanentError,
    Result,
    TransientError,
    UncertainError,
)
from editorial.channels.mastodon import text as mastodon_text
from editorial.channels.mastodon.config import MastodonConfig
from editorial.channels.mastodon.http import call, json_body
from editorial.channels.mastodon.oauth import MASTODON_OAUTH, account_name
from editorial.channels.threads import thread_parts
from editorial.credentials import CredentialsUnreadable
from editorial.messages import message
from editorial.models import Network

# What Test connection reads from the instance (`GET /api/v2/instance`,
# `configuration.statuses`) and keeps in `Channel.settings`: setting -> field there.
INSTANCE_LIMITS = {
    "max_characters": "max_characters",
    "max_media_attachments": "max_media_attachments",
    "characters_reserved_per_url": "characters_reserved_per_url",
}
# How many of the account's latest statuses `find_published` reads (the API's maximum).
RECENT = 40
# A status found by its text counts as this publication's only if made after the
# publication was, give or take the instance's clock: the same words posted last year
# are another post.
CLOCK_SKEW = dt.timedelta(minutes=5)


def _positive(value, default: int) -> int:
    whole = isinstance(value, int) and not isinstance(value, bool)
    return value if whole and value > 0 else default


class MastodonAdapter(ChannelAdapter):
    network = Network.MASTODON
    text_limit = 500  # Mastodon's default; the instance's own, once read, wins
    media_limit = 4
    url_length = 23
    config = MastodonConfig
    honours_idempotency_key = True
    checks_connection = True
    # Connect with Mastodon (the instance's OAuth), or a pasted access token.
    oauth = MASTODON_OAUTH

    def __init__(self, channel):
        super().__init__(channel)
        kept = channel.settings or {}
        self.text_limit = _positive(kept.get("max_characters"), type(self).text_limit)
        self.media_limit = _positive(kept.get("max_media_attachments"), type(self).media_limit)
        self.url_length = _positive(kept.get("characters_reserved_per_url"), self.url_length)

    # --- rules --------------------------------------------------------------------------

    def text_length(self, text: str) -> int:
        """The longest part's length: each part of a thread has the whole limit."""
        return max(mastodon_text.length(part, self.url_length) for part in thread_parts(text))

    def validate(self, text: str, image_count: int) -> list[str]:
        parts = thread_parts(text)
        if len(parts) == 1:
            return super().validate(text, image_count)
        problems = super().validate("", image_count)
        for number, part in enumerate(parts, 1):
            length = mastodon_text.length(part, self.url_length)
            if length > self.text_limit:
                problems.append(
                    _(
                        "%(channel)s accepts %(limit)s characters per post; part %(part)s "
                        "of the thread has %(length)s."
                    )
                    % {
                        "channel": self.channel,
                        "limit": self.text_limit,
                        "part": number,
                        "length": length,
                    }
                )
        return problems

    # --- the account ----------------------------------------------------------------------

    @property
    def instance(self) -> str:
        return str((self.channel.settings or {}).get("instance_url", "")).rstrip("/")

    def _token(self) -> str:
        try:
            token = self.channel.credentials.get("access_token", "")
        except CredentialsUnreadable:
            raise PermanentError(message("credentials_unreadable", channel=self.channel)) from None
        if not token or not self.instance:
            raise PermanentError(message("channel_not_connected", channel=self.channel))
        return token

    def _call(self, method: str, path: str, **kwargs):
        token = self._token()
        return call(self.channel, method, f"{self.instance}{path}", token, **kwargs)

    def check_credentials(self) -> AccountInfo:
        """Who the token posts as (`GET /api/v1/accounts/verify_credentials`, which
        needs `read:accounts`), and the instance's limits (`GET /api/v2/instance`; an
        instance without it keeps Mastodon's defaults). Mastodon's tokens do not
        expire: no expiry to show."""
        account = json_body(self.channel, self._call("GET", "/api/v1/accounts/verify_credentials"))
        return AccountInfo(
            name=account_name(account, self.instance),
            avatar_url=str(account.get("avatar") or ""),
            url=str(account.get("url") or ""),
            settings=self._instance_limits(),
        )

    def _instance_limits(self) -> dict:
        try:
            body = json_body(self.channel, self._call("GET", "/api/v2/instance"))
        except (TransientError, PermanentError):
            return {}  # an older instance: Mastodon's defaults stay
        statuses = (body.get("configuration") or {}).get("statuses") or {}
        return {
            setting: statuses[field]
            for setting, field in INSTANCE_LIMITS.items()
            if _positive(statuses.get(field), 0)
        }

    # --- publishing -----------------------------------------------------------------------

    def publish(self, outgoing: Outgoing) -> Result:
        self._token()  # not connected: refused before anything is uploaded
        if any(not image.alt_text.strip() for image in outgoing.images):
            raise PermanentError(message("alt_text_missing", channel=self.channel))
        if len(outgoing.images) > self.media_limit:
            raise PermanentError(
                message(
                    "too_many_images",
                    channel=self.channel,
                    limit=self.media_limit,
                    count=len(outgoing.images),
                )
            )
        parts = thread_parts(outgoing.text)
        if len(parts) == 1:
            media_ids = [self._upload(image) for image in outgoing.images]
            status = self._post_status(outgoing.text, str(outgoing.idempotency_key), media_ids)
            return _result(status, fallback=str(outgoing.idempotency_key))
        return self._publish_thread(outgoing, parts)

    def _post_status(self, text: str, key: str, media_ids, reply_to: str = "") -> dict:
        body = {"status": text, "media_ids": media_ids, "visibility": "public"}
        if reply_to:
            body["in_reply_to_id"] = reply_to
        response = self._call(
            "POST", "/api/v1/statuses", json=body, headers={"Idempotency-Key": key}, publishes=True
        )
        try:
            return json_body(self.channel, response)
        except PermanentError:
            return {"id": key}  # it was posted (2xx) even if its answer cannot be read

    def _publish_thread(self, outgoing: Outgoing, parts: list[str]) -> Result:
        """The parts not yet out, in order, each a reply to the one before. A failure
        half-way raises as any send does; the retry finds the parts already out."""
        statuses, _whole = self._recent_statuses(outgoing)
        out = _thread_found(statuses, parts)
        for number in range(len(out), len(parts)):
            media_ids = [self._upload(image) for image in outgoing.images] if number == 0 else []
            key = str(outgoing.idempotency_key) + (f":{number}" if number else "")
            reply_to = str(out[-1].get("id", "")) if out else ""
            out.append(self._post_status(parts[number], key, media_ids, reply_to))
        return _thread_result(out, fallback=str(outgoing.idempotency_key))

    def _upload(self, image: Image) -> str:
        with default_storage.open(image.path, "rb") as file:
            content = file.read()
        kind = mimetypes.guess_type(image.path)[0] or "application/octet-stream"
        name = image.path.rsplit("/", 1)[-1]
        response = self._call(
            "POST",
            "/api/v2/media",
            files={"file": (name, content, kind)},
            data={"description": image.alt_text},
        )
        media = json_body(self.channel, response)
        media_id = str(media.get("id", ""))
        if response.status_code == 202 or not media.get("url"):
            self._wait_for(media_id)
        return media_id

    def _wait_for(self, media_id: str) -> None:
        """Poll an upload still being processed: 206 while processing, 200 when done."""
        deadline = time.monotonic() + settings.MASTODON_MEDIA_WAIT_SECONDS
        pause = 0.2
        while True:
            response = self._call("GET", f"/api/v1/media/{media_id}")
            if response.status_code == 200 and json_body(self.channel, response).get("url"):
                return
            if time.monotonic() + pause > deadline:
                raise TransientError(message("media_not_ready", channel=self.channel))
            time.sleep(pause)  # the instance's own processing time: nothing to wait on
            pause = min(pause * 2, 2.0)

    # --- was it published? ------------------------------------------------------------------

    def find_published(self, outgoing: Outgoing) -> Result | None:
        """Read, never write: the account's latest statuses
        (`GET /api/v1/accounts/:id/statuses`), looking for this text (each part of a
        thread, in reply to the one before), among those made since the publication.
        Re-posting with the same `Idempotency-Key` would also answer, but only within
        the hour Mastodon keeps the key; after that it would publish — a look-up must
        not. None (did not go out, or a thread only partly: publishing again sends the
        rest) only when the statuses read reach back before the publication existed or
        a thread's first part was found; otherwise `UncertainError`."""
        parts = thread_parts(outgoing.text)
        statuses, whole = self._recent_statuses(outgoing)
        found = _thread_found(statuses, parts)
        if len(found) == len(parts):
            return _thread_result(found, fallback=str(outgoing.idempotency_key))
        if found or whole:
            return None
        raise UncertainError(message("cannot_tell", channel=self.channel))

    def _recent_statuses(self, outgoing: Outgoing) -> tuple[list[dict], bool]:
        """The account's latest statuses made since the publication was (oldest
        first), and whether they reach back before it (nothing older left unread)."""
        from editorial.models import Publication

        account = json_body(self.channel, self._call("GET", "/api/v1/accounts/verify_credentials"))
        response = self._call(
            "GET",
            f"/api/v1/accounts/{account.get('id')}/statuses",
            params={"limit": RECENT, "exclude_reblogs": "true"},
        )
        try:
            statuses = response.json()
        except ValueError:
            statuses = None
        if not isinstance(statuses, list):
            raise UncertainError(message("cannot_tell", channel=self.channel))
        created = (
            Publication.objects.filter(pk=outgoing.publication_id)
            .values_list("created_at", flat=True)
            .first()
        )
        since = created - CLOCK_SKEW if created is not None else None
        recent, whole = [], len(statuses) < RECENT  # the account's whole history was read
        for status in statuses:
            if not isinstance(status, dict):
                continue
            made = parse_datetime(str(status.get("created_at") or ""))
            if since is not None and made is not None and made < since:
                whole = True  # older than the publication: so is everything after it
                break
            recent.append(status)
        return list(reversed(recent)), whole


def _thread_found(statuses: list[dict], parts: list[str]) -> list[dict]:
    """The statuses holding `parts`' leading parts, in order: the first by its text,
    each next one by its text and its reply to the one before."""
    found: list[dict] = []
    for part in parts:
        wanted = mastodon_text.comparable(part)
        parent = str(found[-1].get("id")) if found else None
        match = next(
            (
                status
                for status in statuses
                if mastodon_text.comparable(mastodon_text.rendered_text(status.get("content")))
                == wanted
                and (parent is None or str(status.get("in_reply_to_id")) == parent)
            ),
            None,
        )
        if match is None:
            break
        found.append(match)
    return found


def _thread_result(statuses: list[dict], *, fallback: str) -> Result:
    first = _result(statuses[0], fallback=fallback)
    if len(statuses) == 1:
        return first
    urls = [_result(status, fallback=fallback).url for status in statuses]
    return Result(external_id=first.external_id, url=first.url, extra={"thread": urls})


def _result(status: dict, *, fallback: str) -> Result:
    url = status.get("url") or status.get("uri") or ""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) > 500:
        url = ""
    return Result(external_id=str(status.get("id") or fallback)[:200], url=url)
