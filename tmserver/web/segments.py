"""Segment pages: list and search, open one, edit its target, read its history as diffs.

An edit calls :meth:`TM.update_segment` — the same glossary enforcement as the API. A strict
refusal (:class:`~tmserver.errors.GlossaryViolation`) shows each missing or forbidden term next
to the form, with the force-with-reason path; a forced write keeps its reason in the history.

The form carries the version the translator loaded. When the core checks it (optimistic
concurrency: ``update_segment(..., expected_version=)`` raising
:class:`~tmserver.errors.Conflict` with ``details["current"]``), the page shows both versions
and lets the translator keep theirs (re-submitted against the current version) or take the
other. The page never compares versions itself: with a core that has no such check, writes
simply go through, last one wins, as in the API.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from tmserver.errors import Conflict, GlossaryViolation, TMError, ValidationError
from tmserver.services import segments as segments_svc
from tmserver.services.core import TM
from tmserver.web.base import bp, get_tm, page_role, user_name
from tmserver.web.render import version_diff
from tmserver.web.search import _int


@bp.get("/segments")
@page_role("reader")
def segments():
    q = request.args.get("q", "").strip()
    page = _int("page", 1, 1, 1_000_000)
    found = segments_svc.list_segments(get_tm(), segments_svc.SegmentQuery(contains=q or None, page=page, per_page=25))
    pages = max(1, -(-found["total"] // 25))
    return render_template("web/segments.html", q=q, page=page, pages=pages, found=found)


def _versions(history: dict[str, Any]) -> list[dict[str, Any]]:
    """Stored versions oldest first (history snapshots, then the current segment), each with
    the diff of its target from the version before, and the reason a write gave."""
    rows: list[dict[str, Any]] = []
    notes: dict[int, dict[str, Any]] = {}
    for h in history["history"]:
        if h["action"] == "force":  # a forced create: the reason, no snapshot
            notes[1] = h
            continue
        data = h["segment"] or {}
        rows.append({"version": h["version"], "target": data.get("target", ""), "source": data.get("source", ""),
                     "by": data.get("creator") if h["version"] == 1 else None, "at": data.get("updated_at")})
        # the history row of version N was written by the update that made version N+1
        notes[h["version"] + 1] = h
    cur = history.get("current")
    if cur:
        rows.append({"version": cur["version"], "target": cur["target"], "source": cur["source"],
                     "by": cur["creator"] if cur["version"] == 1 else None, "at": cur["updated_at"]})
    prev = None
    for r in rows:
        note = notes.get(r["version"])
        if note:
            r["by"] = note["changed_by"] or r["by"]
            r["reason"] = note["reason"]
            r["forced"] = note["action"] == "force" or bool(note.get("reason"))
        r["diff"] = version_diff(prev["target"], r["target"]) if prev else None
        prev = r
    return list(reversed(rows))


def _render(seg_id: int, *, draft: str | None = None, violations: list[dict[str, Any]] | None = None,
            conflict: dict[str, Any] | None = None, error: TMError | None = None, status: int = 200,
            saved: bool = False, loaded_version: int | None = None):
    history = segments_svc.segment_with_history(get_tm(), seg_id)  # one read: the segment and its versions
    seg = history["current"]
    return render_template(
        "web/segment.html", seg=seg, versions=_versions(history), draft=seg["target"] if draft is None else draft,
        violations=violations or [], conflict=conflict, error=error, saved=saved,
        loaded_version=loaded_version if loaded_version is not None else seg["version"],
    ), status


@bp.get("/segments/<int:seg_id>")
@page_role("reader")
def segment(seg_id: int):
    return _render(seg_id, saved=request.args.get("saved") == "1")


def _update(tm: TM, seg_id: int, target: str, version: int | None, force: bool, reason: str | None):
    # the core refuses a stale write (409 Conflict with the current segment), never the page
    return segments_svc.update(tm, seg_id, {"target": target}, segments_svc.Write(user_name(), force, reason, version))


@bp.post("/segments/<int:seg_id>")
@page_role("translator")
def segment_save(seg_id: int):
    target = request.form.get("target", "")
    force = request.form.get("force") == "1"
    reason = (request.form.get("reason") or "").strip() or None
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        raise ValidationError("the form lost the segment's version; reload the page", {"field": "version"}) from None
    try:
        _update(get_tm(), seg_id, target, version, force, reason)
    except GlossaryViolation as exc:
        return _render(seg_id, draft=target, violations=(exc.details or {}).get("violations", []), error=exc,
                       status=exc.status, loaded_version=version)
    except Conflict as exc:
        current = (exc.details or {}).get("current") or segments_svc.get(get_tm(), seg_id)
        return _render(seg_id, draft=target, conflict={"current": current, "mine": target, "loaded": version},
                       error=exc, status=exc.status, loaded_version=version)
    except ValidationError as exc:
        return _render(seg_id, draft=target, error=exc, status=exc.status, loaded_version=version)
    return redirect(url_for("web.segment", seg_id=seg_id, saved=1), code=303)
