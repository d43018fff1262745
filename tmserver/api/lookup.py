"""Fuzzy lookup: ``GET /api/v1/lookup`` for one segment, ``POST /api/v1/lookup/batch`` for a file.

A thin face over :meth:`tmserver.tm.TM.lookup` (engine: :mod:`tmserver.index`, scores, diffs and
adaptation: :mod:`tmserver.match`), which also annotates the answer with the glossary — so this
route, ``tmserver lookup --json`` and the workbench return the same document.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from tmserver.api.common import arg_int, arg_str, doc, get_tm, json_body, requires
from tmserver.api.openapi import register_schema
from tmserver.errors import TMError, ValidationError
from tmserver.services import lookup as lookup_svc

bp = Blueprint("lookup", __name__)

MAX_BATCH = 1000
MAX_LIMIT = 50
#: per-request budget of a batch: the characters of all its queries together. One request may
#: not hold a worker for minutes (1,000 × 10,000 characters did); 1,000 typical segments fit.
MAX_BATCH_CHARS = 200_000

register_schema("LookupMatch", {
    "type": "object",
    "required": ["id", "source", "target", "score", "match_type", "diff", "adapted_target"],
    "properties": {
        "id": {"type": "integer"},
        "source": {"type": "string", "description": "stored text in the query language"},
        "target": {"type": "string", "description": "stored text in the target language"},
        "source_lang": {"type": "string"},
        "target_lang": {"type": "string"},
        "score": {"type": "integer", "description": "0–101 (101 context, 100 exact, 94–99 exact with penalties)"},
        "similarity": {"type": "number", "description": "1 − d/max(len) on matching forms"},
        "match_type": {"type": "string", "enum": ["exact", "context", "fuzzy", "subsegment"],
                       "description": "subsegment: the query matches one sentence or a run of sentences inside a "
                                      "longer unit; score, similarity and diff are computed on that part (see "
                                      "`subsegment`), and `source`/`target` are still the whole unit"},
        "penalties": {"type": "array", "items": {"type": "object"}},
        "diff": {"type": "array", "items": {"type": "object", "properties": {
            "op": {"type": "string", "enum": ["equal", "insert", "delete", "replace"]},
            "query": {"type": "array", "items": {"type": "integer"}},
            "match": {"type": "array", "items": {"type": "integer"}},
        }}},
        "adapted_target": {"type": ["string", "null"],
                           "description": "the target with the query's numbers, dates, ordinals and note markers put "
                                          "in (for a subsegment match: the target part), or a superseded term fixed"},
        "adapted": {"type": "boolean"},
        "adaptation": {"$ref": "#/components/schemas/Adaptation"},
        "subsegment": {"$ref": "#/components/schemas/Subsegment"},
        "matched_side": {"type": "string", "enum": ["source", "target"]},
    },
})
register_schema("Adaptation", {
    "type": "object",
    "description": "Placeable adaptation of this match (tmserver.match.adapt): whether the target could take the "
                   "query's placeables (numbers, 万/亿 amounts, percentages, ordinals, years, dates, date and month "
                   "ranges, circled note markers), and if not, which query placeable blocked it and why.",
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "enum": ["adapted", "blocked", "not_applicable", "not_needed"],
                   "description": "adapted: adapted_target holds the result; blocked: the texts differ only in "
                                  "placeables but one could not be placed (see placeable, reason); not_applicable: "
                                  "the texts differ in words too; not_needed: no placeable differs"},
        "reason": {"type": "string"},
        "placeable": {"type": "object", "description": "the query placeable that blocked the adaptation",
                      "properties": {"kind": {"type": "string", "enum": ["number", "percent", "ordinal", "year",
                                                                          "date", "month", "range", "note"]},
                                     "text": {"type": "string"},
                                     "span": {"type": "array", "items": {"type": "integer"},
                                              "description": "offsets in the query"},
                                     "value": {}}},
        "changes": {"type": "array", "items": {"type": "object", "properties": {
            "kind": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"},
            "query_span": {"type": "array", "items": {"type": "integer"}},
            "target_span": {"type": "array", "items": {"type": "integer"},
                            "description": "offsets in the target (the target part for a subsegment match)"},
        }}},
    },
})
register_schema("Subsegment", {
    "type": "object",
    "description": "Where a subsegment match lies in its unit (present only when match_type is subsegment).",
    "properties": {
        "source_span": {"type": "array", "items": {"type": "integer"},
                        "description": "offsets of the matched part in the unit's text in the query language"},
        "source_text": {"type": "string"},
        "sentences": {"type": "array", "items": {"type": "integer"},
                      "description": "[first, last + 1] sentence indices of the part in that text"},
        "target_span": {"type": ["array", "null"], "items": {"type": "integer"},
                        "description": "offsets of the corresponding part of the target, null when the unit's "
                                       "target cannot be cut to match"},
        "target_text": {"type": ["string", "null"]},
        "target_alignment": {"type": ["string", "null"], "enum": ["sentence", "clause", None],
                             "description": "sentence: aligned with the target's sentences; clause: the target was "
                                            "cut at clause punctuation (the unit merged or split sentences)"},
        "adapted_unit_target": {"type": ["string", "null"],
                                "description": "the whole unit's target with the part's adaptation applied (when "
                                               "adapted_target is set)"},
        "target_similarity": {"type": ["number", "null"],
                              "description": "aligner evidence coverage (numbers, codes, quotes, glossary terms) of "
                                             "the chosen target part, 0–1"},
    },
})
register_schema("Lookup", {
    "type": "object",
    "required": ["query", "source_lang", "target_lang", "matches", "proven"],
    "properties": {
        "query": {"type": "string"},
        "source_lang": {"type": "string"},
        "target_lang": {"type": "string"},
        "matches": {"type": "array", "items": {"$ref": "#/components/schemas/LookupMatch"}},
        "proven": {"type": "boolean", "description": "true: the count-filter proof held; false: exact scan"},
        "strategy": {"type": "string", "enum": ["index", "scan"]},
    },
})
register_schema("LookupBatch", {
    "type": "object",
    "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Lookup"}}},
})


def _check_score(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 101:
        raise ValidationError("'min_score' must be a number between 0 and 101", {"field": "min_score"})
    return int(value)


def _check_limit(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise ValidationError(f"'limit' must be an integer between 1 and {MAX_LIMIT}", {"field": "limit"})
    return value


@bp.get("/api/v1/lookup")
@doc("Fuzzy lookup of one segment", tags=["lookup"], params=[
    {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
    {"name": "source_lang", "in": "query", "schema": {"type": "string", "default": "zh"}},
    {"name": "target_lang", "in": "query", "schema": {"type": "string", "default": "en"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 5}},
    {"name": "min_score", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 101, "default": 70}},
    {"name": "context_prev", "in": "query", "schema": {"type": "string"},
     "description": "source text of the previous segment (101 % context matches)"},
    {"name": "context_next", "in": "query", "schema": {"type": "string"}},
], responses={200: "Lookup", 400: "Error"})
@requires("reader")
def lookup():
    query = lookup_svc.LookupQuery(
        q=arg_str("q", required=True) or "",
        source_lang=arg_str("source_lang", default="zh") or "zh",
        target_lang=arg_str("target_lang", default="en") or "en",
        limit=arg_int("limit", 5, minimum=1, maximum=MAX_LIMIT),
        min_score=arg_int("min_score", 70, minimum=0, maximum=101),
        context_prev=arg_str("context_prev"),
        context_next=arg_str("context_next"),
    )
    return lookup_svc.lookup(get_tm(), query).to_dict()


@bp.post("/api/v1/lookup/batch")
@doc(
    "Fuzzy lookup of up to 1,000 segments (pre-translation)",
    description=f"At most {MAX_BATCH} segments and {MAX_BATCH_CHARS:,} characters of queries in all per request "
                "(413 past the character budget).",
    tags=["lookup"],
    body={
        "type": "object",
        "required": ["segments"],
        "properties": {
            "source_lang": {"type": "string", "default": "zh"},
            "target_lang": {"type": "string", "default": "en"},
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 5},
            "min_score": {"type": "integer", "minimum": 0, "maximum": 101, "default": 70},
            "segments": {
                "type": "array",
                "maxItems": MAX_BATCH,
                "items": {"oneOf": [
                    {"type": "string"},
                    {"type": "object", "required": ["q"], "properties": {
                        "q": {"type": "string"}, "context_prev": {"type": "string"}, "context_next": {"type": "string"},
                    }},
                ]},
                "description": "strings, or objects with q and optional neighbours; when a string list is "
                               "sent, each item's neighbours in the list are its context",
            },
        },
    },
    responses={200: "LookupBatch", 400: "Error", 413: "Error"},
)
@requires("reader")
def lookup_batch():
    data = json_body()
    unknown = set(data) - {"source_lang", "target_lang", "limit", "min_score", "segments"}
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}", {"fields": sorted(unknown)})
    segments = data.get("segments")
    if not isinstance(segments, list) or not segments:
        raise ValidationError("'segments' must be a non-empty list", {"field": "segments"})
    if len(segments) > MAX_BATCH:
        raise ValidationError(f"at most {MAX_BATCH} segments per call, got {len(segments)}",
                              {"field": "segments", "maximum": MAX_BATCH})
    limit = _check_limit(data.get("limit", 5))
    min_score = _check_score(data.get("min_score", 70))
    src, tgt = data.get("source_lang", "zh"), data.get("target_lang", "en")
    for name, value in (("source_lang", src), ("target_lang", tgt)):
        if not isinstance(value, str):
            raise ValidationError(f"{name!r} must be a string", {"field": name})
    items: list[tuple[str, str | None, str | None]] = []
    for i, seg in enumerate(segments):
        if isinstance(seg, str):
            prev = segments[i - 1] if i > 0 and isinstance(segments[i - 1], str) else None
            nxt = segments[i + 1] if i + 1 < len(segments) and isinstance(segments[i + 1], str) else None
            items.append((seg, prev, nxt))
        elif isinstance(seg, dict) and isinstance(seg.get("q"), str):
            bad = set(seg) - {"q", "context_prev", "context_next"}
            ctx = [seg.get("context_prev"), seg.get("context_next")]
            if bad or any(c is not None and not isinstance(c, str) for c in ctx):
                raise ValidationError(f"segments[{i}]: only 'q', 'context_prev', 'context_next' (strings)",
                                      {"field": f"segments[{i}]"})
            items.append((seg["q"], ctx[0], ctx[1]))
        else:
            raise ValidationError(f"segments[{i}] must be a string or an object with 'q'", {"field": f"segments[{i}]"})
        if not items[-1][0].strip():
            raise ValidationError(f"segments[{i}] is empty", {"field": f"segments[{i}]"})
    total = sum(len(q) for q, _p, _n in items)
    if total > MAX_BATCH_CHARS:
        raise TMError(f"the batch holds {total} characters of queries; at most {MAX_BATCH_CHARS} per request "
                      "(split it into several calls)",
                      {"field": "segments", "characters": total, "maximum_characters": MAX_BATCH_CHARS},
                      code="batch_too_large", status=413)
    queries = [lookup_svc.LookupQuery(q, src, tgt, limit, min_score, p, n) for q, p, n in items]
    return {"results": [r.to_dict() for r in lookup_svc.lookup_batch(get_tm(), queries)]}
