"""``POST /api/v1/align`` (two texts in, links out) and ``POST /api/v1/align/import``.

Thin: parse and check the JSON body, call :mod:`tmserver.align.service`, shape the answer.
Aligning changes nothing, so it needs only the ``reader`` role; importing writes segments, so it
needs ``translator``. Links under the confidence threshold are returned for review and are not
imported unless the body says ``"accept_low": true``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from tmserver.api.common import doc, get_tm, json_body, requires, user_name
from tmserver.api.schemas import AlignAnswer, AlignImportReport, AlignImportRequest, AlignRequest, Error
from tmserver.errors import ValidationError
from tmserver.services.align import (
    DEFAULT_THRESHOLD,
    MAX_CHARS_BY_LANG,
    align_texts,
    check_duplicate_policy,
    import_links,
)

bp = Blueprint("align", __name__)

def _bool(data: dict[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise ValidationError(f"'{name}' must be true or false", {"field": name})
    return value


def _parse(data: dict[str, Any]):
    for name in ("zh", "en"):
        if name not in data:
            raise ValidationError(f"missing '{name}': send both texts", {"field": name})
        limit = MAX_CHARS_BY_LANG[name]
        if isinstance(data[name], str) and len(data[name]) > limit:
            raise ValidationError(f"'{name}' is longer than {limit} characters; split the document "
                                  "or use the 'tmserver align' command", {"field": name, "limit": limit})
    threshold = data.get("threshold", DEFAULT_THRESHOLD)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise ValidationError("'threshold' must be a number between 0 and 1", {"field": "threshold"})
    return data["zh"], data["en"], _bool(data, "presegmented"), float(threshold)


@bp.post("/api/v1/align")
@doc("Align a Chinese text with its English translation (sentence links with confidences)", tags=["align"],
     body=AlignRequest, responses={200: AlignAnswer, 400: Error})
@requires("reader")
def align_route():
    zh, en, presegmented, threshold = _parse(json_body(AlignRequest).sent())
    result = align_texts(zh, en, presegmented=presegmented, threshold=threshold)
    return {
        "links": [link.to_dict() for link in result.links],
        "review": result.below_threshold(),
        "summary": result.summary(),
    }


@bp.post("/api/v1/align/import")
@doc("Align two texts and import the pairs into the TM (links under the threshold are held for review)",
     tags=["align"], body=AlignImportRequest,
     responses={200: AlignImportReport, 400: Error, 401: Error, 403: Error, 422: Error})
@requires("translator")
def align_import_route():
    data = json_body(AlignImportRequest).sent()
    zh, en, presegmented, threshold = _parse(data)
    origin = data.get("origin")
    if origin is not None and (not isinstance(origin, str) or not origin.strip()):
        raise ValidationError("'origin' must be a non-empty string", {"field": "origin"})
    on_violation = data.get("on_violation", "refuse")
    if on_violation not in ("refuse", "skip", "accept"):
        raise ValidationError("'on_violation' must be refuse, skip or accept", {"field": "on_violation"})
    accept_low = _bool(data, "accept_low")
    on_duplicate = check_duplicate_policy(data.get("on_duplicate"))
    result = align_texts(zh, en, presegmented=presegmented, threshold=threshold)
    report = import_links(get_tm(), result, origin=origin or "aligned", user=user_name(), on_duplicate=on_duplicate,
                          on_violation=on_violation, accept_low=accept_low)
    return {**report, "summary": result.summary()}
