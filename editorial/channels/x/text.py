"""How X measures a post: twitter-text's version 3 configuration (`config/v3.json` of
twitter/twitter-text), the rules X's own apps and API apply.

- the text is normalised to NFC first;
- every URL counts `transformedURLLength`, 23, however long it is (X wraps it in t.co);
  with or without `https://` (a bare `www.example.fr` or `example.fr/page` is a URL,
  a bare `example.fr` alone is not: twitter-text's "invalid short domain" rule);
- an emoji, a whole sequence (a ZWJ family, a flag, a skin tone, a keycap), counts
  `defaultWeight`, 2;
- any other code point weighs 1 in the ranges below (Latin, Greek, Cyrillic, Hebrew,
  Arabic… up to U+10FF, and general punctuation), 2 elsewhere (CJK, Hangul…);
- the sum, `weightedLength`, may not pass `maxWeightedTweetLength`, 280.

Written here rather than taken from `twitter-text-parser` (PyPI): that port has had no
release since 2023 and loads its emoji table through `pkg_resources`, which setuptools
is removing. Emoji are found with ICU (already a dependency, for Mastodon's and
Bluesky's graphemes) instead of a copied emoji table. The one approximation: for a URL
written without `https://`, the generic top-level domains known are the common ones
(`GENERIC_TLDS`) where twitter-text lists them all; every two-letter country domain
is known.
"""

from __future__ import annotations

import html
import re
import unicodedata

import icu

LIMIT = 280  # maxWeightedTweetLength
URL_LENGTH = 23  # transformedURLLength
SCALE = 100
DEFAULT_WEIGHT = 200  # outside the ranges, and every emoji
RANGES = ((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100))

GENERIC_TLDS = frozenset(
    {
        "com", "net", "org", "info", "biz", "edu", "gov", "mil", "int", "name", "pro",
        "mobi", "asia", "tel", "travel", "aero", "coop", "jobs", "museum", "app", "dev",
        "xyz", "online", "site", "shop", "blog", "news", "media", "social", "paris", "bzh",
        "alsace", "corsica", "eus", "gal", "bike", "cloud", "design", "email", "events",
        "immo", "live", "page", "radio", "tv", "space", "store", "tech", "website",
        "world", "europe",
    }
)  # fmt: skip
_TLD = r"(?:{}|[a-z]{{2}})".format("|".join(sorted(GENERIC_TLDS, key=len, reverse=True)))
_LABEL = r"[a-z0-9](?:[a-z0-9\-_]*[a-z0-9])?"
# What may end a URL's path: not the punctuation that ends a sentence around it.
_PATH = r"(?:[/?#][^\s]*?)?(?=[.,;:!?'\")\]]*(?:\s|$))"
URL = re.compile(
    r"(?<![A-Za-z0-9@＠$#＃\-_./])"  # twitter-text's valid and invalid preceding characters
    r"(?:"
    r"https?://[^\s]+?(?=[.,;:!?'\")\]]*(?:\s|$))"
    r"|"
    rf"(?P<domain>(?:{_LABEL}\.)+{_TLD})(?![a-z0-9\-_])(?::\d+)?(?P<path>{_PATH})"
    r")",
    re.IGNORECASE,
)
# A domain of one label under a country code: not a URL without a path (twitter-text's
# `invalidShortDomain`), so that "voir le site.fr" stays text.
_SHORT = re.compile(rf"^{_LABEL}\.[a-z]{{2}}$", re.IGNORECASE)

_ROOT = icu.Locale.getRoot()
_EMOJI_PRESENTATION = icu.UProperty.EMOJI_PRESENTATION
_EMOJI = icu.UProperty.EMOJI


def urls(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each URL X would wrap in t.co."""
    found = []
    for match in URL.finditer(text):
        domain = match.group("domain")
        if domain and not match.group("path") and _SHORT.match(domain):
            continue
        found.append(match.span())
    return found


def _is_emoji(cluster: str) -> bool:
    """A grapheme that X shows as one emoji: a pictograph shown as an emoji by default,
    or one asked to be (VS16), or a keycap."""
    if "\u20e3" in cluster:
        return True
    for index, char in enumerate(cluster):
        if icu.Char.hasBinaryProperty(char, _EMOJI_PRESENTATION):
            return True
        if char == "\ufe0f" and index and icu.Char.hasBinaryProperty(cluster[0], _EMOJI):
            return True
    return False


def _weight(char: str) -> int:
    point = ord(char)
    return next((w for start, end, w in RANGES if start <= point <= end), DEFAULT_WEIGHT)


def _text_weight(text: str) -> int:
    if not text:
        return 0
    # A BreakIterator is not thread-safe (the publisher's threads): one per call.
    breaker = icu.BreakIterator.createCharacterInstance(_ROOT)
    breaker.setText(text)
    total, start = 0, 0
    # ICU's boundaries are UTF-16 offsets: walk them over the UTF-16 encoding.
    units = text.encode("utf-16-le")
    for end in breaker:
        cluster = units[start * 2 : end * 2].decode("utf-16-le")
        start = end
        if _is_emoji(cluster):
            total += DEFAULT_WEIGHT
        else:
            total += sum(_weight(char) for char in cluster)
    return total


def weighted_length(text: str) -> int:
    """twitter-text's `weightedLength` of `text`."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    total, last = 0, 0
    for start, end in urls(text):
        total += _text_weight(text[last:start]) + URL_LENGTH * SCALE
        last = end
    total += _text_weight(text[last:])
    return total // SCALE


def comparable(text: str, *, media: bool = False) -> str:
    """What a post sent and the same post read back share: X answers its text with
    `&`, `<`, `>` escaped, each URL replaced by its t.co address and, on a post with
    media, the media's own t.co address at the end. URLs become one mark, spaces are
    collapsed; `media`: `text` was read back from a post with media."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    marked, last = [], 0
    for start, end in urls(text):
        marked.append(text[last:start] + "\x00")
        last = end
    marked.append(text[last:])
    words = " ".join("".join(marked).split())
    if media:
        words = words.removesuffix("\x00").rstrip()
    return words
