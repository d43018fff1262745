"""The offline zh–en sentence aligner: paragraphs, anchors, then a banded dynamic programme.

How a link is scored
--------------------
A *link* pairs a run of Chinese sentences with a run of English ones; its type is the pair of
run lengths. The cost of a link (lower is better) is the sum of

* ``prior[type]`` — −log of how often translators produce that type. English translators of
  Chinese split long sentences far more often than they merge, so 1-2 and 1-3 are cheaper than
  2-1 and 3-1; the wide types 1-4, 2-3, 3-2, 4-1 exist (literary translation has them) but
  are rare;
* ``w_len ·`` Gale–Church length cost (:class:`~tmserver.align.features.LengthModel`), with the
  character ratio and variance taken from the document;
* ``w_sim · (1 − F) · size`` — F is the harmonic mean of how much of the Chinese block's
  evidence (dictionary words, glossary terms, numbers, Latin tokens, quotes, pinyin names,
  question/exclamation marks) is found on the English side and vice versa; ``size`` is the
  mean number of sentences on each side, so that one 2-2 link and two 1-1 links over the same
  sentences are compared fairly. A null link (0-1, 1-0) pays ``w_sim · W_NULL · size``: a
  sentence the translator added or dropped has no counterpart, but it should not cost so much
  that it is always glued to a neighbour instead.

Because F, the length cost and the priors all scale with the sentences covered, splitting a
true 1-4 into 1-3 + 0-1 gains nothing on evidence and pays a second prior.

How the path is found
---------------------
Link types {0-1, 1-0, 1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-4, 2-3, 3-2, 4-1}, dynamic programming
inside a :class:`~tmserver.align.band.Band`: every cell for small paragraph groups, else a band
around anchors (sentence pairs sharing rare names, numbers, words), so that time and memory
grow linearly with the number of sentences. Two passes: the first pass's confident links
re-fit the length model, teach a document lexicon (:mod:`tmserver.align.learn`) and pin the
second pass's band.

Confidence
----------
Treating ``exp(−cost)`` as an unnormalised probability, the forward–backward algorithm gives,
for any link, the posterior probability that it is part of the alignment — summed over *all*
paths, not just the best one. It is low exactly when another way of cutting the same
sentences is about as good. Each link's ``score`` is that posterior recalibrated with the
link's similarity and type (:mod:`tmserver.align.confidence`), so that a score under 0.5 —
"held for review" — catches most wrong links; the raw posterior is in ``details``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tmserver.align.band import Band, band_from_anchors, find_anchors, full_band
from tmserver.align.confidence import calibrated
from tmserver.align.features import (
    DEFAULT_MATCHERS,
    DictionaryMatcher,
    Item,
    LengthModel,
    Matcher,
    text_length,
    zh_lengths,
)
from tmserver.align.learn import learn_lexicon

__all__ = ["Link", "Scorer", "Aligner", "LINK_TYPES", "PRIORS"]

#: link types (Chinese sentences, English sentences) and their prior probabilities for zh→en
PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.80,
    (1, 2): 0.085,
    (2, 1): 0.035,
    (1, 3): 0.02,
    (2, 2): 0.01,
    (3, 1): 0.005,
    (1, 0): 0.01,
    (0, 1): 0.01,
    (1, 4): 0.004,
    (2, 3): 0.001,
    (3, 2): 0.0005,
    (4, 1): 0.0005,
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
    #: the evidence term of a null link (its sentence has no counterpart, F = 0), relative to a
    #: link with F = 0. At 1.0 a sentence the translator added is almost always absorbed into
    #: a neighbouring link (1-1 → 1-2); 0.6 with null priors of 0.01 found 8 more of the fiction
    #: text's nulls without losing any on the short texts (0.3, or priors of 0.02, did).
    W_NULL = 0.6

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
        self._zh_len = [zh_lengths(s) for s in self.zh]
        self._en_len = [text_length(s) for s in self.en]
        self.refresh_items()

    def refresh_items(self) -> None:
        """(Re)compute every sentence's evidence items, e.g. after a matcher learned a lexicon."""
        self._zh_items = [[it for m in self.matchers for it in m.zh_items(s)] for s in self.zh]
        self._en_items = [[it for m in self.matchers for it in m.en_items(s)] for s in self.en]
        self._zh_keys = [frozenset().union(*(it.keys for it in items)) for items in self._zh_items]
        self._en_keys = [frozenset(next(iter(it.keys)) for it in items) for items in self._en_items]
        self._zh_tot = [sum(it.weight for it in items) for items in self._zh_items]
        self._en_tot = [sum(it.weight for it in items) for items in self._en_items]
        # which items of zh sentence i find a counterpart in en sentence j (and vice versa), as
        # bitmasks computed once per sentence pair: a block's matches are the OR of its pairs'
        self._pairs: dict[tuple[int, int], tuple[int, int]] = {}
        self._zh_mask_w: list[dict[int, float]] = [{0: 0.0} for _ in self.zh]
        self._en_mask_w: list[dict[int, float]] = [{0: 0.0} for _ in self.en]
        hz, oz, le = [0], [0], [0]
        for h, o in self._zh_len:
            hz.append(hz[-1] + h)
            oz.append(oz[-1] + o)
        for x in self._en_len:
            le.append(le[-1] + x)
        self._han_prefix, self._other_prefix, self._en_prefix = hz, oz, le
        self._zh_tot_prefix = _prefix(self._zh_tot)
        self._en_tot_prefix = _prefix(self._en_tot)

    def anchor_items(self, zr: tuple[int, int], er: tuple[int, int]):
        """The items of zh[zr] and en[er] in the plain form :func:`~tmserver.align.band.find_anchors` takes."""
        zk = [[(it.keys, it.weight) for it in self._zh_items[k]] for k in range(*zr)]
        ek = [[(next(iter(it.keys)), it.weight) for it in self._en_items[k]] for k in range(*er)]
        return zk, ek

    def _pair(self, i: int, j: int) -> tuple[int, int]:
        """(mask of zh[i]'s items matched in en[j], mask of en[j]'s items matched in zh[i])."""
        key = (i, j)
        hit = self._pairs.get(key)
        if hit is not None:
            return hit
        zk, ek = self._zh_keys[i], self._en_keys[j]
        zm = em = 0
        if not zk.isdisjoint(ek):
            for t, it in enumerate(self._zh_items[i]):
                if not it.keys.isdisjoint(ek):
                    zm |= 1 << t
            for t, it in enumerate(self._en_items[j]):
                if not it.keys.isdisjoint(zk):
                    em |= 1 << t
        self._pairs[key] = (zm, em)
        return zm, em

    @staticmethod
    def _mask_weight(cache: dict[int, float], items: list[Item], mask: int) -> float:
        w = cache.get(mask)
        if w is None:
            w = sum(it.weight for t, it in enumerate(items) if mask >> t & 1)
            cache[mask] = w
        return w

    def similarity(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Coverage F of zh[i0:i1] against en[j0:j1] (0 when either side offers no evidence).

        A Chinese item counts as covered when one of its keys is among the English block's
        keys; an English item when its key is among the Chinese block's. Over a block, an item
        is covered when it is covered by any one sentence of the other side, so the block's
        coverage is the OR of the per-pair masks.
        """
        zt = self._zh_tot_prefix[i1] - self._zh_tot_prefix[i0]
        et = self._en_tot_prefix[j1] - self._en_tot_prefix[j0]
        if not zt or not et:
            return 0.0
        pair = self._pair
        emasks = [0] * (j1 - j0)
        zm = 0.0
        for i in range(i0, i1):
            mask = 0
            for j in range(j0, j1):
                a, b = pair(i, j)
                mask |= a
                emasks[j - j0] |= b
            if mask:
                zm += self._mask_weight(self._zh_mask_w[i], self._zh_items[i], mask)
        if not zm:
            return 0.0
        em = 0.0
        for j in range(j0, j1):
            if emasks[j - j0]:
                em += self._mask_weight(self._en_mask_w[j], self._en_items[j], emasks[j - j0])
        rz, re_ = zm / zt, em / et
        return 0.0 if rz + re_ == 0 else 2 * rz * re_ / (rz + re_)

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> tuple[float, float]:
        """(cost, similarity) of linking zh[i0:i1] with en[j0:j1]."""
        a, b = i1 - i0, j1 - j0
        c = self.priors[(a, b)]
        sim = 0.0
        if a and b:
            c += self.W_LEN * self.length.cost(*self.lengths(i0, i1, j0, j1))
        if self.matchers:
            if a and b:
                sim = self.similarity(i0, i1, j0, j1)
                c += self.W_SIM * (1.0 - sim) * (a + b) / 2
            else:
                c += self.W_SIM * self.W_NULL * (a + b) / 2
        return c, sim


    def lengths(self, i0: int, i1: int, j0: int, j1: int) -> tuple[tuple[int, int], int]:
        """((Chinese characters, copied characters), English length) of a candidate link."""
        hz, oz, le = self._han_prefix, self._other_prefix, self._en_prefix
        return (hz[i1] - hz[i0], oz[i1] - oz[i0]), le[j1] - le[j0]


def _prefix(values: Sequence[float]) -> list[float]:
    out = [0.0]
    for v in values:
        out.append(out[-1] + v)
    return out


class _Lattice:
    """Viterbi best path plus forward/backward log-sums over one paragraph group, inside a band.

    Row ``i`` of the lattice holds only the columns ``band.lo[i] … band.hi[i]``; every table is
    a list of such rows, so time and memory are proportional to :attr:`Band.cells`. The cost of
    each link is computed once, in the forward sweep, and stored at the cell where the link
    ends; the backward sweep and the posteriors read it from there.
    """

    def __init__(self, scorer: Scorer, zr: tuple[int, int], er: tuple[int, int], types: Sequence[tuple[int, int]],
                 band: Band | None = None, progress: Callable[[int], None] | None = None):
        self.s, self.zr, self.er, self.types = scorer, zr, er, tuple(types)
        n, m = zr[1] - zr[0], er[1] - er[0]
        self.n, self.m = n, m
        self.band = band or full_band(n, m)
        self.best: list[list[float]] = []
        self.back: list[list[int]] = []
        self.fwd: list[list[float]] = []
        self.costs: list[list[list[float | None] | None]] = []
        for i in range(n + 1):
            self._forward_row(i)
            if progress is not None:
                progress(self.band.hi[i] - self.band.lo[i] + 1)
        self.bwd = self._backward()
        self.total = self.fwd[n][m - self.band.lo[n]]

    def _forward_row(self, i: int) -> None:
        """Row ``i`` of the Viterbi (best, back) and forward (fwd) tables, and the link costs that end in it.

        The per-cell loop stays inline (no helper per cell): it is the aligner's hottest path.
        """
        lo, hi = self.band.lo, self.band.hi
        inf, exp, log = math.inf, math.exp, math.log
        z0, e0, cost, types = self.zr[0], self.er[0], self.s.cost, self.types
        best, fwd = self.best, self.fwd
        li, hi_i = lo[i], hi[i]
        width = hi_i - li + 1
        brow, frow = [inf] * width, [-inf] * width
        krow = [-1] * width
        crow: list[list[float | None] | None] = [None] * width
        for j in range(li, hi_i + 1):
            if i == 0 and j == 0:
                brow[0], frow[0] = 0.0, 0.0
                continue
            cell: list[float | None] = [None] * len(types)
            bb, bk = inf, -1
            terms: list[float] = []
            for t, (a, b) in enumerate(types):
                pi, pj = i - a, j - b
                if pi < 0 or pj < lo[pi] or pj > hi[pi]:
                    continue
                prev = best[pi][pj - lo[pi]] if pi < i else brow[pj - li]
                if prev == inf:
                    continue
                c, _ = cost(z0 + pi, z0 + i, e0 + pj, e0 + j)
                cell[t] = c
                if prev + c < bb:
                    bb, bk = prev + c, t
                terms.append((fwd[pi][pj - lo[pi]] if pi < i else frow[pj - li]) - c)
            crow[j - li] = cell
            brow[j - li], krow[j - li] = bb, bk
            if terms:
                mx = max(terms)
                frow[j - li] = mx + log(sum(exp(v - mx) for v in terms)) if mx > -inf else -inf
        best.append(brow)
        self.back.append(krow)
        fwd.append(frow)
        self.costs.append(crow)

    def _backward(self) -> list[list[float]]:
        """The backward log-sums, reusing the link costs the forward sweep stored."""
        n, m, lo, hi = self.n, self.m, self.band.lo, self.band.hi
        bwd: list[list[float]] = [[-math.inf] * (hi[i] - lo[i] + 1) for i in range(n + 1)]
        bwd[n][m - lo[n]] = 0.0
        for i in range(n, -1, -1):
            row = bwd[i]
            for j in range(hi[i], lo[i] - 1, -1):
                if i == n and j == m:
                    continue
                terms = self._backward_terms(bwd, i, j)
                if terms:
                    mx = max(terms)
                    row[j - lo[i]] = mx + math.log(sum(math.exp(v - mx) for v in terms))
        return bwd

    def _backward_terms(self, bwd: list[list[float]], i: int, j: int) -> list[float]:
        """For each link type leaving cell (i, j): backward score of where it lands minus its cost."""
        n, lo, hi, costs = self.n, self.band.lo, self.band.hi, self.costs
        terms: list[float] = []
        for t, (a, b) in enumerate(self.types):
            ni, nj = i + a, j + b
            if ni > n or nj < lo[ni] or nj > hi[ni]:
                continue
            cell = costs[ni][nj - lo[ni]]
            c = None if cell is None else cell[t]
            v = bwd[ni][nj - lo[ni]]
            if c is not None and v > -math.inf:
                terms.append(v - c)
        return terms

    def link_cost(self, i0: int, i1: int, j0: int, j1: int) -> tuple[float, float]:
        z0, e0 = self.zr[0], self.er[0]
        return self.s.cost(z0 + i0, z0 + i1, e0 + j0, e0 + j1)

    def posterior(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Probability that the link zh[i0:i1]–en[j0:j1] (local indices) is in the alignment."""
        if (i1 - i0, j1 - j0) not in self.s.priors:
            return 0.0
        if not (self.band.contains(i0, j0) and self.band.contains(i1, j1)):
            return 0.0  # outside the band: the DP never considered it
        c, _ = self.link_cost(i0, i1, j0, j1)
        lo = self.band.lo
        lp = self.fwd[i0][j0 - lo[i0]] - c + self.bwd[i1][j1 - lo[i1]] - self.total
        return min(1.0, math.exp(lp)) if lp > -700 else 0.0

    def path(self) -> list[tuple[int, int, int, int]]:
        i, j = self.n, self.m
        lo = self.band.lo
        out = []
        while i or j:
            a, b = self.types[self.back[i][j - lo[i]]]
            out.append((i - a, i, j - b, j))
            i, j = i - a, j - b
        return out[::-1]


class Aligner:
    """Align Chinese and English documents given as paragraphs of sentences.

    ``matchers=[]`` gives the length-only baseline (Gale–Church with the same priors);
    ``learn=False`` skips the document lexicon (:mod:`tmserver.align.learn`) of the second pass.
    ``progress``, if given, is called with a fraction in [0, 1] as the work advances.
    """

    #: paragraph groups with at most this many lattice cells get the full (quadratic) DP
    FULL_DP_CELLS = 40_000
    #: posterior a first-pass 1-1 link needs to pin the second pass's band / teach the lexicon
    PIN_POSTERIOR = 0.9
    TEACH_POSTERIOR = 0.8
    #: documents with fewer sentences than this do not learn a lexicon (too few counts)
    LEARN_MIN_SENTENCES = 150

    def __init__(self, *, matchers: Sequence[Matcher] | None = None, threshold: float = 0.5, refit: bool = True,
                 learn: bool = True, progress: Callable[[float], None] | None = None):
        self.matchers = matchers
        self.threshold = threshold
        self.refit = refit
        self.learn = learn
        self.progress = progress
        self.cells = 0  # lattice cells visited by the last align(), over all passes

    # -- paragraphs -------------------------------------------------------------------------

    def pair_paragraphs(self, zh: list[list[str]], en: list[list[str]]) -> list[tuple[list[int], list[int]]]:
        """Paragraph links. Equal counts pair one to one (the usual case: hard boundaries);
        otherwise paragraphs are aligned with the same scorer, each paragraph as one unit."""
        if len(zh) == len(en):
            return [([k], [k]) for k in range(len(zh))]
        zt = ["".join(p) for p in zh]  # Chinese sentences join without spaces
        et = [" ".join(p) for p in en]
        scorer = Scorer(zt, et, matchers=self._fresh_matchers(), priors=PARAGRAPH_PRIORS)
        lat = _Lattice(scorer, (0, len(zt)), (0, len(et)), tuple(PARAGRAPH_PRIORS), self._band_for(scorer, (0, len(zt)), (0, len(et))))
        return [(list(range(i0, i1)), list(range(j0, j1))) for i0, i1, j0, j1 in lat.path()]

    def _fresh_matchers(self) -> list[Matcher] | None:
        if self.matchers is None:
            return None
        return [type(m)() for m in self.matchers]

    # -- sentences --------------------------------------------------------------------------

    def align(self, zh: list[list[str]], en: list[list[str]]) -> list[Link]:
        """Align paragraphs of sentences; indices in the links count sentences from 0 over the
        whole document. Every sentence of both sides appears in exactly one link.

        Pass 1 runs in a band around anchors (:mod:`tmserver.align.band`) — or over every cell
        when the group is small. Its confident 1-1 links re-fit the length model, teach a
        document lexicon, and pin the band of pass 2, which gives the answer.
        """
        zs = [s for p in zh for s in p]
        es = [s for p in en for s in p]
        groups = self._groups(zh, en)
        scorer = Scorer(zs, es, matchers=self.matchers)
        self.cells = 0
        two_pass = self.refit and bool(scorer.matchers)
        self._work = [0, (2 if two_pass else 1) * (len(zs) + len(groups))]  # lattice rows to sweep
        lattices = self._run(scorer, groups, None)
        if two_pass:
            trusted, pins, teach = self._first_pass_evidence(scorer, lattices, zs, es)
            lattices = []  # free pass 1's tables before pass 2 builds its own
            scorer.length.fit(trusted)
            if self.learn and len(zs) >= self.LEARN_MIN_SENTENCES:
                self._teach(scorer, teach)
            lattices = self._run(scorer, groups, pins)
        if self.progress is not None:
            self.progress(1.0)
        self._last = (scorer, groups, lattices)
        links: list[Link] = []
        for (zr, er), lat in zip(groups, lattices, strict=True):
            links += self._group_links(zr, er, lat)
        for link in links:
            link.zh_text = "".join(zs[k] for k in link.zh)
            link.en_text = " ".join(es[k] for k in link.en)
        return links

    def _groups(self, zh: list[list[str]], en: list[list[str]]) -> list[tuple[tuple[int, int] | None, tuple[int, int] | None]]:
        """Sentence ranges (document-wide) of each paragraph link; None for a side with no paragraph."""
        zoff, eoff = _offsets(zh), _offsets(en)
        groups: list[tuple[tuple[int, int] | None, tuple[int, int] | None]] = []
        for zp, ep in self.pair_paragraphs(zh, en):
            zr = (zoff[zp[0]], zoff[zp[-1] + 1]) if zp else None
            er = (eoff[ep[0]], eoff[ep[-1] + 1]) if ep else None
            groups.append((zr, er))
        return groups

    def _first_pass_evidence(self, scorer: Scorer, lattices: list[_Lattice | None], zs: list[str], es: list[str]):
        """What pass 1 teaches pass 2: the lengths of similar 1-1 links (to re-fit the length model),
        the confident 1-1 links (to pin the band) and the confident links' texts (for the lexicon)."""
        trusted, pins, teach = [], [], []
        for lat in lattices:
            if lat is None:
                continue
            for i0, i1, j0, j1 in lat.path():
                gz, ge = lat.zr[0] + i0, lat.er[0] + j0
                if i1 - i0 == 1 and j1 - j0 == 1:
                    _c, sim = lat.link_cost(i0, i1, j0, j1)
                    if sim >= 0.3:
                        trusted.append(scorer.lengths(gz, gz + 1, ge, ge + 1))
                    if lat.posterior(i0, i1, j0, j1) >= self.PIN_POSTERIOR:
                        pins.append((gz, ge))
                if i1 > i0 and j1 > j0 and lat.posterior(i0, i1, j0, j1) >= self.TEACH_POSTERIOR:
                    teach.append(("".join(zs[gz : gz + i1 - i0]), " ".join(es[ge : ge + j1 - j0])))
        return trusted, pins, teach

    @staticmethod
    def _group_links(zr: tuple[int, int] | None, er: tuple[int, int] | None, lat: _Lattice | None) -> list[Link]:
        """The links of one paragraph group (document-wide indices, calibrated confidence)."""
        if lat is None or zr is None or er is None:  # a paragraph with nothing on the other side
            return ([Link([k], [], 1.0, details={"posterior": 1.0}) for k in range(*(zr or (0, 0)))]
                    + [Link([], [k], 1.0, details={"posterior": 1.0}) for k in range(*(er or (0, 0)))])
        links = []
        for i0, i1, j0, j1 in lat.path():
            _, sim = lat.link_cost(i0, i1, j0, j1)
            z = list(range(zr[0] + i0, zr[0] + i1))
            e = list(range(er[0] + j0, er[0] + j1))
            post = lat.posterior(i0, i1, j0, j1)
            links.append(Link(z, e, calibrated(post, sim, len(z), len(e)), sim, details={"posterior": post}))
        return links

    @staticmethod
    def _teach(scorer: Scorer, pairs: list[tuple[str, str]]) -> None:
        table = learn_lexicon(pairs)
        learners = [m for m in scorer.matchers if isinstance(m, DictionaryMatcher)]
        if table and learners:
            for m in learners:
                m.learn(table)
            scorer.refresh_items()

    def _band_for(self, scorer: Scorer, zr: tuple[int, int], er: tuple[int, int],
                  pins: list[tuple[int, int]] | None = None) -> Band | None:
        """None (every cell) for a small group; else the band through pins or found anchors."""
        n, m = zr[1] - zr[0], er[1] - er[0]
        if (n + 1) * (m + 1) <= self.FULL_DP_CELLS:
            return None
        if pins is not None:
            local = [(i - zr[0], j - er[0]) for i, j in pins if zr[0] <= i < zr[1] and er[0] <= j < er[1]]
            return band_from_anchors(local, n, m)
        zk, ek = scorer.anchor_items(zr, er)
        return band_from_anchors(find_anchors(zk, ek), n, m)

    def length_stats(self) -> dict[str, float]:
        """The length model's ratio and variance as fitted by the last :meth:`align`."""
        length = self._last[0].length
        return {"length_ratio": round(length.ratio, 3), "length_variance": round(length.variance, 3)}

    def _run(self, scorer: Scorer, groups, pins: list[tuple[int, int]] | None) -> list[_Lattice | None]:
        out: list[_Lattice | None] = []
        for zr, er in groups:
            if zr is None or er is None:
                out.append(None)
                continue
            band = self._band_for(scorer, zr, er, pins)
            lat = _Lattice(scorer, zr, er, LINK_TYPES, band, self._advance)
            if lat.total == -math.inf:  # defensive: a band with no path; the anchor-free strip has one
                n, m = zr[1] - zr[0], er[1] - er[0]
                lat = _Lattice(scorer, zr, er, LINK_TYPES, band_from_anchors([], n, m), self._advance)
            self.cells += lat.band.cells
            out.append(lat)
        return out

    def _advance(self, _cells: int) -> None:
        """Per lattice row: one unit of work (rows, not cells, so the total is known upfront)."""
        self._work[0] += 1
        if self.progress is not None and self._work[0] % 50 == 0:
            self.progress(min(0.99, self._work[0] / self._work[1]))

    _types = frozenset(LINK_TYPES)

    def confidence(self, zh_idx: Sequence[int], en_idx: Sequence[int]) -> float:
        """Calibrated confidence (:mod:`tmserver.align.confidence`) of an arbitrary link (e.g. a
        gold one) after :meth:`align`: 0 for a link the model cannot make."""
        _scorer, groups, lattices = self._last
        for (zr, er), lat in zip(groups, lattices, strict=True):
            if lat is None or zr is None or er is None:
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
            post = lat.posterior(i0, i1, j0, j1)
            sim = lat.link_cost(i0, i1, j0, j1)[1] if (i1 - i0, j1 - j0) in self._types else 0.0
            return calibrated(post, sim, len(zh_idx), len(en_idx))
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
