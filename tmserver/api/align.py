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
from tmserver.dedup import check_policy as check_duplicate_policy
from tmserver.errors import ValidationError

bp = Blueprint("align", __name__)

_LINK = {
    "type": "object",
    "properties": {
        "zh": {"type": "array", "items": {"type": "integer"}},
        "en": {"type": "array", "items": {"type": "integer"}},
        "score": {"type": "number"},
        "zh_text": {"type": "string"},
        "en_text": {"type": "string"},
    },
}
_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["zh", "en"],
    "properties": {
        "zh": {"type": "string", "description": "Chinese text: one paragraph per line (or one sentence per line)"},
        "en": {"type": "string", "description": "English text, same layout"},
        "presegmented": {"type": "boolean", "default": False,
                         "description": "one sentence per non-blank line, blank lines between paragraphs"},
        "threshold": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5},
    },
}
_IMPORT_BODY = {
    **_BODY,
    "properties": {
        **_BODY["properties"],
        "origin": {"type": "string", "description": "collection name for the imported pairs"},
        "on_violation": {"type": "string", "enum": ["refuse", "skip", "accept"], "default": "refuse"},
        "accept_low": {"type": "boolean", "default": False,
                       "description": "also import links under the threshold"},
        "on_duplicate": {"type": "string", "enum": ["skip", "update", "keep"], "default": "skip",
                         "description": "pairs already stored in the same origin"},
    },
}


def _bool(data: dict[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise ValidationError(f"'{name}' must be true or false", {"field": name})
    return value


def _parse(data: dict[str, Any]):
    from tmserver.align.service import DEFAULT_THRESHOLD, MAX_CHARS_BY_LANG

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
     body=_BODY,
     responses={200: {"type": "object", "properties": {
         "links": {"type": "array", "items": _LINK},
         "review": {"type": "array", "items": {"type": "integer"},
                    "description": "positions of links under the threshold"},
         "summary": {"type": "object"}}}, 400: "Error"})
@requires("reader")
def align_route():
    from tmserver.align.service import align_texts

    zh, en, presegmented, threshold = _parse(json_body())
    result = align_texts(zh, en, presegmented=presegmented, threshold=threshold)
    return {
        "links": [link.to_dict() for link in result.links],
        "review": result.below_threshold(),
        "summary": result.summary(),
    }


@bp.post("/api/v1/align/import")
@doc("Align two texts and import the pairs into the TM (links under the threshold are held for review)",
     tags=["align"], body=_IMPORT_BODY,
     responses={200: {"type": "object"}, 400: "Error", 401: "Error", 403: "Error", 422: "Error"})
@requires("translator")
def align_import_route():
    from tmserver.align.service import align_texts, import_links

    data = json_body()
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
