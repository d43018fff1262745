"""CAT-style scores (0–101) from an edit distance on matching forms.

* **101** ``context``: identical text and the neighbouring segments match too (set by the engine,
  which knows the context hashes; see :func:`with_context`);
* **100** ``exact``: identical text;
* **94–99** ``exact``: identical matching form, minus the fixed penalties of
  :mod:`tmserver.match.penalties` for visible differences;
* **≤ 99** ``fuzzy``: ``⌊100 · (1 − d / max(len))⌋`` with ``d`` the Levenshtein distance between
  the matching forms, capped at 99 so a real edit never shows as exact.

**Characters, also for English.** Levenshtein runs on characters in both languages. Measured
with rapidfuzz (``Levenshtein.normalized_similarity``), lower-cased:

=====================================  ==============================  =========  ======
query                                  TM segment                      character  token
=====================================  ==============================  =========  ======
Open the file                          Open the files                  0.93       0.67
The conference was held in Wuzhen      … held in Beijing               0.82       0.83
Save the document before closing …     Close the window before …       0.44       0.43
=====================================  ==============================  =========  ======

Tokens punish inflection as a whole-word change (a plural drops a 3-word segment to 67 %) and give
short segments coarse steps (a 4-word segment can only score 100/75/50/25), while on real rewrites
both agree within a point. Characters also keep one index (character bigrams) and one exactness
proof for both languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tmserver.match.penalties import penalties


@dataclass(frozen=True)
class Score:
    value: int
    match_type: str  # exact | context | fuzzy
    similarity: float  # 1 − d/max(len) on matching forms
    penalties: list[tuple[str, int]] = field(default_factory=list)


def score(query: str, candidate: str, distance: int, max_len: int) -> Score:
    """Score ``candidate`` (original text) for ``query`` (original text) given the distance of
    their matching forms."""
    sim = (max_len - distance) / max_len if max_len else 1.0
    if distance == 0:
        pens = penalties(query, candidate)
        return Score(100 - sum(p for _, p in pens), "exact", sim, pens)
    return Score(min(99, (100 * (max_len - distance)) // max_len), "fuzzy", sim)


def with_context(s: Score, prev_ok: bool | None, next_ok: bool | None) -> Score:
    """101 for an untouched exact match whose given neighbours all match (``None``: not given)."""
    given = [ok for ok in (prev_ok, next_ok) if ok is not None]
    if s.value == 100 and given and all(given):
        return Score(101, "context", s.similarity, s.penalties)
    return s
