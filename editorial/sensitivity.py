"""Flag posts that touch the note-cadre's sensitive words and topics.

Matching is two steps, each in one place:

1. `normalise(text)`: the text as the rules see it (lower case, no accents). Anything
   that hides a word from a rule (format characters, look-alike letters, l.e.t.t.e.r.s
   apart) is to be undone here, for the text and the rule alike.
2. `compile_rule(rule)`: one regular expression per rule over normalised text, on word
   boundaries. A keyword or phrase matches its French inflections, word by word
   (plural -s/-x, feminine -e/-es, -al/-aux, -if/-ive…: "mis en examen" matches "mises
   en examen", "enquête judiciaire" matches "enquêtes judiciaires"), and the words of
   a phrase may be apart by any run of spaces or punctuation ("garde-à-vue"). A rule
   for "attentat" matches "Attentats" but not "attentatoire".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from editorial.models import Post, SensitivityRule

# Between two words of a phrase: any run of spaces or punctuation (no letter, no digit).
_BETWEEN = r"[\W_]+"
# A word of a rule, as typed: what lies between separators.
_WORD = re.compile(r"[^\W_]+")
# Word endings whose other forms are not just a suffix away, with those forms
# (normalised, so accent-free: "policière" is "policiere").
_ENDINGS = {
    "eux": ("eux", "euse", "euses"),
    "al": ("al", "ale", "ales", "als", "aux"),
    "if": ("if", "ifs", "ive", "ives"),
    "ier": ("ier", "iers", "iere", "ieres"),
    "el": ("el", "els", "elle", "elles"),
    "en": ("en", "ens", "enne", "ennes"),
    "on": ("on", "ons", "onne", "onnes"),
}
# Words this short ("à", "en", "de") are not inflected: their forms are other words.
_SHORTEST_INFLECTED = 3


def normalise(text: str) -> str:
    """The text as rules see it: 'Élysée' -> 'elysee'. Texts and keyword rules both go
    through here, so whatever is folded here is folded on both sides."""
    return _without_accents(text).casefold()


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def inflected(word: str) -> str:
    """A regular expression for the French forms of `word` (normalised): singular and
    plural, masculine and feminine."""
    if len(word) < _SHORTEST_INFLECTED or not word.isalpha():
        return re.escape(word)
    for ending, forms in _ENDINGS.items():
        if word.endswith(ending):
            stem = re.escape(word[: -len(ending)])
            return f"{stem}(?:{'|'.join(forms)})"
    if word.endswith(("s", "x", "z")):  # "mis": "mise", "mises"; never "miss"
        return re.escape(word) + "(?:es?)?"
    return re.escape(word) + "(?:e?s|x|e)?"


def keyword_source(pattern: str) -> str:
    """A keyword or phrase rule as a regular expression over normalised text."""
    words = _WORD.findall(normalise(pattern))
    if not words:
        raise ValueError(_("The pattern has no word in it."))
    return _BETWEEN.join(inflected(word) for word in words)


@functools.lru_cache(maxsize=1024)
def _compiled(kind: str, pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip()
    if not pattern:
        raise ValueError(_("The pattern is empty."))
    if kind == "regex":
        # Not case-folded: that would turn \W into \w; the flag ignores case instead.
        source, flags = _without_accents(pattern), re.IGNORECASE
    else:
        source, flags = keyword_source(pattern), 0
    try:
        return re.compile(rf"(?<!\w)(?:{source})(?!\w)", flags)
    except re.error as exc:
        raise ValueError(
            _("This is not a valid regular expression: %(error)s") % {"error": exc}
        ) from None


def compile_rule(rule: SensitivityRule) -> re.Pattern[str]:
    """The rule as a regular expression over normalised text; ValueError if it is invalid."""
    return _compiled(rule.kind, rule.pattern)


def matching_rule(text: str, rules: list[SensitivityRule]) -> SensitivityRule | None:
    """The first of `rules` that `text` matches, or None."""
    normalised = normalise(text)
    for rule in rules:
        if compile_rule(rule).search(normalised):
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
