"""Flag posts that touch the note-cadre's sensitive words and topics.

French text needs matching that ignores case and accents and still sees whole words:
a rule for "attentat" matches "Attentat", "ATTENTAT", "attentats" but not "attentatoire".
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from editorial.models import Post, SensitivityRule

# A keyword also matches its plural (-s, -x) as French nouns and adjectives form it.
_PLURAL = r"(?:s|x)?"


def normalize(text: str) -> str:
    """Lower-case, accent-free text: 'Élysée' -> 'elysee'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.casefold()


def compile_rule(rule: SensitivityRule) -> re.Pattern[str]:
    """The rule as a regular expression over normalized text; ValueError if it is invalid."""
    pattern = normalize(rule.pattern.strip())
    if not pattern:
        raise ValueError("The pattern is empty.")
    if rule.kind == "regex":
        source = pattern
    else:
        words = [re.escape(word) for word in pattern.split()]
        source = r"\s+".join(words) + _PLURAL
    try:
        return re.compile(rf"(?<!\w)(?:{source})(?!\w)")
    except re.error as exc:
        raise ValueError(f"This is not a valid regular expression: {exc}") from None


def matching_rule(text: str, rules: list[SensitivityRule]) -> SensitivityRule | None:
    normalized = normalize(text)
    for rule in rules:
        if compile_rule(rule).search(normalized):
            return rule
    return None


def searchable_text(post: Post) -> str:
    parts = [post.title, post.body, *post.variants.values_list("body", flat=True)]
    parts += list(post.images.values_list("alt_text", flat=True))
    return "\n".join(parts)


def apply_rules(post: Post) -> SensitivityRule | None:
    """Flag `post` sensitive if an active rule matches; return the rule. Does not save.

    A flag set by hand or already set stays. Content that a head of communication or
    director cleared (same content hash) is not flagged again.
    """
    from editorial.models import SensitivityRule

    if post.sensitive or post.sensitivity_lifted_hash == post.content_hash:
        return None
    rule = matching_rule(searchable_text(post), list(SensitivityRule.objects.filter(active=True)))
    if rule is not None:
        post.sensitive = True
        post.sensitivity_rule = rule
        post.sensitive_reason = f"{rule.topic} ({rule.pattern})"
    return rule
