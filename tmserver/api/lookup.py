"""Fuzzy lookup: ``GET /api/v1/lookup`` for one segment, ``POST /api/v1/lookup/batch`` for a file.

A thin face over :meth:`tmserver.tm.TM.lookup` (engine: :mod:`tmserver.index`, scores, diffs and
adaptation: :mod:`tmserver.match`), which also annotates the answer with the glossary — so this
route, ``tmserver lookup --json`` and the workbench return the same document.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from tmserver.api.common import arg_int, arg_str, doc, get_tm, json_body, requires
from tmserver.api.schemas import Error
from tmserver.api.schemas.lookup import (
    MAX_BATCH,
    MAX_LIMIT,
    BatchItem,
    Lookup,
    LookupBatch,
    LookupBatchRequest,
)
from tmserver.errors import TMError, ValidationError
from tmserver.services import lookup as lookup_svc

bp = Blueprint("lookup", __name__)

#: per-request budget of a batch: the characters of all its queries together. One request may
#: not hold a worker for minutes (1,000 × 10,000 characters did); 1,000 typical segments fit.
MAX_BATCH_CHARS = 200_000

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
], responses={200: Lookup, 400: Error, 503: Error})
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


def _batch_items(segments: list[str | BatchItem]) -> list[tuple[str, str | None, str | None]]:
    """(query, context_prev, context_next) per segment: in a list of strings, each item's
    neighbours in the list are its context; an object names its own."""
    items: list[tuple[str, str | None, str | None]] = []
    for i, seg in enumerate(segments):
        if isinstance(seg, str):
            prev = segments[i - 1] if i > 0 else None
            nxt = segments[i + 1] if i + 1 < len(segments) else None
            items.append((seg, prev if isinstance(prev, str) else None, nxt if isinstance(nxt, str) else None))
        else:
            items.append((seg.q, seg.context_prev, seg.context_next))
        if not items[-1][0].strip():
            raise ValidationError(f"segments[{i}] is empty", {"field": f"segments[{i}]"})
    return items


@bp.post("/api/v1/lookup/batch")
@doc(
    "Fuzzy lookup of up to 1,000 segments (pre-translation)",
    description=f"At most {MAX_BATCH} segments and {MAX_BATCH_CHARS:,} characters of queries in all per request "
                "(413 past the character budget).",
    tags=["lookup"],
    body=LookupBatchRequest,
    responses={200: LookupBatch, 400: Error, 413: Error, 503: Error},
)
@requires("reader")
def lookup_batch():
    # the model has already refused unknown fields, wrong types, an empty or too long list and
    # out-of-range limit/min_score (400 naming the field); what is left is about the texts
    req = json_body(LookupBatchRequest)
    items = _batch_items(req.segments)
    total = sum(len(q) for q, _p, _n in items)
    if total > MAX_BATCH_CHARS:
        raise TMError(f"the batch holds {total} characters of queries; at most {MAX_BATCH_CHARS} per request "
                      "(split it into several calls)",
                      {"field": "segments", "characters": total, "maximum_characters": MAX_BATCH_CHARS},
                      code="batch_too_large", status=413)
    queries = [lookup_svc.LookupQuery(q, req.source_lang, req.target_lang, req.limit, int(req.min_score), p, n)
               for q, p, n in items]
    return {"results": [r.to_dict() for r in lookup_svc.lookup_batch(get_tm(), queries)]}
