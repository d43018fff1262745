"""Strict and lax precision/recall/F1 of an alignment against a gold one.

Definitions of Sennrich & Volk (2011, "Iterative, MT-based sentence alignment of parallel
texts", NODALIDA), as used by Bleualign and later aligners:

* **precision** is computed over the test links (a link empty on both sides is ignored):
  a test link is a *strict* hit when the identical link is in the gold set, and a *lax* hit when
  it is a strict hit or shares at least one Chinese sentence **and** one English sentence with
  some gold link;
* **recall** is the same computation with the roles swapped, over the links that are non-empty
  on both sides (insertions and deletions do not count towards recall on either side);
* F1 is the harmonic mean of precision and recall, for strict and lax separately.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tmserver.errors import ValidationError

__all__ = ["Scores", "evaluate", "read_links"]

LinkT = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass
class Scores:
    precision_strict: float
    recall_strict: float
    f1_strict: float
    precision_lax: float
    recall_lax: float
    f1_lax: float

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.__dict__.items()}

    def table(self) -> str:
        return (
            "            strict    lax\n"
            f"precision   {self.precision_strict:.4f}    {self.precision_lax:.4f}\n"
            f"recall      {self.recall_strict:.4f}    {self.recall_lax:.4f}\n"
            f"F1          {self.f1_strict:.4f}    {self.f1_lax:.4f}"
        )


def _norm(links: Iterable) -> list[LinkT]:
    out = []
    for link in links:
        if isinstance(link, dict):
            z, e = link.get("zh", []), link.get("en", [])
        elif hasattr(link, "zh"):
            z, e = link.zh, link.en
        else:
            z, e = link
        out.append((tuple(sorted(z)), tuple(sorted(e))))
    return out


def _hits(test: Sequence[LinkT], ref: Sequence[LinkT]) -> tuple[int, int, int]:
    """(strict hits, lax hits, counted) of ``test`` links measured against ``ref`` links."""
    ref_set = set(ref)
    zh_to_en: dict[int, set[int]] = {}
    for z, e in ref:
        for i in z:
            zh_to_en.setdefault(i, set()).update(e)
    strict = lax = counted = 0
    for z, e in test:
        if not z and not e:
            continue
        counted += 1
        if (z, e) in ref_set:
            strict += 1
            lax += 1
            continue
        partners = set().union(*(zh_to_en.get(i, set()) for i in z)) if z else set()
        if partners.intersection(e):
            lax += 1
    return strict, lax, counted


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def evaluate(test: Iterable, gold: Iterable) -> Scores:
    """Score ``test`` links against ``gold`` links (each a dict with zh/en lists, a Link, or a pair)."""
    t, g = _norm(test), _norm(gold)
    ps, pl, pn = _hits(t, g)
    t_full = [x for x in t if x[0] and x[1]]
    g_full = [x for x in g if x[0] and x[1]]
    rs, rl, rn = _hits(g_full, t_full)
    p_s, p_l = (ps / pn, pl / pn) if pn else (0.0, 0.0)
    r_s, r_l = (rs / rn, rl / rn) if rn else (0.0, 0.0)
    return Scores(p_s, r_s, _f1(p_s, r_s), p_l, r_l, _f1(p_l, r_l))


def read_links(text: str, *, where: str = "gold") -> list[dict]:
    """Parse a jsonl alignment (one ``{"zh": [...], "en": [...]}`` per line, blank lines skipped)."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"{where} line {n}: not JSON ({exc.msg})", {"line": n}) from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("zh"), list) or not isinstance(obj.get("en"), list):
            raise ValidationError(f"{where} line {n}: needs \"zh\" and \"en\" lists of sentence indices", {"line": n})
        if not all(isinstance(i, int) and i >= 0 for i in obj["zh"] + obj["en"]):
            raise ValidationError(f"{where} line {n}: indices must be non-negative integers", {"line": n})
        out.append({"zh": obj["zh"], "en": obj["en"]})
    return out
