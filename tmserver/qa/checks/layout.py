"""Whitespace and repeated words in the target."""

from __future__ import annotations

import re

from tmserver.qa.base import Check, Context, Issue, QASegment, register

_DOUBLE = re.compile(r"(?<=\S)[ \t\u00a0\u2009\u202f]{2,}(?=\S)")
_SPACE_BEFORE = re.compile(r"(?<=[\w\"”’)\]]) +(?=[,.;:!?](?:\s|$))")


@register
class Whitespace(Check):
    id = "whitespace"
    severity = "warning"
    description = "Double spaces, leading or trailing whitespace, a space before punctuation in the target."

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        t, s = seg.target, seg.source
        if not t.strip():
            return []
        out = [self.issue(seg, "double space in the target", None, m.span()) for m in _DOUBLE.finditer(t)]
        lead = len(t) - len(t.lstrip())
        if lead and len(s) == len(s.lstrip()):
            out.append(self.issue(seg, "leading whitespace in the target", None, (0, lead)))
        trail = len(t.rstrip())
        if trail < len(t) and len(s.rstrip()) == len(s):
            out.append(self.issue(seg, "trailing whitespace in the target", None, (trail, len(t))))
        if seg.target_base == "en":
            out += [self.issue(seg, "space before punctuation in the target", None, m.span())
                    for m in _SPACE_BEFORE.finditer(t)]
        return out


# Case-insensitive: "The the", "THE the" and Title-Case "The The" / "Cyberspace Cyberspace" alike.
_REPEAT = re.compile(r"\b([^\W\d_]+)\s+\1\b", re.IGNORECASE)
# Grammatical doubles are not flagged: "had had", "that that", "is is" (what it is is…), "very very",
# "bye bye".
_ALLOWED_REPEATS = {"that", "had", "bye", "very", "is", "so", "no", "now", "far", "ha", "knock", "chop", "tut"}
# Reduplicated names are not typos. A capitalised double is one only when it is a known name (Bora
# Bora, Walla Walla, Boutros Boutros-Ghali), or a transliteration of a reduplicated Chinese name
# (冰墩墩 → Bing Dwen Dwen): capitalisation alone proves nothing ("The The" opens a sentence).
_REDUPLICATED_NAMES = {"bora", "walla", "wagga", "pago", "sing", "mahi", "baden", "boutros", "sirhan", "dum",
                       "bandar", "kuala"}
_ZH_DOUBLE = re.compile(r"([\u4e00-\u9fff])\1")


def _reduplicated_name(m: re.Match, source: str) -> bool:
    a, b = m.group(0).split()[0], m.group(0).split()[-1]
    if not (a[:1].isupper() and b[:1].isupper() and len(a) > 1 and not a.isupper()):
        return False
    return a.lower() in _REDUPLICATED_NAMES or bool(_ZH_DOUBLE.search(source))


@register
class RepeatedWord(Check):
    id = "repeated_word"
    severity = "warning"
    description = "The same word twice in a row in the target (the the)."

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        if seg.target_base != "en":
            return []
        return [
            self.issue(seg, f"repeated word {m.group(1)!r}", None, m.span())
            for m in _REPEAT.finditer(seg.target)
            if m.group(1).lower() not in _ALLOWED_REPEATS and not re.search(re.escape(m.group(0)), seg.source, re.I)
            and not _reduplicated_name(m, seg.source)
        ]
