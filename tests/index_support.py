"""Shared checks of the exact index against its brute-force reference (``LangIndex.brute_force``):
the generated-data exactness tests (templated, repeated phrases, English) compare every query's top 5
(segment, distance) at several thresholds, before and after a stream of delta writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from tmserver.index import persist
from tmserver.index.parts import PartIndex
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


def saved_and_opened(folder: Path, lang: str, texts: list[str]) -> LangIndex:
    """An index of ``texts`` (segments 1..n) with its part index, saved with
    :func:`persist.save` and opened again from ``folder``, as a served worker maps it."""
    ids = np.arange(1, len(texts) + 1)
    built = LangIndex.build(ids, list(texts), np.ones(len(texts), dtype=np.bool_))
    parts = PartIndex.build(lang, [(i, True, t, t) for i, t in zip(ids.tolist(), texts, strict=True)])
    persist.save(folder, lang, built, parts, {"kind": "seq", "seq": 1}, f"db-{lang}")
    saved = persist.load(folder, lang, f"db-{lang}")
    assert saved is not None
    return saved.index
