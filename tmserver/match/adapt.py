"""Placeable adaptation: reuse a match whose source differs from the query only in numbers/dates.

Query ``2025年中国网民规模达11亿`` against TM ``2024年中国网民规模达11亿`` → ``In 2024, China had
1.1 billion internet users`` becomes ``In 2025, China had 1.1 billion internet users``.

Every kind :func:`tmserver.placeables.extract` knows takes part — numbers (``86``, ``26亿``,
``3.5万``), percentages, ordinals (``第二届`` ↔ ``second``), years, full dates, months, date and
number ranges (``11月6日至9日`` ↔ ``November 6–9``) and circled note markers (``②``) — alone or
any number of them at once.

Rules (precision over recall — a wrong number in a translation is worse than no suggestion):

1. query and match source have the same placeables in the same order and are identical once
   each placeable is blanked out (compared on matching forms); otherwise the texts differ in
   words and adaptation does not apply (status ``not_applicable``);
2. for every placeable whose value changed, the target must hold its counterpart: a placeable
   with the *old* value (same kind; number/year, number/ordinal — 十周年 ↔ "tenth" — count as
   one). When the old value occurs several times on either side, the occurrences must all
   change the same way and be as many in the target as in the source, or we cannot tell which
   target occurrence belongs to which (status ``blocked``);
3. the counterpart is rewritten with :func:`tmserver.placeables.render` in the style the target
   already uses (``2.6 billion`` stays a scale word, ``December 16, 2015`` stays m-d-y), and the
   rewrite is read back with the extractor: it must say the new value.

:func:`adapt` returns an :class:`Adaptation` whose ``status`` is ``adapted``, ``blocked`` (with
the query placeable that blocked it and why), ``not_applicable`` or ``not_needed`` (no placeable
differs). :func:`adapt_target` is the old one-value interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tmserver.normalize import normalize_text
from tmserver.placeables import Placeable, extract, render

__all__ = ["Adaptation", "Change", "adapt", "adapt_target", "STATUSES"]

#: adapted: ``target`` holds the adapted text; blocked: a changed placeable could not be placed
#: (``blocker``, ``reason``); not_applicable: the texts differ in more than placeables;
#: not_needed: no placeable differs.
STATUSES = ("adapted", "blocked", "not_applicable", "not_needed")

_NUMERIC = {"number", "year"}
_DATES = {"year", "month", "date"}


@dataclass(frozen=True)
class Change:
    """One rewrite: the query's placeable ``query`` replaces ``target`` (which rendered ``source``)."""

    query: Placeable
    source: Placeable
    target: Placeable
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.query.kind,
            "from": self.target.text,
            "to": self.text,
            "query_span": [self.query.start, self.query.end],
            "target_span": [self.target.start, self.target.end],
        }


@dataclass(frozen=True)
class Adaptation:
    status: str
    target: str | None = None
    reason: str | None = None
    blocker: Placeable | None = None  #: the query placeable that could not be placed
    changes: tuple[Change, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.reason:
            out["reason"] = self.reason
        if self.blocker is not None:
            b = self.blocker
            out["placeable"] = {"kind": b.kind, "text": b.text, "span": [b.start, b.end], "value": _json_value(b.value)}
        if self.changes:
            out["changes"] = [c.to_dict() for c in self.changes]
        return out


def _json_value(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, tuple):
        return [_json_value(x) for x in v]
    return v


def _skeleton(text: str, ps: list[Placeable]) -> str:
    out, last = [], 0
    for p in ps:
        out.append(text[last : p.start])
        out.append("\ue000")  # private use: survives normalisation (OpenCC stops at NUL)
        last = p.end
    out.append(text[last:])
    return normalize_text("".join(out))


def _family(a: str, b: str) -> bool:
    """Kinds one may replace the other in the *query* (2025年 where the TM had 2024年12月)."""
    return a == b or {a, b} <= _NUMERIC or {a, b} <= _DATES


def _ends_family(a: Placeable, b: Placeable) -> bool:
    if a.kind == "range" and b.kind == "range":
        return _family(a.of or "number", b.of or "number")
    return a.kind != "range" and b.kind != "range" and _family(a.kind, b.kind)


def _ymd(v: Any) -> bool:
    return isinstance(v, tuple) and len(v) == 3


def _partial(tv: Any, sv: Any) -> bool:
    """``tv`` is ``sv`` with some date parts left out (the target says "December 16" where the
    source has 2015年12月16日) — for dates and for both ends of a date range."""
    if _ymd(tv) and _ymd(sv):
        return tv != (None, None, None) and all(a is None or a == b for a, b in zip(tv, sv, strict=True))
    if isinstance(tv, tuple) and isinstance(sv, tuple) and len(tv) == len(sv) == 2 and all(map(_ymd, tv + sv)):
        return all(_partial(a, b) for a, b in zip(tv, sv, strict=True))
    return False


def _blank_like(qv: Any, tv: Any) -> Any:
    """The query's date value with the parts the target leaves out left out too."""
    if _ymd(qv):
        return tuple(None if t is None else q for q, t in zip(qv, tv, strict=True))
    return tuple(_blank_like(q, t) for q, t in zip(qv, tv, strict=True))


def _hidden_change(qv: Any, sv: Any, tv: Any) -> bool:
    """Did the query change a date part the target does not show (the year of "December 16")?"""
    if _ymd(qv):
        return any(t is None and q != s for q, s, t in zip(qv, sv, tv, strict=True))
    return any(_hidden_change(q, s_, t) for q, s_, t in zip(qv, sv, tv, strict=True))


def _counterpart(t: Placeable, s: Placeable) -> bool:
    """Does target placeable ``t`` render source placeable ``s``?"""
    if t.kind == s.kind:
        if t.kind in ("date", "month") or (t.kind == "range" and t.of in ("date", "month") and s.of == t.of):
            return t.value == s.value or _partial(t.value, s.value)
        return t.value == s.value and (t.kind != "range" or _family(t.of or "number", s.of or "number"))
    kinds = {t.kind, s.kind}
    if kinds <= _NUMERIC or kinds == {"number", "ordinal"}:
        try:
            return Decimal(t.value) == Decimal(s.value)
        except (TypeError, ArithmeticError):
            return False
    return False


def _as_kind(q: Placeable, t: Placeable) -> Placeable:
    """The query's value in the kind of the target placeable it replaces (十一周年 → "eleventh",
    第5页 → "page 5")."""
    if t.kind == "ordinal" and q.kind == "number":
        v = Decimal(q.value)
        if v == v.to_integral_value() and v > 0:
            return Placeable("ordinal", int(v), q.start, q.end, q.text, "", q.lang)
    if t.kind == "number" and q.kind == "ordinal":
        return Placeable("number", Decimal(int(q.value)), q.start, q.end, q.text, "", q.lang)
    return q


def _changes_grammatical_number(new: Placeable, t: Placeable, lang: str) -> bool:
    """An English count going to or from one: "two themes" → "one themes" would be wrong."""
    if lang != "en" or t.kind != "number" or new.kind != "number":
        return False
    return (Decimal(new.value) == 1) != (Decimal(t.value) == 1)


def _reads_back(text: str, new: Placeable, lang: str) -> bool:
    """The rendered text, extracted again, says the new value (guards every rendering rule)."""
    got = extract(text, lang, notes=new.kind == "note")
    if len(got) != 1 or got[0].start != 0 or got[0].end != len(text):
        return False
    g = got[0]
    if g.kind == new.kind or {g.kind, new.kind} <= _NUMERIC:
        if g.kind == "range" and new.kind == "range":
            return _compatible_dates(g.value, new.value) if (new.of in _DATES) else g.value == new.value
        if new.kind in ("date", "month") and g.kind == new.kind:
            return _compatible_dates(g.value, new.value)
        try:
            return Decimal(g.value) == Decimal(new.value)
        except (TypeError, ArithmeticError):
            return g.value == new.value
    return False


def _compatible_dates(a: Any, b: Any) -> bool:
    """Equal, where a range or date written without its year (November 6–9) leaves it out."""
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return all(_compatible_dates(x, y) for x, y in zip(a, b, strict=True))
    return a is None or b is None or a == b


def adapt(query: str, source: str, target: str, src_lang: str, tgt_lang: str) -> Adaptation:
    """The target with the query's placeables put in, or why that is not possible."""
    qp, sp = extract(query, src_lang, notes=True), extract(source, src_lang, notes=True)
    if len(qp) != len(sp) or _skeleton(query, qp) != _skeleton(source, sp):
        return Adaptation("not_applicable", reason="the query and the match differ in more than numbers and dates")
    pairs = list(zip(qp, sp, strict=True))
    changed = [(q, s) for q, s in pairs if q.value != s.value or q.kind != s.kind or q.of != s.of]
    if not changed:
        return Adaptation("not_needed")
    tp = extract(target, tgt_lang, notes=True)
    edits: dict[int, Change] = {}  # target placeable index → its rewrite
    for q, s in changed:
        try:
            for i in _target_hits(q, s, pairs, tp):
                if i not in edits:
                    edits[i] = _rewrite(q, s, tp[i], tgt_lang)
        except _Blocked as exc:
            return Adaptation("blocked", blocker=q, reason=str(exc))
    out = target
    for change in sorted(edits.values(), key=lambda c: c.target.start, reverse=True):
        out = out[: change.target.start] + change.text + out[change.target.end :]
    changes = tuple(sorted(edits.values(), key=lambda c: c.target.start))
    return Adaptation("adapted", target=out, changes=changes)


class _Blocked(Exception):
    """A changed placeable cannot be put in the target; the message says why."""


def _target_hits(q: Placeable, s: Placeable, pairs: list[tuple[Placeable, Placeable]], tp: list[Placeable]) -> list[int]:
    """Indices of the target placeables that say ``s`` (the match source's value the query ``q`` changes)."""
    if not _ends_family(q, s):
        raise _Blocked(f"the query has a {q.kind} where the match has a {s.kind} ({s.text!r})")
    hits = [i for i, t in enumerate(tp) if _counterpart(t, s)]
    if not hits:
        raise _Blocked(f"{s.text!r} in the match source has no counterpart in the target (written in words the "
                       f"extractor cannot read, or left out), so {q.text!r} cannot be put in")
    same = [(q2, s2) for q2, s2 in pairs if _counterpart(s2, s) or s2 is s]
    uniform = all(q2.value == q.value and q2.kind == q.kind for q2, _ in same)
    if (len(hits) > 1 or len(same) > 1) and (not uniform or len(hits) != len(same)):
        raise _Blocked(f"the value of {s.text!r} occurs {len(same)}× in the match source and {len(hits)}× in the "
                       f"target; which target occurrence to change is ambiguous")
    return hits


def _rewrite(q: Placeable, s: Placeable, t: Placeable, tgt_lang: str) -> Change:
    """The target placeable ``t`` (which says ``s``) rewritten to say ``q``, in ``t``'s form."""
    new = _as_kind(q, t)
    if t.value != s.value and q.kind == s.kind == t.kind:  # the target leaves date parts out
        if _hidden_change(q.value, s.value, t.value):
            raise _Blocked(f"the query changes a part of {s.text!r} that the target's {t.text!r} leaves out "
                           f"(it may be stated elsewhere in the target)")
        new = Placeable(q.kind, _blank_like(q.value, t.value), q.start, q.end, q.text, q.style, q.lang, q.of)
    if _changes_grammatical_number(new, t, tgt_lang):
        raise _Blocked(f"{t.text!r} → {q.text!r} changes the English noun between singular and plural")
    try:
        text = _same_case(render(new, tgt_lang, like=t), t.text)
    except (ValueError, ArithmeticError, KeyError, TypeError) as exc:
        raise _Blocked(f"{q.text!r} cannot be written in the form of {t.text!r}") from exc
    if not _reads_back(text, new, tgt_lang):
        raise _Blocked(f"{q.text!r} written like {t.text!r} gives {text!r}, which does not read back as the same value")
    return Change(q, s, t, text)


def _same_case(text: str, like: str) -> str:
    """Write ``text`` with the initial capital of the word it replaces: "Fourth World Internet
    Conference" becomes "Fifth …", not "fifth …" (a title, or the start of a sentence)."""
    if like[:1].isupper() and text[:1].islower():
        return text[:1].upper() + text[1:]
    return text


def adapt_target(query: str, source: str, target: str, src_lang: str, tgt_lang: str) -> str | None:
    """The target with the query's placeables put in, or ``None`` when that is not safe."""
    return adapt(query, source, target, src_lang, tgt_lang).target
