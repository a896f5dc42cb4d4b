"""The editor's live verdicts: what each chosen channel would say of the text being
typed (htmx, on input). Thin: reads the editor's fields, asks `editorial.verdicts`,
answers a small list. Only channels the writer may use are judged; another's is 403."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from editorial.access import post_or_404, visible_channels, visible_departments
from editorial.channels.base import Image
from editorial.forms.fields import PostTextField
from editorial.forms.posts import VARIANT_PREFIX
from editorial.permissions import deny_write
from editorial.verdicts import channel_verdicts

IMAGES = "images"  # the editor's image formset prefix (views/posts.py)


def _stored(value: str) -> str:
    """The text as the server would store it (line breaks, surrounding space)."""
    return PostTextField(required=False).clean(value or "")


def _ids(values) -> list[int]:
    return [int(value) for value in values if str(value).isdigit()]


def _images(data, post) -> list[Image]:
    """The images as the editor has them now: the saved ones not being removed, with
    the alt text being typed, and the new slots that have an alt text (a file chosen
    but not sent yet is counted when the post is saved)."""
    saved = {image.pk: image for image in post.images.all()} if post else {}
    images = []
    for index in range(min(int(data.get(f"{IMAGES}-TOTAL_FORMS") or 0), 50)):
        field = f"{IMAGES}-{index}-"
        if data.get(field + "DELETE"):
            continue
        alt = data.get(field + "alt_text", "")
        pk = data.get(field + "id", "")
        if pk.isdigit() and int(pk) in saved:
            images.append(Image(path=saved.pop(int(pk)).image.name, alt_text=alt))
        elif alt.strip() or data.get(field + "pending"):
            images.append(Image(path="", alt_text=alt))
    return images + [Image(path=i.image.name, alt_text=i.alt_text) for i in saved.values()]


@login_required
@require_POST
def post_check(request):
    if deny_write(request.user):
        raise PermissionDenied
    data = request.POST
    post = post_or_404(request.user, data["post"]) if data.get("post", "").isdigit() else None
    wanted = _ids(data.getlist("channels"))
    channels = {c.pk: c for c in visible_channels(request.user).filter(pk__in=wanted)}
    if len(channels) != len(set(wanted)):
        raise PermissionDenied  # a channel this writer may not use, or none such
    if post is not None:
        department = post.origin_department
    else:
        departments = visible_departments(request.user)
        chosen = _ids([data.get("department", "")])
        department = departments.filter(pk__in=chosen).first() or departments.first()
    verdicts = channel_verdicts(
        origin_department=department,
        body=_stored(data.get("body", "")),
        variants={pk: _stored(data.get(f"{VARIANT_PREFIX}{pk}", "")) for pk in channels},
        channels=[channels[pk] for pk in dict.fromkeys(wanted)],
        images=_images(data, post),
    )
    return render(request, "editorial/posts/_verdicts.html", {"verdicts": verdicts})


urlpatterns = [path("posts/check/", post_check, name="post-check")]
