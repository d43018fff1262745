"""Small fixed penalties for differences that normalisation erases but a translator can see.

A query that matches a segment only after normalisation is *almost* an exact match: the
translation is reusable, but something visible differs (half-width commas, Traditional script,
case…), so CAT convention is to score it just below 100 and make the translator look.

Each kind of difference is one small class over :class:`Penalty`. A penalty applies when the two
texts still differ after every *other* kind of difference has been erased — so a Traditional
query with half-width commas pays both the script and the punctuation penalty.

===============  ======  ===========================================================
penalty          points  the texts differ in …
===============  ======  ===========================================================
whitespace       1       spaces (runs, leading/trailing, U+3000 ideographic space)
width            1       full-/half-width letters and digits (ＡＢＣ１２ vs ABC12)
punctuation      1       punctuation forms (， vs , / 。 vs . / “” vs "" / 【】 vs [])
case             1       letter case (Internet vs internet)
script           2       Traditional vs Simplified (網路空間 vs 网络空间, OpenCC tw2sp/hk2s)
other            1       anything else normalisation folded (compatibility forms)
===============  ======  ===========================================================

So a Traditional query scores 98, a half-width-punctuation query 99, both 97; ``other`` only
applies when no named penalty did, so an identical-after-normalisation match is never 100
unless the texts are identical.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

from tmserver.normalize import PUNCT_MAP, to_simplified

_WS = re.compile(r"\s+")


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def fold_whitespace(s: str) -> str:
    return _WS.sub(" ", s).strip()


def fold_width(s: str) -> str:
    return "".join(ch if _is_punct(ch) else unicodedata.normalize("NFKC", ch) for ch in s)


def fold_punctuation(s: str) -> str:
    out = []
    for ch in s:
        if _is_punct(ch):
            ch = unicodedata.normalize("NFKC", ch)
            ch = "".join(PUNCT_MAP.get(c, c) for c in ch)
        out.append(ch)
    return "".join(out)


def fold_case(s: str) -> str:
    return s.casefold()


def fold_script(s: str) -> str:
    return to_simplified(s)


class Penalty:
    """One kind of visible difference. ``fold`` erases exactly that kind."""

    name: ClassVar[str]
    points: ClassVar[int]

    @staticmethod
    def fold(s: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def applies(self, query: str, candidate: str) -> bool:
        """True when the texts differ even after every *other* penalty's fold."""
        others = [p for p in PENALTIES if p.name != self.name]
        a, b = query, candidate
        for p in others:
            a, b = p.fold(a), p.fold(b)
        return a != b


class Whitespace(Penalty):
    name, points = "whitespace", 1
    fold = staticmethod(fold_whitespace)


class Width(Penalty):
    name, points = "width", 1
    fold = staticmethod(fold_width)


class Punctuation(Penalty):
    name, points = "punctuation", 1
    fold = staticmethod(fold_punctuation)


class Case(Penalty):
    name, points = "case", 1
    fold = staticmethod(fold_case)


class Script(Penalty):
    name, points = "script", 2
    fold = staticmethod(fold_script)


#: Applied in this order (whitespace first so the others see single spaces).
PENALTIES: tuple[Penalty, ...] = (Whitespace(), Width(), Punctuation(), Case(), Script())
OTHER_POINTS = 1


def penalties(query: str, candidate: str) -> list[tuple[str, int]]:
    """``[(name, points)]`` for a pair whose matching forms are equal (empty when identical)."""
    if query == candidate:
        return []
    found = [(p.name, p.points) for p in PENALTIES if p.applies(query, candidate)]
    return found or [("other", OTHER_POINTS)]
