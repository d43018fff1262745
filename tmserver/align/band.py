"""Where the dynamic programme may go: anchors and the band around them (linear cost).

A full alignment lattice has (n + 1)·(m + 1) cells, so a 5,000 × 6,000-sentence book needs
30 million of them. Almost all are hopeless: the translation of sentence 2,000 is not sentence
40. This module finds a monotone chain of **anchors** — sentence pairs that share rare,
high-precision evidence — and turns it into a :class:`Band`, the set of lattice cells the DP
is allowed to visit:

* between two consecutive anchors the band is the rectangle they span (the true path must pass
  between them), grown by a margin on every side so an anchor that is off by a sentence or two
  does no harm;
* where anchors are far apart the rectangle would be large, so it is replaced by a diagonal
  strip whose half-width grows with the gap (the evidence is weak there; the path may drift);
* with no anchors at all the whole document is one such gap.

The band's size is the sum of its rows' widths — linear in the number of sentences when
anchors come every few sentences, which they do in any real translation (names, numbers, rare
dictionary words; in a second pass, the confident links of the first).

Anchor search (:func:`find_anchors`) is also linear: an inverted index from *rare* keys (found
in at most :data:`RARE_DF` sentences on either side) to English sentences, looked up only inside
a corridor around the length diagonal, then a heaviest increasing chain (Fenwick tree,
O(k log k)) over the mutual-best candidate pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Band", "band_from_anchors", "find_anchors", "full_band", "RARE_DF"]

#: a key is "rare" when it occurs in at most this many sentences on each side
RARE_DF = 3
#: rectangles between anchors larger than this many cells become diagonal strips
MAX_RECT_CELLS = 2500


@dataclass
class Band:
    """Allowed columns ``lo[i] … hi[i]`` (inclusive) for each lattice row ``i`` = 0 … n."""

    n: int
    m: int
    lo: list[int]
    hi: list[int]

    @property
    def cells(self) -> int:
        """How many lattice cells the DP visits (the measure of its time and memory)."""
        return sum(h - lo + 1 for lo, h in zip(self.lo, self.hi, strict=True))

    def contains(self, i: int, j: int) -> bool:
        return 0 <= i <= self.n and self.lo[i] <= j <= self.hi[i]


def full_band(n: int, m: int) -> Band:
    """Every cell: the classical quadratic DP (used for small inputs, where it is cheap)."""
    return Band(n, m, [0] * (n + 1), [m] * (n + 1))


def band_from_anchors(anchors: Sequence[tuple[int, int]], n: int, m: int, *, margin: int = 4,
                      gap_widen: float = 0.12, max_half_width: int = 250) -> Band:
    """The band through ``anchors`` (sentence pairs (i, j), increasing in both).

    Each anchor (i, j) pins lattice points (i, j) and (i + 1, j + 1); consecutive pins span a
    rectangle (or, when large, a strip of half-width ``margin + gap_widen·gap``, at most
    ``max_half_width``) and every piece is grown by ``margin``.
    """
    pins = [(0, 0)]
    for i, j in anchors:
        if i < pins[-1][0] or j < pins[-1][1] or i >= n or j >= m:
            continue
        pins.append((i, j))
        pins.append((i + 1, j + 1))
    pins.append((n, m))
    inf = m + 1
    lo = [inf] * (n + 1)
    hi = [-1] * (n + 1)
    for (r0, c0), (r1, c1) in zip(pins, pins[1:], strict=False):
        dr, dc = r1 - r0, c1 - c0
        if (dr + 1) * (dc + 1) <= MAX_RECT_CELLS:
            for p in range(max(0, r0 - margin), min(n, r1 + margin) + 1):
                lo[p] = min(lo[p], c0 - margin)
                hi[p] = max(hi[p], c1 + margin)
            continue
        half = min(max_half_width, margin + int(gap_widen * max(dr, dc)))
        for p in range(max(0, r0 - half), min(n, r1 + half) + 1):
            a: float
            b: float
            if dr == 0:  # a run of English sentences with no Chinese between the pins
                a, b = float(c0), float(c1)
            else:  # from this row's line position to the next row's: steep lines stay connected
                a = c0 + dc * (min(max(p - 1, r0), r1) - r0) / dr
                b = c0 + dc * (min(max(p + 1, r0), r1) - r0) / dr
            lo[p] = min(lo[p], int(a) - half)
            hi[p] = max(hi[p], math.ceil(b) + half)
    for p in range(n + 1):
        lo[p] = max(0, lo[p])
        hi[p] = min(m, hi[p])
    lo[0], hi[n] = 0, m
    return Band(n, m, lo, hi)


class _MaxFenwick:
    """Prefix maximum of (score, index) over positions 1 … size."""

    def __init__(self, size: int):
        self.size = size
        self.tree: list[tuple[float, int]] = [(0.0, -1)] * (size + 1)

    def update(self, pos: int, value: tuple[float, int]) -> None:
        while pos <= self.size:
            if value > self.tree[pos]:
                self.tree[pos] = value
            pos += pos & -pos

    def query(self, pos: int) -> tuple[float, int]:
        best = (0.0, -1)
        while pos > 0:
            if self.tree[pos] > best:
                best = self.tree[pos]
            pos -= pos & -pos
        return best


def find_anchors(zh_keys: Sequence[Sequence[tuple[frozenset[str], float]]],
                 en_keys: Sequence[Sequence[tuple[str, float]]], *, min_score: float = 4.0,
                 window: int = 64) -> list[tuple[int, int]]:
    """Confident sentence pairs (i, j), increasing in both, from shared rare keys.

    ``zh_keys[i]`` are the (keys, weight) items of Chinese sentence i, ``en_keys[j]`` the
    (key, weight) items of English sentence j. Two rounds:

    1. keys rare in the whole document, looked up in a wide corridor around the diagonal —
       a coarse chain (a book's rare names, numbers and words);
    2. keys rare *locally*: Chinese windows of ``window`` sentences, each against the English
       span around the coarse chain's guess, wide where the coarse chain has no anchor near.
       A character's name that recurs through a book is still rare within a few pages.
    """
    n, m = len(zh_keys), len(en_keys)
    if not n or not m:
        return []
    corridor = max(30, (n + m) // 10)
    slope = m / n
    coarse = _chain(zh_keys, en_keys, [((0, n), (0, m))], corridor, min_score)
    if n <= window:
        return coarse
    pins = [(0, 0.0)] + [(i, j + 0.5) for i, j in coarse] + [(n, float(m))]
    regions = []
    k = 0
    for a in range(0, n, window):
        b = min(n, a + window)
        while k + 1 < len(pins) and pins[k + 1][0] <= a:
            k += 1
        (i0, j0), (i1, j1) = pins[k], pins[min(k + 1, len(pins) - 1)]
        guess = [j0 + (j1 - j0) * (i - i0) / (i1 - i0) if i1 > i0 else j0 for i in (a, b)]
        far = min(a - i0, max(0, i1 - b)) if i1 > i0 else 0
        spread = min(250, 20 + int(0.1 * far * max(1.0, slope)))
        regions.append(((a, b), (max(0, int(guess[0]) - spread), min(m, int(guess[1]) + 1 + spread))))
    return _chain(zh_keys, en_keys, regions, None, min_score)


def _chain(zh_keys: Sequence[Sequence[tuple[frozenset[str], float]]], en_keys: Sequence[Sequence[tuple[str, float]]],
           regions: list[tuple[tuple[int, int], tuple[int, int]]], corridor: int | None,
           min_score: float) -> list[tuple[int, int]]:
    """Score pairs sharing keys rare within their region; keep row-and-column bests; chain them."""
    slope = len(en_keys) / len(zh_keys)
    scores: dict[tuple[int, int], float] = {}
    for region in regions:
        _score_region(zh_keys, en_keys, region, corridor, slope, scores)
    return _heaviest_chain(_mutual_bests(scores, min_score), len(en_keys))


def _score_region(zh_keys: Sequence[Sequence[tuple[frozenset[str], float]]],
                  en_keys: Sequence[Sequence[tuple[str, float]]], region: tuple[tuple[int, int], tuple[int, int]],
                  corridor: int | None, slope: float, scores: dict[tuple[int, int], float]) -> None:
    """Add to ``scores`` the pairs of one region that share a key rare on both sides of it; a key
    of weight w found in h English sentences gives each w / h."""
    (a, b), _ = region
    en_index, rare = _rare_keys(zh_keys, en_keys, region)
    for i in range(a, b):
        centre = (i + 0.5) * slope
        for keys, weight in zh_keys[i]:
            hits = {j for k in keys if k in rare for j in en_index[k] if corridor is None or abs(j - centre) <= corridor}
            for j in hits:
                scores[(i, j)] = scores.get((i, j), 0.0) + weight / len(hits)


def _rare_keys(zh_keys: Sequence[Sequence[tuple[frozenset[str], float]]],
               en_keys: Sequence[Sequence[tuple[str, float]]],
               region: tuple[tuple[int, int], tuple[int, int]]) -> tuple[dict[str, list[int]], set[str]]:
    """The English sentences of the region holding each key, and the keys rare on both sides of it."""
    (a, b), (c, d) = region
    en_index: dict[str, list[int]] = {}
    for j in range(c, d):
        for k in {k for k, _ in en_keys[j]}:
            en_index.setdefault(k, []).append(j)
    zh_df: dict[str, int] = {}
    for i in range(a, b):
        for k in {k for keys, _ in zh_keys[i] for k in keys}:
            zh_df[k] = zh_df.get(k, 0) + 1
    return en_index, {k for k, js in en_index.items() if len(js) <= RARE_DF and zh_df.get(k, 0) <= RARE_DF}


def _mutual_bests(scores: dict[tuple[int, int], float], min_score: float) -> list[tuple[int, int, float]]:
    """The scored pairs (sorted) at least ``min_score`` that are the best of both their row and column."""
    row_best: dict[int, float] = {}
    col_best: dict[int, float] = {}
    for (i, j), s in scores.items():
        row_best[i] = max(row_best.get(i, 0.0), s)
        col_best[j] = max(col_best.get(j, 0.0), s)
    return sorted((i, j, s) for (i, j), s in scores.items() if s >= min_score and s == row_best[i] and s == col_best[j])


def _heaviest_chain(cands: list[tuple[int, int, float]], m: int) -> list[tuple[int, int]]:
    """The subset of (i, j, weight) strictly increasing in i and j with the largest total weight."""
    fw = _MaxFenwick(m + 1)
    best: list[float] = []
    prev: list[int] = []
    k = 0
    while k < len(cands):
        # candidates in the same row must not chain onto each other: query all, then update
        row = cands[k][0]
        group = []
        while k < len(cands) and cands[k][0] == row:
            group.append(k)
            k += 1
        results = []
        for g in group:
            _, j, s = cands[g]
            total, back = fw.query(j)  # positions 1 … j hold columns 0 … j-1
            results.append((g, total + s, back))
        for g, total, back in results:
            best.append(total)
            prev.append(back)
            fw.update(cands[g][1] + 1, (total, g))
    if not best:
        return []
    g = max(range(len(best)), key=best.__getitem__)
    chain = []
    while g != -1:
        chain.append((cands[g][0], cands[g][1]))
        g = prev[g]
    return chain[::-1]
