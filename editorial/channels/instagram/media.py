"""The address Instagram fetches a post's image from: Cadence's own, signed and short-lived.

Instagram does not take an upload; it fetches each image from a public URL when the
container is made. Cadence's images are not public before the post is (see
`editorial.views.media`), so the adapter hands Instagram a link that names exactly one
stored image, signed with the site's secret (`django.core.signing`, its own salt) and
good for an hour: anyone may fetch that image through it, nothing else, and not for
long. An unsigned, tampered or expired link is a 404, like an image that does not exist.

Instagram takes JPEG only: an image kept as PNG, WebP or GIF is served through the link
converted to JPEG (its first frame, on white where it was transparent).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

SALT = "cadence.instagram.image"
LIFETIME_SECONDS = 3600
QUALITY = 90


def public_image_url(name: str) -> str:
    """The signed address of the stored image `name` under `CADENCE_PUBLIC_URL`; "" when
    Cadence has no public address."""
    base = (getattr(settings, "CADENCE_PUBLIC_URL", "") or "").rstrip("/")
    if not base:
        return ""
    token = signing.dumps(name, salt=SALT, compress=True)
    return f"{base}{reverse('signed-image', args=[token])}"


def signed_name(token: str) -> str | None:
    """The stored image's name a link's token signs, if it is genuine and not expired."""
    try:
        name = signing.loads(token, salt=SALT, max_age=LIFETIME_SECONDS)
    except (signing.BadSignature, ValueError):  # SignatureExpired is a BadSignature
        return None
    if not isinstance(name, str) or not name.startswith("posts/") or ".." in name:
        return None
    return name


def jpeg_bytes(name: str) -> bytes | None:
    """The stored image as JPEG: its own bytes when it is one, else converted; None when
    it cannot be read."""
    try:
        with default_storage.open(name, "rb") as file:
            content = file.read()
        with PILImage.open(io.BytesIO(content)) as picture:
            if picture.format == "JPEG":
                return content
            picture.seek(0)
            frame = picture.convert("RGBA")
    except (FileNotFoundError, OSError, UnidentifiedImageError, PILImage.DecompressionBombError):
        return None
    flat = PILImage.new("RGB", frame.size, "white")
    flat.paste(frame, mask=frame.getchannel("A"))
    buffer = io.BytesIO()
    flat.save(buffer, "JPEG", quality=QUALITY)
    return buffer.getvalue()
