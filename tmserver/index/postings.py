"""One language's bigram index and its exact top-k search (see :mod:`tmserver.index` for the design).

Documents are the normalised texts of one language (the zh side of every zh↔en segment, say),
numbered densely in the order they were added. The index is two parts:

* the **base**, built in bulk: a sorted ``int64`` bigram vocabulary, CSR offsets and one ``int32``
  array of document numbers (posting lists are slices of it, sorted ascending);
* the **delta**, for writes after the build: a dict bigram → list of document numbers. When it
  grows past a tenth of the base the whole index is rebuilt from the texts it already holds.

A replaced or deleted document is only marked dead; searches skip it and rebuilds drop it.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from tmserver.index.grams import batch_bigrams, string_bigrams, unique_counts

BUILD_CHUNK = 100_000


class _Grow:
    """A numpy array with amortised O(1) append (capacity doubling)."""

    def __init__(self, dtype, data: np.ndarray | None = None):
        self.a = np.asarray(data if data is not None else np.empty(0), dtype=dtype).copy()
        self.n = len(self.a)

    def append(self, value) -> int:
        if self.n == len(self.a):
            self.a = np.resize(self.a, max(16, 2 * len(self.a)))
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
    answer came from the exhaustive (still exact) scan of the length window."""

    hits: list[tuple[int, int, int]] = field(default_factory=list)
    proven: bool = True
    strategy: str = "index"
    scored: int = 0


def _as_fraction(min_score: float) -> Fraction:
    return Fraction(min_score).limit_denominator(10_000) / 100


def upper_bound(absent: np.ndarray, cand_len: np.ndarray, qlen: int) -> tuple[np.ndarray, np.ndarray]:
    """Best similarity a document can still reach, as ``(numerator, denominator)`` arrays.

    ``absent`` is a lower bound on the number of the query's distinct bigrams missing from the
    document. A bigram is missing only if every position where the query has it was touched by
    an edit; a substitution or deletion touches at most 2 bigram positions, an insertion 1.
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


class LangIndex:
    """Bigram index over the texts of one language, with exact top-k search."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.seg_ids = _Grow(np.int64)
        self.is_source = _Grow(np.bool_)
        self.lens = _Grow(np.int32)
        self.alive = _Grow(np.bool_)
        self.n_base = 0
        self.vocab = np.empty(0, dtype=np.int64)
        self.indptr = np.zeros(1, dtype=np.int64)
        self.postings = np.empty(0, dtype=np.int32)
        self.delta: dict[int, list[int]] = {}
        self.delta_docs = 0
        #: segment id → doc for segments written after the build (None: no doc any more)
        self.overrides: dict[int, int | None] = {}
        self._counts = np.zeros(0, dtype=np.uint16)

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def build(cls, seg_ids, texts: list[str], is_source) -> LangIndex:
        """Bulk build. ``seg_ids`` must be ascending (documents are looked up by bisection)."""
        idx = cls()
        idx._load(np.asarray(seg_ids, dtype=np.int64), list(texts), np.asarray(is_source, dtype=np.bool_))
        return idx

    def _load(self, seg_ids: np.ndarray, texts: list[str], is_source: np.ndarray) -> None:
        n = len(texts)
        self.texts = texts
        self.seg_ids = _Grow(np.int64, seg_ids)
        self.is_source = _Grow(np.bool_, is_source)
        self.lens = _Grow(np.int32, np.fromiter((len(t) for t in texts), dtype=np.int32, count=n))
        self.alive = _Grow(np.bool_, np.ones(n, dtype=np.bool_))
        self.n_base = n
        self.delta, self.delta_docs, self.overrides = {}, 0, {}
        # Pass 1: vocabulary and document frequencies, chunk by chunk (bounded memory).
        uniq, counts = [], []
        for lo in range(0, n, BUILD_CHUNK):
            keys, _ = batch_bigrams(texts[lo : lo + BUILD_CHUNK])
            k, c = unique_counts(keys)
            uniq.append(k)
            counts.append(c)
        if uniq:
            allk = np.concatenate(uniq)
            order = np.argsort(allk, kind="stable")
            allk, allc = allk[order], np.concatenate(counts)[order]
            new = np.empty(len(allk), dtype=np.bool_)
            new[:1] = True
            np.not_equal(allk[1:], allk[:-1], out=new[1:])
            starts = np.flatnonzero(new)
            vocab = allk[starts]
            df = np.add.reduceat(allc, starts).astype(np.int64) if len(starts) else allc[:0]
        else:
            vocab, df = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        del uniq, counts
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        postings = np.empty(int(indptr[-1]), dtype=np.int32)
        cursor = indptr[:-1].copy()
        # Pass 2: recompute each chunk's pairs and drop them into place. Chunks come in
        # document order, so every posting list ends up sorted.
        for lo in range(0, n, BUILD_CHUNK):
            keys, docs = batch_bigrams(texts[lo : lo + BUILD_CHUNK])
            if not len(keys):
                continue
            term = np.searchsorted(vocab, keys)
            change = np.empty(len(term), dtype=np.bool_)
            change[0] = True
            np.not_equal(term[1:], term[:-1], out=change[1:])
            starts = np.flatnonzero(change)
            run = np.cumsum(change) - 1
            rank = np.arange(len(term)) - starts[run]
            postings[cursor[term] + rank] = docs + lo
            cursor[term[starts]] += np.diff(np.append(starts, len(term)))
        self.vocab, self.indptr, self.postings = vocab, indptr, postings
        self._counts = np.zeros(max(16, n), dtype=np.uint16)

    def compact(self) -> None:
        """Rebuild from the live documents (drops dead ones, folds the delta into the base)."""
        live = np.flatnonzero(self.alive.view)
        seg = self.seg_ids.view[live]
        order = np.argsort(seg, kind="stable")
        live = live[order]
        self._load(seg[order], [self.texts[i] for i in live], self.is_source.view[live])

    # -- writes -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.alive.view.sum())

    def doc_of(self, seg_id: int) -> int | None:
        if seg_id in self.overrides:
            return self.overrides[seg_id]
        base = self.seg_ids.a[: self.n_base]
        i = int(np.searchsorted(base, seg_id))
        if i < self.n_base and base[i] == seg_id and self.alive.a[i]:
            return i
        return None

    def remove(self, seg_id: int) -> None:
        doc = self.doc_of(seg_id)
        if doc is not None:
            self.alive.a[doc] = False
        self.overrides[seg_id] = None

    def upsert(self, seg_id: int, text: str, is_source: bool) -> None:
        """Index ``text`` for ``seg_id``, replacing what the segment had here before."""
        doc = self.doc_of(seg_id)
        if doc is not None and self.texts[doc] == text and bool(self.is_source.a[doc]) == is_source:
            return  # replaying a change we already hold
        self.remove(seg_id)
        if not text:
            return
        doc = len(self.texts)
        self.texts.append(text)
        self.seg_ids.append(seg_id)
        self.is_source.append(is_source)
        self.lens.append(len(text))
        self.alive.append(True)
        for key in string_bigrams(text).tolist():
            self.delta.setdefault(key, []).append(doc)
        self.overrides[seg_id] = doc
        self.delta_docs += 1
        if len(self._counts) <= doc:
            self._counts = np.zeros(2 * (doc + 1), dtype=np.uint16)
        if self.delta_docs > max(20_000, self.n_base // 10):
            self.compact()

    # -- search -----------------------------------------------------------------------------

    def _postings(self, keys: np.ndarray) -> list[np.ndarray]:
        pos = np.searchsorted(self.vocab, keys)
        pos = np.minimum(pos, max(len(self.vocab) - 1, 0))
        found = (self.vocab[pos] == keys) if len(self.vocab) else np.zeros(len(keys), dtype=np.bool_)
        out = []
        for key, p, ok in zip(keys.tolist(), pos.tolist(), found.tolist(), strict=True):
            main = self.postings[self.indptr[p] : self.indptr[p + 1]] if ok else self.postings[:0]
            extra = self.delta.get(key)
            out.append(np.concatenate([main, np.asarray(extra, dtype=np.int32)]) if extra else main)
        return out

    def search(self, query: str, k: int = 5, min_score: float = 70) -> SearchResult:
        """The true top-``k`` documents with similarity ≥ ``min_score``/100 (ties: lower segment id).

        Similarity is ``1 − d/max(len)`` with ``d`` the Levenshtein distance on characters.
        """
        tau = _as_fraction(min_score)
        qlen = len(query)
        if qlen == 0 or k <= 0:
            return SearchResult()
        keys = string_bigrams(query)
        plists = self._postings(keys)
        df = np.fromiter((len(p) for p in plists), dtype=np.int64, count=len(plists))
        by_df = np.argsort(df, kind="stable")
        # Probe: score the few documents sharing most of the rarest bigrams. If k of them
        # reach τ, the k-th of them is a higher threshold τ' that every true top-k member
        # also reaches, and a higher threshold needs far fewer posting lists to be exact.
        thr = tau
        probe = self._probe(query, k, tau, plists, by_df)
        if len(probe) == k:
            _, _, _, d, m = probe[0]
            thr = max(tau, Fraction(m - d, m))
        return self._search_at(query, k, thr, keys, plists, df, by_df)

    def _probe(self, query, k, tau, plists, by_df, volume: int = 20_000, take: int = 24):
        chosen, total = [], 0
        for i in by_df.tolist():
            if total >= volume and chosen:
                break
            chosen.append(plists[i])
            total += len(plists[i])
        if not total:
            return []
        counts = self._counts
        for p in chosen:
            counts[p] += 1
        cand = np.concatenate(chosen)
        seen = counts[cand]
        for p in chosen:
            counts[p] = 0
        if len(cand) > take:
            top = np.argpartition(-seen.astype(np.int64), take)[:take]
            cand = cand[top]
        cand = np.unique(cand)
        cand = cand[self.alive.a[cand]]
        return self._score(query, k, tau, cand, [])

    def _score(self, query, k, tau, cand, heap, ub=None):
        """Rescore ``cand`` (best bound first) into the top-k ``heap``; stop when a bound falls
        below the k-th score. Returns the heap: ``(sim, -seg_id, doc, d, M)``, worst on top.

        Candidates go to rapidfuzz in growing batches (one C++ loop per batch, not one Python
        call per candidate); the stopping test runs before each batch.
        """
        num, den = tau.numerator, tau.denominator
        qlen = len(query)
        texts, seg_ids, lens = self.texts, self.seg_ids.a, self.lens.a
        pos, batch, n = 0, 16, len(cand)
        while pos < n:
            if ub is not None and len(heap) == k:
                _, _, _, w_d, w_m = heap[0]
                if ub[0][pos] * w_m < (w_m - w_d) * ub[1][pos]:
                    break  # no remaining candidate can reach the k-th result: proven
            docs = cand[pos : pos + batch]
            pos += len(docs)
            batch = min(batch * 2, 1024)
            m = np.maximum(qlen, lens[docs].astype(np.int64))
            limit = m - (-(-num * m // den))  # largest d with (m − d)/m ≥ τ
            if len(heap) == k:
                limit = np.minimum(limit, (m * heap[0][3]) // heap[0][4])
            if limit.max() < 0:
                continue
            dist = process.cdist([query], [texts[i] for i in docs.tolist()], scorer=Levenshtein.distance,
                                 score_cutoff=int(limit.max()), dtype=np.int32)[0]
            for j in np.flatnonzero(dist <= limit).tolist():
                doc, d, mm = int(docs[j]), int(dist[j]), int(m[j])
                item = ((mm - d) / mm, -int(seg_ids[doc]), doc, d, mm)
                if len(heap) < k:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
        return heap

    def _search_at(self, query, k, tau, keys, plists, df, by_df) -> SearchResult:
        num, den = tau.numerator, tau.denominator
        qlen = len(query)
        # Length filter: similarity ≤ min(len)/max(len).
        lo = max(1, -(-num * qlen // den))
        hi = qlen * den // num if num else 1 << 62
        j_stop = self._prefix_length(qlen, len(keys), lo, hi, num, den, 0)
        if j_stop is None:
            return self._scan(query, k, num, den, lo, hi)
        chosen = [plists[i] for i in by_df[:j_stop].tolist()]
        if not chosen or not any(len(p) for p in chosen):
            return SearchResult()
        # A document that has seen fewer than s_min of the chosen bigrams misses too many.
        max_absent = self._max_absent(qlen, j_stop, lo, hi, num, den)
        s_min = max(1, j_stop - max_absent)
        counts = self._counts
        for p in chosen:
            counts[p] += 1  # a posting list holds each document once, so fancy += is exact
        cand = np.concatenate(chosen)
        seen = counts[cand]
        for p in chosen:
            counts[p] = 0
        sel = seen >= s_min
        cand, seen = cand[sel], seen[sel]
        clen = self.lens.a[cand]
        ub_num, ub_den = upper_bound(j_stop - seen.astype(np.int64), clen, qlen)
        keep = (ub_num * den >= num * ub_den) & self.alive.a[cand] & (clen >= lo) & (clen <= hi)
        cand, seen = cand[keep], seen[keep]
        order = np.argsort(cand, kind="stable")
        cand, seen = cand[order], seen[order]
        first = np.ones(len(cand), dtype=np.bool_)
        np.not_equal(cand[1:], cand[:-1], out=first[1:])
        cand, seen = cand[first], seen[first].astype(np.int64)
        # The survivors are few: count their presence in the frequent posting lists we skipped
        # (sorted, so by bisection) to tighten each bound from "missing ≥ j − seen" to the
        # exact number of missing bigrams.
        for i in by_df[j_stop:].tolist():
            p = plists[i]
            if not len(p) or not len(cand):
                continue
            at = np.searchsorted(p, cand)
            np.minimum(at, len(p) - 1, out=at)
            seen += p[at] == cand
        ub_num, ub_den = upper_bound(len(keys) - seen, self.lens.a[cand], qlen)
        ok = ub_num * den >= num * ub_den
        cand, ub_num, ub_den = cand[ok], ub_num[ok], ub_den[ok]
        best_first = np.lexsort((cand, -(ub_num / ub_den)))
        heap = self._score(query, k, tau, cand[best_first], [], (ub_num[best_first], ub_den[best_first]))
        hits = [(doc, d, m) for _, _, doc, d, m in sorted(heap, reverse=True)]
        return SearchResult(hits=hits, proven=True, strategy="index", scored=len(cand))

    def _max_absent(self, qlen: int, j_max: int, lo: int, hi: int, num: int, den: int) -> int:
        """Largest number of missing bigrams with which some allowed length still reaches τ."""
        lens = np.arange(lo, min(hi, lo + 200_000) + 1, dtype=np.int64)
        a, b = 0, j_max
        while a < b:  # largest x in [0, j_max] that is reachable (0 always is when lo ≤ hi)
            mid = (a + b + 1) // 2
            n, m = upper_bound(np.full(len(lens), mid), lens, qlen)
            if np.any(n * den >= num * m):
                a = mid
            else:
                b = mid - 1
        return a

    def _prefix_length(self, qlen: int, n_keys: int, lo: int, hi: int, num: int, den: int, _unused: int = 0) -> int | None:
        """Smallest j such that a document missing the j rarest query bigrams cannot reach τ.

        Documents outside the union of those j posting lists miss all j, so they need not be
        looked at. ``None`` when even all bigrams are not enough (short or repetitive query).
        """
        if hi < lo:
            return 0
        lens = np.arange(lo, min(hi, lo + 200_000) + 1, dtype=np.int64)

        def reachable(j: int) -> bool:
            n, m = upper_bound(np.full(len(lens), j), lens, qlen)
            return bool(np.any(n * den >= num * m))

        if reachable(n_keys):
            return None
        a, b = 0, n_keys  # reachable(a) may hold, reachable(b) does not
        while a < b:
            mid = (a + b) // 2
            if reachable(mid):
                a = mid + 1
            else:
                b = mid
        return a

    def _scan(self, query, k, num, den, lo, hi) -> SearchResult:
        """Exact bounded scan over every live document whose length can reach τ."""
        lens = self.lens.view
        docs = np.flatnonzero(self.alive.view & (lens >= lo) & (lens <= hi))
        if not len(docs):
            return SearchResult(proven=False, strategy="scan")
        texts = [self.texts[i] for i in docs.tolist()]
        # normalized_similarity drops a pair scoring exactly the cutoff: pass τ − 1e-6 and
        # decide with integer distances afterwards.
        cutoff = max(0.0, float(Fraction(num, den)) - 1e-6)
        found = process.extract(query, texts, scorer=Levenshtein.normalized_similarity,
                                score_cutoff=cutoff, limit=None)
        qlen = len(query)
        scored = []
        for text, _sim, i in found:
            m = max(qlen, len(text))
            d = Levenshtein.distance(query, text)
            if (m - d) * den >= num * m:
                doc = int(docs[i])
                scored.append(((m - d) / m, -int(self.seg_ids.a[doc]), doc, d, m))
        scored.sort(reverse=True)
        hits = [(doc, d, m) for _, _, doc, d, m in scored[:k]]
        return SearchResult(hits=hits, proven=False, strategy="scan", scored=len(docs))

    def brute_force(self, query: str, k: int = 5, min_score: float = 70) -> SearchResult:
        """Reference answer: score every live document (tests and the benchmark)."""
        tau = _as_fraction(min_score)
        return self._scan(query, k, tau.numerator, tau.denominator, 1, 1 << 62)
