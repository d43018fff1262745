"""Batched best-match lookups for whole documents.

``/api/v1/lookup/batch`` style, but for a 10,000-segment file: every distinct (segment, context)
is looked up once through the core's index (:meth:`tmserver.index.Engine.lookup_many`: one
freshness poll and one batched fetch of the hit segments per 2,000 queries), and the
glossary annotation of all matches — term problems, terminology fixes on top of the placeable
adaptation, the terms of each source — runs in ONE database session with the compiled glossary,
not one transaction per segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tmserver.errors import TMError, ValidationError
from tmserver.glossary.annotate import annotate_match
from tmserver.glossary.enforce import current_glossary
from tmserver.langs import Lang
from tmserver.tm import MAX_SEGMENT_CHARS, TM, check_text, lang_or_400

#: a lookup key: (source, previous source, next source)
Query = tuple[str, str | None, str | None]
#: queries per engine call (bounds the memory of one batch's hits and fetched rows)
BATCH = 2000


@dataclass
class Best:
    """The best match of one query (``None`` fields when there is none) plus the runners-up."""

    score: int = 0
    match: dict[str, Any] | None = None
    others: list[dict[str, Any]] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)

    @property
    def target(self) -> str | None:
        """What pre-translation writes: the adapted target when there is one, else the stored one."""
        if self.match is None:
            return None
        adapted = self.match.get("adapted_target")
        return adapted if isinstance(adapted, str) and adapted else self.match["target"]


def languages(source_lang: str | None, target_lang: str | None) -> tuple[Lang, Lang]:
    """Resolve a direction (defaults zh → en, or the other language of the one given)."""
    src = lang_or_400(source_lang or ("en" if target_lang and lang_or_400(target_lang).base == "zh" else "zh"),
                      "source_lang")
    tgt = lang_or_400(target_lang or ("en" if src.base == "zh" else "zh"), "target_lang")
    return src, tgt


def best_matches(
    tm: TM,
    queries: list[Query],
    src: Lang,
    tgt: Lang,
    *,
    min_score: int,
    limit: int = 1,
    annotate: bool = True,
    with_terms: bool = False,
    exclude: list[int | None] | None = None,
) -> list[Best]:
    """The best match (and up to ``limit - 1`` others) for each query, in query order.

    Repeated queries (same text, same neighbours) are looked up once. ``exclude[i]`` is a segment id that must not answer
    query ``i`` (leave-one-out evaluation). With ``annotate`` every kept match goes through the
    glossary (``term_problems`` and a terminology-fixed ``adapted_target``)."""
    if src.base == tgt.base:
        raise ValidationError("source and target language must differ")
    extra = 1 if exclude else 0
    keys = [((q, prev, nxt), exclude[i] if exclude else None) for i, (q, prev, nxt) in enumerate(queries)]
    unique = list(dict.fromkeys(k for k in keys if _matchable(k[0][0])))
    answers: dict[tuple[Query, int | None], Best] = {}
    for start in range(0, len(unique), BATCH):
        part = unique[start : start + BATCH]
        results = tm.index.lookup_many([k[0] for k in part], src, tgt, limit=min(1000, limit + extra),
                                       min_score=min_score)
        for key, res in zip(part, results, strict=True):
            matches = [m for m in res["matches"] if m["id"] != key[1]][:limit]
            answers[key] = Best(score=matches[0]["score"], match=matches[0], others=matches[1:]) if matches else Best()
    out = [answers.get(k) or Best() for k in keys]
    if annotate or with_terms:
        _annotate(tm, queries, out, src, tgt, annotate, with_terms)
    return out


def _matchable(text: str) -> bool:
    """Whether a segment can be looked up at all (blank, over-long or control-character
    segments are simply unmatched: one bad segment must not fail a whole document)."""
    if not text.strip() or len(text) > MAX_SEGMENT_CHARS:
        return False
    try:
        check_text(text, "q")
    except TMError:
        return False
    return True


def _annotate(tm: TM, queries: list[Query], results: list[Best], src: Lang, tgt: Lang,
              annotate: bool, with_terms: bool) -> None:
    done: set[int] = set()
    with tm.session() as s:
        glossary = current_glossary(s)
        for (q, _p, _n), best in zip(queries, results, strict=True):
            if id(best) in done:
                continue
            done.add(id(best))
            if annotate:
                for m in ([best.match] if best.match else []) + best.others:
                    annotate_match(glossary, m, src.base, tgt.base)
            if with_terms and q.strip():
                best.terms = glossary.describe_terms(q, src.base, tgt.base)


def term_problems(tm: TM, pairs: list[tuple[str, str]], src: Lang, tgt: Lang) -> list[list[dict[str, Any]]]:
    """Glossary violations of each (source, filled target), in one session."""
    with tm.session() as s:
        glossary = current_glossary(s)
        return [[{**v.to_dict(), "message": v.message()} for v in glossary.check_pair(a, b, src.base, tgt.base)]
                for a, b in pairs]
