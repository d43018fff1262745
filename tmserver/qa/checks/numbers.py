"""Numbers and dates: every value in the source must come out in the target, whatever the form.

Both sides go through :func:`tmserver.placeables.extract`, so 26亿 = 2.6 billion = 2,600,000,000,
百分之五 = 5 % = five percent, 第二届 = second = 2nd, 十周年 = tenth anniversary and
2015年12月16日 = December 16, 2015 = 16 December 2015 meet as equal values. Ranges count as their
two ends (November 6–9, 2025 = 2025年11月6日至9日).

What is *not* an error, because translators legitimately do it:

* a Chinese 一 / English "one" with no counterpart (一个国家 → "a country");
* 十年 → "a decade", 两国 → "both countries", 一半 → "half", 百年 → "a century";
* number *words* in the target with no counterpart (the English adds "first", "one of");
* a date whose parts the English spreads out (2015年12月 + 16日 → "16 December 2015").

A number written in digits in the target with no counterpart in the source *is* reported: it
came from somewhere.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import cast

from tmserver.placeables import Placeable, extract
from tmserver.qa.base import Check, Context, Issue, QASegment, register

_DATE_KINDS = {"date", "month", "year"}
# words that carry a number without being one (soft counterparts)
_SOFT_EN: dict[str, int | Decimal] = {
    "decade": 10, "decades": 10, "dozen": 12, "century": 100, "centuries": 100, "millennium": 1000,
    "both": 2, "twice": 2, "double": 2, "pair": 2, "couple": 2, "twin": 2, "half": Decimal("0.5"),
    "once": 1, "single": 1, "triple": 3, "thrice": 3, "bilateral": 2, "trilateral": 3,
}
_SOFT_EN_RE = re.compile(r"\b(" + "|".join(_SOFT_EN) + r")\b", re.IGNORECASE)
# "two decades" = 20 years, "three dozen" = 36
_MULT_EN_RE = re.compile(
    r"\b(?P<n>[0-9]+|a|one|two|three|four|five|six|seven|eight|nine|ten|several)\s+(?P<u>decades|dozens?|centuries)\b",
    re.IGNORECASE,
)
_MULT_EN = {"decades": 10, "dozen": 12, "dozens": 12, "centuries": 100}
_SMALL_EN = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
             "nine": 9, "ten": 10}
_SOFT_ZH: dict[str, int | Decimal] = {"双": 2, "两": 2, "半": Decimal("0.5"), "首": 1, "单": 1, "俩": 2, "百年": 100, "十年": 10}


class _Atom:
    __slots__ = ("key", "p", "kind", "words")

    def __init__(self, key, p: Placeable, kind: str):
        self.key, self.p, self.kind = key, p, kind
        self.words = p.style in ("words", "cn") and p.kind in ("number", "ordinal")


def _key(kind: str, value, style: str = ""):
    if style == "decade":
        return ("decade", int(value))  # the 1990s is not the year 1990
    if kind in ("number", "ordinal", "year"):
        return ("n", Decimal(value))
    if kind == "percent":
        return ("p", Decimal(value))
    return ("d", value)  # (y, m, d)


def atoms(text: str, lang: str) -> list[_Atom]:
    out = []
    for p in extract(text, lang):
        if p.kind == "range":
            for v in cast(tuple, p.value):
                out.append(_Atom(_key(p.of, v), p, p.of))
        else:
            out.append(_Atom(_key(p.kind, p.value, p.style), p, p.kind))
    return out


def _compatible(a, b) -> bool:
    """Two (y, m, d) dates agree where both give a part (a missing year is not a mismatch)."""
    return all(x is None or y is None or x == y for x, y in zip(a, b, strict=True)) and a[1] == b[1]


def _soft_values(text: str, lang: str) -> Counter:
    soft: Counter = Counter()
    if lang == "en":
        for m in _SOFT_EN_RE.finditer(text):
            soft[Decimal(_SOFT_EN[m.group(1).lower()])] += 1
        for m in _MULT_EN_RE.finditer(text):
            n = m.group("n").lower()
            k = int(n) if n.isdigit() else _SMALL_EN.get(n)
            if k:
                soft[Decimal(k * _MULT_EN[m.group("u").lower()])] += 1
    else:
        for w, v in _SOFT_ZH.items():
            if w in text:
                soft[Decimal(v)] += text.count(w)
    return soft


class _Left:
    """The atoms of each side that no pass has paired yet."""

    def __init__(self, src: list[_Atom], tgt: list[_Atom]) -> None:
        self.src, self.tgt = src, tgt

    def pair(self, a: _Atom, b: _Atom) -> None:
        self.src.remove(a)
        self.tgt.remove(b)


def _equal_values(left: _Left) -> None:
    """1. Equal values pair up, first with first."""
    pool: dict[object, list[_Atom]] = {}
    for a in left.tgt:
        pool.setdefault(a.key, []).append(a)
    src = []
    for a in left.src:
        bucket = pool.get(a.key)
        if bucket:
            bucket.pop(0)
        else:
            src.append(a)
    left.src, left.tgt = src, [a for bucket in pool.values() for a in bucket]


def _compatible_date(a: _Atom, among: list[_Atom]) -> _Atom | None:
    return next((b for b in among if b.key[0] == "d" and _compatible(a.key[1], b.key[1])), None)


def _spread_date(a: _Atom, tgt: list[_Atom]) -> list[_Atom] | None:
    """The target atoms that together say the date ``a``: a month (with or without year) and
    the year and day as plain numbers (2015年12月16日 → "16 … December 2015"); None if some is missing."""
    y, m, d = a.key[1]
    parts = [b for b in tgt if b.key[0] == "d" and b.key[1][1] == m]
    found: list[_Atom] = []
    for k in [("n", Decimal(x)) for x in (y, d) if x is not None]:
        b = next((b for b in tgt if b.key == k and b not in found), None)
        if b is None:
            return None
        found.append(b)
    return [parts[0], *found] if parts else None


def _dates(left: _Left) -> None:
    """2. Compatible dates (a missing year is no mismatch); 3. a date the target spreads out."""
    for a in [a for a in left.src if a.key[0] == "d"]:
        match = _compatible_date(a, left.tgt)
        if match:
            left.pair(a, match)
            continue
        spread = _spread_date(a, left.tgt)
        if spread:
            left.src.remove(a)
            for b in spread:
                left.tgt.remove(b)


def _dates_mirrored(left: _Left) -> None:
    """The mirror case: the source spreads what the target joins."""
    for a in [a for a in left.tgt if a.key[0] == "d"]:
        match = _compatible_date(a, left.src)
        if match:
            left.pair(match, a)


#: the pairing passes, in order; what is left after them is reported
_PASSES = (_equal_values, _dates, _dates_mirrored)


def _drop_source_soft(left_src: list[_Atom], target: str, tl: str) -> list[_Atom]:
    """4. Source values the target carries in a word (十年 → "a decade") or that translators drop (一)."""
    soft = _soft_values(target, tl)
    kept = []
    for a in left_src:
        if a.key[0] == "n" and soft.get(a.key[1]):
            soft[a.key[1]] -= 1
        elif a.key[0] == "p" and soft.get(a.key[1] / 100):  # 百分之五十 → "half"
            soft[a.key[1] / 100] -= 1
        elif not (a.key == ("n", Decimal(1)) and (a.words or a.p.kind == "ordinal")):
            kept.append(a)
    return kept


def _drop_target_soft(left_tgt: list[_Atom], source: str, sl: str, kept: list[_Atom]) -> list[_Atom]:
    """Target number words English adds freely ("first", "one of") — unless the source lost a value
    of that kind — and target values the source carries in a word."""
    src_soft = _soft_values(source, sl)
    lost_kinds = {a.p.kind for a in kept}
    kept_tgt = []
    for a in left_tgt:
        if (a.words or a.p.kind == "ordinal" and a.p.style == "words") and a.p.kind not in lost_kinds:
            continue
        if a.key[0] == "n" and src_soft.get(a.key[1]):
            src_soft[a.key[1]] -= 1
            continue
        kept_tgt.append(a)
    return kept_tgt


def compare(seg: QASegment) -> tuple[list[_Atom], list[_Atom]]:
    """Source atoms with no counterpart in the target, and target atoms with none in the source."""
    if "numbers" not in seg.cache:
        left = _Left(atoms(seg.source, seg.source_base), atoms(seg.target, seg.target_base))
        if left.src or left.tgt:
            for step in _PASSES:
                step(left)
            kept = _drop_source_soft(left.src, seg.target, seg.target_base)
            seg.cache["numbers"] = (kept, _drop_target_soft(left.tgt, seg.source, seg.source_base, kept))
        else:
            seg.cache["numbers"] = ([], [])
    return seg.cache["numbers"]


_MONTHS = ["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _show(kind: str, v, style: str = "") -> str:
    """A value as a reviewer reads it: 2,600,000,000 · 5% · 2015 · 1990s · 16 Dec 2015 · Sep 2020."""
    if style == "decade":
        return f"{v}s"
    if kind == "year":
        return str(v)
    if kind in ("number", "ordinal"):
        v = Decimal(v)
        return f"{v:,}" if v == v.to_integral_value() else f"{v:,f}"
    if kind == "percent":
        return f"{Decimal(v):f}%"
    if isinstance(v, tuple) and len(v) == 3:
        y, m, d = v
        return " ".join(str(x) for x in (d, _MONTHS[m] if m else None, y) if x is not None)
    return str(v)


def _value(a: _Atom) -> str:
    p = a.p
    if p.kind == "range":
        return "–".join(_show(p.of, v) for v in cast(tuple, p.value))
    return _show(p.kind, p.value, p.style)


def _describe(a: _Atom) -> str:
    """'26亿' (2,600,000,000): the text and, when it is not obvious, the value it was read as."""
    val = _value(a)
    plain = a.p.text.replace(",", "").replace(" ", "")
    return repr(a.p.text) if plain == val.replace(",", "").replace(" ", "") else f"{a.p.text!r} ({val})"


class _ValueCheck(Check):
    kinds: frozenset[str] = frozenset()

    def mine(self, a: _Atom) -> bool:
        return (a.kind in _DATE_KINDS) == ("date" in self.kinds)

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        missing, extra = compare(seg)

        def once(atoms):  # a range gives two atoms with one span: report the span once
            seen, out = set(), []
            for a in atoms:
                if self.mine(a) and (a.p.start, a.p.end) not in seen:
                    seen.add((a.p.start, a.p.end))
                    out.append(a)
            return out

        missing, extra = once(missing), once(extra)
        out = []
        # one wrong value is one issue: pair what the source lost with what the target gained, in order
        # (26亿 → "2.6 million"), so the reviewer sees both sides highlighted in one row
        for a, b in zip(missing, extra, strict=False):
            out.append(self.issue(seg, f"{_describe(a)} in the source, but {_describe(b)} in the target",
                                  (a.p.start, a.p.end), (b.p.start, b.p.end)))
        for a in missing[len(extra):]:
            out.append(self.issue(seg, f"{_describe(a)} in the source has no matching value in the target",
                                  (a.p.start, a.p.end), None))
        for b in extra[len(missing):]:
            out.append(self.issue(seg, f"{_describe(b)} in the target has no matching value in the source",
                                  None, (b.p.start, b.p.end)))
        return out


@register
class NumberMismatch(_ValueCheck):
    id = "number_mismatch"
    severity = "error"
    description = "Numbers, 万/亿 scales, percentages and ordinals differ between source and target."
    kinds = frozenset({"number"})


@register
class DateMismatch(_ValueCheck):
    id = "date_mismatch"
    severity = "error"
    description = "Dates, months, years and date ranges differ between source and target."
    kinds = frozenset({"date"})
