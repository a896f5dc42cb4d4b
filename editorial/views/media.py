"""The uploaded images, served by Cadence itself rather than from a public folder.

A post's image is shown to whoever may see one of its posts, and to anyone once the
post has gone out (it is public on the networks then); a pending upload (kept aside by
the editor, see `editorial.forms.images`) only to its writer, through its signed token.
Each goes out with the type read from its bytes, `nosniff`, and a policy that lets
nothing in it run, so that no file can be taken for a page.
"""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from editorial.access import post_image_or_404
from editorial.channels.instagram.media import jpeg_bytes, signed_name
from editorial.forms.images import kept_upload
from editorial.images import media_type

# Nothing in an image is to run, load or be framed, even opened on its own.
IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@require_safe
def post_image(request, name: str):
    return _image_response(post_image_or_404(request.user, f"posts/{name}"))


@login_required
@require_safe
def pending_image(request, token: str):
    kept = kept_upload(token, request.user)
    if kept is None:
        raise Http404
    return _image_response(kept["name"])


@require_safe
def signed_image(request, token: str):
    """A post's image as JPEG, for Instagram to fetch before the post is out: through a
    signed link that names it and expires within the hour (see
    `editorial.channels.instagram.media`)."""
    from editorial.models import PostImage

    name = signed_name(token)
    if name is None or not PostImage.objects.filter(image=name).exists():
        raise Http404
    content = jpeg_bytes(name)
    if content is None:
        raise Http404
    response = HttpResponse(content, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_POLICY
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _image_response(name: str) -> FileResponse:
    try:
        file = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    kind = media_type(file)
    if kind is None:  # stored before uploads were checked, and not an image
        file.close()
        raise Http404
    response = FileResponse(file, content_type=kind, filename=PurePath(name).name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_POLICY
    return response


_MEDIA = settings.MEDIA_URL.strip("/")

urlpatterns = [
    path(f"{_MEDIA}/posts/<path:name>", post_image, name="post-image"),
    path(f"{_MEDIA}/pending/<str:token>", pending_image, name="pending-image"),
    path(f"{_MEDIA}/signed/<str:token>", signed_image, name="signed-image"),
]
