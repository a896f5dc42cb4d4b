"""Instagram professional accounts, through the Graph API with httpx (Instagram API with
Facebook Login: the account is linked to a Facebook Page, whose token publishes).

Publishing is Instagram's two steps. First a container: `POST /{ig-user-id}/media` with
the image's address (`image_url`, which Instagram fetches: a signed link Cadence serves,
see `media.py`), the caption and the alt text; for several images one container per
image (`is_carousel_item`) then a `CAROUSEL` container naming them. The container's
`status_code` is polled until `FINISHED` (bounded; `ERROR` is a refusal, `EXPIRED`
worth another try). Then `POST /{ig-user-id}/media_publish` with its id: the only
request that makes anything public, hence the only uncertain one; Instagram keeps no
idempotency key, so an uncertain publish is looked for among the account's latest
media (`find_published`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from editorial.channels.base import (
    AccountInfo,
    Image,
    Outgoing,
    PermanentError,
    PublishError,
    Result,
    TransientError,
    UncertainError,
)
from editorial.channels.graph.adapter import GraphAdapter
from editorial.channels.graph.lookup import settle
from editorial.channels.graph.oauth import (
    AUTHORIZE_URL,
    INSTAGRAM_SCOPES,
    TOKEN_URL,
    MetaOAuthProvider,
)
from editorial.channels.instagram.config import InstagramConfig
from editorial.channels.instagram.media import public_image_url
from editorial.messages import message
from editorial.models import Network

# What Cadence keeps and can serve to Instagram as JPEG (media.py converts the others).
READABLE = {"JPEG", "PNG", "WEBP", "GIF"}
# A hashtag as Instagram finds one: `#` starting a word, then letters, digits or `_`.
HASHTAG = re.compile(r"(?<![\w#&])#\w+")
# The feed's aspect ratios, width / height: from 4:5 (portrait) to 1.91:1 (landscape),
# as whole-number fractions so that the boundaries are exact.
RATIO_MIN = (4, 5)
RATIO_MAX = (191, 100)
RECENT = 50  # the account's latest media `find_published` reads


def dimensions(path: str) -> tuple[str | None, int, int]:
    """The image's format and size in pixels, from its header."""
    try:
        with default_storage.open(path, "rb") as file, PILImage.open(file) as picture:
            return picture.format, picture.width, picture.height
    except (UnidentifiedImageError, OSError, PILImage.DecompressionBombError):
        return None, 0, 0


def ratio_fits(width: int, height: int) -> bool:
    low, high = RATIO_MIN, RATIO_MAX
    return width * low[1] >= height * low[0] and width * high[1] <= height * high[0]


class InstagramAdapter(GraphAdapter):
    network = Network.INSTAGRAM
    account_setting = "ig_user_id"
    text_limit = 2200
    media_limit = 10
    hashtag_limit = 30
    image_size_limit = 8 * 1024 * 1024
    config = InstagramConfig
    honours_idempotency_key = False
    checks_connection = True
    oauth = MetaOAuthProvider(
        network=Network.INSTAGRAM,
        authorize_url=AUTHORIZE_URL,
        token_url=TOKEN_URL,
        scopes=INSTAGRAM_SCOPES,
        instagram=True,
    )

    # --- rules ------------------------------------------------------------------------

    def validate(self, text: str, image_count: int) -> list[str]:
        problems = super().validate(text, image_count)
        hashtags = len(HASHTAG.findall(text))
        if hashtags > self.hashtag_limit:
            problems.append(
                _("%(channel)s accepts %(limit)s hashtags, the text has %(count)s.")
                % {"channel": self.channel, "limit": self.hashtag_limit, "count": hashtags}
            )
        if image_count < 1:
            problems.append(
                _("%(channel)s: Instagram needs at least one image.") % {"channel": self.channel}
            )
        return problems

    def validate_images(self, images: Sequence[Image]) -> list[str]:
        problems = []
        if images and not getattr(settings, "CADENCE_PUBLIC_URL", ""):
            problems.append(
                _(
                    "%(channel)s fetches images from Cadence's public address: set "
                    "CADENCE_PUBLIC_URL."
                )
                % {"channel": self.channel}
            )
        for number, image in enumerate(images, 1):
            problems += self._image_problems(number, image)
        return problems

    def _image_problems(self, number: int, image: Image) -> list[str]:
        values = {"channel": self.channel, "number": number}
        try:
            size = default_storage.size(image.path)
        except OSError:
            return [_("%(channel)s: image %(number)s cannot be read.") % values]
        if size > self.image_size_limit:
            values.update(limit=self.image_size_limit, size=size)
            return [
                _(
                    "%(channel)s accepts images up to %(limit)s bytes; "
                    "image %(number)s has %(size)s."
                )
                % values
            ]
        kind, width, height = dimensions(image.path)
        if kind not in READABLE:
            return [
                _("%(channel)s shows JPEG, PNG, WebP and GIF images; image %(number)s is not one.")
                % values
            ]
        if not ratio_fits(width, height):
            values.update(width=width, height=height)
            return [
                _(
                    "%(channel)s shows images from 4:5 (portrait) to 1.91:1 (landscape); "
                    "image %(number)s is %(width)s × %(height)s pixels."
                )
                % values
            ]
        return []

    # --- the account ------------------------------------------------------------------

    def check_credentials(self) -> AccountInfo:
        """The account the token publishes as (`GET /{ig-user-id}`)."""
        account = self._call(
            "GET",
            f"/{self.account_id}",
            params={"fields": "id,username,name,profile_picture_url"},
        )
        username = str(account.get("username") or self.account_id)
        name = str(account.get("name") or "").strip()
        return AccountInfo(
            name=f"{name} (@{username})" if name else f"@{username}",
            avatar_url=str(account.get("profile_picture_url") or ""),
            url=f"https://www.instagram.com/{username}/",
        )

    # --- publishing -------------------------------------------------------------------

    def publish(self, outgoing: Outgoing) -> Result:
        self._token()  # not connected: refused before anything is made
        problems = self.validate(outgoing.text, len(outgoing.images))
        if any(not image.alt_text.strip() for image in outgoing.images):
            problems.append(str(message("alt_text_missing", channel=self.channel)))
        problems += self.validate_images(outgoing.images)
        if problems:
            raise PermanentError(" ".join(problems))
        images = outgoing.images
        if len(images) == 1:
            container = self._container(
                image_url=public_image_url(images[0].path),
                caption=outgoing.text,
                alt_text=images[0].alt_text,
            )
        else:
            children = [
                self._container(
                    image_url=public_image_url(image.path),
                    is_carousel_item="true",
                    alt_text=image.alt_text,
                )
                for image in images
            ]
            container = self._container(
                media_type="CAROUSEL", children=",".join(children), caption=outgoing.text
            )
        self._wait_for(container)
        published = self._call(
            "POST",
            f"/{self.account_id}/media_publish",
            data={"creation_id": container},
            publishes=True,
        )
        media_id = str(published.get("id") or "")
        if not media_id:
            # Published (2xx) but unnamed: the publisher's look-up finds it by its caption.
            raise UncertainError(
                message("answered", channel=self.channel, status=200, text="no media id")
            )
        return Result(external_id=media_id[:200], url=self._permalink(media_id))

    def _container(self, **fields) -> str:
        container = self._call("POST", f"/{self.account_id}/media", data=fields)
        container_id = str(container.get("id") or "")
        if not container_id:
            raise TransientError(
                message("answered", channel=self.channel, status=200, text="no container id")
            )
        return container_id

    def _wait_for(self, container_id: str) -> None:
        """Until Instagram has fetched and processed the images: `FINISHED`. Nothing is
        public before `media_publish`, so giving up is transient."""
        wait = float(getattr(settings, "INSTAGRAM_CONTAINER_WAIT_SECONDS", 60))
        deadline = time.monotonic() + wait
        pause = 0.25
        while True:
            state = self._call("GET", f"/{container_id}", params={"fields": "status_code,status"})
            code = str(state.get("status_code") or "")
            if code == "FINISHED":
                return
            if code == "ERROR":
                text = str(state.get("status") or "ERROR")[:300]
                raise PermanentError(
                    message("answered", channel=self.channel, status=200, text=text)
                )
            if code == "EXPIRED" or time.monotonic() + pause > deadline:
                raise TransientError(message("media_not_ready", channel=self.channel))
            time.sleep(pause)  # Instagram's own processing: nothing to wait on
            pause = min(pause * 2, 5.0)

    def _permalink(self, media_id: str) -> str:
        try:
            media = self._call("GET", f"/{media_id}", params={"fields": "permalink"})
        except PublishError:  # it went out: its address is a nicety
            return ""
        return _url(media.get("permalink"))

    # --- was it published? --------------------------------------------------------------

    def find_published(self, outgoing: Outgoing) -> Result | None:
        """Read, never write: the account's latest media
        (`GET /{ig-user-id}/media?fields=caption,permalink,timestamp`)."""
        body = self._call(
            "GET",
            f"/{self.account_id}/media",
            params={"fields": "id,caption,permalink,timestamp", "limit": RECENT},
        )
        found = settle(
            self.channel,
            outgoing,
            body.get("data") or [],
            limit=RECENT,
            text_key="caption",
            time_key="timestamp",
        )
        if found is None:
            return None
        return Result(
            external_id=str(found.get("id") or "")[:200], url=_url(found.get("permalink"))
        )


def _url(value) -> str:
    if isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) <= 500:
        return value
    return ""
