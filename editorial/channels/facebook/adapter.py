"""Facebook Pages, through the Graph API with httpx (no maintained Python client covers
Pages publishing; the SDK Meta once had is archived).

A post without images is one request, `POST /{page-id}/feed` (`message`, `link`). With
images, each is uploaded first, unpublished, with its alt text (`POST /{page-id}/photos`,
`published=false`, `alt_text_custom`), then the feed post names them (`attached_media`):
an unpublished photo is never shown, so only the feed post can be uncertain. Meta keeps
no idempotency key: an uncertain post is looked for among the Page's latest
(`find_published`).
"""

from __future__ import annotations

from collections.abc import Sequence

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
    UncertainError,
)
from editorial.channels.facebook.config import FacebookConfig
from editorial.channels.graph.adapter import GraphAdapter
from editorial.channels.graph.lookup import settle
from editorial.channels.graph.oauth import (
    AUTHORIZE_URL,
    PAGE_SCOPES,
    TOKEN_URL,
    MetaOAuthProvider,
)
from editorial.messages import message
from editorial.models import Network

# Pillow's format name -> media type: what a Page photo may be among what Cadence keeps.
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
RECENT = 50  # the Page's latest posts `find_published` reads


def image_format(path: str) -> str | None:
    """Pillow's name for the image's format (its header only), or None."""
    try:
        with default_storage.open(path, "rb") as file, PILImage.open(file) as picture:
            return picture.format
    except (UnidentifiedImageError, OSError, PILImage.DecompressionBombError):
        return None


class FacebookAdapter(GraphAdapter):
    network = Network.FACEBOOK
    account_setting = "page_id"
    text_limit = 63206
    media_limit = 10
    image_size_limit = 4 * 1024 * 1024  # Meta: a Page photo "should be less than 4MB"
    config = FacebookConfig
    honours_idempotency_key = False
    checks_connection = True
    oauth = MetaOAuthProvider(
        network=Network.FACEBOOK,
        authorize_url=AUTHORIZE_URL,
        token_url=TOKEN_URL,
        scopes=PAGE_SCOPES,
    )

    # --- rules ------------------------------------------------------------------------

    def validate_images(self, images: Sequence[Image]) -> list[str]:
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
            elif image_format(image.path) not in IMAGE_TYPES:
                problems.append(
                    _(
                        "%(channel)s shows JPEG, PNG, WebP and GIF images; "
                        "image %(number)s is not one."
                    )
                    % values
                )
        return problems

    # --- the Page ---------------------------------------------------------------------

    def check_credentials(self) -> AccountInfo:
        """The Page the token publishes as (`GET /{page-id}`): its name, picture and
        address. A Page token from a long-lived user token does not expire."""
        page = self._call(
            "GET", f"/{self.account_id}", params={"fields": "id,name,link,picture{url}"}
        )
        picture = (page.get("picture") or {}).get("data") or {}
        return AccountInfo(
            name=str(page.get("name") or self.account_id),
            avatar_url=str(picture.get("url") or ""),
            url=str(page.get("link") or f"https://www.facebook.com/{self.account_id}"),
        )

    # --- publishing -------------------------------------------------------------------

    def publish(self, outgoing: Outgoing) -> Result:
        self._token()  # not connected: refused before anything is uploaded
        problems = self.validate(outgoing.text, len(outgoing.images))
        if any(not image.alt_text.strip() for image in outgoing.images):
            problems.append(str(message("alt_text_missing", channel=self.channel)))
        problems += self.validate_images(outgoing.images)
        if problems:
            raise PermanentError(" ".join(problems))
        photos = [self._upload(image) for image in outgoing.images]
        fields = {"message": outgoing.text}
        if outgoing.link:
            fields["link"] = outgoing.link
        for number, photo in enumerate(photos):
            fields[f"attached_media[{number}]"] = f'{{"media_fbid":"{photo}"}}'
        post = self._call("POST", f"/{self.account_id}/feed", data=fields, publishes=True)
        post_id = str(post.get("id") or "")
        if not post_id:
            # Published (2xx) but unnamed: the publisher's look-up finds it by its text.
            raise UncertainError(
                message("answered", channel=self.channel, status=200, text="no post id")
            )
        return Result(external_id=post_id[:200], url=self._permalink(post_id))

    def _upload(self, image: Image) -> str:
        with default_storage.open(image.path, "rb") as file:
            content = file.read()
        kind = IMAGE_TYPES.get(image_format(image.path) or "", "application/octet-stream")
        name = image.path.rsplit("/", 1)[-1]
        photo = self._call(
            "POST",
            f"/{self.account_id}/photos",
            data={"published": "false", "alt_text_custom": image.alt_text},
            files={"source": (name, content, kind)},
        )
        photo_id = str(photo.get("id") or "")
        if not photo_id:
            raise PermanentError(
                message("answered", channel=self.channel, status=200, text="no photo id")
            )
        return photo_id

    def _permalink(self, post_id: str) -> str:
        fallback = f"https://www.facebook.com/{post_id}"
        try:
            post = self._call("GET", f"/{post_id}", params={"fields": "permalink_url"})
        except PublishError:  # it went out: its address is a nicety
            return fallback
        return _url(post.get("permalink_url")) or fallback

    # --- was it published? --------------------------------------------------------------

    def find_published(self, outgoing: Outgoing) -> Result | None:
        """Read, never write: the Page's latest posts
        (`GET /{page-id}/posts?fields=message,created_time,permalink_url`)."""
        body = self._call(
            "GET",
            f"/{self.account_id}/posts",
            params={"fields": "id,message,created_time,permalink_url", "limit": RECENT},
        )
        found = settle(
            self.channel,
            outgoing,
            body.get("data") or [],
            limit=RECENT,
            text_key="message",
            time_key="created_time",
        )
        if found is None:
            return None
        post_id = str(found.get("id") or "")
        url = _url(found.get("permalink_url")) or f"https://www.facebook.com/{post_id}"
        return Result(external_id=post_id[:200], url=url)


def _url(value) -> str:
    if isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) <= 500:
        return value
    return ""
