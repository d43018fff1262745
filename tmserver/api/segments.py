"""Segments: create, read, update, delete, list, history; concordance search; glossary policy."""

from __future__ import annotations

from flask import Blueprint, request

from tmserver.api.common import (
    arg_int,
    arg_str,
    doc,
    force_and_reason,
    get_tm,
    json_body,
    requires,
    user_name,
)
from tmserver.api.schemas import (
    Concordance,
    Conflict,
    Error,
    History,
    Policy,
    PolicyUpdate,
    Segment,
    SegmentCreate,
    SegmentPage,
    SegmentUpdate,
    WriteResult,
)
from tmserver.errors import ValidationError
from tmserver.services import segments as segments_svc
from tmserver.services.segments import SegmentInput

bp = Blueprint("segments", __name__)

_WRITE_PARAMS = [
    {"name": "force", "in": "query", "schema": {"type": "boolean"},
     "description": "store despite glossary violations (needs reason)"},
    {"name": "reason", "in": "query", "schema": {"type": "string"}},
]
_DUP_PARAM = {"name": "on_duplicate", "in": "query", "schema": {"type": "string", "enum": ["skip", "update", "keep"]},
              "description": "an identical pair already stored in the same origin: answer it (skip, default, "
                             "status 200), update its metadata (update, 200) or store a copy (keep, 201)"}


@bp.post("/api/v1/segments")
@doc("Create a segment (glossary enforced; an identical stored pair is not stored twice)", tags=["segments"],
     body=SegmentCreate, params=_WRITE_PARAMS + [_DUP_PARAM],
     responses={200: WriteResult, 201: WriteResult, 400: Error, 401: Error, 403: Error, 422: Error})
@requires("translator")
def create_segment():
    data = json_body(SegmentCreate).sent()
    force, reason = force_and_reason(data)
    how = segments_svc.Write(user_name(), force, reason, on_duplicate=arg_str("on_duplicate") or "skip")
    result = segments_svc.create(get_tm(), SegmentInput.from_dict(data), how)
    if result.duplicate:
        return {"segment": result.segment, "warnings": result.warnings, "duplicate": result.duplicate}, 200
    return {"segment": result.segment, "warnings": result.warnings}, 201


@bp.get("/api/v1/segments")
@doc("List segments with filters and pagination", tags=["segments"], params=[
    {"name": "source_lang", "in": "query", "schema": {"type": "string"}},
    {"name": "target_lang", "in": "query", "schema": {"type": "string"}},
    {"name": "origin", "in": "query", "schema": {"type": "string"}},
    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "text contained in either side"},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
], responses={200: SegmentPage, 400: Error})
@requires("reader")
def list_segments():
    return segments_svc.list_segments(get_tm(), segments_svc.SegmentQuery(
        source_lang=arg_str("source_lang"),
        target_lang=arg_str("target_lang"),
        origin=arg_str("origin"),
        contains=arg_str("q"),
        page=arg_int("page", 1, minimum=1),
        per_page=arg_int("per_page", 50, minimum=1, maximum=1000),
    ))


def etag(version: int) -> str:
    """A segment's entity tag is its version: ``"3"``."""
    return f'"{version}"'


def _expected_version(data: dict | None) -> int | None:
    """The version the client last saw, from ``If-Match`` and/or a ``version`` body field.

    ``If-Match: "3"`` (or ``W/"3"``, or a bare ``3``) and ``{"version": 3}`` both mean "apply only
    if the segment is still at version 3"; ``*`` or neither means "apply to whatever is current"
    (still serialised, never lost). If both are sent they must agree."""
    expected: int | None = None
    header = request.headers.get("If-Match")
    if header is not None and header.strip() != "*":
        tag = header.strip().removeprefix("W/").strip('"')
        if not tag.isdigit() or len(tag) > 10:
            raise ValidationError(f"If-Match must be a segment version as an ETag (\"3\"), got {header!r}",
                                  {"header": "If-Match"})
        expected = int(tag)
    if data is not None and "version" in data:
        body = data["version"]
        if isinstance(body, bool) or not isinstance(body, int) or not 1 <= body <= 2**31 - 1:
            raise ValidationError("field 'version' must be a positive integer (the version you last read)",
                                  {"field": "version"})
        if expected is not None and expected != body:
            raise ValidationError(f"If-Match ({expected}) and 'version' ({body}) disagree", {"field": "version"})
        expected = body
    return expected


_VERSION_PARAMS = [{"name": "If-Match", "in": "header", "schema": {"type": "string"},
                    "description": "the segment's ETag (its version, e.g. \"3\"): write only if it is still current, "
                                   "else 409 with the current segment"}]


@bp.get("/api/v1/segments/<int:seg_id>")
@doc("Read a segment (ETag: its version)", tags=["segments"], responses={200: Segment, 404: Error})
@requires("reader")
def get_segment(seg_id: int):
    seg = segments_svc.get(get_tm(), seg_id)
    return seg, 200, {"ETag": etag(seg["version"])}


@bp.put("/api/v1/segments/<int:seg_id>")
@bp.patch("/api/v1/segments/<int:seg_id>")
@doc("Update a segment; the previous version goes to its history", tags=["segments"], body=SegmentUpdate,
     params=_WRITE_PARAMS + _VERSION_PARAMS,
     description="Concurrent updates of one segment are serialised: each applies to the version the "
                 "previous one produced and every version is kept in the history. Send the version you "
                 "last read (`version` in the body, or `If-Match: \"3\"`) to write only if nobody changed "
                 "it since: otherwise nothing is written and the answer is 409 "
                 "`{\"error\": {\"code\": \"conflict\", \"details\": {\"current\": <segment>}}}`.",
     responses={200: WriteResult, 400: Error, 401: Error, 403: Error, 404: Error, 409: Conflict,
                422: Error, 503: Error})
@requires("translator")
def update_segment(seg_id: int):
    data = json_body(SegmentUpdate).sent()
    expected = _expected_version(data)
    force, reason = force_and_reason(data)
    changes = {k: v for k, v in data.items() if k not in ("force", "reason", "version")}
    result = segments_svc.update(get_tm(), seg_id, changes, segments_svc.Write(user_name(), force, reason, expected))
    return {"segment": result.segment, "warnings": result.warnings}, 200, {"ETag": etag(result.segment["version"])}


@bp.delete("/api/v1/segments/<int:seg_id>")
@doc("Delete a segment (its last version stays in the history)", tags=["segments"],
     params=[{"name": "reason", "in": "query", "schema": {"type": "string"}}] + _VERSION_PARAMS,
     responses={204: None, 400: Error, 401: Error, 403: Error, 404: Error, 409: Conflict,
                503: Error})
@requires("translator")
def delete_segment(seg_id: int):
    how = segments_svc.Write(user_name(), reason=arg_str("reason"), expected_version=_expected_version(None))
    segments_svc.delete(get_tm(), seg_id, how)
    return "", 204


@bp.get("/api/v1/segments/<int:seg_id>/history")
@doc("Every previous version of a segment", tags=["segments"], responses={200: History, 404: Error})
@requires("reader")
def segment_history(seg_id: int):
    return segments_svc.history(get_tm(), seg_id)


@bp.get("/api/v1/concordance")
@doc("Substring search on one side of the TM, with match offsets", tags=["lookup"], params=[
    {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
    {"name": "lang", "in": "query", "required": True, "schema": {"type": "string"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
], responses={200: Concordance, 400: Error})
@requires("reader")
def concordance():
    return segments_svc.concordance(get_tm(), segments_svc.ConcordanceQuery(
        arg_str("q", required=True) or "",
        arg_str("lang", required=True) or "",
        limit=arg_int("limit", 50, minimum=1, maximum=500),
        offset=arg_int("offset", 0, minimum=0),
    ))


@bp.get("/api/v1/settings/glossary-policy")
@doc("The glossary enforcement policy (strict | warn | off)", tags=["glossary"],
     params=[{"name": "origin", "in": "query", "schema": {"type": "string"}}], responses={200: Policy})
@requires("reader")
def get_policy():
    return {"policy": segments_svc.policy(get_tm(), arg_str("origin")), "origin": arg_str("origin")}


@bp.put("/api/v1/settings/glossary-policy")
@doc("Set the glossary enforcement policy, for the TM or one origin", tags=["glossary"], body=PolicyUpdate,
     responses={200: Policy, 400: Error, 401: Error, 403: Error})
@requires("admin")
def set_policy():
    data = json_body(PolicyUpdate).sent()
    origin = data.get("origin")
    if origin is not None and not isinstance(origin, str):
        raise ValidationError("'origin' must be a string or null", {"field": "origin"})
    if not isinstance(data.get("policy"), str):
        raise ValidationError("'policy' must be one of strict, warn, off", {"field": "policy"})
    return {"policy": segments_svc.set_policy(get_tm(), data["policy"], origin or None), "origin": origin}
