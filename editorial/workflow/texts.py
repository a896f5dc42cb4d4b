"""What a person types into a workflow action (a comment, a reason): checked here, once,
whichever page, form or API sends it, so that no text breaks a save or bloats the audit
trail it is copied into."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from editorial.workflow.errors import InvalidInput

COMMENT_MAX = 5000
REASON_MAX = 300  # Post.sensitive_reason, Post.held_reason

# Control characters no text needs (NUL breaks PostgreSQL); line breaks and tabs stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value, *, max_length: int, required: str | None = None) -> str:
    """`value` stripped, or `InvalidInput` saying what is wrong: empty when `required`
    (its message), too long, or holding control characters."""
    text = str(value or "").strip()
    if not text and required:
        raise InvalidInput(required)
    if _CONTROL.search(text):
        raise InvalidInput(_("The text holds control characters: remove them."))
    if len(text) > max_length:
        raise InvalidInput(
            _("Keep it under %(limit)s characters (it has %(length)s).")
            % {"limit": max_length, "length": len(text)}
        )
    return text
