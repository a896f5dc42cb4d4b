"""The rule test box: which active rules a sample text would match, and where.

Whether a rule matches is asked of `editorial.sensitivity.matching_rule`, the very
function the workflow flags posts with; nothing here re-implements matching. Where
is found by asking it about pieces of the text: the line, then the fewest whole
words of that line that still match. So the box can never disagree with the
workflow, whatever the matcher does inside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from editorial.models import SensitivityRule
from editorial.sensitivity import matching_rule

_WORD = re.compile(r"\S+")
# Enough for a post and its variants; each line is searched word by word.
MAX_HITS_PER_RULE = 10


@dataclass
class Hit:
    line: int  # 1-based
    before: str
    match: str
    after: str


@dataclass
class RuleResult:
    rule: SensitivityRule
    hits: list[Hit] = field(default_factory=list)


def _matches(text: str, rule: SensitivityRule) -> bool:
    return matching_rule(text, [rule]) is not None


def _spans(line: str, rule: SensitivityRule) -> list[tuple[int, int]]:
    """Where in `line` the rule matches, as character spans made of whole words, the
    last first: each is the shortest run of words at the end that still matches.

    Adding words around a match keeps it a match, so both ends are found by bisection:
    a long pasted text costs a few calls per match, not one per word."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(line)]
    spans: list[tuple[int, int]] = []
    end_word = len(words)
    while end_word and len(spans) < MAX_HITS_PER_RULE:
        region_end = words[end_word - 1][1]
        if not _matches(line[:region_end], rule):
            break
        # The latest word the match can start at...
        start = _last(0, end_word, partial(_from_word, line, words, region_end, rule))
        # ...and the earliest word it can end at.
        begin = words[start][0]
        stop = _first(start, end_word - 1, partial(_to_word, line, words, begin, rule))
        spans.append((words[start][0], words[stop][1]))
        end_word = start
    return spans


def _from_word(line: str, words, end: int, rule, i: int) -> bool:
    return _matches(line[words[i][0] : end], rule)


def _to_word(line: str, words, begin: int, rule, j: int) -> bool:
    return _matches(line[begin : words[j][1]], rule)


def _last(lo: int, hi: int, holds) -> int:
    """The largest i in [lo, hi) for which `holds`, given it holds up to some point."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if holds(mid) else (lo, mid)
    return lo


def _first(lo: int, hi: int, holds) -> int:
    """The smallest i in [lo, hi] for which `holds`, given it holds from some point on."""
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if holds(mid) else (mid + 1, hi)
    return lo


def rules_matching(text: str, rules: list[SensitivityRule] | None = None) -> list[RuleResult]:
    """The rules (by default the active ones) that `text` matches, each with where."""
    if rules is None:
        rules = list(SensitivityRule.objects.filter(active=True))
    results = []
    for rule in rules:
        if not _matches(text, rule):
            continue
        result = RuleResult(rule)
        for number, line in enumerate(text.splitlines(), start=1):
            for start, end in reversed(_spans(line, rule)):
                result.hits.append(Hit(number, line[:start], line[start:end], line[end:]))
        results.append(result)
    return results
