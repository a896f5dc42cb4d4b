"""How Mastodon measures a status, and its rendered statuses read back as text.

Mastodon's `StatusLengthValidator` counts grapheme clusters (an emoji with its
modifiers is one), after replacing each URL by 23 characters (the instance's
`characters_reserved_per_url`) and each mention `@user@domain` by `@user`: the domain
part is free. The same rules here, so a post refused by the instance is refused by
Cadence before approval.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import icu

# A URL as Mastodon's extractor finds it: a scheme, then no whitespace; punctuation
# that ends a sentence is not part of it.
URL = re.compile(r"https?://[^\s<>\"]+?(?=[.,;:!?)\]'\"]*(?:\s|$))")
# `@user@domain` -> `@user` (Mastodon's Account::MENTION_RE, simplified: a mention
# starts a word).
MENTION = re.compile(r"(?<![\w/.@])@(\w+(?:[.\-]+\w+)*)@[\w\-]+(?:\.[\w\-]+)+")

_ROOT = icu.Locale.getRoot()


def graphemes(text: str) -> int:
    """User-perceived characters (ICU's extended grapheme clusters)."""
    if not text:
        return 0
    # A BreakIterator is not thread-safe (the publisher's threads): one per call.
    breaker = icu.BreakIterator.createCharacterInstance(_ROOT)
    breaker.setText(text)
    return sum(1 for _ in breaker)


def countable(text: str, url_length: int = 23) -> str:
    """The text as Mastodon measures it: URLs as `url_length` characters, mentions
    without their domain."""
    text = URL.sub("x" * url_length, text)
    return MENTION.sub(r"@\1", text)


def length(text: str, url_length: int = 23) -> int:
    return graphemes(countable(text, url_length))


class _Text(HTMLParser):
    """A rendered status (`content`, HTML) back to its text: paragraphs and line
    breaks as newlines, every text node kept (the hidden parts of a shortened link
    too, so the full address comes back)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def rendered_text(content: str) -> str:
    parser = _Text()
    parser.feed(content or "")
    parser.close()
    return "".join(parser.parts)  # character references already decoded


def comparable(text: str) -> str:
    """What two renderings of one status share: mentions without their domain (the
    instance shows `@user`), whitespace collapsed."""
    return " ".join(MENTION.sub(r"@\1", text).split())
