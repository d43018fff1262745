"""Character bigram keys, for one string (queries) and for many at once (index builds).

A bigram is packed into one integer, ``(code point of a) << 21 | code point of b`` (Unicode needs
21 bits), so a posting list is found with one ``searchsorted`` over a sorted ``int64`` vocabulary
and no Python object is created per bigram when a million segments are indexed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SHIFT = 21


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values. (numpy ≥ 2.3's ``np.unique`` hashes, ~15× slower than this here.)"""
    a = np.sort(a)
    if len(a) < 2:
        return a
    keep = np.empty(len(a), dtype=np.bool_)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def unique_counts(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and how often each occurs."""
    a = np.sort(a)
    if not len(a):
        return a, np.empty(0, dtype=np.int64)
    keep = np.empty(len(a), dtype=np.bool_)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    starts = np.flatnonzero(keep)
    return a[starts], np.diff(np.append(starts, len(a)))


def string_bigrams(text: str) -> np.ndarray:
    """Distinct bigram keys of ``text`` (sorted ``int64``); empty for strings shorter than 2."""
    if len(text) < 2:
        return np.empty(0, dtype=np.int64)
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    return sorted_unique((cps[:-1] << SHIFT) | cps[1:])


def batch_bigrams(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(keys, docs)``: every distinct (bigram, text number) pair of ``texts``, sorted by key then doc.

    The texts are joined with U+0000 (which normalised text never contains) and bigrams that
    touch a separator are dropped, so a whole chunk is handled by a few vectorised passes.
    """
    if not texts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)
    joined = "\x00".join(texts) + "\x00"
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    doc_of_pos = np.repeat(np.arange(len(texts), dtype=np.int64), lengths + 1)
    a, b = cps[:-1], cps[1:]
    keep = (a != 0) & (b != 0)
    keys = ((a << SHIFT) | b)[keep]
    docs = doc_of_pos[:-1][keep]
    # one sort dedupes (key, doc) pairs and orders them by key, then doc: key uses 42 bits,
    # so a chunk may hold up to 2**21 texts
    if len(texts) >= 1 << SHIFT:
        raise ValueError("batch_bigrams: at most 2**21 texts per chunk")
    packed = sorted_unique((keys << SHIFT) | docs)
    return packed >> SHIFT, (packed & ((1 << SHIFT) - 1)).astype(np.int32)


def joined_bigrams(text: str, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`batch_bigrams` for the documents ``text[offsets[i] - offsets[0] : offsets[i + 1] - offsets[0]]``
    of one concatenated string (no separators: a bigram that straddles two documents is dropped)."""
    n = len(offsets) - 1
    if n <= 0 or not text:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)
    if n >= 1 << SHIFT:
        raise ValueError("joined_bigrams: at most 2**21 texts per chunk")
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    doc_of_pos = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    keep = doc_of_pos[:-1] == doc_of_pos[1:]
    packed = (cps[:-1] << SHIFT) | cps[1:]
    del cps
    packed = (packed[keep] << SHIFT) | doc_of_pos[:-1][keep]
    del keep, doc_of_pos
    packed = sorted_unique(packed)
    return packed >> SHIFT, (packed & ((1 << SHIFT) - 1)).astype(np.int32)
