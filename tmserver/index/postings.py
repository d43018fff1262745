"""One language's bigram index and its exact top-k search (see :mod:`tmserver.index` for the design).

Documents are the normalised texts of one language (the zh side of every zh↔en segment, say),
numbered densely in the order they were added. The index is two parts:

* the **base**, built in bulk: a sorted ``int64`` bigram vocabulary, CSR offsets and one ``int32``
  array of document numbers (posting lists are slices of it, sorted ascending). Base documents
  are numbered in order of *length* (then segment id), so the documents a length window allows
  are one contiguous range of numbers and a long posting list is cut to it by bisection; their
  texts are kept in one string with an offset array (a list of a million ``str`` costs ~140 MB);
* the **delta**, for writes after the build: a dict bigram → document numbers (a tuple while
  short, a ``bytearray`` of little-endian ``int32`` once it has ``DELTA_ARRAY_MIN``, so a search
  reads a frequent bigram's delta documents as an array without converting Python ints; neither
  is a container the cyclic GC tracks, so a growing delta adds nothing to its full collections). When it grows
  past a tenth of the base (and 20,000 documents) the whole index is rebuilt from the texts it
  already holds.

A replaced or deleted document is only marked dead; searches skip it and rebuilds drop it.
"""

from __future__ import annotations

import heapq
import mmap
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import LCSseq, Levenshtein

from tmserver.index import spread
from tmserver.index.grams import (
    bigram_counts,
    codepoints,
    joined_bigrams,
    merged_counts,
    run_starts,
    string_bigrams,
    unique_counts,
)

BUILD_CHUNK = 50_000  # documents per vectorised build pass (bounds the temporaries)
COMPACT_MIN = 20_000  # the delta is folded into the base past max(this, a tenth of the base)
#: a delta posting list becomes an ``int32`` array at this many documents. Every search turns the
#: delta lists of its query's bigrams into arrays; a frequent bigram's list of thousands of Python
#: ints cost ~25 ns an item each time (vocab 1e6 + 30,000 written units: search CPU p50 1.6–2.2×
#: that of the base alone). Most keys of a delta hold one or two documents: they stay tuples.
DELTA_ARRAY_MIN = 32
#: the delta's array form: little-endian int32 items in a ``bytearray``
_DELTA_ITEM = np.dtype("<i4")

#: bigram → its delta documents. Short lists are a tuple (copied to append: cheap below
#: ``DELTA_ARRAY_MIN``); longer ones a ``bytearray`` of their ``int32`` items, appended in place
#: (4 bytes, amortised: 110 ns an append against 296 for a numpy array holding its count in item
#: 0, by timeit; a templated unit adds ~180 entries over its languages and parts). Lists
#: would do, but the cyclic GC tracks every list, and a delta of a few hundred thousand of them made
#: each full collection (every thread of the worker stopped) longer as an import went on; it tracks
#: neither tuples of ints nor bytearrays. :meth:`LangIndex.upsert` appends.
Delta = dict[int, "tuple[int, ...] | bytearray"]


def _delta_bytes(docs: tuple[int, ...]) -> bytearray:
    return bytearray(np.asarray(docs, dtype=_DELTA_ITEM).tobytes())


def _delta_docs(docs: tuple[int, ...] | bytearray) -> np.ndarray:
    """The documents of one delta list as an ``int32`` array: a view of a bytearray, which cannot
    grow while the view lives, so use it at once and drop it (a search copies it into its list)."""
    if isinstance(docs, tuple):
        return np.array(docs, dtype=np.int32)
    return np.frombuffer(docs, dtype=_DELTA_ITEM)


class Prepared(NamedTuple):
    """One text's entries in a :class:`LangIndex` that depend on the text alone
    (:meth:`LangIndex.prepare`)."""

    text: str
    sig: tuple[int, int]  # the signature's two halves
    hist: np.void  # the character histogram (all zero for a short text)
    keys: list[int]  # the distinct bigrams
    #: the character maps the signature and histogram were made with: a build in between makes
    #: new ones, and entries made with the old would make the bounds unsound (upsert remakes them)
    maps: tuple[np.ndarray, np.ndarray]


class _Grow:
    """A numpy array with amortised O(1) append (capacity doubling)."""

    __slots__ = ("a", "n")

    def __init__(self, dtype, data: np.ndarray | None = None):
        self.a = np.asarray(data if data is not None else np.empty(0), dtype=dtype).copy()
        self.n = len(self.a)

    @classmethod
    def adopt(cls, a: np.ndarray, n: int) -> _Grow:
        """Take ``a`` over without copying, its first ``n`` items in use and the rest spare: a saved
        index's per-document arrays are copy-on-write mappings with room for a delta at the end,
        so appending touches (and privately copies) only the pages written."""
        g = cls.__new__(cls)
        g.a, g.n = a, n
        return g

    def append(self, value) -> int:
        if self.n == len(self.a):
            grown = np.zeros(max(16, 2 * len(self.a)), dtype=self.a.dtype)
            grown[: self.n] = self.a[: self.n]
            self.a = grown
        self.a[self.n] = value
        self.n += 1
        return self.n - 1

    @property
    def view(self) -> np.ndarray:
        return self.a[: self.n]


@dataclass
class SearchResult:
    """``hits`` are ``(doc, distance, max_len)`` best first; ``proven`` is True when the
    count-filter bound proved that no unscored document could enter the top-k, False when the
    answer came from the exhaustive (still exact) scan of the length window. ``firsts``: the
    first hit of each different text (a search with ``distinct`` follows each with its copies
    in ``hits``; otherwise the two are the same list)."""

    hits: list[tuple[int, int, int]] = field(default_factory=list)
    proven: bool = True
    strategy: str = "index"
    firsts: list[tuple[int, int, int]] = field(default_factory=list)
    #: a distinct search kept only ``COPIES_MAX`` copies of some text (those of the lowest ids)
    capped: bool = False


#: the most copies of one text a distinct search returns with it (the lowest segment ids): enough
#: to name a pair's copies, not the thousands of rows a TM merged from many projects can hold for
#: "OK" (fetching them would cost the lookup more than the search)
COPIES_MAX = 50


class _Top:
    """The best ``k`` documents scored so far, worst on top of a heap of
    ``(sim, −seg_id, doc, d, M)``. With ``texts`` (a distinct search), the best ``k`` different
    texts: a copy of a text on the heap (an equal text, so an equal distance and length) joins
    it instead of taking a place, and the best of the copies (lowest segment id) stands for
    them. So the k-th score every bound is tested against is the k-th *text's*: a TM holding a
    pair many times (a templated one does) fills a page with k texts in one search, where the
    copies once left it short and the engine searched again for a larger page."""

    __slots__ = ("k", "heap", "texts", "copies", "held", "capped")

    def __init__(self, k: int, texts: _Texts | None = None) -> None:
        self.k = k
        self.heap: list[tuple[float, int, int, int, int]] = []
        self.texts = texts
        #: a heap item's document → the items of its copies, a heap of at most ``COPIES_MAX``
        self.copies: dict[int, list[tuple[float, int, int, int, int]]] = {}
        self.capped = False
        #: a heap item's document → its text (decoded once: a scan can push hundreds of hits
        #: that tie with the k-th score)
        self.held: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.heap)

    def push(self, item: tuple[float, int, int, int, int]) -> None:
        heap, texts = self.heap, self.texts
        if texts is not None:
            _, _, doc, d, m = item
            text = None
            for i, held in enumerate(heap):
                if held[3] == d and held[4] == m:
                    text = texts[doc] if text is None else text
                    if self._text(held[2]) == text:
                        self._join(i, item)
                        return
        if len(heap) < self.k:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            gone = heapq.heapreplace(heap, item)
            self.copies.pop(gone[2], None)
            self.held.pop(gone[2], None)

    def _text(self, doc: int) -> str:
        text = self.held.get(doc)
        if text is None:
            assert self.texts is not None
            text = self.held[doc] = self.texts[doc]
        return text

    def _join(self, i: int, item: tuple[float, int, int, int, int]) -> None:
        """``item`` is a copy of ``heap[i]``'s text: the better of the two stands for both."""
        held = self.heap[i]
        if item > held:  # a lower segment id
            group = self.copies.pop(held[2], [])
            self.copies[item[2]] = group
            self.held[item[2]] = self.held.pop(held[2])
            self.heap[i] = item
            heapq.heapify(self.heap)  # (k items)
            item = held
        else:
            group = self.copies.setdefault(held[2], [])
        if len(group) < COPIES_MAX:
            heapq.heappush(group, item)
        else:
            self.capped = True
            if item > group[0]:
                heapq.heapreplace(group, item)

    def result(self, proven: bool, strategy: str) -> SearchResult:
        firsts = [(doc, d, m) for _, _, doc, d, m in sorted(self.heap, reverse=True)]
        if not self.copies:
            return SearchResult(hits=firsts, proven=proven, strategy=strategy, firsts=firsts)
        hits = []
        for first in firsts:
            hits.append(first)
            hits.extend((doc, d, m) for _, _, doc, d, m in sorted(self.copies.get(first[0], ()), reverse=True))
        return SearchResult(hits=hits, proven=proven, strategy=strategy, firsts=firsts, capped=self.capped)


def _as_fraction(min_score: float) -> Fraction:
    return Fraction(min_score).limit_denominator(10_000) / 100


def _popcount(x: np.ndarray) -> np.ndarray:
    """Set bits of each ``uint64`` (``np.bitwise_count`` where numpy has it, ≥ 2.0)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x).astype(np.int64)
    return np.unpackbits(x.view(np.uint8)).reshape(len(x), 64).sum(axis=1).astype(np.int64)


def upper_bound(absent: np.ndarray, cand_len: np.ndarray, qlen: int) -> tuple[np.ndarray, np.ndarray]:
    """Best similarity a document can still reach, as ``(numerator, denominator)`` arrays.

    ``absent`` is a lower bound on the number of the query's bigram *positions* that any
    alignment must touch: a bigram occurring m times in the query and missing from the document
    counts m (every position where the query has it was touched by an edit), so the sum of the
    multiplicities of the missing bigrams is one (the distinct count is a weaker one). A
    substitution or deletion touches at most 2 bigram positions, an insertion 1.
    With Δ = len(doc) − len(query) the cheapest edit scripts give

    * Δ ≤ 0: d ≥ max(−Δ, ⌈absent/2⌉)
    * Δ > 0: d ≥ max(Δ, ⌈(absent+Δ)/2⌉)  (Δ insertions are forced and each breaks only one)

    and the similarity 1 − d/max(len) is at most (M − d_lb)/M.
    """
    delta = cand_len.astype(np.int64) - qlen
    absent = absent.astype(np.int64)
    d_lb = np.where(
        delta <= 0,
        np.maximum(-delta, (absent + 1) // 2),
        np.maximum(delta, (absent + delta + 1) // 2),
    )
    m = np.maximum(qlen, cand_len.astype(np.int64))
    return m - d_lb, m


def _window(qlen: int, num: int, den: int) -> tuple[int, int]:
    """Lengths a document may have and still reach τ = num/den (similarity ≤ min(len)/max(len))."""
    lo = max(1, -(-num * qlen // den))
    hi = qlen * den // num if num else 1 << 62
    return lo, hi


@lru_cache(maxsize=4096)
def _reach_table(qlen: int, n_keys: int, hi: int, num: int, den: int) -> np.ndarray:
    """``reach[x]`` for x in 0..n_keys: can a document missing x of the query's bigram positions
    (see :func:`upper_bound`) still reach τ at some allowed length? Non-increasing in x.

    Only lengths in [qlen, qlen + n_keys] need checking: a shorter document has the same
    max(len) and a bound no smaller than at qlen, and once Δ = len − qlen ≥ x the bound is
    qlen/(qlen + Δ), falling with Δ (so Δ = x beats every longer length).
    """
    top = min(hi, qlen + n_keys)
    lens = np.arange(qlen, top + 1, dtype=np.int64)
    xs = np.arange(n_keys + 1, dtype=np.int64)
    if len(xs) * len(lens) <= 1 << 18:
        n, m = upper_bound(xs[:, None], lens[None, :], qlen)
        reach = np.any(n * den >= num * m, axis=1)
        reach.flags.writeable = False  # cached and shared
        return reach
    # long query: bisect on x (the table would be quadratic)
    def ok(x: int) -> bool:
        n, m = upper_bound(np.full(len(lens), x), lens, qlen)
        return bool(np.any(n * den >= num * m))

    a, b = 0, n_keys + 1  # ok(a) holds (a = 0), the first failing x lies in (a, b]
    while b - a > 1:
        mid = (a + b) // 2
        if ok(mid):
            a = mid
        else:
            b = mid
    reach = xs <= a
    reach.flags.writeable = False
    return reach


def _passes(absent: np.ndarray, cand_len: np.ndarray, qlen: int, num: int, den: int) -> np.ndarray:
    """``upper_bound(absent, cand_len, qlen) >= num/den``, elementwise, with fewer temporaries
    (the filter on the hot path; :func:`upper_bound` is the reference and the tests check both)."""
    delta = cand_len.astype(np.int64) - qlen
    longer = np.maximum(delta, 0)
    d_lb = np.abs(delta)
    np.maximum(d_lb, (absent + longer + 1) >> 1, out=d_lb)  # ceil((absent + max(Δ, 0)) / 2)
    longer += qlen  # max(len(doc), len(query))
    return d_lb * den <= longer * (den - num)


def _reachable(absent: np.ndarray, cand_len: np.ndarray, qlen: int, num: int, den: int) -> np.ndarray:
    """:func:`_passes` and a length in the window of τ = num/den (:func:`_window`)."""
    lo, hi = _window(qlen, num, den)
    return _passes(absent, cand_len, qlen, num, den) & (cand_len >= lo) & (cand_len <= hi)


def _lcs_screen(query: str, texts: list[str], cutoff: float) -> np.ndarray:
    """Positions (ascending) of the ``texts`` whose longest common subsequence with ``query`` is
    at least ``cutoff`` × the longer length. Sound: an alignment with d edits leaves at least
    max(len) − d characters matched in order, so LCS ≥ max(len) − d and LCS / max(len) ≥
    1 − d / max(len). Computing it (rapidfuzz's bit-parallel LCS) costs less than the
    Levenshtein distance for queries up to a few hundred characters; unrelated English
    sentences share far less than 60 % of their characters in order, Chinese units of one
    template do not — so a scan uses it only when a sample says it pays (:func:`_lcs_rules_out`)."""
    return _reaching(LCSseq.normalized_similarity, query, texts, cutoff)


def _lcs_rules_out(query: str, pilot: list[str], cutoff: float) -> bool:
    """Whether the LCS bound rules out all but ``LCS_PASS`` of a sample of the documents."""
    return len(_reaching(LCSseq.normalized_similarity, query, pilot, cutoff)) <= LCS_PASS * len(pilot)


def _reaching(scorer, query: str, texts: list[str], cutoff: float) -> np.ndarray:
    """Positions (ascending) of the ``texts`` whose normalised ``scorer`` similarity to ``query``
    reaches ``cutoff``. Through ``cdist``, which releases the GIL while it computes (a scan of
    a million English units takes a few hundred ms: the worker's other threads answer
    meanwhile; ``process.extract`` holds the GIL throughout) and costs the same."""
    if cutoff <= 0:
        return np.arange(len(texts), dtype=np.int64)
    sims = process.cdist([query], texts, scorer=scorer, score_cutoff=cutoff, dtype=np.float32)[0]
    return np.flatnonzero(sims)


def _first_false(reach: np.ndarray, cumw: np.ndarray) -> int | None:
    """Smallest j such that a document missing the j rarest query bigrams cannot reach τ
    (documents outside the union of those j posting lists are proven out). ``cumw[j]`` is the
    number of query bigram positions those j bigrams cover (their multiplicities summed), so a
    repeated phrase weighs what it occurs. ``None`` when even missing all of them is not enough
    (a short query, or a low τ)."""
    x = int(np.count_nonzero(reach))  # the first missing weight that cannot reach τ
    j = int(np.searchsorted(cumw, x))  # the first prefix covering at least that weight
    return None if j >= len(cumw) else j


def _raised(probe: _Top, k: int, tau: Fraction) -> Fraction | None:
    """The k-th score of a probe's top k (worst on top) when it has k hits and beats τ: a
    threshold every true top-k member reaches (of a distinct search: the k-th of k different
    texts, which every true top-k text reaches). ``None`` otherwise."""
    if len(probe) < k:
        return None
    _, _, _, d, m = probe.heap[0]
    thr = Fraction(m - d, m)
    return thr if thr > tau else None


def _merge_counts(va: np.ndarray, ca: np.ndarray, vb: np.ndarray, cb: np.ndarray):
    """Merge two (sorted distinct keys, counts) pairs."""
    if not len(va):
        return vb, cb.astype(np.int64)
    keys = np.concatenate([va, vb])
    counts = np.concatenate([ca, cb.astype(np.int64)])
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    del order
    starts = run_starts(keys)
    return keys[starts], np.add.reduceat(counts, starts)


#: character → signature bit (0..127) for characters never seen by a build: a multiplicative hash
_HASH_BITS = (((np.arange(0x110000, dtype=np.uint64) * np.uint64(2654435761)) >> np.uint64(7))
              & np.uint64(127)).astype(np.uint8)
_HASH_BITS.flags.writeable = False
#: ``_NOT_BITS[v, i]`` is 1 when bit i of byte v is clear
_NOT_BITS = 1 - np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little").astype(np.int64)


def _signatures(cps: np.ndarray, lens: np.ndarray, charbit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """128-bit character signatures (two ``uint64`` halves) of consecutive texts: bit
    ``charbit[c]`` is set for every character c of the text."""
    lo = np.zeros(len(lens), dtype=np.uint64)
    hi = np.zeros(len(lens), dtype=np.uint64)
    if not len(cps):
        return lo, hi
    bits = charbit[cps].astype(np.uint64)
    one = np.left_shift(np.uint64(1), bits & np.uint64(63))
    upper = bits >= 64
    starts = np.concatenate([[0], np.cumsum(lens[:-1])])
    full = lens > 0  # reduceat needs strictly increasing starts below len(cps)
    lo[full] = np.bitwise_or.reduceat(np.where(upper, np.uint64(0), one), starts[full])
    hi[full] = np.bitwise_or.reduceat(np.where(upper, one, np.uint64(0)), starts[full])
    return lo, hi


def _signature(text: str, charbit: np.ndarray) -> tuple[int, int]:
    """:func:`_signatures` of one text (a write's), without its per-call array set-up: the two
    halves as Python ints (4.4 µs against 14.4 µs for a 37-character sentence)."""
    lo = hi = 0
    for b in set(charbit[codepoints(text)].tolist()):
        if b < 64:
            lo |= 1 << b
        else:
            hi |= 1 << (b - 64)
    return lo, hi


#: a long document's histogram counts its characters in a number of buckets, one nibble each
#: (15 means "15 or more"): the most frequent characters of the build's long documents get a bucket
#: of their own (the first three quarters of the buckets), the rest share the others by a hash.
#: The signature's 128 bits were the buckets until round 10: in a templated TM the rare characters
#: of the slots collided there, so the bound saw few of the slot characters a unit lacks. Templated
#: 1e6 ``long`` queries (CPU p50, fastest of 3 runs, alternated query by query, same answers), a
#: prototype: 16.4 → 13.1 ms with 512 buckets, 13.6 with 256, 14.4 with 1,024, and 2,048 slower
#: than 128 (the tables cost more than they save); as built, 11.57 → 9.27 ms (bench/RESULTS.md,
#: issue 17 round 10).
#:
#: The count is the smallest of ``HIST_SIZES`` whose own buckets hold every distinct character of
#: the long documents, else the largest: English long units hold ~50 distinct characters once
#: normalised, and 512 buckets (256 bytes a row) gave them nothing but four times the disk of 128
#: (vocab 1e6's English side: 677,216 long units; round 11).
HIST_SIZES = (128, 256, 512)
HIST_BUCKETS = HIST_SIZES[-1]  # (an index not built yet: written documents only)
#: documents at least this long have a histogram (in the base they are a suffix, which is ordered
#: by length, and the rows start there: ``hist.a[doc − hist_from]``); shorter ones make do with
#: their signature, and a short *written* document's row is all zero. Measured on one 1e6
#: templated index with rows for all, the minimum set per run (CPU p50, fastest of 3 interleaved
#: runs): ``long`` 7.78 ms with no histograms, 5.76 from 64 characters (1.2 % of the documents),
#: 5.35 from 128 (1.1 %), 5.66 for all; the other sets within ±0.3 ms whatever the minimum
#: (neardup 3.22 → 2.95 for all). So only where it pays: vocab 1e6 has 6.5 % of its documents
#: from 128 characters on.
HIST_MIN_LEN = 128
#: documents per pass of :func:`_histograms` (its counts are ``int64``: 16 MB a pass)
HIST_CHUNK = 4096
_NIB_LO = np.arange(256, dtype=np.int32) & 15
_NIB_HI = np.arange(256, dtype=np.int32) >> 4


def _own(buckets: int) -> int:
    """How many of ``buckets`` histogram buckets belong to one character each."""
    return buckets * 3 // 4


def hist_size(distinct: int) -> int:
    """The histogram bucket count of a build whose long documents hold ``distinct`` characters."""
    return next((b for b in HIST_SIZES if distinct <= _own(b)), HIST_SIZES[-1])


@cache
def _hash_buckets(buckets: int) -> np.ndarray:
    """Character → histogram bucket for characters never seen by a build: a hash onto the shared
    buckets (read-only; one table per bucket count)."""
    own = _own(buckets)
    out = ((((np.arange(0x110000, dtype=np.uint64) * np.uint64(2654435761)) >> np.uint64(7))
            % np.uint64(buckets - own)) + np.uint64(own)).astype(np.int16)
    out.flags.writeable = False
    return out


def _ranked(freq: np.ndarray) -> np.ndarray:
    """The characters that occur (``freq`` > 0), most frequent first (ties: lower code point)."""
    seen = np.flatnonzero(freq)
    return seen[np.argsort(-freq[seen], kind="stable")]


def _char_buckets(ranked: np.ndarray, buckets: int) -> np.ndarray:
    """The histogram buckets (``buckets`` of them) of a build whose characters, most frequent
    first, are ``ranked``."""
    bucket = _hash_buckets(buckets).copy()
    own = ranked[:_own(buckets)]
    bucket[own] = np.arange(len(own), dtype=np.int16)
    return bucket


def _histograms(cps: np.ndarray, lens: np.ndarray, bucket: np.ndarray, buckets: int) -> np.ndarray:
    """Character histograms of consecutive texts, one ``buckets // 2``-byte row each: the count of
    characters c with ``bucket[c] == b`` in nibble b (low nibble of byte b // 2 for even b),
    saturated at 15."""
    n = len(lens)
    out = np.zeros((n, buckets // 2), dtype=np.uint8)
    ends = np.cumsum(lens, dtype=np.int64)
    for lo in range(0, n, HIST_CHUNK):
        hi = min(n, lo + HIST_CHUNK)
        a, b = int(ends[lo] - lens[lo]), int(ends[hi - 1])
        doc = np.repeat(np.arange(hi - lo, dtype=np.int64), lens[lo:hi])
        counts = np.bincount(doc * buckets + bucket[cps[a:b]],
                             minlength=(hi - lo) * buckets).reshape(hi - lo, buckets)
        np.minimum(counts, 15, out=counts)
        out[lo:hi] = counts[:, 0::2] | (counts[:, 1::2] << 4)
    return out


def _histogram(text: str, bucket: np.ndarray, buckets: int) -> np.void:
    """:func:`_histograms` of one text (a write's), as one ``V{buckets // 2}`` item, without the
    batch's per-document bookkeeping."""
    counts = np.minimum(np.bincount(bucket[codepoints(text)], minlength=buckets), 15)
    return (counts[0::2] | (counts[1::2] << 4)).astype(np.uint8).view(f"V{buckets // 2}")[0]


@cache
def _no_hist(buckets: int) -> np.void:
    """The row of a short written document (a real histogram is never all zero: a text has
    characters); one per bucket count, not one per write."""
    return np.zeros(1, dtype=f"V{buckets // 2}")[0]


def _hist_tables(even: np.ndarray, odd: np.ndarray) -> np.ndarray:
    """For the query's counts ``even`` and ``odd`` of buckets 2j and 2j + 1 (one pair per
    histogram byte j looked at): ``t[j, v]`` = the query occurrences of those two buckets that a
    document whose byte j is v cannot match, (w − c)⁺ per bucket, a saturated count (15) taken
    as unbounded (it then contributes nothing)."""
    lo = np.where(_NIB_LO == 15, 0, np.maximum(even[:, None] - _NIB_LO[None, :], 0))
    hi = np.where(_NIB_HI == 15, 0, np.maximum(odd[:, None] - _NIB_HI[None, :], 0))
    return (lo + hi).astype(np.int32)


class _Texts:
    """Documents' texts by number: the base in one string plus an offset array, later ones in a list."""

    def __init__(self, texts: list[str] | None = None, lens: np.ndarray | None = None) -> None:
        texts = texts or []
        self._base = "".join(texts)
        offs = np.zeros(len(texts) + 1, dtype=np.int64)
        if texts:
            np.cumsum(lens if lens is not None else [len(t) for t in texts], out=offs[1:])
        self._offs = offs
        self._n = len(texts)
        self._extra: list[str] = []

    def __len__(self) -> int:
        return self._n + len(self._extra)

    def __getitem__(self, i: int) -> str:
        if i < self._n:
            return self._base[int(self._offs[i]) : int(self._offs[i + 1])]
        return self._extra[i - self._n]

    def append(self, text: str) -> None:
        self._extra.append(text)

    def take(self, docs: np.ndarray) -> list[str]:
        """Texts of ``docs`` (one slice each; no Python call per document)."""
        if len(docs) and int(docs.max()) >= self._n:
            return [self[i] for i in docs.tolist()]
        base, offs = self._base, self._offs
        return [base[a:b] for a, b in zip(offs[docs].tolist(), offs[docs + 1].tolist(), strict=True)]

    def base_utf8(self) -> tuple[np.ndarray, np.ndarray]:
        """The base texts as one UTF-8 byte array and byte offsets (what a saved index stores)."""
        data = np.frombuffer(self._base.encode("utf-8"), dtype=np.uint8)
        cps = codepoints(self._base)
        width = 1 + (cps >= 0x80).astype(np.int64) + (cps >= 0x800) + (cps >= 0x10000)
        offs = np.zeros(self._n + 1, dtype=np.int64)
        if self._n:
            ends = np.cumsum(width)
            char_ends = self._offs[1:]
            offs[1:] = np.where(char_ends > 0, ends[np.maximum(char_ends - 1, 0)], 0)
        return data, offs


class MappedTexts(_Texts):
    """:class:`_Texts` over a saved index: the base texts stay in one (memory-mapped, shared) UTF-8
    byte array and are decoded per document on demand; no per-document Python object is kept.

    ``raw`` is a read-only :class:`mmap.mmap` of the file holding ``data``, whose bytes start at
    ``at``: slicing an mmap gives ``bytes``, and ``bytes.decode()`` takes the UTF-8 fast path. A
    document decoded that way costs ~300 ns against ~470 through ``str(memoryview, "utf-8")``
    (5,000 documents of the templated 1e6 index, median of 10 runs), and a templated lookup
    decodes thousands (bench/RESULTS.md, issue 17 round 9)."""

    def __init__(self, data: np.ndarray, offs: np.ndarray, raw: mmap.mmap, at: int) -> None:
        self._data = data
        self._raw = raw
        self._at = at
        self._offs = offs
        self._n = len(offs) - 1
        self._extra = []

    def __getitem__(self, i: int) -> str:
        if i < self._n:
            a = self._at + int(self._offs[i])
            return self._raw[a : a + int(self._offs[i + 1] - self._offs[i])].decode()
        return self._extra[i - self._n]

    def take(self, docs: np.ndarray) -> list[str]:
        if len(docs) and int(docs.max()) >= self._n:
            return [self[i] for i in docs.tolist()]
        raw, at, offs = self._raw, self._at, self._offs
        return [raw[a:b].decode() for a, b in zip((offs[docs] + at).tolist(), (offs[docs + 1] + at).tolist(),
                                                   strict=True)]

    def base_utf8(self) -> tuple[np.ndarray, np.ndarray]:
        return self._data, self._offs


#: posting lists longer than this are cut to the length window by bisection (shorter ones are
#: cheaper to carry and filter by length afterwards)
NARROW_MIN = 512
#: posting lists longer than this are cut again to the narrower length window of the probe's τ'
RECUT_MIN = 64
#: the probe runs only when the prefix union is at least this many postings
PROBE_MIN = 12_000
#: ... over the rarest lists of this many postings
PROBE_VOLUME = 6_000
#: ... and a second, deeper probe (:meth:`LangIndex._probe`) when the first one still leaves a
#: union of at least this many postings to count
DEEP_MIN = 50_000
#: ... and only when even the query's third-rarest bigram is held by this many documents (a
#: templated TM: measured at 1e6, the deep probe raised τ' for 53 of 100 templated neardup and
#: fresh queries, whose third-rarest list has ~900 postings, and for no vocab query, ~1–70)
DEEP_RARE = 256
#: ... ranking this many of the first probe's documents by more of the query's bigrams
DEEP_POOL = 512
#: ... drawn, by their counts, from the rarest lists of this many postings
DEEP_VOLUME = 60_000
#: ... by this many more lists at most (the next rarest: a long query has hundreds)
DEEP_LISTS = 32
#: a third probe, from the count filter's own union (:meth:`LangIndex._reprobe`), when at least
#: this many candidates survive its bound and the first probes had found k matches: it scores the
#: ``UNION_PROBE`` with the best bounds before the tightening counts the frequent lists for all of
#: them. For a templated query whose best matches differ in a rare slot word (the probes, led by
#: the rarest bigrams, found units holding that word, scoring 0.67 where the 5th match scores
#: 0.85), 233,000 candidates went into the tightening and 59,000 were scored: 61 → 33 ms
UNION_PROBE_MIN = 20_000
UNION_PROBE = 256
#: the character-signature bound is applied when at least this many candidates are left to rescore
SIG_MIN = 64
#: ... and already before the tightening when at least this many survive the prefix count. Off:
#: the tightening's first round removes the count filter's survivors more cheaply than the bound
#: (vocab 1e6 paired CPU p50: long 2.00 → 1.61 ms, repeated 1.49 → 1.24, neardup/fresh −4…−13 %;
#: templated 1e5 neutral), and the bound still runs on what is left (``SIG_MIN``)
SIG_PRE = 1 << 62
#: ... and by the exhaustive scan of a length window when it has at least this many documents
#: (the bound costs a few ns a document since it reads the signature bytes one column at a time;
#: templated 1e5, short queries: scan CPU p50 −40 % against 4096)
SCAN_SIG_MIN = 256
#: the search scans the length window instead of counting when the largest posting list the
#: count filter would merge holds at least this share of the window's documents (the union is
#: most of the window) ...
SCAN_UNION = 0.5
#: ... and when, of ``SCAN_SAMPLE`` documents spread over the window, at least this share pass
#: the bound of their full bigram counts and characters (:meth:`LangIndex._pass_share`): the
#: filter would cost a sort of every list and then leave most of the window to score. English
#: does this (26 letters: "e ", "th", "in" are in nearly every long unit; vocab-en 1e5, fresh
#: queries: the count filter left 49,429 of a 50,815-document window to score and took 194 ms,
#: the scan 83 ms). Chinese vocab never comes near (its largest prefix list holds ≤ 16 % of
#: the window); templated long queries do only after the probes raised τ, where the test is
#: by cost (``SCAN_VOLUME``)
SCAN_PASS = 0.5
SCAN_SAMPLE = 64
#: ... and after the probes raised τ, when the prefix lists add up to this many postings a
#: window document (merging ~16 postings costs about what the LCS screen costs a document) and
#: the LCS screen would prune (:meth:`LangIndex._scan_pays`). vocab-en 1e6 neardup queries whose
#: probes raised τ to 0.60–0.87: 16–84 postings a window document, windows of 40,000–450,000,
#: index path 129–1,146 ms, scan 76–502 ms; templated 1e6 long: mostly 9–15 (once 45, where the
#: LCS screen would not prune), windows of 11,000, index 10–13 ms; 1 of 100 scans
SCAN_VOLUME = 16
#: a scan of at least this many documents for a query whose length lies in ``LCS_QLEN`` first
#: keeps those whose longest common subsequence can reach τ (:func:`_lcs_screen`), when at most
#: ``LCS_PASS`` of a sample of ``LCS_PILOT`` pass. Measured per scanned document on vocab-en 1e5
#: (CPU, τ 0.6): queries of 64–128 characters 847 → 184 ns, 128–256: 1,154 → 339 ns, 256–512:
#: 1,805 → 1,317 ns; from 512 characters on the Levenshtein distance (banded by its cutoff) was
#: the cheaper one (4,004 against 4,291 ns), and templated long units pass it all
LCS_MIN = 2048
LCS_QLEN = (16, 512)
LCS_PILOT = 256
LCS_PASS = 0.2
#: a scan reads and scores its window this many documents at a time, the chunks spread over the
#: CPUs (:meth:`LangIndex._scan_reaching`): reading a chunk's texts costs ~2 ms, handing it to a
#: helper thread tens of microseconds
SCAN_CHUNK = 8192
#: frequent posting lists bisected per round when tightening the survivors' bounds
TIGHTEN_STEP = 8
#: ... and no round when at most this many survivors are left (they are scored directly)
SCORE_DIRECT = 48
#: ... marking a posting list's documents in a count array over the candidates' range instead of
#: bisecting the candidates into it when its length < candidates × log2(length) × this (measured:
#: a marked posting costs ~3× one bisection step) and the range is < this many × the candidates
MARK_RATIO = 0.35
MARK_SPAN = 64


class LangIndex:
    """Bigram index over the texts of one language, with exact top-k search."""

    #: whole arrays a saved index stores and maps read-only (:mod:`tmserver.index.persist`);
    #: an array added at build time is saved and re-opened by naming it here
    PERSISTED: tuple[str, ...] = ("vocab", "indptr", "postings", "pcounts", "_base_segs", "_base_docs",
                                  "_charbit", "_charbucket")
    #: per-document :class:`_Grow` arrays: saved with spare room for a delta and mapped copy-on-write
    #: (``hist`` from document ``hist_from`` on: see :meth:`rows`)
    PER_DOC: tuple[str, ...] = ("seg_ids", "is_source", "lens", "alive", "sig_lo", "sig_hi", "hist")

    def __init__(self) -> None:
        self.texts = _Texts()
        self.seg_ids = _Grow(np.int64)
        self.is_source = _Grow(np.bool_)
        self.lens = _Grow(np.int32)
        self.alive = _Grow(np.bool_)
        self.n_base = 0
        self.n_dead = 0  #: documents marked dead since the last build
        #: 128-bit character signature of each document (low and high halves) and the
        #: character → bit map they were made with (frequent characters get their own bits)
        self.sig_lo = _Grow(np.uint64)
        self.sig_hi = _Grow(np.uint64)
        #: per document from ``hist_from`` on, its character histogram (:func:`_histograms`):
        #: row ``doc − hist_from``
        self.hist = _Grow(f"V{HIST_BUCKETS // 2}")
        #: the first base document with a histogram (every later base document has one; a
        #: written one has one when it is ``HIST_MIN_LEN`` long, an all-zero row otherwise)
        self.hist_from = 0
        self._charbit = _HASH_BITS
        #: character → histogram bucket (:func:`_char_buckets`)
        self._charbucket = _hash_buckets(HIST_BUCKETS)
        self.vocab = np.empty(0, dtype=np.int64)
        self.indptr = np.zeros(1, dtype=np.int64)
        self.postings = np.empty(0, dtype=np.int32)
        #: parallel to ``postings``: how often the document holds the bigram (255: 255 or more), so
        #: a bigram the query repeats m times is credited min(m, that) positions, not m
        self.pcounts = np.empty(0, dtype=np.uint8)
        #: base documents by segment id: ascending segment ids and the document of each
        self._base_segs = np.empty(0, dtype=np.int64)
        self._base_docs = np.empty(0, dtype=np.int32)
        self.delta: Delta = {}
        self.delta_docs = 0
        #: segment id → doc for segments written after the build (None: no doc any more)
        self.overrides: dict[int, int | None] = {}
        #: fold the delta into the base inline once it passes :attr:`merge_due` (small indexes such as
        #: the sub-segment parts); the engine's main indexes are merged in the background instead
        self.auto_compact = True

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def build(cls, seg_ids, texts: list[str], is_source, *, consume: bool = False) -> LangIndex:
        """Bulk build. ``seg_ids`` must be ascending (documents are looked up by bisection).

        With ``consume`` the index takes ``texts`` over and empties the list once it holds the
        texts itself, so a million segments' strings are not alive twice during the build."""
        idx = cls()
        idx._load(np.asarray(seg_ids, dtype=np.int64), texts, np.asarray(is_source, dtype=np.bool_), consume)
        return idx

    def _load(self, seg_ids: np.ndarray, texts: list[str], is_source: np.ndarray, consume: bool = False) -> None:
        n = len(texts)
        lens = np.fromiter(map(len, texts), dtype=np.int32, count=n)
        # Documents are numbered by (length, segment id): a length window is a range of numbers.
        order = np.argsort(lens, kind="stable")
        lens = lens[order]
        self.texts = _Texts([texts[i] for i in order.tolist()], lens)
        if consume:
            texts.clear()
        del texts
        self.seg_ids = _Grow(np.int64, seg_ids[order])
        self.is_source = _Grow(np.bool_, is_source[order])
        self.lens = _Grow(np.int32, lens)
        self.alive = _Grow(np.bool_, np.ones(n, dtype=np.bool_))
        self._base_segs = seg_ids.copy()
        self._base_docs = np.empty(n, dtype=np.int32)
        self._base_docs[order] = np.arange(n, dtype=np.int32)
        del order
        self.n_base = n
        self.n_dead = 0
        self.delta, self.delta_docs, self.overrides = {}, 0, {}
        offs, joined = self.texts._offs, self.texts._base

        def chunk(lo: int, counts: bool = False) -> tuple[np.ndarray, ...]:
            o = offs[lo : lo + BUILD_CHUNK + 1]
            return joined_bigrams(joined[int(o[0]) : int(o[-1])], o - o[0], counts)

        # Pass 1: vocabulary and document frequencies, chunk by chunk (bounded memory), merged
        # as we go so only one vocabulary-sized array pair is alive at a time.
        vocab, df = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        for lo in range(0, n, BUILD_CHUNK):
            keys, _ = chunk(lo)
            k, c = unique_counts(keys)
            del keys
            vocab, df = _merge_counts(vocab, df, k, c)
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        del df
        postings = np.empty(int(indptr[-1]), dtype=np.int32)
        pcounts = np.empty(int(indptr[-1]), dtype=np.uint8)
        cursor = indptr[:-1].copy()
        # Pass 2: recompute each chunk's pairs and drop them into place. Chunks come in
        # document order, so every posting list ends up sorted.
        for lo in range(0, n, BUILD_CHUNK):
            keys, docs, times = chunk(lo, True)
            if not len(keys):
                continue
            term = np.searchsorted(vocab, keys)
            del keys
            change = np.empty(len(term), dtype=np.bool_)
            change[0] = True
            np.not_equal(term[1:], term[:-1], out=change[1:])
            starts = np.flatnonzero(change)
            run = np.cumsum(change) - 1
            rank = np.arange(len(term)) - starts[run]
            del run
            at = cursor[term] + rank
            postings[at] = docs + lo
            pcounts[at] = times
            del at, times
            cursor[term[starts]] += np.diff(np.append(starts, len(term)))
        self.vocab, self.indptr, self.postings, self.pcounts = vocab, indptr, postings, pcounts
        self._build_signatures()

    def _build_signatures(self) -> None:
        """Character signatures: the 128 most frequent characters get a bit each (ranks beyond
        wrap around), characters never seen here keep their hash bit. Two chunked passes."""
        n, offs, joined = self.n_base, self.texts._offs, self.texts._base
        self.hist_from = hf = int(np.searchsorted(self.lens.a[:n], HIST_MIN_LEN))
        # the histograms' own buckets go to the characters frequent in the documents that have
        # one (templated 1e6 long queries: CPU p50 −7 % when ranked over all the documents,
        # −20 % over the long ones)
        freq, freq_long = np.zeros(0x110000, dtype=np.int64), np.zeros(0x110000, dtype=np.int64)
        for lo in range(0, n, BUILD_CHUNK):
            o = offs[lo : lo + BUILD_CHUNK + 1]
            counts = np.bincount(codepoints(joined[int(o[0]) : int(o[-1])]), minlength=0x110000)
            freq += counts
            first = max(hf - lo, 0)
            if first < len(o) - 1:
                freq_long += counts if first == 0 else np.bincount(
                    codepoints(joined[int(o[first]) : int(o[-1])]), minlength=0x110000)
        charbit = _HASH_BITS.copy()
        charbit[_ranked(freq)] = np.arange(int(np.count_nonzero(freq))) % 128
        long_ranked = _ranked(freq_long)
        buckets = hist_size(len(long_ranked))
        self._charbit, self._charbucket = charbit, _char_buckets(long_ranked, buckets)
        del freq, freq_long
        sig_lo, sig_hi = np.zeros(n, dtype=np.uint64), np.zeros(n, dtype=np.uint64)
        hist = np.zeros((n - hf, buckets // 2), dtype=np.uint8)  # the long documents' rows only
        for lo in range(0, n, BUILD_CHUNK):
            o = offs[lo : lo + BUILD_CHUNK + 1]
            cps, lens = codepoints(joined[int(o[0]) : int(o[-1])]), np.diff(o)
            a, b = _signatures(cps, lens, charbit)
            sig_lo[lo : lo + len(a)], sig_hi[lo : lo + len(b)] = a, b
            first = max(hf - lo, 0)
            if first < len(a):
                at = int(o[first] - o[0])
                rows = _histograms(cps[at:], lens[first:], self._charbucket, buckets)
                hist[lo + first - hf : lo + len(a) - hf] = rows
        self.sig_lo, self.sig_hi = _Grow(np.uint64, sig_lo), _Grow(np.uint64, sig_hi)
        self.hist = _Grow.adopt(hist.view(f"V{buckets // 2}")[:, 0], n - hf)

    @property
    def hist_buckets(self) -> int:
        """The histograms' bucket count (:func:`hist_size`), read off their rows' width: a saved
        index keeps the count it was built with."""
        return self.hist.a.dtype.itemsize * 2

    def rows(self, name: str) -> int:
        """How many rows of the per-document array ``name`` the base uses: one per document, but
        the histograms' start at ``hist_from``."""
        return self.n_base - self.hist_from if name == "hist" else self.n_base

    def char_bound(self, query: str, docs: np.ndarray) -> np.ndarray:
        """A lower bound on the edit distance between ``query`` and each of ``docs``.

        An alignment matches a query character only to an equal document character, so at most
        min(w, c) of the query's w occurrences of a character bucket match when the document
        holds c of them, and the other (w − c)⁺ are substituted or deleted: with ``missing`` their
        sum over the buckets, d ≥ missing + max(len(doc) − len(query), 0). A document with a
        histogram (:func:`_histograms`) gives c; one without gives only whether c is 0 (its
        signature), and then w counts when it is. The counts matter on a templated TM, whose
        units all hold the template's characters and differ in how many of a slot's they hold
        (see ``HIST_MIN_LEN``; vocab 1e6 unchanged: its long documents differ in which
        characters they hold, which the signature already sees).
        """
        counted = docs >= self.hist_from
        late = np.flatnonzero(docs >= self.n_base)
        if len(late):  # a short written document has no histogram (an all-zero row)
            rows = self.hist.a[docs[late] - self.hist_from]
            counted[late] = rows.view(np.uint8).reshape(len(late), rows.dtype.itemsize).any(axis=1)
        if counted.all():
            return self._hist_bound(query, docs)
        if not counted.any():
            return self._sig_char_bound(query, docs)
        out = np.empty(len(docs), dtype=np.int64)
        out[counted] = self._hist_bound(query, docs[counted])
        out[~counted] = self._sig_char_bound(query, docs[~counted])
        return out

    def _hist_bound(self, query: str, docs: np.ndarray) -> np.ndarray:
        """:meth:`char_bound` from the histograms: one 256-entry table a histogram byte the
        query has characters in, looked up per document (a byte is two buckets)."""
        w = np.bincount(self._charbucket[codepoints(query)], minlength=self.hist_buckets)
        even, odd = w[0::2], w[1::2]
        rel = np.flatnonzero(even | odd)
        tables = _hist_tables(even[rel], odd[rel])
        h = self.hist.a[docs - self.hist_from].view(np.uint8).reshape(len(docs), self.hist_buckets // 2)[:, rel].T.copy()
        missing = np.zeros(len(docs), dtype=np.int64)
        for t, col in zip(tables, h, strict=True):
            missing += t.take(col)
        return np.maximum(self.lens.a[docs].astype(np.int64) - len(query), 0) + missing

    def _sig_char_bound(self, query: str, docs: np.ndarray) -> np.ndarray:
        """:meth:`char_bound` from the signatures.

        An occurrence of a query character that the document lacks cannot be matched in any
        alignment, so with ``missing`` such occurrences at most ``len(query) − missing``
        characters match and d ≥ max(len) − (len(query) − missing). "The document lacks c" is
        read off its signature: c's bit clear means no character of the document maps there.
        """
        qb = self._charbit[codepoints(query)]
        w = np.bincount(qb, minlength=128).reshape(16, 8)
        # table[j, v]: query occurrences on the clear bits of signature byte j when it holds v
        table = (w @ _NOT_BITS.T).astype(np.int32)
        # one 256-entry lookup per signature byte, summed (16 small gathers beat one 2-D one ~3×),
        # and only for the bytes whose bits the query has characters on: a table of zeros adds
        # nothing (a short query's few characters touch a few of the 16 bytes: the scan of a
        # length window, which short queries need, was 3/4 this bound)
        missing = np.zeros(len(docs), dtype=np.int32)
        halves = (self.sig_lo.a[docs].view(np.uint8).reshape(-1, 8), self.sig_hi.a[docs].view(np.uint8).reshape(-1, 8))
        for j in np.flatnonzero(w.any(axis=1)).tolist():
            missing += table[j].take(halves[j >> 3][:, j & 7])
        longer = np.maximum(self.lens.a[docs].astype(np.int64) - len(query), 0)
        return longer + missing

    def signature_bound(self, query: str, docs: np.ndarray) -> np.ndarray:
        """A cheaper, weaker lower bound on the edit distance than :meth:`char_bound`, for
        screening a whole index: every signature bit of the query that a document lacks stands
        for at least one query character no alignment can match, so
        d ≥ max(len(doc) − len(query), 0) + (query bits missing from the document).
        Two AND-NOTs and a popcount per document."""
        bits = np.unique(self._charbit[codepoints(query)]).astype(np.uint64)
        one = np.uint64(1)
        q_lo = np.bitwise_or.reduce(np.left_shift(one, bits[bits < 64]), initial=np.uint64(0))
        q_hi = np.bitwise_or.reduce(np.left_shift(one, bits[bits >= 64] - np.uint64(64)), initial=np.uint64(0))
        missing = _popcount(q_lo & ~self.sig_lo.a[docs]) + _popcount(q_hi & ~self.sig_hi.a[docs])
        longer = np.maximum(self.lens.a[docs].astype(np.int64) - len(query), 0)
        return longer + missing

    def compact(self) -> None:
        """Rebuild from the live documents (drops dead ones, folds the delta into the base)."""
        live = np.flatnonzero(self.alive.view)
        seg = self.seg_ids.view[live]
        order = np.argsort(seg, kind="stable")
        live = live[order]
        self._load(seg[order], self.texts.take(live), self.is_source.view[live], consume=True)

    # -- writes -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.alive.view.sum())

    def doc_of(self, seg_id: int) -> int | None:
        if seg_id in self.overrides:
            return self.overrides[seg_id]
        base = self._base_segs
        i = int(np.searchsorted(base, seg_id))
        if i < len(base) and base[i] == seg_id:
            doc = int(self._base_docs[i])
            if self.alive.a[doc]:
                return doc
        return None

    def remove(self, seg_id: int) -> None:
        doc = self.doc_of(seg_id)
        if doc is not None:
            self.alive.a[doc] = False
            self.n_dead += 1
        self.overrides[seg_id] = None

    def prepare(self, text: str) -> Prepared:
        """What indexing ``text`` needs that depends on the text alone (its signature, histogram
        and bigrams): a catch-up makes it before it takes the engine lock, which it then holds
        only to append (:meth:`upsert`)."""
        return Prepared(
            text,
            _signature(text, self._charbit),
            # (a short write makes do with its signature, as a short base document does: 13 µs a
            # histogram was an eighth of a templated catch-up, where nearly every unit is short)
            (_histogram(text, self._charbucket, self.hist_buckets) if len(text) >= HIST_MIN_LEN
             else _no_hist(self.hist_buckets)),
            string_bigrams(text).tolist(),
            (self._charbit, self._charbucket),
        )

    def upsert(self, seg_id: int, text: str, is_source: bool, prepared: Prepared | None = None) -> None:
        """Index ``text`` for ``seg_id``, replacing what the segment had here before;
        ``prepared``: :meth:`prepare`'s entries for ``text``, if made already."""
        doc = self.doc_of(seg_id)
        if doc is not None and self.texts[doc] == text and bool(self.is_source.a[doc]) == is_source:
            return  # replaying a change we already hold
        self.remove(seg_id)
        if not text:
            return
        if (prepared is None or prepared.text != text or prepared.maps[0] is not self._charbit
                or prepared.maps[1] is not self._charbucket):
            prepared = self.prepare(text)
        doc = len(self.texts)
        self.texts.append(text)
        self.seg_ids.append(seg_id)
        self.is_source.append(is_source)
        self.lens.append(len(text))
        self.alive.append(True)
        self.sig_lo.append(prepared.sig[0])
        self.sig_hi.append(prepared.sig[1])
        self.hist.append(prepared.hist)
        delta = self.delta
        get = delta.get
        item = doc.to_bytes(4, "little", signed=True)
        for key in prepared.keys:  # (inline: a few hundred keys a unit)
            docs = get(key)
            if docs is None:
                delta[key] = (doc,)
            elif isinstance(docs, tuple):
                delta[key] = (*docs, doc) if len(docs) + 1 < DELTA_ARRAY_MIN else _delta_bytes((*docs, doc))
            else:
                docs += item
        self.overrides[seg_id] = doc
        self.delta_docs += 1
        if self.auto_compact and self.merge_due:
            self.compact()

    @property
    def merge_due(self) -> bool:
        """The delta has outgrown max(20,000 documents, a tenth of the base): time to fold it in."""
        return self.delta_docs > max(COMPACT_MIN, self.n_base // 10)

    # -- search -----------------------------------------------------------------------------

    def _lists(self, keys: np.ndarray, lo: int, hi: int,
               mult: np.ndarray | None = None) -> tuple[list[np.ndarray], dict[int, np.ndarray]]:
        """The posting list of each key. Long base lists are cut to the documents whose length
        lies in [lo, hi] (a range of document numbers); short ones and delta documents are not,
        so every caller still checks lengths (filtering a long delta list by the lengths of its
        documents cost more than it saved: vocab 1e6 + 30,000 writes, long queries p50 +23 %).

        Also, for each key the query holds m times (1 < m < 255 in ``mult``), the documents'
        counts of it aligned with its list (:attr:`pcounts`; a delta document gets 255, read as
        "at least m": the old, weaker credit)."""
        nb = self.n_base
        base_lens = self.lens.a[:nb]
        # (an int32 needle: an int64 one would make numpy cast the whole length array)
        dlo, dhi = np.searchsorted(base_lens, np.array((min(lo, 1 << 30), min(hi + 1, 1 << 30)), dtype=np.int32)).tolist()
        narrow = dlo > 0 or dhi < nb
        bounds = np.array((dlo, dhi), dtype=np.int32)
        if len(self.vocab):
            pos = np.searchsorted(self.vocab, keys)
            np.minimum(pos, len(self.vocab) - 1, out=pos)
            found = self.vocab[pos] == keys
            starts = np.where(found, self.indptr[pos], 0).tolist()
            ends = np.where(found, self.indptr[pos + 1], 0).tolist()
        else:
            starts = ends = [0] * len(keys)
        postings, pcounts, delta = self.postings, self.pcounts, self.delta
        want = [1 < m < 255 for m in mult.tolist()] if mult is not None else [False] * len(keys)
        out: list[np.ndarray] = []
        cnts: dict[int, np.ndarray] = {}
        for n, (key, a, b) in enumerate(zip(keys.tolist(), starts, ends, strict=True)):
            p = postings[a:b]
            i, j = 0, b - a
            if narrow and b - a > NARROW_MIN:
                i, j = p.searchsorted(bounds).tolist()
                p = p[i:j]
            docs = delta.get(key) if delta else None
            if docs is not None:
                p = np.concatenate([p, _delta_docs(docs)])  # (the view lives only in this call)
            if want[n]:
                c = pcounts[a + i : a + j]
                cnts[n] = c if docs is None else np.concatenate(
                    [c, np.full(len(p) - len(c), 255, dtype=np.uint8)])
            out.append(p)
        return out, cnts

    def search(self, query: str, k: int = 5, min_score: float = 70, *, distinct: bool = False) -> SearchResult:
        """The true top-``k`` documents with similarity ≥ ``min_score``/100 (ties: lower segment id).

        Similarity is ``1 − d/max(len)`` with ``d`` the Levenshtein distance on characters.
        ``distinct``: the true top-``k`` different texts instead, each followed in ``hits`` by
        its live copies (equal text) in the index, at most ``COPIES_MAX`` of them, those of the
        lowest segment ids (``capped`` says when some were left out; see :class:`_Top`).
        """
        tau = _as_fraction(min_score)
        qlen = len(query)
        if qlen == 0 or k <= 0:
            return SearchResult()
        num, den = tau.numerator, tau.denominator
        lo, hi = _window(qlen, num, den)
        if hi < lo:
            return SearchResult()
        keys, mult = bigram_counts(query)
        plists, cnts = self._lists(keys, lo, hi, mult)
        df = np.fromiter(map(len, plists), dtype=np.int64, count=len(plists))
        by_df = np.argsort(df, kind="stable")
        cumw = np.concatenate([[0], np.cumsum(mult[by_df])])
        reach = _reach_table(qlen, qlen - 1, hi, num, den)
        j_stop = _first_false(reach, cumw)
        # Probe: score the few documents sharing most of the rarest bigrams. If k of them
        # reach τ, the k-th of them is a higher threshold τ' that every true top-k member
        # also reaches, and a higher threshold needs far fewer posting lists to be exact.
        # Worth it when the union the proof at τ needs is large, or when there is no proof at τ.
        for deep in (False, True):
            if j_stop is not None and int(df[by_df[:j_stop]].sum()) < (DEEP_MIN if deep else PROBE_MIN):
                break
            if deep and (len(df) < 3 or int(df[by_df[2]]) < DEEP_RARE):
                break  # rare bigrams pick the right units: a deeper probe would not raise τ'
            probe = self._probe(query, k, tau, plists, by_df, volume=DEEP_VOLUME if deep else PROBE_VOLUME, deep=deep,
                                distinct=distinct)
            thr = _raised(probe, k, tau)
            if thr is None:
                continue
            tau, num, den = thr, thr.numerator, thr.denominator
            lo2, hi2 = _window(qlen, num, den)
            reach = _reach_table(qlen, qlen - 1, hi2, num, den)
            if (lo2, hi2) != (lo, hi):
                # The lists were cut to the window of τ; τ' allows fewer lengths (a long
                # query's window can shrink 10×), so cut them again and re-rank them by
                # their new lengths before the count filter picks its prefix.
                plists, cnts = self._recut(plists, cnts, lo2, hi2)
                lo, hi = lo2, hi2
                df = np.fromiter(map(len, plists), dtype=np.int64, count=len(plists))
                by_df = np.argsort(df, kind="stable")
            cumw = np.concatenate([[0], np.cumsum(mult[by_df])])
            j_stop = _first_false(reach, cumw)
        return self._search_at(query, k, tau, plists, by_df, reach, mult, cnts, raised=tau > _as_fraction(min_score),
                               distinct=distinct)

    def _top(self, k: int, distinct: bool) -> _Top:
        return _Top(k, self.texts if distinct else None)

    def _recut(self, plists: list[np.ndarray], cnts: dict[int, np.ndarray], lo: int,
               hi: int) -> tuple[list[np.ndarray], dict[int, np.ndarray]]:
        """Cut posting lists (from :meth:`_lists`) to the base documents whose length lies in
        [lo, hi], keeping every delta document (numbered from ``n_base`` on, after the base ones, so
        a list stays ascending). Lists of at most ``RECUT_MIN`` postings are kept whole: every
        caller checks lengths anyway."""
        nb = self.n_base
        dlo, dhi = np.searchsorted(self.lens.a[:nb], np.array((min(lo, 1 << 30), min(hi + 1, 1 << 30)),
                                                              dtype=np.int32)).tolist()
        bounds = np.array((dlo, dhi, nb), dtype=np.int32)
        out = []
        cut = dict(cnts)
        for n, p in enumerate(plists):
            if len(p) > RECUT_MIN:
                i, j, e = p.searchsorted(bounds).tolist()
                p = p[i:j] if e == len(p) else np.concatenate([p[i:j], p[e:]])
                c = cnts.get(n)
                if c is not None:
                    cut[n] = c[i:j] if e == len(c) else np.concatenate([c[i:j], c[e:]])
            out.append(p)
        return out, cut

    def _probe(self, query, k, tau, plists, by_df, volume: int = PROBE_VOLUME, take: int = 12, deep: bool = False,
               distinct: bool = False) -> _Top:
        """Score the ``take`` documents that hold most of the rarest query bigrams (the lists
        of the first ``volume`` postings). ``deep``: rank a pool of the ``DEEP_POOL`` best of
        those by the next ``DEEP_LISTS`` lists too (each searched for the pool's documents) — for
        a templated TM, where every unit shares the template's bigrams and the rarest lists alone
        pick near-random units of the right template, so the first probe's τ' stays low."""
        # (6,000 postings and 12 documents, not 20,000 and 24: vocab 1e6 paired CPU p50 −8…−14 %
        # on every set, templated and synth 1e5 neutral; templated short: 81 scans of 100, was 76)
        chosen, total, order = 0, 0, by_df.tolist()
        for i in order:
            if total >= volume and chosen:
                break
            chosen += 1
            total += len(plists[i])
        if not total:
            return self._top(k, distinct)
        cand, seen = merged_counts([plists[i] for i in order[:chosen]])
        if deep and len(cand) > DEEP_POOL:
            pool = np.sort(np.argpartition(-seen, DEEP_POOL)[:DEEP_POOL])  # (cand is ascending)
            cand, seen = cand[pool], seen[pool]
            for i in order[chosen : chosen + DEEP_LISTS]:
                p = plists[i]
                if len(p):
                    at = np.minimum(np.searchsorted(p, cand), len(p) - 1)
                    seen += p[at] == cand
        if len(cand) > take:
            cand = np.sort(cand[np.argpartition(-seen, take)[:take]])
        cand = cand[self.alive.a[cand]]
        return self._score(query, tau, cand, self._top(k, distinct))

    def _score(self, query, tau, cand, top: _Top, ub=None) -> _Top:
        """Rescore ``cand`` (best bound first) into ``top``; stop when a bound falls below the
        k-th score. Returns ``top``.

        Candidates go to rapidfuzz in growing batches (one C++ loop per batch, not one Python
        call per candidate); the stopping test runs before each batch.
        """
        num, den = tau.numerator, tau.denominator
        qlen, k, heap = len(query), top.k, top.heap
        texts, seg_ids, lens = self.texts, self.seg_ids.a, self.lens.a
        pos, batch, n = 0, 32, len(cand)
        while pos < n:
            end = min(pos + batch, n)
            if ub is not None and len(heap) == k:
                _, _, _, w_d, w_m = heap[0]
                # the candidates are best bound first: those that can still reach the k-th
                # result are a prefix; the batch stops at the first that cannot (proven)
                ok = ub[0][pos:end] * w_m >= (w_m - w_d) * ub[1][pos:end]
                end = pos + (int(ok.argmin()) if not ok[-1] else len(ok))
                if end == pos:
                    break  # no remaining candidate can reach the k-th result: proven
            docs = cand[pos:end]
            pos += len(docs)
            batch = min(batch * 2, 2048)
            m = np.maximum(qlen, lens[docs].astype(np.int64))
            limit = m - (-(-num * m // den))  # largest d with (m − d)/m ≥ τ
            if len(heap) == k:
                limit = np.minimum(limit, (m * heap[0][3]) // heap[0][4])
            cutoff = int(limit.max())
            if cutoff < 0:
                continue
            dist = process.cdist([query], texts.take(docs), scorer=Levenshtein.distance,
                                 score_cutoff=cutoff, dtype=np.int32)[0]
            hit = np.flatnonzero(dist <= limit)
            if len(hit) > k:  # only this batch's own top k can enter the top k (templated TMs
                # put hundreds of hits in one batch: no Python step for each)
                mh = m[hit]
                sim = (mh - dist[hit]) / mh
                if top.texts is None:
                    hit = hit[np.lexsort((seg_ids[docs[hit]], -sim))[:k]]
                else:  # k different texts: those of the k best scores, and their copies (equal scores)
                    scores = np.unique(sim)
                    if len(scores) > k:
                        hit = hit[sim >= scores[-k]]
            for j in hit.tolist():
                doc, d, mm = int(docs[j]), int(dist[j]), int(m[j])
                top.push(((mm - d) / mm, -int(seg_ids[doc]), doc, d, mm))
        return top

    def _search_at(self, query, k, tau, plists, by_df, reach, mult, cnts=None, raised=False,
                   distinct: bool = False) -> SearchResult:
        """The count filter at τ: ``seen`` is, per candidate, the number of query bigram
        positions whose bigram the document holds, min(m, c) for a bigram the query holds m
        times and the document c times (an untouched query position is aligned with its own
        document position, so at most c of the m are untouched); ``total − seen`` positions must
        be touched by the edits (see :func:`upper_bound`). ``cnts`` has the documents' counts
        of the query's repeated bigrams (:meth:`_lists`); without them c is taken as m. ``raised``:
        the probes found k matches, so τ is above the asked threshold and a probe of the union's
        best candidates (:meth:`_reprobe`) may well raise it again."""
        cnts = cnts or {}
        num, den = tau.numerator, tau.denominator
        qlen = len(query)
        lo, hi = _window(qlen, num, den)
        weight = mult[by_df]
        cumw = np.concatenate([[0], np.cumsum(weight)])
        j_stop = _first_false(reach, cumw)
        if j_stop is None:
            return self._scan(query, k, num, den, lo, hi, distinct=distinct)
        if not any(len(plists[i]) for i in by_df[:j_stop].tolist()):
            return SearchResult()
        if self._scan_pays(query, plists, by_df[:j_stop], mult, lo, hi, num, den, raised):
            return self._scan(query, k, num, den, lo, hi, distinct=distinct)
        cand, seen = self._count(plists, by_df[:j_stop], weight[:j_stop], cnts)
        # (Documents outside the union miss at least cumw[j_stop] positions, which cannot
        # reach τ; inside it the bound below is the whole filter.)
        need = int(cumw[j_stop])
        clen = self.lens.a[cand]
        keep = _reachable(need - seen, clen, qlen, num, den)
        if self.n_dead:
            keep &= self.alive.a[cand]
        cand, seen, clen = cand[keep], seen[keep], clen[keep]
        if raised and len(cand) >= UNION_PROBE_MIN:
            tau, cand, seen, clen = self._reprobe(query, k, tau, cand, seen, clen, need, distinct)
            num, den = tau.numerator, tau.denominator
        # Many survivors: the character-signature bound (independent of the bigram counts)
        # removes most of them for a few vectorised passes (16 bytes read per candidate),
        # before the rescoring (or before the tightening: ``SIG_PRE``, off by default).
        early = len(cand) >= SIG_PRE
        d_char = self.char_bound(query, cand) if early else np.zeros(len(cand), dtype=np.int64)
        cand, seen, clen, d_char, covered = self._tighten(
            cand, seen, clen, d_char, need, plists, by_df[j_stop:], weight[j_stop:], qlen, num, den, cnts)
        ub_num, ub_den = upper_bound(covered - seen, clen, qlen)
        if not early and len(cand) >= SIG_MIN:  # still many to rescore
            d_char = self.char_bound(query, cand)
        np.minimum(ub_num, ub_den - d_char, out=ub_num)
        ok = ub_num * den >= num * ub_den
        cand, ub_num, ub_den = cand[ok], ub_num[ok], ub_den[ok]
        best_first = np.lexsort((cand, -(ub_num / ub_den)))
        top = self._score(query, tau, cand[best_first], self._top(k, distinct),
                          (ub_num[best_first], ub_den[best_first]))
        return top.result(True, "index")

    def _reprobe(self, query, k, tau, cand, seen, clen, need, distinct: bool = False):
        """Score the ``UNION_PROBE`` candidates with the best bounds from the count filter's union
        (``need − seen`` positions missed of the prefix); when k of them reach a τ'' above τ, keep
        only the candidates that can reach τ'' (the same bound, at τ'', and its length window).
        Exact: every true top-k member reaches the k-th of these k scores."""
        best = cand
        if len(cand) > UNION_PROBE:
            ub_num, ub_den = upper_bound(need - seen, clen, len(query))
            best = np.sort(cand[np.argpartition(-(ub_num / ub_den), UNION_PROBE)[:UNION_PROBE]])
        thr = _raised(self._score(query, tau, best, self._top(k, distinct)), k, tau)
        if thr is None:
            return tau, cand, seen, clen
        keep = _reachable(need - seen, clen, len(query), thr.numerator, thr.denominator)
        return thr, cand[keep], seen[keep], clen[keep]

    @staticmethod
    def _count(plists, chosen, weight, cnts) -> tuple[np.ndarray, np.ndarray]:
        """The documents in the union of the ``chosen`` lists (ascending) and, for each, the query
        positions it is credited: min(m, c) summed over the lists, for a bigram the query holds
        m (``weight``) and the document c times (``cnts``; without them, m). One sort of a
        concatenation (a posting list holds each document once): a list enters once, then once
        more for each t = 2..m with the documents holding its bigram at least t times."""
        parts = []
        for i, w in zip(chosen.tolist(), weight.tolist(), strict=True):
            p, c = plists[i], cnts.get(i)
            parts.append(p)
            for t in range(2, w + 1):
                parts.append(p if c is None else p[c >= t])
        return merged_counts(parts)

    def _tighten(self, cand, seen, clen, d_char, covered, plists, rest, weight, qlen, num, den, cnts=None):
        """Count the candidates' presence in the frequent posting lists the union skipped
        (by bisection, or by marking the list's documents in a count array over the
        candidates' range, whichever is cheaper for the list), a few lists at a time, dropping
        those the tighter bound rules out. Stops when few candidates are left (scoring them is
        cheaper) or when a round removes almost none: on a templated TM every unit holds those
        bigrams and the counting would cost more than scoring what it saves. ``covered`` is the number of
        query bigram positions counted so far; a candidate misses at least ``covered − seen``.
        A repeated bigram is credited min(m, c) as in :meth:`_search_at` when ``cnts`` has c."""
        cnts = cnts or {}
        todo = list(zip(rest.tolist(), weight.tolist(), strict=True))
        for lo in range(0, len(todo), TIGHTEN_STEP):
            if len(cand) <= SCORE_DIRECT:
                break
            # ``cand`` is ascending, as every posting list is. A list's part in the candidates'
            # range is either marked in a scratch count array over that range (cost ~ its length)
            # or the candidates are bisected into it (cost ~ candidates × log length), the cheaper.
            c0, c1 = int(cand[0]), int(cand[-1]) + 1
            bounds = np.array((c0, c1), dtype=np.int32)
            log_cost = len(cand) * MARK_RATIO
            marks = None
            for part, credit in self._round(plists, cnts, todo[lo : lo + TIGHTEN_STEP], bounds):
                n = len(part)
                if n < log_cost * n.bit_length() and c1 - c0 < MARK_SPAN * len(cand):
                    if marks is None:  # a round adds at most the query's bigram positions:
                        # int16 when that fits (half the pages of int32 to fault in)
                        marks = np.zeros(c1 - c0, dtype=np.int16 if qlen < 1 << 15 else np.int32)
                    marks[part - c0] += credit  # a posting list holds a document once
                else:
                    at = np.searchsorted(part, cand)
                    np.minimum(at, n - 1, out=at)
                    hit = part[at] == cand
                    seen += hit * credit if isinstance(credit, int) else hit * credit[at]
            covered += sum(w for _, w in todo[lo : lo + TIGHTEN_STEP])
            if marks is not None:
                seen += marks[cand - c0]
            ub_num, ub_den = upper_bound(covered - seen, clen, qlen)
            np.minimum(ub_num, ub_den - d_char, out=ub_num)
            ok = ub_num * den >= num * ub_den
            before = len(cand)
            cand, seen, clen, d_char = cand[ok], seen[ok], clen[ok], d_char[ok]
            if len(cand) > before * 0.9:
                break
        return cand, seen, clen, d_char, covered

    @staticmethod
    def _round(plists, cnts, todo, bounds) -> list[tuple[np.ndarray, int | np.ndarray]]:
        """One tightening round's lists, cut to the candidates' range ``bounds``, as
        ``(part, credit)``; credit is the weight (the query positions the list stands for), or
        per document min(m, c) for a repeated bigram with counts. Lists whose parts are equal
        are counted once with their weights summed: in a templated TM the bigrams of a
        template's fixed text are held by the same units (six lists of 137,839 documents, the
        same ones), and comparing two parts costs a fraction of counting one."""
        out: list[tuple[np.ndarray, int | np.ndarray]] = []
        for i, w in todo:
            p = plists[i]
            if not len(p):
                continue
            a, b = p.searchsorted(bounds).tolist()
            if b == a:
                continue
            part, c = p[a:b], (cnts.get(i) if w > 1 else None)
            if c is not None:
                out.append((part, np.minimum(c[a:b], w)))  # per document: min(m, c)
                continue
            for n, (q, credit) in enumerate(out):
                if (isinstance(credit, int) and len(q) == len(part) and q[0] == part[0]
                        and q[-1] == part[-1] and np.array_equal(q, part)):
                    out[n] = (q, credit + w)
                    break
            else:
                out.append((part, w))
        return out

    def _scan_pays(self, query: str, plists, prefix: np.ndarray, mult: np.ndarray, lo: int, hi: int,
                   num: int, den: int, raised: bool) -> bool:
        """Whether to scan the length window rather than count: the largest list of the
        ``prefix`` holds ``SCAN_UNION`` of the window (the union is most of it) and most of a
        sample passes the bound of its full counts (:meth:`_pass_share`). After the probes
        raised τ, the union probe may raise it again and leave few to score, which a scan
        cannot: then by cost, when merging the ``prefix`` lists (``SCAN_VOLUME`` postings a
        window document) would cost more than an LCS-screened scan of the window, and the LCS
        screen would rule out most of it."""
        window = self._window_size(lo, hi)
        if len(plists[int(prefix[-1])]) < SCAN_UNION * window:
            return False
        if not raised:
            return self._pass_share(query, plists, mult, lo, hi, num, den) >= SCAN_PASS
        return (sum(len(plists[i]) for i in prefix.tolist()) >= SCAN_VOLUME * window
                and self._lcs_prunes(query, lo, hi, num, den))

    def _lcs_prunes(self, query: str, lo: int, hi: int, num: int, den: int) -> bool:
        """Whether a scan's LCS screen (:func:`_lcs_screen`) would rule out most of the window:
        the same test on ``LCS_PILOT`` base documents spread over it."""
        if not LCS_QLEN[0] <= len(query) <= LCS_QLEN[1]:
            return False
        a, b = self._base_range(lo, hi)
        if b <= a:
            return False
        pilot = self.texts.take(np.unique(np.linspace(a, b - 1, LCS_PILOT).astype(np.int64)))
        return _lcs_rules_out(query, pilot, max(0.0, float(Fraction(num, den)) - 1e-6))

    def _pass_share(self, query: str, plists, mult: np.ndarray, lo: int, hi: int, num: int, den: int) -> float:
        """The share of the length window the count filter would leave to score, estimated on
        ``SCAN_SAMPLE`` base documents spread over the window: each is looked up in every query
        list (bisection) and credited m for a bigram the query holds m times (at least the
        filter's credit), and bounded on these full counts and on its characters
        (:meth:`char_bound`), as the count filter's last step bounds its survivors. A few
        hundred bisections of 64 numbers: ~0.5 ms for a 250-list English query. Only a choice
        of path: the scan and the count filter are both exact."""
        a, b = self._base_range(lo, hi)
        if b - a < 4 * SCAN_SAMPLE:
            return 0.0  # a small window: either path is cheap
        sample = np.linspace(a, b - 1, SCAN_SAMPLE).astype(self.postings.dtype)
        seen = np.zeros(SCAN_SAMPLE, dtype=np.int64)
        for p, m in zip(plists, mult.tolist(), strict=True):
            if len(p):
                pos = p.searchsorted(sample)
                np.minimum(pos, len(p) - 1, out=pos)
                seen += (p[pos] == sample) * m
        docs = sample.astype(np.int64)
        ub_num, ub_den = upper_bound(int(mult.sum()) - seen, self.lens.a[docs], len(query))
        np.minimum(ub_num, ub_den - self.char_bound(query, docs), out=ub_num)
        return int(np.count_nonzero(ub_num * den >= num * ub_den)) / SCAN_SAMPLE

    def _window_size(self, lo: int, hi: int) -> int:
        """How many documents :meth:`_window_docs` would give, at most (dead ones and delta
        documents of other lengths counted too): two bisections, nothing allocated."""
        a, b = self._base_range(lo, hi)
        return b - a + len(self.lens.view) - self.n_base

    def _base_range(self, lo: int, hi: int) -> tuple[int, int]:
        """The base documents with a length in [lo, hi]: a range of numbers (ordered by length)."""
        # (an int32 needle: an int64 one would make numpy cast the whole length array)
        needle = np.array((min(lo, 1 << 30), min(hi + 1, 1 << 30)), dtype=np.int32)
        a, b = np.searchsorted(self.lens.a[: self.n_base], needle).tolist()
        return a, b

    def _window_docs(self, lo: int, hi: int) -> np.ndarray:
        """Live documents with a length in [lo, hi]: a range of base numbers (they are ordered
        by length) plus the matching delta documents — not a pass over every document."""
        nb, lens = self.n_base, self.lens.view
        a, b = self._base_range(lo, hi)
        docs = np.arange(a, b, dtype=np.int64)
        if len(lens) > nb:
            extra = np.arange(nb, len(lens), dtype=np.int64)
            docs = np.concatenate([docs, extra[(lens[nb:] >= lo) & (lens[nb:] <= hi)]])
        return docs[self.alive.a[docs]] if self.n_dead else docs

    def _scan(self, query, k, num, den, lo, hi, screen: bool = True, distinct: bool = False) -> SearchResult:
        """Exact bounded scan over every live document whose length can reach τ; with
        ``screen`` (the search's fallback, not the brute-force reference) the documents the
        character-signature bound or the LCS screen (:func:`_lcs_screen`) rules out are not
        scored, and the scoring is spread over the CPUs (:meth:`_scan_reaching`)."""
        docs = self._window_docs(lo, hi)
        if screen and len(docs) >= SCAN_SIG_MIN:
            docs = self.screen(query, docs, num, den)
        if not len(docs):
            return SearchResult(proven=False, strategy="scan")
        # normalized_similarity drops a pair scoring exactly the cutoff: pass τ − 1e-6 and
        # decide with integer distances afterwards.
        cutoff = max(0.0, float(Fraction(num, den)) - 1e-6)
        if screen:
            found = self._scan_reaching(query, docs, cutoff)
        else:  # the brute-force reference keeps its own, separate code path
            found = [(t, i) for t, _sim, i in process.extract(query, self.texts.take(docs),
                                                              scorer=Levenshtein.normalized_similarity,
                                                              score_cutoff=cutoff, limit=None)]
        if distinct:
            return self._scan_texts(query, k, num, den, docs, found)
        qlen = len(query)
        scored = []
        for text, i in found:
            m = max(qlen, len(text))
            d = Levenshtein.distance(query, text)
            if (m - d) * den >= num * m:
                doc = int(docs[i])
                scored.append(((m - d) / m, -int(self.seg_ids.a[doc]), doc, d, m))
        scored.sort(reverse=True)
        hits = [(doc, d, m) for _, _, doc, d, m in scored[:k]]
        return SearchResult(hits=hits, proven=False, strategy="scan", firsts=hits)

    def _scan_reaching(self, query: str, docs: np.ndarray, cutoff: float) -> list[tuple[str, int]]:
        """(text, position in ``docs``) of every document whose Levenshtein similarity to
        ``query`` reaches ``cutoff``, in the order of ``docs``. Those the LCS screen rules out
        are not scored, when a sample of the window says it rules out most (:func:`_lcs_rules_out`).
        ``SCAN_CHUNK`` documents at a time: the texts of one chunk are read (Python, holding the
        GIL) while helper threads score the ones before (rapidfuzz, releasing it), and an idle
        server scores on every core (:func:`tmserver.index.spread.pipeline`)."""
        lcs = (len(docs) >= LCS_MIN and LCS_QLEN[0] <= len(query) <= LCS_QLEN[1]
               and _lcs_rules_out(query, self.texts.take(docs[:: max(1, len(docs) // LCS_PILOT)]), cutoff))

        def score(texts: list[str]) -> list[tuple[str, int]]:
            if not lcs:
                return [(texts[i], i) for i in _reaching(Levenshtein.normalized_similarity, query, texts, cutoff).tolist()]
            at = _lcs_screen(query, texts, cutoff).tolist()
            kept = [texts[i] for i in at]
            return [(kept[j], at[j]) for j in _reaching(Levenshtein.normalized_similarity, query, kept, cutoff).tolist()]

        starts = list(range(0, len(docs), SCAN_CHUNK))
        found = spread.pipeline(starts, lambda a: self.texts.take(docs[a : a + SCAN_CHUNK]), score)
        return [(text, a + i) for a, part in zip(starts, found, strict=True) for text, i in part]

    def _scan_texts(self, query, k, num, den, docs, found) -> SearchResult:
        """:meth:`_scan`'s answer for a distinct search: the found documents grouped by text (a
        text's distance computed once, however many copies it has), the best ``k`` texts, each
        by its lowest segment id and followed by at most ``COPIES_MAX`` copies. (Pushing every
        hit through :class:`_Top` cost 3 µs a copy: 16 ms for a text stored 5,000 times.)"""
        qlen, seg_ids = len(query), self.seg_ids.a
        groups: dict[str, tuple[int, int, list[int]] | None] = {}
        for text, i in found:
            if text not in groups:
                m, d = max(qlen, len(text)), Levenshtein.distance(query, text)
                groups[text] = (d, m, []) if (m - d) * den >= num * m else None
            entry = groups[text]
            if entry is not None:
                entry[2].append(int(docs[i]))
        ranked = []
        for entry in groups.values():
            if entry is not None:
                d, m, members = entry
                segs = seg_ids[np.asarray(members)]
                order = np.argsort(segs, kind="stable")
                ranked.append(((m - d) / m, -int(segs[order[0]]), d, m, [members[j] for j in order.tolist()]))
        ranked.sort(key=lambda r: (r[0], r[1]), reverse=True)
        hits: list[tuple[int, int, int]] = []
        firsts: list[tuple[int, int, int]] = []
        capped = False
        for _, _, d, m, members in ranked[:k]:
            firsts.append((members[0], d, m))
            hits.extend((doc, d, m) for doc in members[: COPIES_MAX + 1])
            capped = capped or len(members) > COPIES_MAX + 1
        return SearchResult(hits=hits, proven=False, strategy="scan", firsts=firsts, capped=capped)

    def screen(self, query: str, docs: np.ndarray, num: int, den: int) -> np.ndarray:
        """The ``docs`` whose edit distance to ``query`` may still let them reach τ = num/den, by
        two lower bounds: the cheap :meth:`signature_bound` (two AND-NOTs and a popcount a
        document) on all of them, then :meth:`char_bound` (a table lookup per signature byte) on
        what is left. Vocab 1e6 at τ 0.5, where every search is a scan: the screen of a
        `neardup`, `fresh` or `repeated` query fell from 15–18 ms (the character bound alone) to
        11–16 (mean of 30); a `long` query's window, whose documents hold most of its characters,
        went from 13 to 14 (bench/RESULTS.md, round 8)."""
        for bound in (self.signature_bound, self.char_bound):
            if not len(docs):
                break
            m = np.maximum(len(query), self.lens.a[docs].astype(np.int64))
            docs = docs[(m - bound(query, docs)) * den >= num * m]
        return docs

    def brute_force(self, query: str, k: int = 5, min_score: float = 70, *, distinct: bool = False) -> SearchResult:
        """Reference answer: score every live document (tests and the benchmark)."""
        tau = _as_fraction(min_score)
        return self._scan(query, k, tau.numerator, tau.denominator, 1, 1 << 62, screen=False, distinct=distinct)
