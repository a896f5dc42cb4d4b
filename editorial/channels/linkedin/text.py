"""LinkedIn's commentary is "little" text (the Posts API's `commentary` field): a few
characters make mentions (`@[Name](urn)`), hashtags and templates (`{hashtag|\\#|x}`),
and LinkedIn cuts a post at the first such character left unescaped, answering 201 all
the same. So every reserved character is escaped with a backslash before the post is
sent, except what must stay live: a hashtag (`#` before a word: it stays clickable) and
a web address (escaping it would break the link LinkedIn makes of it).

The 3,000-character limit applies to the commentary as LinkedIn receives it, escapes
included, in UTF-16 code units (the Java string the error counts): counting the escaped
text is the one way a text Cadence lets through is never refused at the slot.
"""

from __future__ import annotations

import re

# The little text format's reserved characters (its "Text" element), but `#`, escaped
# only where it starts no hashtag.
RESERVED = frozenset("\\|{}@[]()<>*_~")
# A web address: a scheme, then no whitespace; punctuation that ends a sentence (or
# closes a parenthesis around the address) is not part of it.
URL = re.compile(r"https?://[^\s<>\"]+?(?=[.,;:!?)\]'\"]*(?:\s|$))")
HASHTAG_START = re.compile(r"#(?=\w)")
# How LinkedIn gives a hashtag back when a post is read: a template.
HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\?#\|([^}]*)\}")
ESCAPED = re.compile(r"\\([\\|{}@\[\]()<>#*_~])")


def _escape_plain(text: str) -> str:
    out = []
    for index, char in enumerate(text):
        if char in RESERVED or (char == "#" and not HASHTAG_START.match(text, index)):
            out.append("\\")
        out.append(char)
    return "".join(out)


def escape(text: str) -> str:
    """`text` as commentary: reserved characters escaped, addresses and hashtags kept."""
    parts, last = [], 0
    for found in URL.finditer(text):
        parts.append(_escape_plain(text[last : found.start()]))
        parts.append(found.group())
        last = found.end()
    parts.append(_escape_plain(text[last:]))
    return "".join(parts)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def length(text: str) -> int:
    """The text's length as LinkedIn measures the commentary it receives."""
    return utf16_length(escape(text))


def readable(commentary: str) -> str:
    """A post's commentary as read back from LinkedIn, as its reader sees it."""
    return ESCAPED.sub(r"\1", HASHTAG_TEMPLATE.sub(r"#\1", commentary or ""))


def comparable(text: str) -> str:
    """What the text Cadence sent and the commentary LinkedIn gives back share:
    whitespace collapsed (LinkedIn trims lines)."""
    return " ".join(text.split())
