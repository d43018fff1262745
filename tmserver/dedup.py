"""The duplicate policy: one stored copy of an identical pair, one answer per pair in a lookup.

Two segments are *duplicates* when they have the same languages (base codes), the same origin
(collection) and the same **matching form** of source and target (:func:`tmserver.normalize.normalize_text`:
width, case, script and whitespace folded). Re-importing a file, or a CAT tool saving the same
sentence twice, must not store the pair again — otherwise every later lookup returns it two or
three times.

Every write path asks :func:`check_policy` for the caller's choice and then:

* ``skip`` (the default) — the stored segment stays as it is and the write reports it as a
  duplicate (an import counts it in ``duplicates``; a single write returns the stored segment);
* ``update`` — the stored segment takes the new write's metadata (``extra``, contexts, creator
  of the change), its version is bumped and the old version goes to the history;
* ``keep`` — store a second copy anyway (the pre-policy behaviour, for callers that want it).

Reads collapse whatever is stored anyway (older data, ``keep`` writes, other origins): a
lookup keeps the best-ranked copy of each pair of matching forms and lists the others' ids in
``duplicate_ids`` (:meth:`tmserver.index.Engine.lookup`, before any diff or adaptation is made).
:func:`find_groups` and :func:`merge_groups` report and merge duplicates already in the
database (``tmserver dedupe``).

This module only reads and writes :class:`~tmserver.store.models.Segment` rows inside the
caller's session; :mod:`tmserver.tm` owns the transaction and the change notifications.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tmserver.errors import ValidationError
from tmserver.store.models import Segment, SegmentChange, SegmentHistory, utcnow

ON_DUPLICATE = ("skip", "update", "keep")
DEFAULT = "skip"
#: what a single write reports when it met a stored duplicate
OUTCOME = {"skip": "skipped", "update": "updated"}
#: rows queried per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
_CHUNK = 500


def check_policy(value: Any, field_name: str = "on_duplicate") -> str:
    """``value`` as a policy name, or a 400 naming the accepted ones (``None`` → ``skip``)."""
    if value is None or value == "":
        return DEFAULT
    if value not in ON_DUPLICATE:
        raise ValidationError(
            f"{field_name} must be one of {', '.join(ON_DUPLICATE)}, got {value!r}",
            {"field": field_name, "allowed": list(ON_DUPLICATE)},
        )
    return value


def pair_key(row: dict[str, Any]) -> tuple[str, str, str | None, str, str]:
    """The identity of a pair, from the column dict :meth:`TM._columns` builds."""
    return (row["source_lang"], row["target_lang"], row.get("origin"), row["source_hash"],
            _target_hash(row["target_norm"]))


def _target_hash(target_norm: str) -> str:
    return hashlib.sha1(target_norm.encode("utf-8")).hexdigest()


def _seg_key(seg: Segment) -> tuple[str, str, str | None, str, str]:
    return (seg.source_lang, seg.target_lang, seg.origin, seg.source_hash, _target_hash(seg.target_norm))


def find_existing(session: Session, row: dict[str, Any], *, lock: bool = False) -> Segment | None:
    """The stored segment that ``row`` duplicates (lowest id), if any."""
    q = select(Segment).where(
        Segment.source_lang == row["source_lang"],
        Segment.target_lang == row["target_lang"],
        Segment.source_hash == row["source_hash"],
        Segment.origin.is_(None) if row.get("origin") is None else Segment.origin == row["origin"],
    ).order_by(Segment.id)
    if lock:
        q = q.with_for_update()
    for seg in session.scalars(q):
        if seg.target_norm == row["target_norm"]:
            return seg
    return None


def existing_for_batch(session: Session, rows: Sequence[dict[str, Any]]) -> dict[tuple, Segment]:
    """Stored segments duplicating any of ``rows``, by :func:`pair_key` — one query per 500 rows.

    The (source_lang, target_lang, source_hash) index answers the IN list; the origin and the
    target are compared here, so one query serves a whole import batch.
    """
    wanted = {pair_key(r) for r in rows}
    found: dict[tuple, Segment] = {}
    by_pair: dict[tuple[str, str], set[str]] = {}
    for r in rows:  # per language pair, so the composite index (langs, hash) serves the IN list
        by_pair.setdefault((r["source_lang"], r["target_lang"]), set()).add(r["source_hash"])
    for (lang_s, lang_t), hash_set in by_pair.items():
        hashes = sorted(hash_set)
        for i in range(0, len(hashes), _CHUNK):
            q = select(Segment).where(Segment.source_lang == lang_s, Segment.target_lang == lang_t,
                                      Segment.source_hash.in_(hashes[i:i + _CHUNK])).order_by(Segment.id)
            for seg in session.scalars(q):
                key = _seg_key(seg)
                if key in wanted and key not in found:
                    found[key] = seg
    return found


def apply_update(session: Session, seg: Segment, row: dict[str, Any], *, user: str | None,
                 reason: str = "duplicate write (on_duplicate=update)") -> None:
    """Give the stored duplicate ``seg`` the new write's metadata; history keeps the old version."""
    session.add(SegmentHistory(segment_id=seg.id, original_segment_id=seg.id, version=seg.version,
                               action="update", changed_by=user, reason=reason, data=seg.snapshot()))
    for key in ("source_tag", "target_tag", "source_text", "target_text", "extra"):
        if key in row:
            setattr(seg, key, row[key])
    for key in ("context_prev", "context_next"):
        if row.get(key) is not None:
            setattr(seg, key, row[key])
    seg.version += 1
    seg.updated_at = utcnow()
    session.add(SegmentChange(segment_id=seg.id, op="upsert"))


def single_write(session: Session, row: dict[str, Any], policy: str, *, extra: dict[str, Any],
                 user: str | None) -> Segment | None:
    """For one write (API, CAT route): the stored duplicate it met, updated if ``policy`` says so.

    ``None`` means no duplicate: the caller inserts as usual.
    """
    existing = find_existing(session, row, lock=policy == "update")
    if existing is not None and policy == "update":
        apply_update(session, existing, {**row, "extra": extra}, user=user)
        session.flush()
    return existing


@dataclass
class BatchOutcome:
    """What :func:`filter_batch` decided for one import batch."""

    insert: list[dict[str, Any]] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    duplicates: int = 0


def filter_batch(session: Session, rows: list[dict[str, Any]], policy: str, *,
                 user: str | None) -> BatchOutcome:
    """Split an import batch into rows to insert and duplicates (of the DB or of earlier rows).

    Earlier batches of the same import are already flushed into the transaction, so the query
    finds them like any stored segment; only repeats *inside* this batch need ``seen``. Memory
    therefore stays bounded by the batch size however large the file. With ``keep`` every row
    is inserted.
    """
    out = BatchOutcome()
    seen: set[tuple] = set()
    if policy == "keep":
        out.insert = rows
        return out
    stored = existing_for_batch(session, rows)
    for row in rows:
        key = pair_key(row)
        if key in seen:
            out.duplicates += 1
            continue
        seg = stored.get(key)
        if seg is None:
            seen.add(key)
            out.insert.append(row)
            continue
        out.duplicates += 1
        if policy == "update":
            apply_update(session, seg, row, user=user)
            out.updated_ids.append(seg.id)
    return out


# -- reads ------------------------------------------------------------------------------------


# -- maintenance ------------------------------------------------------------------------------


def find_groups(session: Session, *, across_origins: bool = False) -> list[list[Segment]]:
    """Groups (≥ 2 segments, lowest id first) of stored duplicates.

    Candidates come from a GROUP BY on the indexed (languages, source hash) columns, then the
    target's matching form and the origin are compared here.
    """
    dup_hashes = select(Segment.source_lang, Segment.target_lang, Segment.source_hash).group_by(
        Segment.source_lang, Segment.target_lang, Segment.source_hash).having(func.count() > 1)
    groups: list[list[Segment]] = []
    for lang_s, lang_t, h in session.execute(dup_hashes).all():
        rows = session.scalars(select(Segment).where(
            Segment.source_lang == lang_s, Segment.target_lang == lang_t, Segment.source_hash == h,
        ).order_by(Segment.id))
        by_key: dict[tuple, list[Segment]] = {}
        for seg in rows:
            key = (None if across_origins else seg.origin, seg.target_norm)
            by_key.setdefault(key, []).append(seg)
        groups.extend(g for g in by_key.values() if len(g) > 1)
    groups.sort(key=lambda g: g[0].id)
    return groups


def merge_group(session: Session, group: list[Segment], *, user: str | None) -> tuple[int, list[int]]:
    """Keep the oldest segment of ``group``, fold the others' metadata into it, delete them.

    The survivor keeps its own text and fields; from the copies it takes contexts and ``extra``
    keys it lacks. Each deleted copy leaves a ``merge`` history row naming the survivor, so
    nothing a user wrote is lost. Returns ``(kept_id, deleted_ids)``.
    """
    keep, rest = group[0], group[1:]
    extra = dict(keep.extra or {})
    changed = False
    for seg in rest:
        for k, v in (seg.extra or {}).items():
            if k not in extra:
                extra[k] = v
                changed = True
        for key in ("context_prev", "context_next"):
            if getattr(keep, key) is None and getattr(seg, key) is not None:
                setattr(keep, key, getattr(seg, key))
                changed = True
    deleted = []
    for seg in rest:
        session.add(SegmentHistory(segment_id=None, original_segment_id=seg.id, version=seg.version,
                                   action="merge", changed_by=user, reason=f"duplicate of segment {keep.id}",
                                   data={**seg.snapshot(), "merged_into": keep.id}))
        session.execute(SegmentHistory.__table__.update().where(SegmentHistory.segment_id == seg.id)
                        .values(segment_id=None))
        session.delete(seg)
        session.add(SegmentChange(segment_id=seg.id, op="delete"))
        deleted.append(seg.id)
    if changed:
        session.add(SegmentHistory(segment_id=keep.id, original_segment_id=keep.id, version=keep.version,
                                   action="update", changed_by=user, reason="merged duplicates",
                                   data=keep.snapshot()))
        keep.extra = extra
        keep.version += 1
        session.add(SegmentChange(segment_id=keep.id, op="upsert"))
    return keep.id, deleted


def group_to_dict(group: list[Segment]) -> dict[str, Any]:
    first = group[0]
    return {"keep": first.id, "duplicates": [s.id for s in group[1:]], "origin": first.origin,
            "source": first.source_text, "target": first.target_text}

