"""What the editor accepts as an image: images only, read from their bytes, within the
size and pixel limits, written again without their metadata under a random name, and
no more of them than any network takes."""

import hashlib
import io
import re
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageCms, ImageFile

from editorial.content import compute_content_hash
from editorial.forms.images import MAX_IMAGES
from editorial.models import Post
from tests.factories import in_days
from tests.uploads import HTML_AS_PNG, SVG_WITH_SCRIPT, jpeg_with_gps, png, png_bomb


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def editor(client, contrib_a):
    client.force_login(contrib_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def send(editor, channel, *images: SimpleUploadedFile, title="Vigilance cambriolages"):
    """The editor's form as a browser sends it, with one slot per image."""
    data = {
        "title": title,
        "body": "Fermez vos portes et fenêtres.",
        "category": "prevention",
        "channels": [channel.pk],
        "scheduled_at_0": in_days(3).strftime("%Y-%m-%dT%H:%M"),
        "campaign": "",
        "images-TOTAL_FORMS": str(len(images)),
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": str(MAX_IMAGES),
    }
    for number, image in enumerate(images):
        data[f"images-{number}-image"] = image
        data[f"images-{number}-alt_text"] = f"Image {number}"
    return editor.post(reverse("post-create"), data)


def refusal(response) -> str:
    """The error shown beside the first image's file field."""
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    found = re.search(r'id="id_images-0-image_errors"[^>]*>(.*?)</', page, re.S)
    assert found, "no error beside the image"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_an_html_page_named_png_is_refused_as_not_an_image(editor, channel_a):
    upload = SimpleUploadedFile("affiche.png", HTML_AS_PNG, content_type="image/png")
    response = send(editor, channel_a, upload)
    assert refusal(response) == "This file is not a JPEG, PNG, WebP or GIF image."
    assert not Post.objects.exists()


def test_an_svg_with_a_script_is_refused_whatever_its_name(editor, channel_a):
    for name, kind in (("logo.svg", "image/svg+xml"), ("logo.png", "image/png")):
        response = send(editor, channel_a, SimpleUploadedFile(name, SVG_WITH_SCRIPT, kind))
        assert refusal(response) == "This file is not a JPEG, PNG, WebP or GIF image."
    assert not Post.objects.exists()


def test_a_30_mb_file_is_refused_for_its_size_before_being_read(editor, channel_a, monkeypatch):
    opened = []
    monkeypatch.setattr(Image, "open", lambda *a, **k: opened.append(a) or 1 / 0)
    heavy = png().read() + bytes(30 * 1024 * 1024)
    response = send(editor, channel_a, SimpleUploadedFile("lourde.png", heavy, "image/png"))
    assert refusal(response) == "This file is too large: at most 10 MB."
    assert opened == []
    assert not Post.objects.exists()


def test_a_20000_by_20000_png_is_refused_quickly_and_never_decoded(editor, channel_a, monkeypatch):
    bomb = png_bomb(20_000, 20_000)
    assert len(bomb) < 200_000  # small on the wire, 400 million pixels once decoded

    def no_decoding(image):
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    started = time.perf_counter()
    response = send(editor, channel_a, SimpleUploadedFile("bombe.png", bomb, "image/png"))
    elapsed = time.perf_counter() - started

    assert refusal(response) == "This image has too many pixels: at most 40 million."
    assert elapsed < 1.0, f"{elapsed:.3f} s"
    assert not Post.objects.exists()


def test_an_image_just_over_the_pixel_limit_is_refused_too(editor, channel_a, settings):
    settings.IMAGE_UPLOAD_MAX_PIXELS = 1_000_000
    response = send(editor, channel_a, png(size=(1001, 1000)))
    assert refusal(response) == "This image has too many pixels: at most 1 million."
    assert send(editor, channel_a, png(size=(1000, 1000))).status_code == 302


def test_an_image_is_stored_written_again_without_exif_gps_or_comment_and_turned_upright(
    editor, channel_a, media
):
    original = jpeg_with_gps(size=(40, 20))
    with Image.open(io.BytesIO(original)) as sent:  # the test sends what it says it does
        assert sent.getexif().get_ifd(0x8825)
        assert sent.info.get("comment")

    response = send(editor, channel_a, SimpleUploadedFile("IMG_0042.jpg", original, "image/jpeg"))

    assert response.status_code == 302
    image = Post.objects.get().images.get()
    stored = (media / image.image.name).read_bytes()
    assert re.fullmatch(r"posts/[\w-]{22}\.jpg", image.image.name)
    assert b"Exif" not in stored and "Téléphone".encode() not in stored
    assert b"commissariat" not in stored
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.format == "JPEG"
        assert dict(kept.getexif()) == {}
        assert "comment" not in kept.info and "icc_profile" not in kept.info
        assert kept.size == (20, 40)  # turned as its orientation said, before it was lost
    # The approval covers the bytes kept, and nothing else.
    assert image.sha256 == hashlib.sha256(stored).hexdigest()
    assert Post.objects.get().content_hash == compute_content_hash(Post.objects.get())


def test_an_image_with_a_colour_profile_is_converted_to_srgb_and_stored_without_it(
    editor, channel_a, media
):
    buffer = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGBA", (8, 8), (10, 200, 30, 128)).save(buffer, "PNG", icc_profile=profile)
    upload = SimpleUploadedFile("profil.png", buffer.getvalue(), "image/png")

    assert send(editor, channel_a, upload).status_code == 302

    stored = Post.objects.get().images.get().image
    with Image.open(stored.path) as kept:
        assert kept.format == "PNG" and kept.mode == "RGBA"
        assert "icc_profile" not in kept.info
        assert kept.getpixel((0, 0)) == (10, 200, 30, 128)


def test_an_image_keeps_its_real_format_whatever_its_name_says(editor, channel_a):
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), "green").save(buffer, "WEBP")
    upload = SimpleUploadedFile("photo.png", buffer.getvalue(), "image/png")
    assert send(editor, channel_a, upload).status_code == 302
    assert Post.objects.get().images.get().image.name.endswith(".webp")


def test_an_animated_gif_stays_animated(editor, channel_a):
    frames = [Image.new("RGB", (10, 10), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=80)
    upload = SimpleUploadedFile("anime.gif", buffer.getvalue(), "image/gif")
    assert send(editor, channel_a, upload).status_code == 302
    with Image.open(Post.objects.get().images.get().image.path) as kept:
        assert kept.format == "GIF" and kept.n_frames == 3


def test_fifteen_images_are_refused_in_words_and_nothing_is_saved(editor, channel_a, media):
    response = send(editor, channel_a, *[png(f"{n}.png") for n in range(15)])
    page = response.content.decode()
    assert response.status_code == 200
    assert f"A post carries at most {MAX_IMAGES} images." in page
    assert not Post.objects.exists()
    assert not (media / "posts").exists()
