"""Shared checks of the exact index against its brute-force reference (``LangIndex.brute_force``):
the generated-data exactness tests (templated, repeated phrases) compare every query's top 5
(segment, distance) at several thresholds, before and after a stream of delta writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tmserver.index.postings import LangIndex


def hits(res, idx: LangIndex) -> list[tuple[int, int]]:
    """A search result as (segment id, distance) pairs, best first."""
    return [(int(idx.seg_ids.a[doc]), d) for doc, d, _m in res.hits]


def check(idx: LangIndex, queries: Iterable[str], taus: Sequence[int]) -> int:
    """Every query at every τ (percent) equals the exhaustive scan; returns how many answers were
    not empty (so a test can require that it compared real matches, not empty lists)."""
    answered = 0
    for q in queries:
        for tau in taus:
            want = hits(idx.brute_force(q, 5, tau), idx)
            assert hits(idx.search(q, 5, tau), idx) == want, (q, tau)
            answered += bool(want)
    return answered


def apply(idx: LangIndex, writes: Iterable[tuple[int, str]]) -> None:
    """Replay ``(segment, text)`` writes into the index's delta; an empty text deletes."""
    for seg, text in writes:
        if text:
            idx.upsert(seg, text, True)
        else:
            idx.remove(seg)
