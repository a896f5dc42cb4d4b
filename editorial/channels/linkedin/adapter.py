"""LinkedIn organisation pages, through LinkedIn's versioned REST API with httpx (the
Community Management API: Posts, Images, Organizations).

Publishing is two steps. Each image is uploaded (`POST /rest/images?action=
initializeUpload` with the page as owner, then its bytes `PUT` to the upload URL
LinkedIn gave) and waited for until LinkedIn says it is `AVAILABLE`; then the post is
created (`POST /rest/posts`: the page as author, the commentary escaped as little text,
one image as `content.media`, several as `content.multiImage`, each with its alt text),
whose URN comes back in the `x-restli-id` header. An image that fails publishes
nothing (an image no post uses is never shown), so only the post can be uncertain.
LinkedIn has no idempotency key: after an uncertain post, `find_published` reads the
page's latest posts for the exact text.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.conf import settings
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
from editorial.channels.linkedin import organizations
from editorial.channels.linkedin import text as little
from editorial.channels.linkedin.config import LinkedInConfig
from editorial.channels.linkedin.http import api_url, call, json_body, urn_path
from editorial.channels.linkedin.oauth import OAUTH
from editorial.messages import message
from editorial.models import Network

WRITE, READ = "w_organization_social", "r_organization_social"
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}
# How many of the page's latest posts `find_published` reads.
RECENT = 50
CLOCK_LEEWAY = 60  # seconds


def _image_facts(path: str) -> tuple[str | None, int, int]:
    """(Pillow's format name, pixels, frames), reading no more than needed."""
    try:
        with default_storage.open(path, "rb") as file, PILImage.open(file) as picture:
            width, height = picture.size
            return picture.format, width * height, getattr(picture, "n_frames", 1)
    except (UnidentifiedImageError, OSError, PILImage.DecompressionBombError):
        return None, 0, 0


class LinkedInAdapter(ChannelAdapter):
    network = Network.LINKEDIN
    text_limit = 3000  # UTF-16 code units of the escaped commentary (`text.length`)
    media_limit = 20  # a multiImage post: 2 to 20
    alt_text_limit = 4086  # the Posts API's `altText`
    pixel_limit = 36_152_320  # the Images API: width x height below this
    gif_frame_limit = 250
    config = LinkedInConfig
    checks_connection = True
    oauth = OAUTH

    # --- rules ----------------------------------------------------------------------

    def text_length(self, text: str) -> int:
        return little.length(text)

    def validate_images(self, images: Sequence[Image]) -> list[str]:
        """What LinkedIn's Images and Posts APIs would refuse in the images: a type
        other than JPEG, PNG or GIF, too many pixels or GIF frames, alt text too long."""
        problems = []
        for number, image in enumerate(images, 1):
            values = {"channel": self.channel, "number": number}
            alt_length = little.utf16_length(image.alt_text)
            if alt_length > self.alt_text_limit:
                problems.append(
                    _(
                        "%(channel)s accepts alt text up to %(limit)s characters; "
                        "image %(number)s has %(length)s."
                    )
                    % {**values, "limit": self.alt_text_limit, "length": alt_length}
                )
            kind, pixels, frames = _image_facts(image.path)
            if kind not in IMAGE_TYPES:
                problems.append(
                    _("%(channel)s shows JPEG, PNG and GIF images; image %(number)s is not one.")
                    % values
                )
            elif pixels >= self.pixel_limit:
                problems.append(
                    _(
                        "%(channel)s accepts images under %(limit)s pixels; "
                        "image %(number)s has %(pixels)s."
                    )
                    % {**values, "limit": self.pixel_limit, "pixels": pixels}
                )
            elif kind == "GIF" and frames > self.gif_frame_limit:
                problems.append(
                    _(
                        "%(channel)s accepts GIFs of up to %(limit)s frames; "
                        "image %(number)s has %(frames)s."
                    )
                    % {**values, "limit": self.gif_frame_limit, "frames": frames}
                )
        return problems

    # --- the page -------------------------------------------------------------------

    @property
    def organization(self) -> str:
        return str((self.channel.settings or {}).get("organization_urn") or "")

    def _token(self) -> str:
        """The access token, refreshed first when it is about to expire (sixty days)."""
        if not self.organization.startswith(organizations.PREFIX):
            raise PermanentError(message("channel_not_connected", channel=self.channel))
        return self.oauth.fresh_access_token(self.channel)

    def _call(self, method: str, path: str, **kwargs):
        return call(self.channel, method, f"{api_url()}{path}", self._token(), **kwargs)

    def check_credentials(self) -> AccountInfo:
        """The page the channel posts as (`GET /rest/organizations/{id}`: its name,
        logo and address), and when the token expires (kept by the connect flow)."""
        page = organizations.read_one(self.channel, self._token(), self.organization)
        return AccountInfo(
            name=page.name,
            avatar_url=page.logo_url,
            url=page.page_url,
            expires_at=self.channel.token_expires_at,
        )

    # --- publishing -----------------------------------------------------------------

    def publish(self, outgoing: Outgoing) -> Result:
        self._token()  # not connected: refused before anything is uploaded
        problems = self.validate(outgoing.text, len(outgoing.images))
        if any(not image.alt_text.strip() for image in outgoing.images):
            problems.append(str(message("alt_text_missing", channel=self.channel)))
        problems += self.validate_images(outgoing.images)
        if problems:
            raise PermanentError(" ".join(problems))
        media = [
            {"id": self._upload(image), "altText": image.alt_text} for image in outgoing.images
        ]
        post = {
            "author": self.organization,
            "commentary": little.escape(outgoing.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(media) == 1:
            post["content"] = {"media": media[0]}
        elif media:
            post["content"] = {"multiImage": {"images": media}}
        response = self._call("POST", "/rest/posts", json=post, scope=WRITE, publishes=True)
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            try:
                urn = str(json_body(self.channel, response).get("id") or "")
            except PermanentError:
                urn = ""  # it was posted (2xx) even if its answer says not as what
        return _result(urn, fallback=str(outgoing.idempotency_key))

    def _upload(self, image: Image) -> str:
        answer = self._call(
            "POST",
            "/rest/images?action=initializeUpload",
            json={"initializeUploadRequest": {"owner": self.organization}},
            scope=WRITE,
        )
        value = json_body(self.channel, answer).get("value") or {}
        upload_url, urn = value.get("uploadUrl"), value.get("image")
        if not isinstance(upload_url, str) or not isinstance(urn, str):
            raise PermanentError(
                message(
                    "answered",
                    channel=self.channel,
                    status=answer.status_code,
                    text="no upload URL",
                )
            )
        with default_storage.open(image.path, "rb") as file:
            content = file.read()
        kind, _pixels, _frames = _image_facts(image.path)
        call(
            self.channel,
            "PUT",
            upload_url,
            self._token(),
            content=content,
            headers={"Content-Type": IMAGE_TYPES.get(kind or "", "application/octet-stream")},
            rest=False,
            scope=WRITE,
        )
        self._wait_for(urn)
        return urn

    def _wait_for(self, urn: str) -> None:
        """Until LinkedIn has processed the image (`GET /rest/images/{urn}`: `status`
        `AVAILABLE`; `PROCESSING_FAILED` is final)."""
        deadline = time.monotonic() + float(getattr(settings, "LINKEDIN_MEDIA_WAIT_SECONDS", 30))
        pause = 0.2
        while True:
            body = json_body(self.channel, self._call("GET", f"/rest/images/{urn_path(urn)}"))
            status = body.get("status")
            if status == "AVAILABLE":
                return
            if status == "PROCESSING_FAILED":
                reason = str(body.get("processingFailureReason") or status)
                raise PermanentError(message("media_failed", channel=self.channel, text=reason))
            if time.monotonic() + pause > deadline:
                raise TransientError(message("media_not_ready", channel=self.channel))
            time.sleep(pause)  # LinkedIn's own processing time: nothing to wait on
            pause = min(pause * 2, 2.0)

    # --- was it published? ----------------------------------------------------------

    def find_published(self, outgoing: Outgoing) -> Result | None:
        """Read, never write: the page's latest posts (`GET /rest/posts?q=author`,
        newest first), looking for this text among those made since the publication
        existed (the same words posted before it are another post). None (did not go
        out) only when the posts read reach back before the publication; otherwise,
        not found among them, `UncertainError`."""
        from editorial.models import Publication

        response = self._call(
            "GET",
            f"/rest/posts?q=author&author={urn_path(self.organization)}"
            f"&count={RECENT}&sortBy=CREATED",
            scope=READ,
        )
        posts = json_body(self.channel, response).get("elements")
        if not isinstance(posts, list):
            raise UncertainError(message("cannot_tell", channel=self.channel))
        created = (
            Publication.objects.filter(pk=outgoing.publication_id)
            .values_list("created_at", flat=True)
            .first()
        )
        # Milliseconds, as LinkedIn gives `createdAt`; a minute's leeway for clocks.
        since = (created.timestamp() - CLOCK_LEEWAY) * 1000 if created else None
        wanted = little.comparable(outgoing.text)
        for post in posts:
            if not isinstance(post, dict):
                continue
            made = post.get("createdAt")
            if since is not None and isinstance(made, int) and made < since:
                continue
            if little.comparable(little.readable(str(post.get("commentary") or ""))) == wanted:
                return _result(str(post.get("id") or ""), fallback=str(outgoing.idempotency_key))
        if len(posts) < RECENT:
            return None  # the page's whole history was read
        oldest = posts[-1].get("createdAt") if isinstance(posts[-1], dict) else None
        if since is not None and isinstance(oldest, int) and oldest < since:
            return None
        raise UncertainError(message("cannot_tell", channel=self.channel))


def _result(urn: str, *, fallback: str) -> Result:
    if not urn.startswith("urn:li:") or len(urn) > 200:
        return Result(external_id=(urn or fallback)[:200])
    return Result(external_id=urn, url=f"https://www.linkedin.com/feed/update/{urn}/")
