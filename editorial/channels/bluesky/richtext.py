"""How Bluesky reads a text: its length in graphemes, and its facets (links, mentions,
hashtags), whose positions are byte offsets into the text's UTF-8.

Lengths are counted by ICU's grapheme break iterator (PyICU, already a dependency for
the sensitivity rules): what a reader sees as one character counts one, a family emoji
joined by ZWJ or a flag included, as the Bluesky app and PDS count.

The patterns follow Bluesky's documentation on rich text (links with a scheme, mentions
of full handles, hashtags); a mention whose handle does not resolve stays plain text,
as in the Bluesky app.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import icu

_ROOT = icu.Locale.getRoot()

MENTION = re.compile(
    r"(?<![\w@])@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?![\w-])"
)
LINK = re.compile(
    r"(?<!\w)(https?://(?:www\.)?[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b"
    r"(?:[-a-zA-Z0-9()@:%_+.~#?&/=]*[-a-zA-Z0-9@%_+~#/=])?)"
)
# A tag runs to the next space; the punctuation that ends a sentence is not part of it.
TAG = re.compile(r"(?<!\S)[#＃]([^\s\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]+)")
TAG_LIMIT = 64


def grapheme_count(text: str) -> int:
    breaks = icu.BreakIterator.createCharacterInstance(_ROOT)
    breaks.setText(text)
    return sum(1 for _ in breaks)


def _span(text: str, start: int, end: int) -> dict:
    begin = len(text[:start].encode("utf-8"))
    return {"byteStart": begin, "byteEnd": begin + len(text[start:end].encode("utf-8"))}


def _tag_end(text: str, start: int, end: int) -> int:
    while end > start and unicodedata.category(text[end - 1]).startswith("P"):
        end -= 1
    return end


def facets(text: str, resolve: Callable[[str], str | None]) -> list[dict]:
    """The `app.bsky.richtext.facet` list for `text`, in text order. `resolve` turns a
    handle into its DID (None: unknown, left as text)."""
    found: list[tuple[int, dict]] = []

    def add(start: int, end: int, feature: dict) -> None:
        found.append((start, {"index": _span(text, start, end), "features": [feature]}))

    links = [match.span(1) for match in LINK.finditer(text)]
    for start, end in links:
        add(start, end, {"$type": "app.bsky.richtext.facet#link", "uri": text[start:end]})

    def in_link(position: int) -> bool:
        return any(start <= position < end for start, end in links)

    for match in MENTION.finditer(text):
        if in_link(match.start()):
            continue
        did = resolve(match.group(1).lower())
        if did:
            add(*match.span(), {"$type": "app.bsky.richtext.facet#mention", "did": did})
    for match in TAG.finditer(text):
        end = _tag_end(text, match.start(1), match.end(1))
        tag = text[match.start(1) : end]
        if not tag or tag.isdigit() or len(tag) > TAG_LIMIT or in_link(match.start()):
            continue
        add(match.start(), end, {"$type": "app.bsky.richtext.facet#tag", "tag": tag})
    return [facet for _, facet in sorted(found, key=lambda item: item[0])]
