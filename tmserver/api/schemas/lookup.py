"""Fuzzy lookup: the answer of ``GET /api/v1/lookup`` (and ``tmserver lookup --json``) and the batch body."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from tmserver.api.schemas.base import Body, OpenOut, Out, Span
from tmserver.api.schemas.segments import TermViolation

MAX_BATCH = 1000
MAX_LIMIT = 50


class Penalty(Out):
    kind: str = Field(examples=["punctuation", "case", "script"])
    points: int


class DiffOp(Out):
    op: Literal["equal", "insert", "delete", "replace"]
    query: Span = Field(description="offsets in the query")
    match: Span = Field(description="offsets in the matched text")
    query_text: str = Field(description="that part of the query, as typed")
    match_text: str = Field(description="that part of the matched text, as stored")


class Placeable(Out):
    kind: Literal["number", "percent", "ordinal", "year", "date", "month", "range", "note"]
    text: str
    span: Span = Field(description="offsets in the query")
    value: Any = None


class Change(Out):
    kind: str
    from_: str = Field(alias="from")
    to: str
    query_span: Span
    target_span: Span = Field(description="offsets in the target (the target part for a subsegment match)")


class Adaptation(Out):
    """Placeable adaptation of this match: whether the target could take the query's placeables
    (numbers, 万/亿 amounts, percentages, ordinals, years, dates, ranges, circled note markers),
    and if not, which query placeable blocked it and why."""

    status: Literal["adapted", "blocked", "not_applicable", "not_needed"] = Field(
        description="adapted: adapted_target holds the result; blocked: the texts differ only in placeables but one "
                    "could not be placed (see placeable, reason); not_applicable: the texts differ in words too; "
                    "not_needed: no placeable differs")
    reason: str | None = None
    placeable: Placeable | None = Field(None, description="the query placeable that blocked the adaptation")
    changes: list[Change] | None = None


class GlossaryFix(Out):
    """A forbidden rendering replaced by the preferred one in ``adapted_target``."""

    kind: Literal["glossary"]
    concept_id: str
    from_: str | None = Field(alias="from")
    to: str
    span: Span = Field(description="offsets in the text before this fix")
    reason: str


class Subsegment(Out):
    """Where a subsegment match lies in its unit (only when match_type is subsegment)."""

    source_span: Span = Field(description="offsets of the matched part in the unit's text in the query language")
    source_text: str
    sentences: Span = Field(description="[first, last + 1] sentence indices of the part in that text")
    target_span: Span | None = Field(description="offsets of the corresponding part of the target; null when the "
                                                 "unit's target cannot be cut to match")
    target_text: str | None
    target_alignment: Literal["sentence", "clause"] | None = Field(
        description="sentence: aligned with the target's sentences; clause: cut at clause punctuation")
    target_similarity: float | None = Field(description="aligner evidence coverage of the chosen target part, 0–1")
    adapted_unit_target: str | None = Field(description="the whole unit's target with the part's adaptation applied")


class LookupMatch(Out):
    id: int
    source: str = Field(description="stored text in the query language")
    target: str = Field(description="stored text in the target language")
    source_lang: str
    target_lang: str
    score: int = Field(ge=0, le=101, description="0–101 (101 context, 100 exact, 94–99 exact with penalties)")
    similarity: float = Field(description="1 − d/max(len) on matching forms")
    match_type: Literal["exact", "context", "fuzzy", "subsegment"] = Field(
        description="subsegment: the query matches one sentence or a run of sentences inside a longer unit; score, "
                    "similarity and diff are computed on that part (see `subsegment`), source/target are the unit")
    penalties: list[Penalty]
    diff: list[DiffOp]
    adapted_target: str | None = Field(description="the target with the query's numbers, dates, ordinals and note "
                                                   "markers put in, or a superseded term fixed")
    adapted: bool
    adaptation: Adaptation
    adaptations: list[GlossaryFix] | None = Field(None, description="glossary fixes applied to adapted_target")
    subsegment: Subsegment | None = None
    matched_side: Literal["source", "target"] = Field(
        description="the stored side the query matched (lookups run in both directions)")
    origin: str | None
    updated_at: str | None
    duplicate_ids: list[int] | None = Field(
        None, description="other stored units with the same pair, folded into this match (see tmserver.dedup)")
    term_problems: list[TermViolation] | None = Field(
        None, description="glossary rules this match's target breaks (absent when the route does not annotate)")


class Rendering(OpenOut):
    text: str
    status: str
    concept_id: str


class TermInText(OpenOut):
    """A glossary term found in a text, with its renderings."""

    concept_id: str
    text: str = Field(description="the term as written in the request")
    span: Span = Field(description="[start, end) in the text as sent")
    matched: str
    status: str
    renderings: list[Rendering] | None = None


class Lookup(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "query": "网络空间命运共同体", "source_lang": "zh", "target_lang": "en", "proven": True, "strategy": "index",
        "matches": [{"id": 1, "source": "网络空间命运共同体", "target": "a community with a shared future in cyberspace",
                     "source_lang": "zh", "target_lang": "en", "score": 100, "similarity": 1.0, "match_type": "exact",
                     "penalties": [], "diff": [{"op": "equal", "query": [0, 9], "match": [0, 9]}],
                     "adapted_target": None, "adapted": False, "adaptation": {"status": "not_needed"},
                     "matched_side": "source", "origin": "white-paper", "updated_at": "2026-01-05T09:30:00+00:00",
                     "term_problems": []}],
        "terms": []}]})
    query: str
    source_lang: str
    target_lang: str
    matches: list[LookupMatch]
    proven: bool = Field(description="true: the count-filter proof held; false: exact scan")
    strategy: str = Field(examples=["index", "scan"])
    terms: list[TermInText] | None = Field(None, description="glossary terms in the query (spans in the query)")


class BatchItem(Body):
    q: str
    context_prev: str | None = None
    context_next: str | None = None


class LookupBatchRequest(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "source_lang": "zh", "target_lang": "en", "min_score": 75,
        "segments": ["网络空间命运共同体", {"q": "数字鸿沟", "context_prev": "网络空间命运共同体"}]}]})
    source_lang: str = "zh"
    target_lang: str = "en"
    limit: int = Field(5, ge=1, le=MAX_LIMIT)
    min_score: float = Field(70, ge=0, le=101)
    segments: list[str | BatchItem] = Field(
        min_length=1, max_length=MAX_BATCH,
        description="strings, or objects with q and optional neighbours; in a list of strings each item's "
                    "neighbours in the list are its context")


class LookupBatch(Out):
    results: list[Lookup]
