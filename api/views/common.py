"""What the API's views share: reading a request's JSON through a serializer, and
answering a catalogued action the way the post page does."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api import serializers as s
from api.serializers import MAX_ID
from editorial.workflow.catalog import Action, Needs

# What each kind of need asks for in the request body.
NEEDS_SERIALIZERS: dict[Needs, type[serializers.Serializer]] = {
    Needs.NOTHING: s.EmptySerializer,
    Needs.TEXT: s.TextSerializer,
    Needs.NOTE: s.NoteSerializer,
    Needs.SHOWN_CONTENT: s.ShownContentSerializer,
    Needs.SHOWN_ITEMS: s.ShownItemsSerializer,
    Needs.TIME: s.TimeSerializer,
    Needs.OPTIONAL_TIME: s.OptionalTimeSerializer,
}


def known_id(pk: int) -> int:
    """`pk` from the path, or 404 when no row can have it (too large for the database)."""
    if pk > MAX_ID:
        raise Http404
    return pk


def read(serializer_class, data, **kwargs) -> dict:
    """The request's data, checked (400 with the fields' errors otherwise)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def perform(action: Action, obj, user, data: dict):
    """Call the catalogued action with what it needs, as the page calls it."""
    shown = {item["post"]: item["content_hash"] for item in data.get("shown", [])}
    return action.perform(
        obj,
        user,
        text=data.get("text", ""),
        expected_hash=data.get("content_hash"),
        when=data.get("when"),
        shown=shown,
    )


def described(actions: list[str], catalog: dict[str, Action], url_name: str, pk: int):
    """The actions `available_actions` offers, as the API names them: each with the
    address to POST it to (editing, offered too, is a PATCH of the item itself)."""
    item = reverse(url_name, args=[pk])
    listed = []
    for name in actions:
        if name in catalog:
            spec = catalog[name]
            listed.append(
                {
                    "name": name,
                    "label": str(spec.label),
                    "needs": str(spec.needs),
                    "method": "POST",
                    "url": f"{item}actions/{name}/",
                }
            )
        elif name == "edit":
            listed.append(
                {"name": name, "label": str(_("Edit")), "needs": "", "method": "PATCH", "url": item}
            )
    return listed
