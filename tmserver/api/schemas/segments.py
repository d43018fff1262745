"""Segments, history, concordance, the glossary policy, keys, health: request bodies and answers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from tmserver.api.schemas.base import Body, OpenOut, Out, Span

_WHEN = "ISO 8601 with its UTC offset"


class TermViolation(Out):
    """One glossary rule a source/target pair breaks (``missing``: a source term without an
    accepted rendering; ``forbidden``: a deprecated or superseded rendering used)."""

    kind: Literal["missing", "forbidden"]
    concept_id: str
    term: str = Field(description="the source term as written")
    source_span: Span
    expected: list[str] = Field(description="accepted renderings, preferred first")
    found: str | None = Field(description="the forbidden rendering as written in the target")
    target_span: Span | None
    status: str | None = Field(None, description="status of the forbidden rendering (deprecated | superseded)")
    message: str | None = None
    fixed_in_adapted_target: bool | None = Field(
        None, description="lookup only: adapted_target already replaces this forbidden rendering")


class Segment(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 1, "source_lang": "zh", "target_lang": "en", "source": "网络空间命运共同体",
        "target": "a community with a shared future in cyberspace", "origin": "white-paper", "creator": "alice",
        "context_prev": None, "context_next": None, "version": 1, "created_at": "2026-01-05T09:30:00+00:00",
        "updated_at": "2026-01-05T09:30:00+00:00", "extra": {}}]})
    id: int
    source_lang: str
    target_lang: str
    source: str
    target: str
    origin: str | None
    creator: str | None
    context_prev: str | None = Field(description="hash of the previous source sentence")
    context_next: str | None
    version: int
    created_at: str | None = Field(description=_WHEN)
    updated_at: str | None = Field(description=_WHEN)
    extra: dict[str, Any]


class SegmentCreate(Body):
    """A new translation unit. ``force``/``reason`` may also come in the query string."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "source": "网络空间命运共同体", "target": "a community with a shared future in cyberspace",
        "source_lang": "zh", "target_lang": "en", "origin": "white-paper"}]})
    source: str
    target: str
    source_lang: str = Field("zh", examples=["zh", "zh-Hant"])
    target_lang: str = Field("en", examples=["en", "en-GB"])
    origin: str | None = Field(None, description="collection name")
    context_prev: str | None = Field(None, description="previous source sentence (text)")
    context_next: str | None = Field(None, description="next source sentence (text)")
    extra: dict[str, Any] = Field(default_factory=dict, description="free-form metadata kept with the unit")
    force: bool = Field(False, description="store despite glossary violations (needs reason)")
    reason: str | None = Field(None, description="why force was needed; kept in the history")


class SegmentUpdate(Body):
    """The fields to change (the others keep their value), plus optionally the version you last read."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"target": "a shared future in cyberspace",
                                                               "version": 1}]})
    source: str | None = None
    target: str | None = None
    source_lang: str | None = None
    target_lang: str | None = None
    origin: str | None = None
    context_prev: str | None = None
    context_next: str | None = None
    extra: dict[str, Any] | None = None
    force: bool = False
    reason: str | None = None
    version: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="write only if the segment is still at this version, else 409 "
                                            "with the current one")


class WriteResult(Out):
    segment: Segment
    warnings: list[TermViolation] = Field(description="glossary rules broken (policy warn, or forced)")
    duplicate: Literal["skipped", "updated"] | None = Field(
        None, description="present when an identical pair was already stored (on_duplicate skip or update)")


class SegmentPage(Out):
    items: list[Segment]
    page: int
    per_page: int
    total: int


class HistoryEntry(Out):
    version: int
    action: str = Field(examples=["update", "delete"])
    changed_by: str | None
    changed_at: str | None = Field(description=_WHEN)
    reason: str | None
    segment: dict[str, Any] = Field(description="the segment as it was at this version")


class History(Out):
    id: int
    current: Segment | None
    deleted: bool
    history: list[HistoryEntry]


class ConcordanceHit(Out):
    id: int
    lang: str
    text: str
    translation: str
    side: Literal["source", "target"]
    spans: list[Span] = Field(description="offsets of each occurrence in text (as stored)")


class Concordance(Out):
    query: str
    lang: str
    total: int
    results: list[ConcordanceHit]


class Policy(Out):
    policy: Literal["strict", "warn", "off"]
    origin: str | None


class PolicyUpdate(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"policy": "warn", "origin": None}]})
    policy: str = Field(description="strict, warn or off")
    origin: str | None = Field(None, description="set it for this origin only")


class ConflictDetails(Out):
    expected: int | None = None
    current: Segment


class ConflictInfo(Out):
    code: Literal["conflict"]
    message: str
    details: ConflictDetails
    request_id: str | None = None


class Conflict(Out):
    """409: the segment changed since the version you sent; nothing was written."""

    error: ConflictInfo


class Health(OpenOut):
    """Open: the index and readiness facts other modules add are allowed beside these."""

    status: Literal["ok"]
    version: str
    database: str = Field(examples=["sqlite", "postgresql"])
    segments: int = Field(description="units in the TM: counted, or the planner's estimate when `segments_estimated`")
    segments_estimated: bool = Field(
        default=False, description="PostgreSQL, beyond a million units: `segments` is the statistics' estimate "
        "(an exact count reads every row: 1.7 s at 1e7, on every health check)")
    glossary_policy: Literal["strict", "warn", "off"]
    ready: bool = Field(description="this worker can answer lookups now (its lookup indexes are loaded)")


class Readiness(Out):
    """Whether this worker can answer lookups now, and which language indexes are where."""

    ready: bool
    loaded: list[str] = Field(description="languages answering now")
    loading: list[str] = Field(description="languages being opened or built")
    merging: list[str] = Field(default_factory=list, description="background merges running")
    langs: str | list[str] | None = Field(default=None,
                                          description="INDEX_LANGS: the languages readiness waits for, or 'auto'")
    index_dir: str | None = None
    errors: dict[str, str] = Field(default_factory=dict)


class ApiKey(Out):
    id: int
    name: str
    role: Literal["reader", "translator", "admin"]
    prefix: str = Field(description="the first characters of the secret, to recognise it")
    created_at: str | None
    revoked_at: str | None
    last_used_at: str | None


class KeyList(Out):
    keys: list[ApiKey]


class KeyCreate(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "omegat-alice", "role": "translator"}]})
    name: str
    role: Literal["reader", "translator", "admin"]


class KeyCreated(Out):
    key: ApiKey
    secret: str = Field(description="send as 'Authorization: Bearer <secret>'; shown only in this answer")


class KeyRevoked(Out):
    key: ApiKey
