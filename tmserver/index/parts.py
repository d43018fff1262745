"""Sub-segment recall: the sentences inside multi-sentence units, searchable on their own.

A CAT tool segments by sentence, but a TM unit may hold two or three sentences (the translator
merged or split them; 28 of the article's 91 units do). Looked up whole, such a unit scores
43–76 for a query that *is* one of its sentences. So, besides the main index over whole texts,
each language keeps a second, smaller :class:`~tmserver.index.postings.LangIndex` over the
**parts** of every multi-sentence text: each contiguous run of its sentences short of the whole
(one to n−1 sentences; at most :data:`MAX_SENTENCES` sentences per text, so at most 35 parts).
A part is a document of its own, mapped back to ``(segment, side, start, end)`` in the unit's
original text. The same exact top-k search runs over it, so a sub-segment match's score is the
similarity of the query and *that part*.

Sentences come from :mod:`tmserver.align.segment` — the segmenter the article's sentence files
were cut with. A cheap regular expression first skips texts with no sentence-final mark before
their end (most units), so building costs one regex pass over the texts plus segmentation of the
few that may hold several sentences.

**The target part.** :func:`target_part` says which stretch of the other side translates the
matched sentences. When the other side has at least as many sentences, those are aligned; when
it has fewer (the English merged two Chinese sentences, or the Chinese holds in one sentence
what the English split in two), it is cut into clauses at ``；;，,：:`` and the clauses are
grouped, in order, one group per sentence. The grouping minimises the aligner's cost
(:class:`tmserver.align.aligner.Scorer`: Gale–Church length cost with the unit's own length ratio
plus the coverage of numbers, Latin tokens, quotes and glossary terms — not the CC-CEDICT
dictionary, whose 7 s / 300 MB load has no place on the lookup path). When the other side
cannot be cut into enough pieces, there is no target part (``None``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from tmserver.align.aligner import Scorer
from tmserver.align.features import (
    GlossaryMatcher,
    LatinMatcher,
    LengthModel,
    Matcher,
    NumberMatcher,
    QuoteMatcher,
)
from tmserver.align.segment import segment_en, segment_zh
from tmserver.index.postings import LangIndex, Prepared
from tmserver.normalize import normalize_text

__all__ = ["MAX_SENTENCES", "PartIndex", "PartTable", "PartsBySegment", "TargetPart", "may_have_parts", "part_spans", "sentence_spans", "target_part"]

#: replaced parts kept before the part list is renumbered (see :meth:`PartIndex._compact`)
COMPACT_MIN = 10_000
#: a served part index is not compacted by catch-ups: it is rebuilt with its language's index by a
#: background merge once its delta passes max(this, a fifth of its base) parts, or its replaced
#: parts outnumber the live ones by this many (:attr:`PartIndex.merge_due`)
MERGE_MIN = 100_000
#: texts with more sentences than this are not split (a paragraph-sized unit is not a sentence TM)
MAX_SENTENCES = 8

# A sentence-final mark followed by more text: only such texts can hold two sentences.
_MAYBE_ZH = re.compile(r"[。！？?!…][”’」』）》)\"'①-⑳\s]*[^\s”’」』）》)\"'①-⑳]")
_MAYBE_EN = re.compile(r"[.!?…][\"'”’)\]①-⑳]*\s+\S")
_CLAUSE_ZH = re.compile(r"[。！？?!；;，,：:]+[”’」』）》)\"'①-⑳]*")
_CLAUSE_EN = re.compile(r"[.!?;:,][\"'”’)\]①-⑳]*(?=\s)")


def sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as ``(start, end)`` offsets into it (one span for one sentence)."""
    pieces = segment_zh(text) if lang == "zh" else segment_en(text)
    spans, pos = [], 0
    for piece in pieces:
        i = text.find(piece, pos)
        if i < 0:  # the segmenter changed the text: treat it as one sentence
            return [(0, len(text))]
        spans.append((i, i + len(piece)))
        pos = i + len(piece)
    return spans or [(0, len(text))]


def may_have_parts(text: str, lang: str) -> bool:
    """A sentence-final mark with more text after it: the cheap test that skips most texts."""
    return (_MAYBE_ZH if lang == "zh" else _MAYBE_EN).search(text) is not None


def part_spans(text: str, lang: str) -> list[tuple[int, int, int, int]]:
    """``(start, end, first sentence, last sentence + 1)`` of every run of sentences short of the whole."""
    if not may_have_parts(text, lang):
        return []
    sents = sentence_spans(text, lang)
    n = len(sents)
    if not 2 <= n <= MAX_SENTENCES:
        return []
    return [(sents[i][0], sents[j - 1][1], i, j) for i in range(n) for j in range(i + 1, n + 1) if j - i < n]


#: a part of a text: ``(start, end, first sentence, last sentence + 1, matching form)``
Piece = tuple[int, int, int, int, str]


def _pieces(text: str, lang: str, whole_norm: str | None) -> list[Piece]:
    """The parts of ``text`` with their matching forms (cut from ``whole_norm`` when it aligns with
    the text character for character, else normalised on their own); empty ones dropped."""
    spans = part_spans(text, lang)
    aligned = bool(spans) and whole_norm is not None and _one_to_one(text, whole_norm)
    out = []
    for s, e, i, j in spans:
        norm = whole_norm[s:e] if aligned else normalize_text(text[s:e])  # type: ignore[index]
        if norm:
            out.append((s, e, i, j, norm))
    return out


class PreparedParts(NamedTuple):
    """:meth:`PartIndex.prepare`'s: the parts of one text and each one's index entries."""

    text: str
    whole_norm: str | None
    pieces: list[Piece]
    docs: list[Prepared]


def _clause_spans(text: str, lang: str) -> list[tuple[int, int]]:
    rx = _CLAUSE_ZH if lang == "zh" else _CLAUSE_EN
    spans, start = [], 0
    for m in rx.finditer(text):
        end = m.end()
        if _inside_quotes(text, end):
            continue  # never cut a quotation or a title ("Open, Cooperative, …")
        if text[start:end].strip() and text[end:].strip():
            spans.append((start, end))
            start = end
    spans.append((start, len(text)))
    out = []
    for s, e in spans:  # trim the whitespace between clauses
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


_OPEN, _CLOSE = "“‘《「『（(", "”’》」』）)"


def _inside_quotes(text: str, pos: int) -> bool:
    """Is ``pos`` inside a quotation, a 《title》 or brackets (straight quotes by parity)?"""
    head = text[:pos]
    depth = sum(head.count(c) for c in _OPEN) - sum(head.count(c) for c in _CLOSE)
    return depth > 0 or head.count('"') % 2 == 1


@dataclass(frozen=True)
class TargetPart:
    start: int
    end: int
    text: str
    alignment: str  #: sentence | clause — the pieces the other side was cut into
    similarity: float  #: the aligner's evidence coverage for the chosen link (0 when none)


@lru_cache(maxsize=1)
def _light_matchers() -> tuple[Matcher, ...]:
    """The aligner's evidence for cutting a target to a sub-segment match, built once per process:
    none of these learns from the document (no ``prepare``), so one set serves every call and
    thread. Built per call they cost 0.31 ms a sub-segment match (the glossary's automaton and
    regexes; templated 1e6 fresh/neardup queries at τ 0.6 have 0.65 such matches a lookup)."""
    matchers = (NumberMatcher(), LatinMatcher(), QuoteMatcher(), GlossaryMatcher())
    assert all(type(m).prepare is Matcher.prepare for m in matchers), "a shared matcher must not learn"
    return matchers


#: What ending a sentence's part of the other text at a comma costs beside a semicolon or colon:
#: a translator who merges sentences joins them with ；/; far more often than with a comma, which
#: mostly separates clauses of one sentence.
COMMA_CUT_COST = 1.0


def _cut_cost(other: str, pieces: list[tuple[int, int]], b: int, alignment: str) -> float:
    if alignment != "clause" or b >= len(pieces):
        return 0.0
    end = other[pieces[b - 1][0]:pieces[b - 1][1]].rstrip()
    return COMMA_CUT_COST if end.endswith((",", "，", "、")) else 0.0


def target_part(text: str, lang: str, other: str, other_lang: str, first: int, last: int) -> TargetPart | None:
    """The stretch of ``other`` that translates sentences ``first``…``last − 1`` of ``text``."""
    sents = sentence_spans(text, lang)
    n = len(sents)
    pieces = sentence_spans(other, other_lang)
    alignment = "sentence"
    if len(pieces) < n:
        pieces = _clause_spans(other, other_lang)
        alignment = "clause"
    m = len(pieces)
    if m < n or n < 2:
        return None
    mine = [text[s:e] for s, e in sents]
    theirs = [other[s:e] for s, e in pieces]
    zh, en = (mine, theirs) if lang == "zh" else (theirs, mine)
    scorer = Scorer(zh, en, matchers=_light_matchers(), length=LengthModel.from_document(zh, en))

    def cost(i: int, a: int, b: int) -> tuple[float, float]:
        z0, z1, e0, e1 = (i, i + 1, a, b) if lang == "zh" else (a, b, i, i + 1)
        sim = scorer.similarity(z0, z1, e0, e1)
        base = Scorer.W_LEN * scorer.length.cost(*scorer.lengths(z0, z1, e0, e1)) + Scorer.W_SIM * (1 - sim)
        return base + _cut_cost(other, pieces, b, alignment), sim

    # best[i][b]: cost of giving sentences 0..i-1 the pieces 0..b-1, each at least one piece
    inf = float("inf")
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(1, n + 1):
        for b in range(i, m - (n - i) + 1):
            for a in range(i - 1, b):
                if best[i - 1][a] == inf:
                    continue
                c = best[i - 1][a] + cost(i - 1, a, b)[0]
                if c < best[i][b]:
                    best[i][b], back[i][b] = c, a
    cuts = [m]
    for i in range(n, 0, -1):
        cuts.append(back[i][cuts[-1]])
    cuts.reverse()  # cuts[i]..cuts[i+1] are the pieces of sentence i
    a, b = cuts[first], cuts[last]
    s, e = pieces[a][0], pieces[b - 1][1]
    sims = [cost(i, cuts[i], cuts[i + 1])[1] for i in range(first, last)]
    return TargetPart(s, e, other[s:e], alignment, round(sum(sims) / len(sims), 4))


def _one_to_one(text: str, whole_norm: str) -> bool:
    """Does the stored matching form of ``text`` keep every character in place (no NFKC expansion,
    no whitespace folded, no length-changing script conversion)? Then a part's matching form is
    the same slice of it, and the build skips normalising (OpenCC) every part again — the bulk of
    its cost. Checked cheaply: the length-changing steps of :func:`normalize_text` are NFKC and
    whitespace folding; OpenCC's phrase conversion is caught by the lengths of the two forms."""
    if len(whole_norm) != len(text):
        return False
    folded = unicodedata.normalize("NFKC", text)
    return len(folded) == len(text) and " ".join(folded.split()) == folded and "  " not in text


@dataclass(frozen=True)
class PartHit:
    seg_id: int
    on_source: bool
    start: int
    end: int
    first: int
    last: int
    distance: int
    max_len: int


Part = tuple[int, bool, int, int, int, int]


class PartTable:
    """Part id → ``(segment, on source side, start, end, first sentence, last sentence + 1)``.

    The **base** is an ``n × 6`` int64 array — in a worker, the saved index's file mapped
    read-only and shared by every worker of the machine (no Python object per part); parts added
    since (updates replayed from the change log) go to a small Python **tail** after it. Part ids
    are positions: the base's ids are ``0…n−1``, the tail's follow."""

    __slots__ = ("base", "n_base", "tail")

    def __init__(self, base: np.ndarray | None = None) -> None:
        self.base = np.zeros((0, 6), dtype=np.int64) if base is None else base
        if self.base.ndim != 2 or self.base.shape[1] != 6:
            raise ValueError(f"a parts table is n × 6, not {self.base.shape}")
        self.n_base = len(self.base)
        self.tail: list[Part] = []

    def __len__(self) -> int:
        return self.n_base + len(self.tail)

    def __getitem__(self, pid: int) -> Part:
        if 0 <= pid < self.n_base:
            s, o, a, b, i, j = self.base[pid].tolist()
            return s, bool(o), a, b, i, j
        if pid < 0:
            raise IndexError(pid)
        return self.tail[pid - self.n_base]

    def __iter__(self) -> Iterator[Part]:
        for pid in range(len(self)):
            yield self[pid]

    def append(self, part: Part) -> None:
        self.tail.append(part)

    def truncate(self, n: int) -> None:
        """Drop the parts from id ``n`` on: only ones appended since the base (just added)."""
        if n < self.n_base:
            raise ValueError("the base of a parts table is read-only")
        del self.tail[n - self.n_base:]

    def to_array(self) -> np.ndarray:
        """The whole table as one ``n × 6`` int64 array (what a saved index holds)."""
        if not self.tail:
            return self.base
        return np.concatenate([self.base, np.asarray(self.tail, dtype=np.int64).reshape(-1, 6)])


class PartsBySegment:
    """Segment id → its part ids, for :class:`PartTable`.

    Over the base, a sorted-array lookup — ``order`` (the base part ids, stably sorted by
    segment) and ``keys`` (their segment ids, ascending), both numpy arrays (mapped from a saved
    index) — and, above it, an overlay dict of the segments changed since: their current part
    ids as a tuple, ``()`` when a base segment has none any more (tuples of ints, which the cyclic
    GC does not track: a list per written segment made its full collections grow with the writes)."""

    __slots__ = ("keys", "order", "overlay")

    def __init__(self, keys: np.ndarray | None = None, order: np.ndarray | None = None) -> None:
        self.keys = np.zeros(0, dtype=np.int64) if keys is None else keys
        self.order = np.zeros(0, dtype=np.int64) if order is None else order
        if len(self.keys) != len(self.order):
            raise ValueError("the parts' segment keys and order differ in length")
        self.overlay: dict[int, tuple[int, ...]] = {}

    @staticmethod
    def sort(base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(keys, order)`` of a base table (its segment column, stably argsorted)."""
        order = np.argsort(base[:, 0], kind="stable").astype(np.int64)
        return np.ascontiguousarray(base[order, 0]), order

    def _base(self, seg_id: int) -> list[int]:
        lo = int(np.searchsorted(self.keys, seg_id, side="left"))
        hi = int(np.searchsorted(self.keys, seg_id, side="right"))
        return self.order[lo:hi].tolist() if hi > lo else []

    def _in_base(self, seg_id: int) -> bool:
        i = int(np.searchsorted(self.keys, seg_id, side="left"))
        return i < len(self.keys) and int(self.keys[i]) == seg_id

    def get(self, seg_id: int) -> list[int]:
        got = self.overlay.get(seg_id)
        return list(got) if got is not None else self._base(seg_id)

    def __contains__(self, seg_id: object) -> bool:
        return isinstance(seg_id, int) and bool(self.get(seg_id))

    def pop(self, seg_id: int) -> list[int]:
        """The segment's part ids, forgetting them (the segment has no parts afterwards)."""
        out = self.get(seg_id)
        self.set(seg_id, [])
        return out

    def set(self, seg_id: int, pids: list[int]) -> None:
        if pids or self._in_base(seg_id):
            self.overlay[seg_id] = tuple(pids)  # () over the base: "no parts any more"
        else:
            self.overlay.pop(seg_id, None)

    def add(self, seg_id: int, pid: int) -> None:
        got = self.overlay.get(seg_id)
        self.overlay[seg_id] = (*(self._base(seg_id) if got is None else got), pid)

    def items(self) -> Iterator[tuple[int, list[int]]]:
        """Every segment with parts and its part ids (base segments first, in segment order)."""
        if len(self.keys):
            starts = np.flatnonzero(np.r_[True, self.keys[1:] != self.keys[:-1]])
            ends = np.r_[starts[1:], len(self.keys)]
            for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
                seg_id = int(self.keys[lo])
                if seg_id not in self.overlay:
                    yield seg_id, self.order[lo:hi].tolist()
        for seg_id, pids in self.overlay.items():
            if pids:
                yield seg_id, list(pids)


class PartIndex:
    """The parts of one language's multi-sentence texts, in a bigram index of their own."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.index = LangIndex()
        self.index.auto_compact = False  # this class decides (:attr:`compact_due`)
        #: part id → (segment, on source side, start, end, first sentence, last sentence + 1)
        self.parts = PartTable()
        self.by_seg = PartsBySegment()
        self._live = 0  #: parts currently indexed (``parts`` also holds replaced ones)
        #: compact in place once :attr:`compact_due` (a part index being built or caught up before
        #: it serves). The engine turns it off for a served one, which its background merge rebuilds
        #: instead (:attr:`merge_due`): a compaction ran inside the catch-up, and so inside the
        #: writing request (templated 1e6: acknowledgements up to 11.9 s) or under the lock
        self.auto_compact = True

    @classmethod
    def build(cls, lang: str, rows: Iterable[tuple[int, bool, str, str | None]]) -> PartIndex:
        """``rows``: ``(segment id, on source side, original text, its stored matching form)`` of
        this language's side."""
        self = cls(lang)
        ids: list[int] = []
        texts: list[str] = []
        sides: list[bool] = []
        for seg_id, on_source, text, whole_norm in rows:
            pieces = _pieces(text, lang, whole_norm)
            ids.extend(self._add(seg_id, on_source, pieces))
            texts.extend(piece[4] for piece in pieces)
            sides.extend([on_source] * len(pieces))
        self.index = LangIndex.build(np.asarray(ids, dtype=np.int64), texts, np.asarray(sides, dtype=np.bool_),
                                     consume=True)
        self.index.auto_compact = False
        self._freeze()
        return self

    def _freeze(self) -> None:
        """Turn the table and segment lookup, as built, into arrays (no Python object per part)."""
        table = self.parts.to_array()
        self.adopt(table, *PartsBySegment.sort(table))

    def adopt(self, table: np.ndarray, keys: np.ndarray, order: np.ndarray) -> None:
        """Take ``table`` (all parts live) as the base, with its segment lookup ``keys``/``order``
        (see :class:`PartsBySegment`): arrays built here or mapped from a saved index."""
        if len(keys) != len(table):
            raise ValueError(f"{len(table)} parts, {len(keys)} in the segment lookup")
        self.parts = PartTable(table)
        self.by_seg = PartsBySegment(keys, order)
        self._live = len(table)

    def saved_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(table, keys, order)`` to save beside a freshly built index (every part live)."""
        if self.parts.tail or self.by_seg.overlay or self._live != len(self.parts):
            raise ValueError("only a freshly built part index (no changes since) is saved")
        return self.parts.base, self.by_seg.keys, self.by_seg.order

    def prepare(self, text: str, whole_norm: str | None = None) -> PreparedParts:
        """The parts of ``text`` and their index entries (no state read: made before a catch-up
        takes the engine lock; :meth:`update` then only appends them)."""
        pieces = _pieces(text, self.lang, whole_norm)
        return PreparedParts(text, whole_norm, pieces, [self.index.prepare(p[4]) for p in pieces])

    def _add(self, seg_id: int, on_source: bool, pieces: list[Piece]) -> list[int]:
        out = []
        for s, e, i, j, _norm in pieces:
            pid = len(self.parts)
            self.parts.append((seg_id, on_source, s, e, i, j))
            self.by_seg.add(seg_id, pid)
            out.append(pid)
        self._live += len(out)
        return out

    def update(self, seg_id: int, text: str | None, on_source: bool, whole_norm: str | None = None,
               prepared: PreparedParts | None = None) -> None:
        """Replace the parts of ``seg_id`` (``text`` None: the segment is gone from this language);
        ``prepared``: :meth:`prepare`'s for this text, if made already."""
        old = self.by_seg.pop(seg_id)
        if text is not None:
            if prepared is None or prepared.text != text or prepared.whole_norm != whole_norm:
                prepared = self.prepare(text, whole_norm)
            new = self._add(seg_id, on_source, prepared.pieces)
            current = [(self.parts[p][1:4], piece[4]) for p, piece in zip(new, prepared.pieces, strict=True)]
            previous = [(self.parts[p][1:4], self._text(p)) for p in old]
            if current == previous:
                # replaying a change we already hold (or a text with no parts, before and after):
                # keep the indexed parts, drop the copies
                self.parts.truncate(len(self.parts) - len(new))
                self._live -= len(new)
                self.by_seg.set(seg_id, old)
                return
            for pid, piece, entries in zip(new, prepared.pieces, prepared.docs, strict=True):
                self.index.upsert(pid, piece[4], on_source, entries)
        for pid in old:
            self.index.remove(pid)
        self._live -= len(old)
        if self.auto_compact and self.compact_due:
            self._compact()

    @property
    def compact_due(self) -> bool:
        """The index's delta outgrew its base, or replaced parts outnumber the live ones."""
        return self.index.merge_due or len(self.parts) > 2 * self._live + COMPACT_MIN

    @property
    def merge_due(self) -> bool:
        """A served part index has grown enough to have its language rebuilt in the background
        (see ``MERGE_MIN``): until then its delta is searched beside the base."""
        return (self.index.delta_docs > max(MERGE_MIN, self.index.n_base // 5)
                or len(self.parts) > 2 * self._live + MERGE_MIN)

    def _compact(self) -> None:
        """Renumber the live parts from 0 and index them afresh (replaced parts otherwise stay in
        ``parts``, written ones in the index's delta). Only a part index that is not served does
        this (:attr:`auto_compact`); a served one is rebuilt by the engine's background merge."""
        ids: list[int] = []
        texts: list[str] = []
        sides: list[bool] = []
        parts: list[Part] = []
        for _, pids in self.by_seg.items():
            for pid in pids:
                text = self._text(pid)
                if text is None:
                    continue
                ids.append(len(parts))
                parts.append(self.parts[pid])
                texts.append(text)
                sides.append(parts[-1][1])
        self.index = LangIndex.build(np.asarray(ids, dtype=np.int64), texts, np.asarray(sides, dtype=np.bool_),
                                     consume=True)
        self.index.auto_compact = False
        table = np.asarray(parts, dtype=np.int64).reshape(len(parts), 6)
        del parts
        self.adopt(table, *PartsBySegment.sort(table))

    def _text(self, pid: int) -> str | None:
        doc = self.index.doc_of(pid)
        return None if doc is None else self.index.texts[doc]

    def __len__(self) -> int:
        return len(self.index)

    def search(self, query_norm: str, k: int, min_score: float) -> list[PartHit]:
        """The best ``k`` parts (at most one per segment) with similarity ≥ ``min_score``/100."""
        if not self.parts:
            return []
        res = self.index.search(query_norm, k * 3, min_score)
        out: list[PartHit] = []
        seen: set[int] = set()
        for doc, d, m in res.hits:
            seg_id, on_source, s, e, i, j = self.parts[int(self.index.seg_ids.a[doc])]
            if seg_id in seen:
                continue
            seen.add(seg_id)
            out.append(PartHit(seg_id, on_source, s, e, i, j, d, m))
            if len(out) == k:
                break
        return out
