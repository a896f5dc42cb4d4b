"""Files for the upload tests: real images, and the things an attacker sends instead."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

PARIS = (48.0, 51.0, 24.3)  # 48° 51' 24.3" N


def png(name: str = "affiche.png", size=(4, 4), color="navy") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def jpeg_with_gps(size=(40, 20)) -> bytes:
    """A JPEG as a phone writes it: the camera's make, where it was taken (GPS), a
    comment, and an orientation saying the pixels are to be turned a quarter."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Téléphone de service"
    exif[ExifTags.Base.Orientation] = 6  # turn 90° clockwise to show
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = PARIS
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 7.0)
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "JPEG", exif=exif, comment=b"commissariat central")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid black-and-white PNG of width × height pixels, a few dozen kilobytes
    long: decoded, 400 million pixels (a decompression bomb)."""
    row = b"\0" + bytes((width + 7) // 8)  # filter byte, then 1 bit per pixel
    packer = zlib.compressobj(9)
    rows = [packer.compress(row * 1000) for _ in range(height // 1000)]
    data = b"".join(rows) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


HTML_AS_PNG = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.domain)</script><rect width='10' height='10'/></svg>"
)
