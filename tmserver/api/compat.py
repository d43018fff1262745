"""amaGama / tmserver compatible routes, for CAT tools and TMS (Weblate's "tmserver" machinery,
Virtaal, translate-toolkit clients).

What those clients do, and how we answer:

* they percent-encode the whole text, ``/`` included, into the path
  (``/tmserver/zh/en/unit/%E7%BD%91%E7%BB%9C%2F...``): the route takes ``<path:query>`` and the app
  keeps double slashes (``merge_slashes = False``); under gunicorn use ``--limit-request-line 8190``;
* they send codes lowercased with ``_`` (``zh_hans``, ``zh_hant``, ``en_us``) or bare ``zh``/``en``:
  any form :func:`tmserver.langs.parse_lang` understands is accepted;
* they validate a server with ``/languages/`` and then ``/en/de/unit/test``, which must be
  ``200 []``; and they pause the service for 30 minutes on 401/403/429/503 — so an unsupported
  pair is ``200 []`` and a bad parameter is ``400`` with a JSON error, never one of those;
* they truncate ``quality`` with ``int()``: it is our integer CAT score (101 context, 100 exact…).

Each result is ``{"source", "target", "quality", "rank"}``, best first; ``rank`` is the 1-based
position. Lookups run in both directions (an en→zh request also matches the en target of
zh→en segments). For Traditional target codes (``zh_hant``, ``zh-TW``) the **stored** Chinese is
returned unconverted: the TM returns what translators wrote, and converting script is the CAT
tool's job (OpenCC conversion of a whole sentence can pick the wrong regional phrase).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from tmserver.api.common import doc, get_tm, json_body, requires, user_name
from tmserver.errors import ValidationError
from tmserver.langs import SUPPORTED, try_parse_lang
from tmserver.tm import SegmentInput

bp = Blueprint("compat", __name__)

DEFAULT_MIN_SIMILARITY = 70
DEFAULT_MAX_CANDIDATES = 5
MAX_CANDIDATES = 30
#: Variant codes advertised besides those stored, in the form Weblate sends them.
COMMON_VARIANTS = {"zh": ["zh_hans", "zh_hant", "zh_cn", "zh_tw", "zh_hk"], "en": ["en_us", "en_gb"]}

_RESULT_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["source", "target", "quality", "rank"],
        "properties": {
            "source": {"type": "string"},
            "target": {"type": "string"},
            "quality": {"type": "integer"},
            "rank": {"type": "integer"},
        },
    },
}
# path parameters (slang, tlang, query) are added by the OpenAPI generator from the rule
_UNIT_PARAMS = [
    {"name": "min_similarity", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 100, "default": 70}},
    {"name": "max_candidates", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 30, "default": 5}},
]


def _number(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not lo <= value <= hi:  # also rejects nan and inf
        raise ValidationError(f"parameter {name!r} must be a number between {lo} and {hi}, got {raw!r}",
                              {"parameter": name, "minimum": lo, "maximum": hi})
    return int(value)


def _lookup(slang: str, tlang: str, text: str | None) -> list[dict[str, Any]]:
    min_similarity = _number("min_similarity", DEFAULT_MIN_SIMILARITY, 0, 100)
    max_candidates = _number("max_candidates", DEFAULT_MAX_CANDIDATES, 1, MAX_CANDIDATES)
    if text is None or not text.strip():
        raise ValidationError("the text to look up is empty (put it in the path or in ?source=)",
                              {"parameter": "source"})
    src, tgt = try_parse_lang(slang), try_parse_lang(tlang)
    if src is None or tgt is None or src.base == tgt.base:
        return []  # clients probe with en→de and expect an empty list, not an error
    result = get_tm().lookup(text, src.tag, tgt.tag, limit=max_candidates, min_score=min_similarity)
    return [{**pair, "rank": i} for i, pair in enumerate(filter(None, map(_compat_pair, result["matches"])), start=1)]


def _compat_pair(m: dict[str, Any]) -> dict[str, Any] | None:
    """A match as the protocol's source/target/quality. A sub-segment match offers its parts (and
    nothing when the unit's target could not be cut), capped at 99: its target part comes from an
    alignment, so a client must never apply it unseen as an exact match."""
    if m["match_type"] != "subsegment":
        return {"source": m["source"], "target": m["target"], "quality": m["score"]}
    part = m["subsegment"]
    if part["target_text"] is None:
        return None
    return {"source": part["source_text"], "target": part["target_text"], "quality": min(99, m["score"])}


@bp.get("/tmserver/languages/")
@doc("Languages this TM can look up (amaGama/tmserver)", tags=["compat"], responses={200: {
    "type": "object",
    "properties": {"sourceLanguages": {"type": "array", "items": {"type": "string"}},
                   "targetLanguages": {"type": "array", "items": {"type": "string"}}},
}})
@requires("reader")
def languages():
    stored = get_tm().languages()
    codes = set()
    for base in SUPPORTED:
        codes.add(base)
        codes.update(COMMON_VARIANTS.get(base, []))
    for tag in stored["source"] + stored["target"]:
        codes.add(tag.replace("-", "_").lower())
    # lookups run in both directions, so every language is a source and a target
    out = sorted(codes)
    return {"sourceLanguages": out, "targetLanguages": out}


@bp.get("/tmserver/<slang>/<tlang>/unit/<path:query>")
@doc("Fuzzy lookup, text percent-encoded in the path (amaGama/tmserver)", tags=["compat"],
     params=_UNIT_PARAMS,
     responses={200: _RESULT_LIST, 400: "Error"})
@requires("reader")
def unit_in_path(slang: str, tlang: str, query: str):
    return _lookup(slang, tlang, query)


@bp.get("/tmserver/<slang>/<tlang>/unit/")
@doc("Fuzzy lookup, text in ?source= (amaGama/tmserver)", tags=["compat"],
     params=_UNIT_PARAMS + [{"name": "source", "in": "query", "required": True, "schema": {"type": "string"}}],
     responses={200: _RESULT_LIST, 400: "Error"})
@requires("reader")
def unit_in_query(slang: str, tlang: str):
    return _lookup(slang, tlang, request.args.get("source"))


@bp.post("/tmserver/<slang>/<tlang>/unit/")
@doc("Add a unit (amaGama/tmserver); glossary enforced", tags=["compat"],
     body={"type": "object", "required": ["source", "target"],
           "properties": {"source": {"type": "string"}, "target": {"type": "string"}}},
     responses={201: "WriteResult", 400: "Error", 401: "Error", 403: "Error", 422: "Error"})
@requires("translator")
def add_unit(slang: str, tlang: str):
    data = json_body()
    unknown = set(data) - {"source", "target"}
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}", {"fields": sorted(unknown)})
    for key in ("source", "target"):
        if not isinstance(data.get(key), str):
            raise ValidationError(f"field {key!r} must be a string", {"field": key})
    inp = SegmentInput(source=data["source"], target=data["target"], source_lang=slang, target_lang=tlang,
                       origin="tmserver-api")
    result = get_tm().create_segment(inp, user=user_name())
    return {"segment": result.segment, "warnings": result.warnings}, 201
