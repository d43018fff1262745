"""The lookup engine: per-language bigram indexes kept fresh, and match shaping."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import bindparam, or_, select

from tmserver.errors import ValidationError
from tmserver.index.parts import PartHit, PartIndex, may_have_parts, target_part
from tmserver.index.postings import LangIndex
from tmserver.index.sync import ChangeFollower
from tmserver.langs import Lang
from tmserver.match import adapt_target, diff, score, with_context
from tmserver.match.adapt import Adaptation, adapt
from tmserver.normalize import normalize
from tmserver.store.models import Segment, context_hash

MAX_QUERY_CHARS = 20_000  # as long as a stored segment may be (tmserver.tm.MAX_SEGMENT_CHARS)
POLL_INTERVAL = 0.2  # seconds between change-log checks on lookup (freshness target: 1 s)
#: texts for the warm-up lookup: numbers, Chinese numerals, dates, Traditional script, punctuation
_PRIME = {"zh": "二〇二五年三月五日，網路用戶達十一億五千萬，增長百分之五。",
          "en": "On March 5, 2025, internet users reached 1.15 billion, up 5%."}


#: one statement object (an expanding IN), so SQLAlchemy's compiled cache is hit without
#: rebuilding and re-keying the expression on every lookup
_FETCH = select(Segment.id, Segment.source_text, Segment.target_text, Segment.source_tag, Segment.target_tag,
                Segment.context_prev, Segment.context_next, Segment.origin,
                Segment.updated_at).where(Segment.id.in_(bindparam("ids", expanding=True)))


def _pin_mmap_threshold() -> None:
    """Keep glibc serving every allocation of 128 KiB or more with its own mmap.

    glibc starts that way but raises the threshold (up to 32 MiB) each time such a block is
    freed, after which an index build's large numpy temporaries come from the heap, and what is
    freed there mostly stays resident: at 1e6 segments ~130 MB more after the build and ~80 MB
    more at peak. Pinning the threshold (which also stops the raising) gives it back. Query
    latency is unchanged (measured); a no-op where there is no glibc."""
    global _PINNED
    if _PINNED:
        return
    _PINNED = True
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


_PINNED = False


class Engine:
    """Fuzzy lookup over one TM. Thread-safe; one per process (``TM.index``)."""

    def __init__(self, tm) -> None:
        self.tm = tm
        self._lock = threading.RLock()
        self._langs: dict[str, LangIndex] = {}
        #: sub-segment parts of multi-sentence texts, per language (:mod:`tmserver.index.parts`)
        self._parts: dict[str, PartIndex] = {}
        self._follower = ChangeFollower(tm.sessions, tm.config)
        self._last_poll = 0.0
        self._marked = False
        tm.on_change(self._on_change)

    # -- freshness ----------------------------------------------------------------------------

    def _on_change(self, op: str, ids: list[int]) -> None:
        if op == "reset":
            with self._lock:
                self._reset()
            return
        self.refresh(force=True)

    def _reset(self) -> None:
        self._langs.clear()
        self._parts.clear()
        self._marked = False

    def refresh(self, force: bool = False) -> None:
        """Replay the change log if it is due (or ``force``)."""
        with self._lock:
            if not self._langs:
                return
            now = time.monotonic()
            if not force and now - self._last_poll < POLL_INTERVAL:
                return
            self._last_poll = now
            self._follower.poll(self._apply, self._reset)

    def _apply(self, seg_ids: list[int]) -> None:
        rows: dict[int, Any] = {}
        with self.tm.session() as s:
            for i in range(0, len(seg_ids), 500):
                chunk = seg_ids[i : i + 500]
                q = select(Segment.id, Segment.source_lang, Segment.target_lang, Segment.source_norm,
                           Segment.target_norm, Segment.source_text, Segment.target_text).where(Segment.id.in_(chunk))
                rows.update({r.id: r for r in s.execute(q)})
        for lang, idx in self._langs.items():
            parts = self._parts.get(lang)
            for seg in seg_ids:
                r = rows.get(seg)
                if r is None:
                    idx.remove(seg)
                elif r.source_lang == lang:
                    idx.upsert(seg, r.source_norm, True)
                elif r.target_lang == lang:
                    idx.upsert(seg, r.target_norm, False)
                else:
                    idx.remove(seg)
                if parts is not None:
                    if r is not None and r.source_lang == lang:
                        parts.update(seg, r.source_text, True, r.source_norm)
                    elif r is not None and r.target_lang == lang:
                        parts.update(seg, r.target_text, False, r.target_norm)
                    else:
                        parts.update(seg, None, False)

    def _lang(self, lang: str) -> LangIndex:
        idx = self._langs.get(lang)
        if idx is None:
            if not self._marked:
                self._follower.mark()  # before reading: writes from now on are replayed
                self._marked = True
                self._last_poll = time.monotonic()
            idx = self._build(lang)
            self._langs[lang] = idx
        return idx

    def _build(self, lang: str) -> LangIndex:
        _pin_mmap_threshold()
        ids: list[int] = []
        texts: list[str] = []
        side: list[bool] = []
        originals: list[tuple[int, bool, str, str]] = []
        q = (
            select(Segment.id, Segment.source_lang, Segment.source_norm, Segment.target_norm,
                   Segment.source_text, Segment.target_text)
            .where(or_(Segment.source_lang == lang, Segment.target_lang == lang))
            .order_by(Segment.id)
            .execution_options(yield_per=20_000)
        )
        with self.tm.engine.connect() as conn:
            for seg_id, src_lang, src_norm, tgt_norm, src_text, tgt_text in conn.execute(q):
                ids.append(seg_id)
                on_source = src_lang == lang
                texts.append(src_norm if on_source else tgt_norm)
                side.append(on_source)
                original = src_text if on_source else tgt_text
                if may_have_parts(original, lang):  # keep only the few texts that may hold sentences
                    originals.append((seg_id, on_source, original, texts[-1]))
        seg_ids, on_source = np.asarray(ids, dtype=np.int64), np.asarray(side, dtype=np.bool_)
        del ids, side
        # the parts first, from the few texts that passed the regex (original texts are not kept)
        self._parts[lang] = PartIndex.build(lang, originals)
        del originals
        return LangIndex.build(seg_ids, texts, on_source, consume=True)

    def warm(self, *langs: str) -> None:
        """Build the indexes now (servers call this at start so the first lookup is fast), then
        run one throwaway lookup per language: the first lookup otherwise pays for one-time
        set-up on its own (OpenCC converters, the fetch statement's compilation, the Chinese
        numeral parser's import and regexes — ~150 ms)."""
        langs = langs or ("zh", "en")
        with self._lock:
            for lang in langs:
                self._lang(lang)
        for lang in langs:
            other = "en" if lang == "zh" else "zh"
            sample = _PRIME.get(lang, _PRIME["en"])
            try:
                self.lookup(sample, Lang(lang, lang), Lang(other, other), limit=1, min_score=100)
                adapt_target(sample, sample.replace("5", "6"), _PRIME[other], lang, other)
                target_part(_PRIME["zh"] * 2, "zh", _PRIME["en"], "en", 0, 1)  # the aligner's matchers, once
            except Exception:  # noqa: BLE001 - priming is best effort, never a reason not to serve
                pass

    # -- lookup -------------------------------------------------------------------------------

    def lookup(
        self,
        query: str,
        src: Lang,
        tgt: Lang,
        *,
        limit: int = 5,
        min_score: float = 70,
        context_prev: str | None = None,
        context_next: str | None = None,
        subsegments: bool = True,
    ) -> dict[str, Any]:
        """The best ``limit`` matches scoring at least ``min_score``: whole units (``exact``,
        ``context``, ``fuzzy``) and, with ``subsegments``, sentences inside longer units
        (``subsegment``, see :mod:`tmserver.index.parts`), at most one match per unit."""
        if len(query) > MAX_QUERY_CHARS:
            raise ValidationError(f"the query is longer than {MAX_QUERY_CHARS} characters",
                                  {"field": "q", "maximum": MAX_QUERY_CHARS})
        if not 1 <= limit <= 1000:
            raise ValidationError("limit must be between 1 and 1000", {"field": "limit"})
        qn = normalize(query)
        with self._lock:
            self._lang(src.base)
            self.refresh()  # may reset (a pruned position, TM.clear()): take the index after it
            idx = self._lang(src.base)
            res = idx.search(qn.text, limit, min_score)
            hits = [(int(idx.seg_ids.a[doc]), bool(idx.is_source.a[doc]), d, m) for doc, d, m in res.hits]
            part_hits = self._parts[src.base].search(qn.text, limit, min_score) if subsegments else []
        segs = self._fetch(list(dict.fromkeys([h[0] for h in hits] + [p.seg_id for p in part_hits])))
        return self._shape(query, qn, hits, segs, src, tgt, min_score, context_prev, context_next, res,
                           part_hits, limit)

    def lookup_many(
        self,
        queries: list[tuple[str, str | None, str | None]],
        src: Lang,
        tgt: Lang,
        *,
        limit: int = 5,
        min_score: float = 70,
    ) -> list[dict[str, Any]]:
        """:meth:`lookup` for many ``(query, context_prev, context_next)`` at once — what a
        whole-document pre-translation or analysis needs: one freshness poll, the index searched
        for every query, then ONE batched fetch of all the hit segments, instead of a poll and
        a database round trip per query. Each answer has the shape of :meth:`lookup`'s, with
        whole-unit matches only: analysis bands and pre-translation count and fill whole units
        (a sub-segment's target part is an alignment's guess, for a translator to look at)."""
        if not 1 <= limit <= 1000:
            raise ValidationError("limit must be between 1 and 1000", {"field": "limit"})
        searched = []
        with self._lock:
            self._lang(src.base)
            self.refresh()  # once for the batch, not once per query
        for query, _prev, _next in queries:
            if len(query) > MAX_QUERY_CHARS:
                raise ValidationError(f"the query is longer than {MAX_QUERY_CHARS} characters",
                                      {"field": "q", "maximum": MAX_QUERY_CHARS})
            qn = normalize(query)
            with self._lock:  # per query, so concurrent single lookups are never held up long
                idx = self._lang(src.base)
                res = idx.search(qn.text, limit, min_score)
                hits = [(int(idx.seg_ids.a[doc]), bool(idx.is_source.a[doc]), d, m) for doc, d, m in res.hits]
            searched.append((qn, hits, res))
        wanted = sorted({h[0] for _qn, hits, _res in searched for h in hits})
        segs: dict[int, Any] = {}
        for i in range(0, len(wanted), 900):  # under SQLite's bound-parameter limit
            segs.update(self._fetch(wanted[i : i + 900]))
        return [self._shape(q, qn, hits, segs, src, tgt, min_score, prev, nxt, res)
                for (q, prev, nxt), (qn, hits, res) in zip(queries, searched, strict=True)]

    def best_fuzzy_scores(self, queries: list[str], src: Lang, *, floor: int = 50) -> list[int]:
        """The best fuzzy score (``⌊100·(1 − d/max(len))⌋`` on matching forms, as
        :func:`tmserver.match.score` computes it; 0 when below ``floor``) of each query against
        every live document of the ``src`` index, exactly.

        For bulk analysis at low thresholds (the 50–74 % band): there the bigram proof cannot
        prune and each :meth:`lookup` degenerates into a scan of every document in the length
        window; here the index's character-signature bound (a true lower bound on the distance)
        rules out most documents with a few vectorised operations, and only the rest are scored."""
        if not queries:
            return []
        with self._lock:
            self._lang(src.base)
            self.refresh()
        out: list[int] = []
        for query in queries:
            q = normalize(query).text
            with self._lock:  # per query: the index may change between queries, never during one
                idx = self._lang(src.base)
                docs = np.flatnonzero(idx.alive.view)
                if not q or not len(docs):
                    out.append(0)
                    continue
                # two lower bounds on the distance prune every document that cannot reach the
                # floor (the signature popcount over the whole index, then the occurrence-weighted
                # character bound on what is left); only the survivors get a real edit distance
                m = np.maximum(len(q), idx.lens.a[docs].astype(np.int64))
                keep = docs[(100 * (m - idx.signature_bound(q, docs))) // m >= floor]
                if len(keep):
                    mk = np.maximum(len(q), idx.lens.a[keep].astype(np.int64))
                    keep = keep[(100 * (mk - idx.char_bound(q, keep))) // mk >= floor]
                texts = idx.texts.take(keep)
                mk = np.maximum(len(q), idx.lens.a[keep].astype(np.int64))
            if not len(keep):
                out.append(0)
                continue
            dist = process.cdist([q], texts, scorer=Levenshtein.distance, dtype=np.int32)[0]
            best = int(((100 * (mk - dist)) // mk).max())
            out.append(min(99, best) if best >= floor else 0)
        return out

    def _shape(self, query: str, qn, hits, segs, src: Lang, tgt: Lang, min_score: float,
               context_prev: str | None, context_next: str | None, res,
               part_hits: list[PartHit] | None = None, limit: int | None = None) -> dict[str, Any]:
        """Scores, context, diff and adaptation for the hits of one query (and its sub-segment
        hits, if any): the lookup answer, best first, one match per unit."""
        prev_h, next_h = context_hash(context_prev), context_hash(context_next)
        matches = []
        for seg_id, on_source, d, m in hits:
            seg = segs.get(seg_id)
            if seg is None:
                continue  # deleted between search and fetch
            text = seg.source_text if on_source else seg.target_text
            other = seg.target_text if on_source else seg.source_text
            sc = score(query, text, d, m)
            if on_source:  # context hashes describe the source side's neighbours
                # a side counts only when both the query and the segment know it
                sc = with_context(
                    sc,
                    None if prev_h is None or seg.context_prev is None else prev_h == seg.context_prev,
                    None if next_h is None or seg.context_next is None else next_h == seg.context_next,
                )
            if sc.value < min_score:
                continue
            ad = adapt(query, text, other, src.base, tgt.base) if sc.match_type == "fuzzy" else Adaptation("not_needed")
            adapted = ad.target
            matches.append(
                {
                    "id": seg_id,
                    "source": text,
                    "target": other,
                    "source_lang": seg.source_tag if on_source else seg.target_tag,
                    "target_lang": seg.target_tag if on_source else seg.source_tag,
                    "score": sc.value,
                    "similarity": round(sc.similarity, 4),
                    "match_type": sc.match_type,
                    "penalties": [{"kind": k, "points": p} for k, p in sc.penalties],
                    "diff": diff(qn, normalize(text)),
                    "adapted_target": adapted,
                    "adapted": adapted is not None,
                    "adaptation": ad.to_dict(),
                    "matched_side": "source" if on_source else "target",
                    "origin": seg.origin,
                    "updated_at": seg.updated_at.isoformat() if seg.updated_at else None,
                }
            )
        matches = self._with_subsegments(matches, part_hits or [], segs, query, qn, src, tgt, min_score)[:limit]
        return {
            "query": query,
            "source_lang": src.tag,
            "target_lang": tgt.tag,
            "matches": matches,
            "proven": res.proven,
            "strategy": res.strategy,
        }

    def _with_subsegments(self, matches, part_hits: list[PartHit], segs, query: str, qn, src: Lang, tgt: Lang,
                          min_score: float) -> list[dict[str, Any]]:
        """Whole-unit matches plus sub-segment ones, best first, one match per unit (the better one;
        on a tie the whole unit)."""
        best = {m["id"]: m for m in matches}
        for p in part_hits:
            seg = segs.get(p.seg_id)
            if seg is None:
                continue
            m = self._subsegment_match(p, seg, query, qn, src, tgt)
            if m["score"] < min_score:
                continue
            whole = best.get(p.seg_id)
            if whole is None or m["score"] > whole["score"]:
                best[p.seg_id] = m
        out = list(best.values())
        out.sort(key=lambda x: (-x["score"], x["match_type"] == "subsegment", -x["similarity"], x["id"]))
        return out

    @staticmethod
    def _subsegment_match(p: PartHit, seg, query: str, qn, src: Lang, tgt: Lang) -> dict[str, Any]:
        """A match on sentences ``p.first``…``p.last − 1`` of a longer unit: scored on that part, with
        its offsets, the target part when the alignment can tell, and adaptation on that part."""
        text = seg.source_text if p.on_source else seg.target_text
        other = seg.target_text if p.on_source else seg.source_text
        part = text[p.start : p.end]
        sc = score(query, part, p.distance, p.max_len)
        tp = target_part(text, src.base, other, tgt.base, p.first, p.last)
        if tp is None:
            ad = Adaptation("not_applicable", reason="the unit's target cannot be cut to match the part")
        elif sc.match_type == "fuzzy":
            ad = adapt(query, part, tp.text, src.base, tgt.base)
        else:
            ad = Adaptation("not_needed")
        ops = diff(qn, normalize(part))
        for op in ops:  # offsets into the whole unit's text, like the part's own span
            op["match"] = [op["match"][0] + p.start, op["match"][1] + p.start]
        return {
            "id": p.seg_id,
            "source": text,
            "target": other,
            "source_lang": seg.source_tag if p.on_source else seg.target_tag,
            "target_lang": seg.target_tag if p.on_source else seg.source_tag,
            "score": sc.value,
            "similarity": round(sc.similarity, 4),
            "match_type": "subsegment",
            "penalties": [{"kind": k, "points": pts} for k, pts in sc.penalties],
            "diff": ops,
            "adapted_target": ad.target,
            "adapted": ad.target is not None,
            "adaptation": ad.to_dict(),
            "subsegment": {
                "source_span": [p.start, p.end],
                "source_text": part,
                "sentences": [p.first, p.last],
                "target_span": [tp.start, tp.end] if tp else None,
                "target_text": tp.text if tp else None,
                "target_alignment": tp.alignment if tp else None,
                "target_similarity": tp.similarity if tp else None,
                "adapted_unit_target": _shifted(other, tp.start, ad) if tp and ad.target is not None else None,
            },
            "matched_side": "source" if p.on_source else "target",
            "origin": seg.origin,
            "updated_at": seg.updated_at.isoformat() if seg.updated_at else None,
        }

    def _fetch(self, ids: list[int]) -> dict[int, Any]:
        """The columns a match needs, as plain rows (no ORM objects: ~5× cheaper per lookup)."""
        if not ids:
            return {}
        with self.tm.engine.connect() as conn:
            return {row.id: row for row in conn.execute(_FETCH, {"ids": ids})}


def _shifted(target: str, offset: int, ad: Adaptation) -> str:
    """The whole unit's target with a target part's adaptation applied at the part's ``offset``."""
    out = target
    for c in sorted(ad.changes, key=lambda c: c.target.start, reverse=True):
        out = out[: offset + c.target.start] + c.text + out[offset + c.target.end :]
    return out
