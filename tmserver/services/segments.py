"""Segments: create, read, update, delete, list, history, concordance, glossary policy.

Each call is one transaction of the core (:class:`~tmserver.tm.TM`): a write validates, checks
the glossary (its policy read in the same transaction), writes the segment, its history and the
change log together. Inputs are :class:`~tmserver.tm.SegmentInput` (``from_dict`` parses a JSON
body) and the query dataclasses below; results are :class:`~tmserver.tm.WriteResult` or the
documents the API returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tmserver.errors import NotFound
from tmserver.tm import (
    FORBIDDEN_CHARS,
    MAX_SEGMENT_CHARS,
    ON_VIOLATION,
    POLICIES,
    TM,
    SegmentInput,
    WriteResult,
    check_text,
    lang_or_400,
)

__all__ = ["FORBIDDEN_CHARS", "MAX_SEGMENT_CHARS", "ON_VIOLATION", "POLICIES", "ConcordanceQuery", "SegmentInput",
           "SegmentQuery", "Write", "WriteResult", "check_text", "concordance", "create", "dedupe", "delete", "get", "history",
           "lang_or_400", "languages", "list_segments", "policy", "segment_with_history", "set_policy", "update"]


@dataclass(frozen=True)
class Write:
    """Who writes and how: ``force`` + ``reason`` store a pair that breaks the glossary (kept in
    the history); ``expected_version`` makes an update or delete optimistic (409 when stale);
    ``on_duplicate``: ``skip|update|keep`` for a pair already stored (see :mod:`tmserver.dedup`)."""

    user: str | None = None
    force: bool = False
    reason: str | None = None
    expected_version: int | None = None
    on_duplicate: str = "skip"


@dataclass(frozen=True)
class SegmentQuery:
    source_lang: str | None = None
    target_lang: str | None = None
    origin: str | None = None
    contains: str | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class ConcordanceQuery:
    q: str
    lang: str
    limit: int = 50
    offset: int = 0


def create(tm: TM, inp: SegmentInput, how: Write = Write()) -> WriteResult:
    return tm.create_segment(inp, user=how.user, force=how.force, reason=how.reason, on_duplicate=how.on_duplicate)


def get(tm: TM, seg_id: int) -> dict[str, Any]:
    return tm.get_segment(seg_id)


def update(tm: TM, seg_id: int, changes: dict[str, Any], how: Write = Write()) -> WriteResult:
    return tm.update_segment(seg_id, changes, user=how.user, force=how.force, reason=how.reason,
                             expected_version=how.expected_version)


def delete(tm: TM, seg_id: int, how: Write = Write()) -> None:
    tm.delete_segment(seg_id, user=how.user, reason=how.reason, expected_version=how.expected_version)


def history(tm: TM, seg_id: int) -> dict[str, Any]:
    """``{"id", "current", "deleted", "history"}``: every stored version of a segment."""
    return tm.history(seg_id)


def segment_with_history(tm: TM, seg_id: int) -> dict[str, Any]:
    """:func:`history` of a segment that still exists (404 otherwise): one read for the edit page."""
    found = tm.history(seg_id)
    if found["current"] is None:
        raise NotFound(f"segment {seg_id} does not exist", {"id": seg_id})
    return found


def list_segments(tm: TM, query: SegmentQuery) -> dict[str, Any]:
    return tm.list_segments(source_lang=query.source_lang, target_lang=query.target_lang, origin=query.origin,
                            contains=query.contains, page=query.page, per_page=query.per_page)


def concordance(tm: TM, query: ConcordanceQuery) -> dict[str, Any]:
    return tm.concordance(query.q, query.lang, limit=query.limit, offset=query.offset)


def languages(tm: TM) -> dict[str, list[str]]:
    return tm.languages()


def dedupe(tm: TM, *, merge: bool = False, across_origins: bool = False, user: str | None = None) -> dict[str, Any]:
    """Report (and with ``merge`` merge, in one transaction) duplicate pairs already stored."""
    return tm.dedupe(merge=merge, across_origins=across_origins, user=user)


def policy(tm: TM, origin: str | None = None) -> str:
    """The glossary policy of writes into ``origin`` (its override, else the TM's)."""
    return tm.glossary_policy(origin)


def set_policy(tm: TM, new: str, origin: str | None = None) -> str:
    """Set the policy (of one origin, or the TM's) and return the effective one, one transaction."""
    with tm.write_session() as s:
        tm.set_glossary_policy(new, origin, session=s)
        return tm.glossary_policy(origin, session=s)
