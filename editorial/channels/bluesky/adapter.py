"""Bluesky: posts, images with alt text, threads, on the account's PDS.

Each post is written under a record key derived from the publication's idempotency key
(and, in a thread, the part's number): a retry can only ever write the same record.
Before writing a part, the adapter reads that key; a part already there is kept as
it is, so a thread that failed half-way is finished, never re-sent, and `find_published`
answers "was it published?" with one read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from editorial.channels.base import (
    ChannelAdapter,
    Image,
    Outgoing,
    PermanentError,
    PublishError,
    Result,
    UncertainError,
)
from editorial.channels.bluesky.config import DEFAULT_SERVICE, BlueskyConfig
from editorial.channels.bluesky.richtext import facets, grapheme_count
from editorial.channels.bluesky.xrpc import Session
from editorial.channels.threads import thread_parts
from editorial.messages import message
from editorial.models import Network

POST = "app.bsky.feed.post"
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
# Record keys of posts are TIDs: 13 characters of this alphabet, 53 bits of microseconds
# then 10 bits of "clock id". Ours take both from a hash of the publication's key, the
# time kept within 2023-2025 so that it reads as a plausible past moment.
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID_EPOCH_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z
_TID_SPAN_US = 2**46  # about 2.2 years


def record_key(idempotency_key: str, part: int = 0) -> str:
    """The TID under which part `part` (0: the first post) of a publication is written."""
    digest = hashlib.sha256(f"cadence:{idempotency_key}:{part}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    micros = _TID_EPOCH_US + (number >> 10) % _TID_SPAN_US
    value = (micros << 10) | (number & 0x3FF)
    return "".join(_TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


def _image_format(path: str) -> str | None:
    """Pillow's name for the image's format (it reads the header only), or None."""
    try:
        with default_storage.open(path, "rb") as file, PILImage.open(file) as picture:
            return picture.format
    except (UnidentifiedImageError, OSError, PILImage.DecompressionBombError):
        return None  # an image stored before uploads were checked may be too large


@dataclass(frozen=True)
class AccountInfo:
    """Who the channel publishes as: what "Test connection" shows. App passwords do not
    expire (they are revoked), hence no expiry."""

    handle: str
    did: str
    display_name: str = ""
    avatar_url: str = ""
    expires_at: dt.datetime | None = None


class BlueskyAdapter(ChannelAdapter):
    network = Network.BLUESKY
    text_limit = 300  # graphemes, per post of a thread
    byte_limit = 3000  # and UTF-8 bytes (the app.bsky.feed.post lexicon)
    media_limit = 4
    image_size_limit = 1_000_000  # bytes, per image (the app.bsky.embed.images lexicon)
    config = BlueskyConfig
    # A retry writes the same record keys, so it cannot post twice; but the publisher
    # settles an uncertain send through `find_published` rather than by re-sending.
    honours_idempotency_key = False

    # --- rules ---------------------------------------------------------------------

    def text_length(self, text: str) -> int:
        """Graphemes of the longest post: each part of a thread has the whole limit."""
        return max(grapheme_count(part) for part in thread_parts(text))

    def validate(self, text: str, image_count: int) -> list[str]:
        parts = thread_parts(text)
        thread = len(parts) > 1
        problems = super().validate("" if thread else text, image_count)
        for number, part in enumerate(parts, 1):
            values = {"channel": self.channel, "part": number}
            size = len(part.encode("utf-8"))
            if size > self.byte_limit:
                values.update(limit=self.byte_limit, size=size)
                problems.append(
                    _("%(channel)s accepts %(limit)s bytes per post; part %(part)s has %(size)s.")
                    % values
                    if thread
                    else _("%(channel)s accepts %(limit)s bytes per post; the text has %(size)s.")
                    % values
                )
            length = grapheme_count(part)
            if thread and length > self.text_limit:
                values.update(limit=self.text_limit, length=length)
                problems.append(
                    _(
                        "%(channel)s accepts %(limit)s characters per post; part %(part)s "
                        "of the thread has %(length)s."
                    )
                    % values
                )
        return problems

    def validate_images(self, images: Sequence[Image]) -> list[str]:
        """What Bluesky would refuse in the images themselves: over its size limit, or
        not to be read."""
        problems = []
        for number, image in enumerate(images, 1):
            values = {"channel": self.channel, "number": number}
            try:
                size = default_storage.size(image.path)
            except OSError:
                problems.append(_("%(channel)s: image %(number)s cannot be read.") % values)
                continue
            if size > self.image_size_limit:
                problems.append(
                    _(
                        "%(channel)s accepts images up to %(limit)s bytes; "
                        "image %(number)s has %(size)s."
                    )
                    % {**values, "limit": self.image_size_limit, "size": size}
                )
                continue
            kind = _image_format(image.path)
            if kind not in IMAGE_TYPES:
                problems.append(
                    _(
                        "%(channel)s shows JPEG, PNG, WebP and GIF images; "
                        "image %(number)s is not one."
                    )
                    % values
                )
        return problems

    def _alt_text_problems(self, images: Sequence[Image]) -> list[str]:
        # content_problems asks every network for alt text before approval; checked
        # again here since the server would refuse the post without it.
        return [
            _("%(channel)s: image %(number)s has no alt text.")
            % {"channel": self.channel, "number": number}
            for number, image in enumerate(images, 1)
            if not image.alt_text.strip()
        ]

    # --- publishing ----------------------------------------------------------------

    def session(self) -> Session:
        settings = self.channel.settings or {}
        credentials = self.channel.credentials
        handle = (settings.get("handle") or self.channel.handle or "").strip().lstrip("@")
        password = credentials.get("app_password") or ""
        if not handle or not password:
            raise PermanentError(message("channel_not_connected", channel=self.channel))
        service = settings.get("service_url") or DEFAULT_SERVICE
        return Session(self.channel, service, handle, password)

    def publish(self, outgoing: Outgoing) -> Result:
        problems = self.validate(outgoing.text, len(outgoing.images))
        problems += self._alt_text_problems(outgoing.images)
        problems += self.validate_images(outgoing.images)
        if problems:
            raise PermanentError(" ".join(problems))
        session = self.session()
        root = parent = None
        posts = []
        for number, text in enumerate(thread_parts(outgoing.text)):
            rkey = record_key(outgoing.idempotency_key, number)
            ref = self._read(session, rkey)
            if ref is None:
                images = outgoing.images if number == 0 else ()
                record = self._record(session, text, images, root, parent)
                ref = self._write(session, rkey, record)
            root, parent = root or ref, ref
            posts.append(ref["uri"])
        return self._result(session.did, posts)

    def find_published(self, outgoing: Outgoing) -> Result | None:
        """The published post, read back by its record key; None when it is not (all)
        out: publishing again then sends only the parts that are missing. Raises
        UncertainError when the PDS cannot be asked."""
        try:
            session = self.session()
            posts = []
            for number, _text in enumerate(thread_parts(outgoing.text)):
                ref = self._read(session, record_key(outgoing.idempotency_key, number))
                if ref is None:
                    return None
                posts.append(ref["uri"])
            return self._result(session.did, posts)
        except PublishError as exc:
            raise UncertainError(exc.message) from exc

    def check_credentials(self) -> AccountInfo:
        """Logs in afresh and reads the account's profile record (a PDS answers it
        without the Bluesky AppView). Raises PermanentError for a refused app password,
        TransientError when the PDS cannot be reached."""
        session = self.session()
        did = session.login()
        answer = session.call(
            "com.atproto.repo.getRecord",
            method="GET",
            params={"repo": did, "collection": "app.bsky.actor.profile", "rkey": "self"},
            missing_ok=True,
        )
        profile = (answer or {}).get("value") or {}
        avatar = (profile.get("avatar") or {}).get("ref", {}).get("$link", "")
        avatar_url = (
            f"{session.service}/xrpc/com.atproto.sync.getBlob?did={quote(did)}&cid={avatar}"
            if avatar
            else ""
        )
        return AccountInfo(
            handle=session.handle,
            did=did,
            display_name=profile.get("displayName", ""),
            avatar_url=avatar_url,
        )

    # --- records -------------------------------------------------------------------

    def _read(self, session: Session, rkey: str) -> dict | None:
        answer = session.call(
            "com.atproto.repo.getRecord",
            method="GET",
            params={"repo": session.did, "collection": POST, "rkey": rkey},
            missing_ok=True,
        )
        return {"uri": answer["uri"], "cid": answer["cid"]} if answer else None

    def _write(self, session: Session, rkey: str, record: dict) -> dict:
        body = {"repo": session.did, "collection": POST, "rkey": rkey, "record": record}
        try:
            answer = session.call("com.atproto.repo.createRecord", json=body, write=True)
        except PermanentError:
            # Refused because another attempt wrote it meanwhile? Then it is ours.
            existing = self._read(session, rkey)
            if existing is None:
                raise
            return existing
        return {"uri": answer["uri"], "cid": answer["cid"]}

    def _record(self, session, text, images, root, parent) -> dict:
        record = {
            "$type": POST,
            "text": text,
            "createdAt": dt.datetime.now(dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        found = facets(text, lambda handle: self._resolve(session, handle))
        if found:
            record["facets"] = found
        if images:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [self._upload(session, image) for image in images],
            }
        if root:
            record["reply"] = {"root": root, "parent": parent}
        return record

    def _resolve(self, session: Session, handle: str) -> str | None:
        try:
            answer = session.call(
                "com.atproto.identity.resolveHandle",
                method="GET",
                params={"handle": handle},
                auth=False,
            )
        except PermanentError:
            return None  # no such handle: the mention stays plain text
        return answer.get("did")

    def _upload(self, session: Session, image: Image) -> dict:
        with default_storage.open(image.path, "rb") as file:
            data = file.read()
        try:
            with PILImage.open(io.BytesIO(data)) as picture:
                kind, (width, height) = picture.format, picture.size
        except (UnidentifiedImageError, OSError) as exc:
            raise PermanentError(f"{self.channel}: {image.path}: {exc}") from exc
        if kind not in IMAGE_TYPES:
            raise PermanentError(f"{self.channel}: {image.path}: {kind} images are not shown.")
        answer = session.call(
            "com.atproto.repo.uploadBlob", content=data, content_type=IMAGE_TYPES[kind]
        )
        return {
            "alt": image.alt_text,
            "image": answer["blob"],
            "aspectRatio": {"width": width, "height": height},
        }

    def _result(self, did: str, posts: list[str]) -> Result:
        rkey = posts[0].rsplit("/", 1)[-1]
        url = f"https://bsky.app/profile/{did}/post/{rkey}"
        extra = {"thread": posts} if len(posts) > 1 else {}
        return Result(external_id=posts[0], url=url, extra=extra)
