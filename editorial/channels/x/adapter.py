"""X (Twitter), through its API v2 with httpx: OAuth 2.0 user-context tokens, images
with their alt text, posts counted as X counts them (text.py).

Publishing is three steps: each image is uploaded (`POST /2/media/upload`, multipart,
`media_category=tweet_image`), given its alt text (`POST /2/media/metadata`), then the
post is made (`POST /2/tweets`) with the media ids. An upload that fails publishes
nothing (an unattached upload is never shown and X expires it), so only the post can
be uncertain.

X does not dedupe on an idempotency key (`honours_idempotency_key` is False): after an
uncertain send the publisher asks `find_published`, which reads the account's posts
since the publication was made (`GET /2/users/:id/tweets`) for its exact text. X
itself refuses the same text twice in a row ("duplicate content", 403): a send
refused so is looked up too, and is ours when it is there.

Why httpx and not tweepy: tweepy's `Client` has no v2 media upload (tweepy/tweepy#2217
is open), and the error mapping is X's status codes either way.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Sequence

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

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
from editorial.channels.oauth import network_setting
from editorial.channels.x import text as x_text
from editorial.channels.x.api import DuplicatePost, call, data, json_body
from editorial.channels.x.config import XConfig
from editorial.channels.x.oauth import XOAuth, me
from editorial.messages import message
from editorial.models import Network

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
# How many of the account's posts `find_published` reads: pages of the API's maximum.
PAGE, PAGES = 100, 5
# Posts looked for from this long before the publication was made (clocks differ).
CLOCK_MARGIN = dt.timedelta(minutes=5)


def api_url() -> str:
    return network_setting("x", "api_url", "https://api.x.com").rstrip("/")


def _image_kind(path: str) -> tuple[str | None, bool]:
    """Pillow's name for the image's format (from its header) and whether it is
    animated; (None, False) when it is not an image."""
    try:
        with default_storage.open(path, "rb") as file, PILImage.open(file) as picture:
            return picture.format, bool(getattr(picture, "is_animated", False))
    except (UnidentifiedImageError, OSError, PILImage.DecompressionBombError):
        return None, False


class XAdapter(ChannelAdapter):
    network = Network.X
    text_limit = x_text.LIMIT  # weighted (text.py)
    media_limit = 4  # images; a GIF or a video goes alone, and Cadence sends images only
    image_size_limit = 5 * 1024 * 1024  # bytes, per image (docs.x.com, "Media")
    gif_size_limit = 15 * 1024 * 1024  # an animated GIF, which goes alone
    alt_text_limit = 1000  # characters (`POST /2/media/metadata`)
    config = XConfig
    honours_idempotency_key = False
    checks_connection = True
    oauth = XOAuth(
        network=Network.X,
        authorize_url="https://x.com/i/oauth2/authorize",
        token_url="https://api.x.com/2/oauth2/token",
        scopes=("tweet.read", "tweet.write", "users.read", "offline.access", "media.write"),
        pkce=True,
        # X's token endpoint authenticates a confidential client by HTTP Basic.
        token_auth="client_secret_basic",
    )

    # --- rules ---------------------------------------------------------------------

    def text_length(self, text: str) -> int:
        return x_text.weighted_length(text)

    def validate_images(self, images: Sequence[Image]) -> list[str]:
        """What X would refuse in the images: not JPEG/PNG/WebP/GIF, over 5 MB (15 MB
        for an animated GIF, which must go alone), alt text over 1000 characters. (No
        alt text at all: `content.content_problems`, for every network.)"""
        problems = []
        for number, image in enumerate(images, 1):
            values = {"channel": self.channel, "number": number}
            if len(image.alt_text) > self.alt_text_limit:
                problems.append(
                    _(
                        "%(channel)s accepts alt text up to %(limit)s characters; "
                        "image %(number)s has %(length)s."
                    )
                    % {**values, "limit": self.alt_text_limit, "length": len(image.alt_text)}
                )
            try:
                size = default_storage.size(image.path)
            except OSError:
                problems.append(_("%(channel)s: image %(number)s cannot be read.") % values)
                continue
            kind, animated = _image_kind(image.path)
            limit = self.gif_size_limit if animated else self.image_size_limit
            if size > limit:
                problems.append(
                    _(
                        "%(channel)s accepts images up to %(limit)s bytes; "
                        "image %(number)s has %(size)s."
                    )
                    % {**values, "limit": limit, "size": size}
                )
            elif kind not in IMAGE_TYPES:
                problems.append(
                    _(
                        "%(channel)s shows JPEG, PNG, WebP and GIF images; "
                        "image %(number)s is not one."
                    )
                    % values
                )
            elif animated and len(images) > 1:
                problems.append(
                    _("%(channel)s takes an animated GIF alone; image %(number)s is one.") % values
                )
        return problems

    # --- the account -----------------------------------------------------------------

    def _token(self) -> str:
        """The access token, refreshed first when it is about to expire: X's last two
        hours, so most sends of a connected channel go through a refresh now and then."""
        return self.oauth.fresh_access_token(self.channel)

    def _call(self, method: str, path: str, **kwargs):
        return call(self.channel, method, f"{api_url()}{path}", self._token(), **kwargs)

    def _account(self) -> tuple[str, str]:
        """The token's user id and username: kept in the settings by the connect flow
        or Test connection; asked of X (`/2/users/me`) when they are not."""
        kept = self.channel.settings or {}
        if kept.get("user_id") and kept.get("username"):
            return str(kept["user_id"]), str(kept["username"])
        user = me(self._token(), self.channel)
        return str(user.get("id", "")), str(user.get("username", ""))

    def check_credentials(self) -> AccountInfo:
        """Who the token posts as (`GET /2/users/me`, scope `users.read`), and when the
        token expires (the connect flow's `token_expires_at`)."""
        user = me(self._token(), self.channel)
        username = str(user.get("username") or "")
        name = str(user.get("name") or "").strip()
        return AccountInfo(
            name=f"{name} (@{username})" if name else f"@{username}",
            avatar_url=str(user.get("profile_image_url") or ""),
            url=f"https://x.com/{username}" if username else "",
            expires_at=self.channel.token_expires_at,
            settings={"user_id": str(user.get("id") or ""), "username": username},
        )

    # --- publishing ----------------------------------------------------------------

    def publish(self, outgoing: Outgoing) -> Result:
        self._token()  # not connected: refused before anything is uploaded
        problems = self.validate(outgoing.text, len(outgoing.images))
        problems += self.validate_images(outgoing.images)
        if any(not image.alt_text.strip() for image in outgoing.images):
            problems.append(str(message("alt_text_missing", channel=self.channel)))
        if problems:
            raise PermanentError(" ".join(problems))
        media_ids = [self._upload(image) for image in outgoing.images]
        body: dict = {"text": outgoing.text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        try:
            response = self._call("POST", "/2/tweets", json=body, publishes=True)
        except DuplicatePost:
            # Refused as already posted: by an earlier attempt of this publication?
            found = self.find_published(outgoing)
            if found is None:
                raise
            return found
        try:
            post = data(self.channel, response)
        except PermanentError:
            post = {}  # it was posted (2xx) even if its answer cannot be read
        return self._result(str(post.get("id") or ""), outgoing)

    def _upload(self, image: Image) -> str:
        with default_storage.open(image.path, "rb") as file:
            content = file.read()
        kind = mimetypes.guess_type(image.path)[0] or "application/octet-stream"
        name = image.path.rsplit("/", 1)[-1]
        category = "tweet_gif" if _image_kind(image.path)[1] else "tweet_image"
        response = self._call(
            "POST",
            "/2/media/upload",
            files={"media": (name, content, kind)},
            data={"media_category": category, "media_type": kind},
        )
        media_id = str(data(self.channel, response).get("id") or "")
        if not media_id:
            raise TransientError(message("media_not_ready", channel=self.channel))
        self._call(
            "POST",
            "/2/media/metadata",
            json={"id": media_id, "metadata": {"alt_text": {"text": image.alt_text}}},
        )
        return media_id

    def _result(self, post_id: str, outgoing: Outgoing) -> Result:
        try:
            username = self._account()[1]
        except (TransientError, PermanentError):
            username = ""  # it went out: its address can be made without the name
        if not post_id:
            return Result(external_id=str(outgoing.idempotency_key)[:200])
        url = f"https://x.com/{username or 'i/web'}/status/{post_id}"
        return Result(external_id=post_id, url=url)

    # --- was it published? ------------------------------------------------------------

    def find_published(self, outgoing: Outgoing) -> Result | None:
        """Read, never write: the account's posts since the publication was made
        (`GET /2/users/:id/tweets`, newest first, up to PAGES pages), looking for this
        exact text. None (did not go out) when every post since then was read and it
        is not there; `UncertainError` when the look-up cannot be made or read."""
        from editorial.models import Publication

        created = (
            Publication.objects.filter(pk=outgoing.publication_id)
            .values_list("created_at", flat=True)
            .first()
        )
        try:
            user_id = self._account()[0]
            return self._search(user_id, outgoing, created)
        except (TransientError, PermanentError) as exc:
            raise UncertainError(exc.message) from exc

    def _search(self, user_id: str, outgoing: Outgoing, created) -> Result | None:
        wanted = x_text.comparable(outgoing.text)
        params = {"max_results": PAGE, "tweet.fields": "created_at", "exclude": "retweets"}
        if created is not None:
            since = (created - CLOCK_MARGIN).astimezone(dt.UTC)
            params["start_time"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        for _page in range(PAGES):
            body = json_body(
                self.channel, self._call("GET", f"/2/users/{user_id}/tweets", params=params)
            )
            posts = body.get("data") or []
            if not isinstance(posts, list):
                raise UncertainError(message("cannot_tell", channel=self.channel))
            for post in posts:
                if isinstance(post, dict) and self._same(post, wanted, outgoing):
                    return self._result(str(post.get("id") or ""), outgoing)
            token = (body.get("meta") or {}).get("next_token")
            if not token:
                return None  # every post since the publication was made was read
            params["pagination_token"] = token
        raise UncertainError(message("cannot_tell", channel=self.channel))

    def _same(self, post: dict, wanted: str, outgoing: Outgoing) -> bool:
        shown = str(post.get("text") or "")
        return x_text.comparable(shown, media=bool(outgoing.images)) == wanted
