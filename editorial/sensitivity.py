"""Flag posts that touch the note-cadre's sensitive words and topics.

Matching is two steps, each in one place:

1. `normalise(text)`: the text as a reader sees it, for the text and the keyword rules
   alike: compatibility forms unfolded (fullwidth letters, ligatures), lower case, no
   accents, no invisible characters (soft hyphen, zero-width space and joiners, word
   joiner: Unicode format and default-ignorable characters, stray combining marks), and
   each look-alike letter folded to its prototype by the UTS #39 confusable skeleton
   (ICU's, through PyICU: a Cyrillic "а" reads "a"). ASCII is left as typed: the rules
   are written in it, and the skeleton of plain letters ("m" is "rn") would only blur
   them.
2. `compile_rule(rule)`: one RE2 expression per rule over normalised text, on word
   boundaries. RE2 runs in time linear in the text, so no rule can hang a save; a
   pattern it cannot run (back-references, look-arounds) is refused when the rule is
   saved. A keyword or phrase matches its French inflections, word by word (plural
   -s/-x, feminine -e/-es, -al/-aux, -if/-ive…: "mis en examen" matches "mises en
   examen", "enquête judiciaire" matches "enquêtes judiciaires"), the words of a phrase
   may be apart by any run of spaces or punctuation ("garde-à-vue"), and a word spelled
   out letter by letter ("a.t.t.e.n.t.a.t", "a t t e n t a t") matches too. A rule for
   "attentat" matches "Attentats" but not "attentatoire".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING

import icu
import re2
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from editorial.models import Post, SensitivityRule

# Letters and digits make words; anything else separates them.
_WORD_CHAR = r"\pL\pN"
# Before and after a match: the edge of the text or a character that is not part of a
# word (RE2 has no look-around, so the edge is matched, which `search` does not mind).
_START = rf"(?:^|[^{_WORD_CHAR}])"
_END = rf"(?:[^{_WORD_CHAR}]|$)"
# Between two words of a phrase: any run of spaces or punctuation.
_BETWEEN = rf"[^{_WORD_CHAR}]+"
# Between two letters of a word spelled out ("a.t.t.e.n.t.a.t", "a - t - t…"): a short
# run of separators on the same line.
_SPELLED_GAP = rf"[^{_WORD_CHAR}\n]{{1,3}}"
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
# What other words end in: "mis" gives "mise", "mises" (never "miss"); others take
# -s, -es, -x or -e.
_SUFFIXES_AFTER_S = ("e", "es")
_SUFFIXES = ("s", "es", "x", "e")
# Words this short ("à", "en", "de") are not inflected: their forms are other words.
_SHORTEST_INFLECTED = 3
# RE2's memory for one compiled rule: far above any rule of the note-cadre, and a
# bound on what a pasted monster pattern may cost (it is refused beyond).
_RE2_MAX_MEM = 8 << 20

_SPOOF = icu.SpoofChecker()
_IGNORABLE = icu.UProperty.DEFAULT_IGNORABLE_CODE_POINT


def normalise(text: str) -> str:
    """The text as rules see it: 'Élysée' -> 'elysee', 'ａｔｔ\u00adеntаt' -> 'attentat'.
    Texts and keyword rules both go through here, so whatever is folded here is folded
    on both sides."""
    return "".join(map(_fold, unicodedata.normalize("NFKC", text).casefold()))


@functools.lru_cache(maxsize=8192)
def _fold(char: str) -> str:
    """One character, compatibility-normalised and case-folded, as rules see it."""
    if char < "\x80":
        return char
    category = unicodedata.category(char)
    if category in ("Cf", "Mn", "Me") or icu.Char.hasBinaryProperty(char, _IGNORABLE):
        return ""
    # Letters only: the skeleton of punctuation can be a letter (an em dash reads as
    # the katakana "ー"), which would glue the words it separates.
    if category.startswith("L"):
        char = _SPOOF.getSkeleton(0, char)
    return _without_accents(char).casefold()


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.category(char).startswith("M"))


def _spelled(text: str, gap: str) -> str:
    """`text` (normalised) as a literal, its letters apart by `gap`."""
    if not gap:
        return re2.escape(text)
    return gap.join(re2.escape(char) for char in text)


def inflected(word: str, gap: str = "") -> str:
    """An RE2 expression for the French forms of `word` (normalised): singular and
    plural, masculine and feminine; with `gap`, spelled out letter by letter."""
    if len(word) < _SHORTEST_INFLECTED or not word.isalpha():
        return _spelled(word, gap)
    for ending, forms in _ENDINGS.items():
        if word.endswith(ending) and len(word) > len(ending):
            stem = _spelled(word[: -len(ending)], gap)
            return f"{stem}{gap}(?:{'|'.join(_spelled(form, gap) for form in forms)})"
    suffixes = _SUFFIXES_AFTER_S if word.endswith(("s", "x", "z")) else _SUFFIXES
    alternatives = "|".join(gap + _spelled(suffix, gap) for suffix in suffixes)
    return f"{_spelled(word, gap)}(?:{alternatives})?"


def keyword_source(pattern: str) -> str:
    """A keyword or phrase rule as an RE2 expression over normalised text: the words as
    written, or spelled out letter by letter."""
    words = _WORD.findall(normalise(pattern))
    if not words:
        raise ValueError(_("The pattern has no word in it."))
    written = _BETWEEN.join(inflected(word) for word in words)
    spelled = _BETWEEN.join(inflected(word, _SPELLED_GAP) for word in words)
    return f"{written}|{spelled}"


@functools.lru_cache(maxsize=1024)
def _compiled(kind: str, pattern: str) -> re2._Regexp:
    pattern = pattern.strip()
    if not pattern:
        raise ValueError(_("The pattern is empty."))
    options = re2.Options()
    options.max_mem = _RE2_MAX_MEM
    options.log_errors = False
    if kind == "regex":
        # Not case-folded: that would turn \W into \w; the option ignores case instead.
        source = _without_accents(pattern)
        options.case_sensitive = False
    else:
        source = keyword_source(pattern)
    try:
        return re2.compile(f"{_START}(?:{source}){_END}", options)
    except re2.error as exc:
        raise ValueError(
            _(
                "This is not a valid regular expression, or it asks for what a linear-time "
                "matcher refuses (back-references, look-arounds): %(error)s"
            )
            % {"error": _reason(exc)}
        ) from None


def _reason(exc: re2.error) -> str:
    reason = exc.args[0] if exc.args else ""
    return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)


def compile_rule(rule: SensitivityRule) -> re2._Regexp:
    """The rule as an RE2 expression over normalised text; ValueError if it is invalid
    or cannot run in linear time (back-references, look-arounds)."""
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


def matching_active_rule(post: Post) -> SensitivityRule | None:
    """The first active rule the post's text (title, body, variants, alt texts) matches,
    whether or not someone lifted its flag."""
    from editorial.models import SensitivityRule

    rules = list(SensitivityRule.objects.filter(active=True))
    return matching_rule(searchable_text(post), rules) if rules else None


def apply_rules(post: Post) -> SensitivityRule | None:
    """Flag `post` sensitive if an active rule matches; return the rule. Does not save.

    A flag set by hand or already set stays. Content that a head of communication or
    director cleared (same content hash) is not flagged again.
    """
    if post.sensitive or post.sensitivity_lifted_hash == post.content_hash:
        return None
    rule = matching_active_rule(post)
    if rule is not None:
        post.sensitive = True
        post.sensitivity_rule = rule
        post.sensitive_reason = f"{rule.topic} ({rule.pattern})"
    return rule
