"""A post the author laid out as a thread: its parts, in order.

The author marks each break with a line holding only `---` (spaces around it allowed),
as Markdown writes a rule: it reads as a break in the editor's plain text too. A
network that publishes threads (Bluesky, Mastodon) validates each part against its
limit and publishes them in order, each a reply to the one before; any other network
publishes the text as it is, the breaks included.
"""

from __future__ import annotations

import re

BREAK = "---"
_BREAK_LINE = re.compile(r"^[ \t]*-{3}[ \t]*$", re.MULTILINE)


def thread_parts(text: str) -> list[str]:
    """The parts of `text`, stripped, empty ones dropped (a break at the start, the end,
    or two in a row adds no empty post). A text without a break is one part."""
    parts = [part.strip() for part in _BREAK_LINE.split(text.replace("\r\n", "\n"))]
    return [part for part in parts if part] or [""]
