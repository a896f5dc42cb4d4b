"""Uploaded images, made safe before anything keeps them.

An upload is trusted for nothing: not its name, not its declared type. It is refused
over `IMAGE_UPLOAD_MAX_BYTES` before being read, identified from its bytes (JPEG, PNG,
WebP or GIF: an SVG, an HTML page renamed `.png`, anything else is refused), refused
over `IMAGE_UPLOAD_MAX_PIXELS` from its header alone, before any pixel is decoded (a
small file can declare 20,000 × 20,000 pixels: a decompression bomb), then decoded and
written again: turned upright as its EXIF orientation says, converted to sRGB from an
embedded colour profile, and saved without any metadata (EXIF with its GPS position,
XMP, ICC profile, comments). What is kept, hashed, approved and published are those new
bytes, under a random name.
"""

from __future__ import annotations

import io
import secrets
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, ImageSequence, UnidentifiedImageError

# Pillow's format name -> the extension and media type the stored file gets.
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}
# Visually lossless, and what the networks re-compress to anyway.
QUALITY = 90
ORIENTATION = 0x0112  # the EXIF tag

NOT_AN_IMAGE = _("This file is not a JPEG, PNG, WebP or GIF image.")
UNREADABLE = _("This image cannot be read: the file is damaged or incomplete.")


def refuse(text, code: str, **params) -> ValidationError:
    return ValidationError(text, code=code, params=params or None)


def open_checked(file) -> Image.Image:
    """The image `file` holds, identified from its content and within the pixel limit,
    its header read but no pixel decoded yet; `ValidationError` otherwise."""
    limit = settings.IMAGE_UPLOAD_MAX_PIXELS
    # Pillow's own guard, for every image the process opens (the Bluesky adapter's too):
    # a warning past the limit, an error past twice the limit.
    Image.MAX_IMAGE_PIXELS = limit
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # Past the limit is a refusal here, not a warning in the logs.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(file, formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels(limit) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise refuse(NOT_AN_IMAGE, "not_an_image") from None
    width, height = picture.size
    if width * height > limit:
        raise too_many_pixels(limit)
    try:
        frames = getattr(picture, "n_frames", 1)
    except (OSError, ValueError, EOFError, SyntaxError):
        raise refuse(UNREADABLE, "unreadable") from None
    if width * height * frames > limit:
        raise refuse(
            _(
                "This animation has too many images for its size: at most %(limit)s million "
                "pixels in all."
            ),
            "too_many_pixels",
            limit=_millions(limit),
        )
    return picture


def too_many_pixels(limit: int) -> ValidationError:
    return refuse(
        _("This image has too many pixels: at most %(limit)s million."),
        "too_many_pixels",
        limit=_millions(limit),
    )


def _millions(pixels: int) -> str:
    return f"{pixels / 1_000_000:g}"


def sanitize(upload) -> ContentFile:
    """The upload decoded and re-encoded without metadata, under a random name with the
    extension of its real format; `ValidationError` (in words) when refused."""
    limit = settings.IMAGE_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise refuse(
            _("This file is too large: at most %(limit)s MB."),
            "too_large",
            limit=f"{limit / 1024 / 1024:g}",
        )
    picture = open_checked(upload)
    extension, _kind = FORMATS[picture.format]
    try:
        with picture:
            content = _reencode(picture)
    except (OSError, ValueError, EOFError, SyntaxError, Image.DecompressionBombError):
        raise refuse(UNREADABLE, "unreadable") from None
    return ContentFile(content, name=f"{secrets.token_urlsafe(16)}.{extension}")


def _reencode(picture: Image.Image) -> bytes:
    kind = picture.format
    frames, durations = [], []
    for frame in ImageSequence.Iterator(picture):
        durations.append(frame.info.get("duration", 100))
        frames.append(_clean(frame))
    out = io.BytesIO()
    first, rest = frames[0], frames[1:]
    if kind == "JPEG":
        first.save(out, "JPEG", quality=QUALITY, optimize=True)
    elif kind == "PNG":
        first.save(out, "PNG", optimize=True)
    elif rest:  # an animated GIF or WebP stays animated
        loop = picture.info.get("loop", 0)
        first.save(
            out,
            kind,
            save_all=True,
            append_images=rest,
            duration=durations,
            loop=loop,
            quality=QUALITY,
        )
    else:
        first.save(out, kind, quality=QUALITY)
    return out.getvalue()


def _clean(frame: Image.Image) -> Image.Image:
    """One frame upright, in sRGB, in a mode every format writes (RGB, RGBA or L), and
    with no metadata: a new image whose `info` is empty, so that no encoder finds EXIF,
    XMP, a profile or a comment to write."""
    frame.load()
    upright = frame
    if frame.getexif().get(ORIENTATION, 1) != 1:
        upright = ImageOps.exif_transpose(frame)
    icc = frame.info.get("icc_profile")
    alpha = upright.has_transparency_data
    mode = "RGBA" if alpha else "RGB"
    if upright.mode in ("L", "1") and not alpha and not icc:
        mode = "L"
    pixels = _to_srgb(upright, icc, mode) if icc else None
    if pixels is None or pixels is upright:
        pixels = upright.convert(mode)  # always a new image, even in the same mode
    pixels.info = {}
    return pixels


def _to_srgb(picture: Image.Image, icc: bytes, mode: str) -> Image.Image | None:
    """The pixels converted from their embedded profile to sRGB, or None if the profile
    cannot be used (the pixels are then taken as they are)."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if picture.mode not in ("RGB", "RGBA", "CMYK", "L"):
            picture = picture.convert(mode)
        if mode == "L" or picture.mode in ("CMYK", "L"):
            mode = "RGB"
        srgb = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(picture, source, srgb, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None


def media_type(file) -> str | None:
    """The media type of a stored image, read from its first bytes (its signature, not
    its name); None for anything that is not an image of the accepted formats."""
    file.seek(0)
    head = file.read(12)
    file.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    return None
