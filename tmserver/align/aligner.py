"""The offline zh–en sentence aligner: paragraphs first, then a dynamic programme per paragraph.

How a link is scored
--------------------
A *link* pairs a run of Chinese sentences with a run of English ones; its type is the pair of
run lengths. The cost of a link (lower is better) is the sum of

* ``prior[type]`` — −log of how often translators produce that type. English translators of
  Chinese split long sentences far more often than they merge, so 1-2 and 1-3 are cheaper than
  2-1 and 3-1;
* ``w_len ·`` Gale–Church length cost (:class:`~tmserver.align.features.LengthModel`), with the
  character ratio and variance taken from the document;
* ``w_sim · (1 − F) · size`` — F is the harmonic mean of how much of the Chinese block's
  evidence (dictionary words, glossary terms, numbers, Latin tokens, quotes, pinyin names) is
  found on the English side and vice versa; ``size`` is the mean number of sentences on each
  side, so that one 2-2 link and two 1-1 links over the same sentences are compared fairly.

The best path is found by dynamic programming over the link types {0-1, 1-0, 1-1, 1-2, 2-1,
2-2, 1-3, 3-1}. It is run twice: the first pass finds confident 1-1 links from which the length
model's ratio and variance are re-fitted for the second.

Confidence
----------
Treating ``exp(−cost)`` as an unnormalised probability, the forward–backward algorithm gives,
for any link, the posterior probability that it is part of the alignment — summed over *all*
paths, not just the best one. That is each link's ``score``: it is low exactly when another way
of cutting the same sentences is about as good, which is when a human should look.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from tmserver.align.features import DEFAULT_MATCHERS, Item, LengthModel, Matcher, text_length, zh_lengths

__all__ = ["Link", "Scorer", "Aligner", "LINK_TYPES", "PRIORS"]

#: link types (Chinese sentences, English sentences) and their prior probabilities for zh→en
PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.80,
    (1, 2): 0.085,
    (2, 1): 0.035,
    (1, 3): 0.02,
    (2, 2): 0.01,
    (3, 1): 0.005,
    (1, 0): 0.005,
    (0, 1): 0.005,
}
LINK_TYPES = tuple(PRIORS)

#: paragraph-level link types (used only when the two sides have different paragraph counts)
PARAGRAPH_PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.9,
    (1, 2): 0.03,
    (2, 1): 0.03,
    (1, 0): 0.02,
    (0, 1): 0.02,
}


@dataclass
class Link:
    """One alignment link: 0-based sentence indices on each side and its confidence."""

    zh: list[int]
    en: list[int]
    score: float = 0.0
    similarity: float = 0.0
    zh_text: str = ""
    en_text: str = ""
    details: dict = field(default_factory=dict)

    @property
    def type(self) -> str:
        return f"{len(self.zh)}-{len(self.en)}"

    def to_dict(self, *, texts: bool = True) -> dict:
        out: dict = {"zh": self.zh, "en": self.en, "score": round(self.score, 4)}
        if texts:
            out["zh_text"] = self.zh_text
            out["en_text"] = self.en_text
        return out


class Scorer:
    """Cost of any candidate link between two sentence lists (see the module docstring)."""

    W_LEN = 1.0
    W_SIM = 5.0

    def __init__(
        self,
        zh: Sequence[str],
        en: Sequence[str],
        *,
        matchers: Sequence[Matcher] | None = None,
        priors: dict[tuple[int, int], float] | None = None,
        length: LengthModel | None = None,
    ):
        self.zh, self.en = list(zh), list(en)
        self.matchers = list(DEFAULT_MATCHERS() if matchers is None else matchers)
        self.priors = {t: -math.log(p) for t, p in (priors or PRIORS).items()}
        self.length = length or LengthModel.from_document(self.zh, self.en)
        for m in self.matchers:
            m.prepare(self.zh, self.en)
        self._zh_items = [[it for m in self.matchers for it in m.zh_items(s)] for s in self.zh]
        self._en_items = [[it for m in self.matchers for it in m.en_items(s)] for s in self.en]
        self._zh_len = [zh_lengths(s) for s in self.zh]
        self._en_len = [text_length(s) for s in self.en]
        self._cache: dict[tuple[int, int, int, int], tuple[float, float]] = {}

    def similarity(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Coverage F of zh[i0:i1] against en[j0:j1] (0 when either side offers no evidence)."""
        zi: list[Item] = [it for k in range(i0, i1) for it in self._zh_items[k]]
        ei: list[Item] = [it for k in range(j0, j1) for it in self._en_items[k]]
        if not zi or not ei:
            return 0.0
        en_keys = {next(iter(it.keys)) for it in ei}
        zh_keys: set[str] = set().union(*(it.keys for it in zi))
        zt = sum(it.weight for it in zi)
        et = sum(it.weight for it in ei)
        zm = sum(it.weight for it in zi if not it.keys.isdisjoint(en_keys))
        em = sum(it.weight for it in ei if next(iter(it.keys)) in zh_keys)
        rz, re_ = zm / zt, em / et
        return 0.0 if rz + re_ == 0 else 2 * rz * re_ / (rz + re_)

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> tuple[float, float]:
        """(cost, similarity) of linking zh[i0:i1] with en[j0:j1]."""
        key = (i0, i1, j0, j1)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        a, b = i1 - i0, j1 - j0
        c = self.priors[(a, b)]
        sim = 0.0
        if a and b:
            c += self.W_LEN * self.length.cost(*self.lengths(i0, i1, j0, j1))
        if self.matchers:
            sim = self.similarity(i0, i1, j0, j1) if a and b else 0.0
            c += self.W_SIM * (1.0 - sim) * (a + b) / 2
        self._cache[key] = (c, sim)
        return c, sim

    def lengths(self, i0: int, i1: int, j0: int, j1: int) -> tuple[tuple[int, int], int]:
        """((Chinese characters, copied characters), English length) of a candidate link."""
        zl = self._zh_len[i0:i1]
        return (sum(h for h, _ in zl), sum(o for _, o in zl)), sum(self._en_len[j0:j1])


def _logsumexp(values: list[float]) -> float:
    if not values:
        return -math.inf
    m = max(values)
    if m == -math.inf:
        return m
    return m + math.log(sum(math.exp(v - m) for v in values))


class _Lattice:
    """Viterbi best path plus forward/backward log-sums over one paragraph group."""

    def __init__(self, scorer: Scorer, zr: tuple[int, int], er: tuple[int, int], types: Sequence[tuple[int, int]]):
        self.s, self.zr, self.er, self.types = scorer, zr, er, types
        n, m = zr[1] - zr[0], er[1] - er[0]
        self.n, self.m = n, m
        inf = math.inf
        self.best = [[inf] * (m + 1) for _ in range(n + 1)]
        self.back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
        self.fwd = [[-inf] * (m + 1) for _ in range(n + 1)]
        self.best[0][0] = 0.0
        self.fwd[0][0] = 0.0
        for i in range(n + 1):
            for j in range(m + 1):
                if i == 0 and j == 0:
                    continue
                terms = []
                for a, b in types:
                    if a > i or b > j:
                        continue
                    c, _ = self.link_cost(i - a, i, j - b, j)
                    prev = self.best[i - a][j - b]
                    if prev + c < self.best[i][j]:
                        self.best[i][j] = prev + c
                        self.back[i][j] = (a, b)
                    terms.append(self.fwd[i - a][j - b] - c)
                self.fwd[i][j] = _logsumexp(terms)
        self.bwd = [[-inf] * (m + 1) for _ in range(n + 1)]
        self.bwd[n][m] = 0.0
        for i in range(n, -1, -1):
            for j in range(m, -1, -1):
                if i == n and j == m:
                    continue
                terms = []
                for a, b in types:
                    if i + a > n or j + b > m:
                        continue
                    c, _ = self.link_cost(i, i + a, j, j + b)
                    terms.append(self.bwd[i + a][j + b] - c)
                self.bwd[i][j] = _logsumexp(terms)
        self.total = self.fwd[n][m]

    def link_cost(self, i0: int, i1: int, j0: int, j1: int) -> tuple[float, float]:
        z0, e0 = self.zr[0], self.er[0]
        return self.s.cost(z0 + i0, z0 + i1, e0 + j0, e0 + j1)

    def posterior(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Probability that the link zh[i0:i1]–en[j0:j1] (local indices) is in the alignment."""
        if (i1 - i0, j1 - j0) not in self.s.priors:
            return 0.0
        c, _ = self.link_cost(i0, i1, j0, j1)
        lp = self.fwd[i0][j0] - c + self.bwd[i1][j1] - self.total
        return min(1.0, math.exp(lp)) if lp > -700 else 0.0

    def path(self) -> list[tuple[int, int, int, int]]:
        i, j = self.n, self.m
        out = []
        while i or j:
            a, b = self.back[i][j]  # type: ignore[misc]
            out.append((i - a, i, j - b, j))
            i, j = i - a, j - b
        return out[::-1]


class Aligner:
    """Align Chinese and English documents given as paragraphs of sentences.

    ``matchers=[]`` gives the length-only baseline (Gale–Church with the same priors).
    """

    def __init__(self, *, matchers: Sequence[Matcher] | None = None, threshold: float = 0.5, refit: bool = True):
        self.matchers = matchers
        self.threshold = threshold
        self.refit = refit

    # -- paragraphs -------------------------------------------------------------------------

    def pair_paragraphs(self, zh: list[list[str]], en: list[list[str]]) -> list[tuple[list[int], list[int]]]:
        """Paragraph links. Equal counts pair one to one (the usual case: hard boundaries);
        otherwise paragraphs are aligned with the same scorer, each paragraph as one unit."""
        if len(zh) == len(en):
            return [([k], [k]) for k in range(len(zh))]
        zt = ["".join(p) for p in zh]  # Chinese sentences join without spaces
        et = [" ".join(p) for p in en]
        scorer = Scorer(zt, et, matchers=self._fresh_matchers(), priors=PARAGRAPH_PRIORS)
        lat = _Lattice(scorer, (0, len(zt)), (0, len(et)), tuple(PARAGRAPH_PRIORS))
        return [(list(range(i0, i1)), list(range(j0, j1))) for i0, i1, j0, j1 in lat.path()]

    def _fresh_matchers(self) -> list[Matcher] | None:
        if self.matchers is None:
            return None
        return [type(m)() for m in self.matchers]

    # -- sentences --------------------------------------------------------------------------

    def align(self, zh: list[list[str]], en: list[list[str]]) -> list[Link]:
        """Align paragraphs of sentences; indices in the links count sentences from 0 over the
        whole document. Every sentence of both sides appears in exactly one link."""
        zs = [s for p in zh for s in p]
        es = [s for p in en for s in p]
        zoff = _offsets(zh)
        eoff = _offsets(en)
        groups = []
        for zp, ep in self.pair_paragraphs(zh, en):
            zr = (zoff[zp[0]], zoff[zp[-1] + 1]) if zp else None
            er = (eoff[ep[0]], eoff[ep[-1] + 1]) if ep else None
            groups.append((zr, er))
        scorer = Scorer(zs, es, matchers=self.matchers)
        lattices = self._run(scorer, groups)
        if self.refit and scorer.matchers:
            trusted = []
            for lat in lattices:
                if lat is None:
                    continue
                for i0, i1, j0, j1 in lat.path():
                    if i1 - i0 == 1 and j1 - j0 == 1:
                        c, sim = lat.link_cost(i0, i1, j0, j1)
                        if sim >= 0.3:
                            trusted.append(scorer.lengths(lat.zr[0] + i0, lat.zr[0] + i1, lat.er[0] + j0, lat.er[0] + j1))
            scorer.length.fit(trusted)
            scorer._cache.clear()
            lattices = self._run(scorer, groups)
        self._last = (scorer, groups, lattices)
        links: list[Link] = []
        for (zr, er), lat in zip(groups, lattices, strict=True):
            if lat is None:  # a paragraph with nothing on the other side
                for k in range(*(zr or (0, 0))):
                    links.append(Link([k], [], 1.0))
                for k in range(*(er or (0, 0))):
                    links.append(Link([], [k], 1.0))
                continue
            for i0, i1, j0, j1 in lat.path():
                _, sim = lat.link_cost(i0, i1, j0, j1)
                z = list(range(zr[0] + i0, zr[0] + i1))
                e = list(range(er[0] + j0, er[0] + j1))
                links.append(Link(z, e, lat.posterior(i0, i1, j0, j1), sim))
        for link in links:
            link.zh_text = "".join(zs[k] for k in link.zh)
            link.en_text = " ".join(es[k] for k in link.en)
        return links

    def length_stats(self) -> dict[str, float]:
        """The length model's ratio and variance as fitted by the last :meth:`align`."""
        length = self._last[0].length
        return {"length_ratio": round(length.ratio, 3), "length_variance": round(length.variance, 3)}

    def _run(self, scorer: Scorer, groups) -> list[_Lattice | None]:
        out: list[_Lattice | None] = []
        for zr, er in groups:
            if zr is None or er is None:
                out.append(None)
            else:
                out.append(_Lattice(scorer, zr, er, LINK_TYPES))
        return out

    def confidence(self, zh_idx: Sequence[int], en_idx: Sequence[int]) -> float:
        """Posterior confidence of an arbitrary link (e.g. a gold one) after :meth:`align`."""
        _scorer, groups, lattices = self._last
        for (zr, er), lat in zip(groups, lattices, strict=True):
            if lat is None:
                continue
            inside_z = all(zr[0] <= k < zr[1] for k in zh_idx)
            inside_e = all(er[0] <= k < er[1] for k in en_idx)
            if not (inside_z and inside_e) or (not zh_idx and not en_idx):
                continue
            if zh_idx:
                i0, i1 = zh_idx[0] - zr[0], zh_idx[-1] + 1 - zr[0]
            else:  # an insertion: its position is fixed by the English side
                i0 = i1 = self._insertion_point(lat, en_idx[0] - er[0])
            if en_idx:
                j0, j1 = en_idx[0] - er[0], en_idx[-1] + 1 - er[0]
            else:
                j0 = j1 = self._insertion_point(lat, zh_idx[0] - zr[0], english=True)
            return lat.posterior(i0, i1, j0, j1)
        return 0.0

    @staticmethod
    def _insertion_point(lat: _Lattice, k: int, *, english: bool = False) -> int:
        for i0, i1, j0, j1 in lat.path():
            if english and i0 <= k < max(i1, i0 + 1):
                return j0
            if not english and j0 <= k < max(j1, j0 + 1):
                return i0
        return 0


def _offsets(paragraphs: list[list[str]]) -> list[int]:
    out = [0]
    for p in paragraphs:
        out.append(out[-1] + len(p))
    return out
