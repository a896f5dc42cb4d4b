"""The editor's images: as many as the networks take, each with its alternative text.

A browser never fills a file input again, so an image chosen in a form that comes back
with an error would be lost. It is kept instead: stored aside as a *pending upload*,
named by a signed token (the writer's own, valid a day) that the form carries back in
a hidden input; sent again without a new file, the slot takes the kept one. Pending
files are removed once saved with the post, and any left behind after a day.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import PurePath

from django import forms
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from editorial.channels import known_adapters
from editorial.images import FORMATS, sanitize
from editorial.models import Post, PostImage

PENDING_DIR = "pending"
PENDING_SALT = "editorial.forms.images.pending"
PENDING_MAX_AGE = dt.timedelta(days=1)
# The most any network takes, and never more than ten (Facebook's and Instagram's
# limit, and as many as an approver reviews at once: LinkedIn's twenty would only make
# uploads heavier). Each channel's own limit is checked before review.
MAX_IMAGES = min(10, max(a.media_limit for a in known_adapters() if a.media_limit is not None))


class ImageUploadField(forms.FileField):
    """A file that must be an image; cleaned, it is the image written again
    (`editorial.images.sanitize`), whatever was sent."""

    def to_python(self, data):
        upload = super().to_python(data)
        return None if upload is None else sanitize(upload)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ",".join(kind for _extension, kind in FORMATS.values())
        return attrs


def keep_upload(image, filename: str, user) -> dict:
    """Store `image` (already made safe) aside for `user`, `filename` being the name
    the writer chose it under; answer what the form needs to show and send it back
    (its token, file name and address)."""
    _sweep()
    suffix = PurePath(image.name).suffix.lower()[:10]
    image.seek(0)
    name = default_storage.save(f"{PENDING_DIR}/{secrets.token_urlsafe(16)}{suffix}", image)
    filename = get_valid_filename(PurePath(filename).name) or f"image{suffix}"
    token = signing.dumps({"name": name, "filename": filename, "user": user.pk}, salt=PENDING_SALT)
    return {"token": token, "name": name, "filename": filename, "url": _pending_url(token)}


def _pending_url(token: str) -> str:
    return reverse("pending-image", kwargs={"token": token})


def kept_upload(token: str, user) -> dict | None:
    """The pending upload a token names, if it is `user`'s, recent and still there."""
    if not token or user is None:
        return None
    try:
        data = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        return None
    name = data.get("name", "")
    if data.get("user") != user.pk or not name.startswith(f"{PENDING_DIR}/"):
        return None
    if not default_storage.exists(name):
        return None
    return {**data, "token": token, "url": _pending_url(token)}


def _reopen(kept: dict) -> SimpleUploadedFile:
    with default_storage.open(kept["name"], "rb") as stored:
        return SimpleUploadedFile(kept["filename"], stored.read())


def _sweep() -> None:
    """Forget pending uploads older than a token lives: forms nobody sent again."""
    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return
    too_old = timezone.now() - PENDING_MAX_AGE
    for filename in files:
        name = f"{PENDING_DIR}/{filename}"
        if default_storage.get_modified_time(name) < too_old:
            default_storage.delete(name)


class ImageForm(forms.ModelForm):
    """One image slot: a file (or the one kept from the last try) and its alt text."""

    class Meta:
        model = PostImage
        fields = ["image", "alt_text"]
        field_classes = {"image": ImageUploadField}
        help_texts = {"alt_text": _("Required: describe the image for people who cannot see it.")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.kept: dict | None = None
        self.is_new = self.instance._state.adding
        if not self.is_bound:
            return
        chosen = self.files.get(self.add_prefix("image"))
        kept = kept_upload(self.data.get(self.add_prefix("pending"), ""), user)
        if kept and not chosen:  # a new file replaces the kept one
            self.kept = kept
            self.files = self.files.copy()
            self.files[self.add_prefix("image")] = _reopen(kept)

    def keep_upload(self) -> None:
        """Keep this slot's newly chosen image for the next try, if it is a valid one."""
        upload = self.files.get(self.add_prefix("image"))
        valid = hasattr(self, "cleaned_data") and "image" in self.cleaned_data
        if self.kept or upload is None or not valid or self._deleting():
            return
        self.kept = keep_upload(self.cleaned_data["image"], upload.name, self.user)
        if self.is_new:
            self.instance.pk = None  # saved in a transaction that was rolled back

    def _deleting(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("DELETE"))


class LimitedImageFormSet(forms.BaseInlineFormSet):
    """A post's images, at most `max_num` of them (with `validate_max`), said in words."""

    default_error_messages = {
        "too_many_forms": ngettext_lazy(
            "A post carries at most %(num)d image.", "A post carries at most %(num)d images.", "num"
        ),
    }


class BaseImageFormSet(LimitedImageFormSet):
    def keep_uploads(self) -> None:
        """Before the form is shown again with an error: keep every image chosen."""
        if self.is_bound:
            for form in self.forms:
                form.keep_upload()

    def forget_kept(self) -> None:
        """Once saved with the post, the pending copies are no longer needed."""
        names = [form.kept["name"] for form in self.forms if form.kept]
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


# Images with their mandatory alternative text, saved in the post's own transaction
# (see `save_images`), so that the content fingerprint covers them. The editor adds
# slots as needed (static/js/editor.js), up to MAX_IMAGES.
PostImageFormSet = forms.inlineformset_factory(
    Post,
    PostImage,
    form=ImageForm,
    formset=BaseImageFormSet,
    extra=1,
    max_num=MAX_IMAGES,
    validate_max=True,
    # Removed and added slots together; the real cap is max_num, validated above.
    absolute_max=2 * MAX_IMAGES,
    can_delete=True,
)


def save_images(formset):
    """An `apply=` callback for create_post / edit_post."""

    def apply(post: Post) -> None:
        formset.instance = post
        formset.save()
        formset.forget_kept()

    return apply
