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
* they truncate ``quality`` with ``int()`` and expect at most 100: it is our integer CAT score
  (100 exact…), with the 101 context match of our own API reported as 100 here;
* like amaGama, an over-range ``max_candidates`` or ``min_similarity`` is capped (to 1–30 and
  0–100), not refused; a value that is not a number is still a 400;
* amaGama serves the read routes under ``/tmserver/`` and ``/api/v1/``: both prefixes work here
  (``/api/v1/{slang}/{tlang}/unit/{text}``, ``/api/v1/languages/``);
* translate-toolkit's ``tmclient`` (≤ 3.18) adds units with ``PUT`` (and amaGama's "update" with
  ``POST``) to ``/{slang}/{tlang}/unit/{text}`` and a JSON body ``{"source", "target"}``; both are
  accepted, glossary-enforced and under the duplicate policy (``?on_duplicate=``);
* queries too long for a URL go to ``POST /tmserver/{slang}/{tlang}/lookup`` with a JSON body
  ``{"source", "min_similarity", "max_candidates"}`` (an addition of ours: amaGama's POST on
  ``/unit/`` is a write);
* ``/languages/`` lists what the TM holds: each stored language's base code, the tags stored and
  the variant spellings clients send for it (``zh_hans`` reaches zh data), and nothing for a
  language without data;
* answers carry ``Cache-Control``, opt-in CORS and JSONP (``?jsoncallback=``) — see
  :mod:`tmserver.api.catweb`.

Each result is ``{"source", "target", "quality", "rank"}``, best first; ``rank`` is the 1-based
position. The same pair is never listed twice (see :mod:`tmserver.dedup`). Lookups run in both directions (an en→zh request also matches the en target of
zh→en segments). For Traditional target codes (``zh_hant``, ``zh-TW``) the **stored** Chinese is
returned unconverted: the TM returns what translators wrote, and converting script is the CAT
tool's job (OpenCC conversion of a whole sentence can pick the wrong regional phrase).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, g, request

from tmserver.api.catweb import add_cors, json_answer
from tmserver.api.common import doc, get_tm, json_body, offered_pair, requires, user_name
from tmserver.api.schemas import (
    CompatLanguages,
    CompatLookupRequest,
    CompatResults,
    CompatWrite,
    Error,
    WriteResult,
)
from tmserver.errors import IndexWarming, ValidationError
from tmserver.langs import try_parse_lang
from tmserver.services import lookup as lookup_svc
from tmserver.services import segments as segments_svc
from tmserver.services.keys import ANONYMOUS
from tmserver.services.segments import SegmentInput

bp = Blueprint("compat", __name__)
add_cors(bp)


@bp.errorhandler(IndexWarming)
def _warming(_exc: IndexWarming):
    """During a cold index build (no saved index yet) a CAT tool gets "no suggestions", uncached,
    not the 503 the native API sends: Weblate pauses the whole service for 30 minutes on a 503."""
    return json_answer([], cache=False)

DEFAULT_MIN_SIMILARITY = 70
DEFAULT_MAX_CANDIDATES = 5
MAX_CANDIDATES = 30
#: Variant codes clients send for a base language (Weblate lowercases and uses "_").
COMMON_VARIANTS = {"zh": ["zh_hans", "zh_hant", "zh_cn", "zh_tw", "zh_hk"], "en": ["en_us", "en_gb"]}
PREFIXES = ("/tmserver", "/api/v1")

#: JSON, or JSONP (a script) when ?jsoncallback= names a function
_JSONP_SCRIPT = {"type": "string", "description": "/**/callback(<the JSON answer>);"}
_RESULT_LIST = {"application/json": CompatResults,
                "application/javascript": _JSONP_SCRIPT}
_JSONP = {"name": "jsoncallback", "in": "query", "schema": {"type": "string"},
          "description": "JSONP: wrap the answer in a call of this function"}
# path parameters (slang, tlang, query) are added by the OpenAPI generator from the rule
_UNIT_PARAMS = [
    {"name": "min_similarity", "in": "query", "schema": {"type": "integer", "default": 70},
     "description": "capped to 0–100"},
    {"name": "max_candidates", "in": "query", "schema": {"type": "integer", "default": 5},
     "description": "capped to 1–30"},
    _JSONP,
]
_DUP_PARAM = {"name": "on_duplicate", "in": "query", "schema": {"type": "string", "enum": ["skip", "update", "keep"]}}


def _number(raw: Any, name: str, default: int, lo: int, hi: int) -> int:
    """An integer parameter, capped to ``lo..hi`` as amaGama does; a non-number is a 400."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = float("nan")
    if isinstance(raw, bool) or value != value or value in (float("inf"), float("-inf")):
        raise ValidationError(f"parameter {name!r} must be a number, got {raw!r}",
                              {"parameter": name, "minimum": lo, "maximum": hi})
    return int(min(hi, max(lo, value)))


def _lookup(slang: str, tlang: str, text: Any, params: Any) -> list[dict[str, Any]]:
    min_similarity = _number(params.get("min_similarity"), "min_similarity", DEFAULT_MIN_SIMILARITY, 0, 100)
    max_candidates = _number(params.get("max_candidates"), "max_candidates", DEFAULT_MAX_CANDIDATES, 1,
                             MAX_CANDIDATES)
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("the text to look up is empty (put it in the path or in ?source=)",
                              {"parameter": "source"})
    src, tgt = try_parse_lang(slang), try_parse_lang(tlang)
    if src is None or tgt is None or src.base == tgt.base:
        return []  # clients probe with en→de and expect an empty list, not an error
    query = lookup_svc.LookupQuery(text, src.tag, tgt.tag, max_candidates, min_similarity)
    result = lookup_svc.lookup(get_tm(), query, annotate=False).to_dict()
    pairs = filter(None, map(offered_pair, result["matches"]))
    return [{"source": s, "target": t, "quality": q, "rank": i} for i, (s, t, q) in enumerate(pairs, start=1)]


def _routes(rule: str, **options: Any) -> Callable:
    """Register a view under every prefix amaGama serves its read API on."""

    def deco(view: Callable) -> Callable:
        for prefix in PREFIXES:
            bp.add_url_rule(prefix + rule, endpoint=f"{view.__name__}{prefix.replace('/', '_')}",
                            view_func=view, **options)
        return view

    return deco


@_routes("/languages/", methods=["GET"])
@doc("Languages this TM holds data for (amaGama/tmserver)", tags=["compat"], params=[_JSONP],
     responses={200: {"application/json": CompatLanguages, "application/javascript": _JSONP_SCRIPT}})
@requires("reader")
def languages():
    stored = segments_svc.languages(get_tm())
    codes: set[str] = set()
    for tag in stored["source"] + stored["target"]:
        lang = try_parse_lang(tag)
        if lang is None:
            continue
        codes.add(lang.base)
        codes.add(tag.replace("-", "_").lower())
        codes.update(COMMON_VARIANTS.get(lang.base, []))
    # lookups run in both directions, so every language is a source and a target
    out = sorted(codes)
    return json_answer({"sourceLanguages": out, "targetLanguages": out})


@_routes("/<slang>/<tlang>/unit/<path:query>", methods=["GET"])
@doc("Fuzzy lookup, text percent-encoded in the path (amaGama/tmserver)", tags=["compat"],
     params=_UNIT_PARAMS,
     responses={200: _RESULT_LIST, 400: Error})
@requires("reader")
def unit_in_path(slang: str, tlang: str, query: str):
    return json_answer(_lookup(slang, tlang, query, request.args))


@_routes("/<slang>/<tlang>/unit/", methods=["GET"])
@doc("Fuzzy lookup, text in ?source= (amaGama/tmserver)", tags=["compat"],
     params=_UNIT_PARAMS + [{"name": "source", "in": "query", "required": True, "schema": {"type": "string"}}],
     responses={200: _RESULT_LIST, 400: Error})
@requires("reader")
def unit_in_query(slang: str, tlang: str):
    return json_answer(_lookup(slang, tlang, request.args.get("source"), request.args))


@bp.post("/tmserver/<slang>/<tlang>/lookup")
@doc("Fuzzy lookup with the text in a JSON body, for segments too long for a URL", tags=["compat"],
     body=CompatLookupRequest, responses={200: _RESULT_LIST, 400: Error},
     description="Same answer as GET /tmserver/{slang}/{tlang}/unit/{text}; never cached.")
@requires("reader")
def unit_in_body(slang: str, tlang: str):
    data = json_body(CompatLookupRequest).sent()
    unknown = set(data) - {"source", "min_similarity", "max_candidates"}
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}", {"fields": sorted(unknown)})
    return json_answer(_lookup(slang, tlang, data.get("source"), data), cache=False)


def _writer(view: Callable) -> Callable:
    """``requires("translator")``, except that with ``COMPAT_ANONYMOUS_WRITES`` a call without
    any Authorization header is let through (tmclient cannot send one). A bad key is still 401."""
    checked = requires("translator")(view)

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if current_app.config.get("COMPAT_ANONYMOUS_WRITES") and not request.headers.get("Authorization"):
            g.principal = ANONYMOUS
            return view(*args, **kwargs)
        return checked(*args, **kwargs)

    wrapper.__apidoc_role__ = "translator"  # type: ignore[attr-defined]
    return wrapper


def _write(slang: str, tlang: str, text_in_url: str | None):
    data = json_body(CompatWrite).sent()
    unknown = set(data) - {"source", "target"}
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}", {"fields": sorted(unknown)})
    if text_in_url is not None and "source" not in data:
        data = {**data, "source": text_in_url}
    for key in ("source", "target"):
        if not isinstance(data.get(key), str):
            raise ValidationError(f"field {key!r} must be a string", {"field": key})
    inp = SegmentInput(source=data["source"], target=data["target"], source_lang=slang, target_lang=tlang,
                       origin="tmserver-api")
    how = segments_svc.Write(user_name(), on_duplicate=request.args.get("on_duplicate") or "skip")
    result = segments_svc.create(get_tm(), inp, how)
    body = {"segment": result.segment, "warnings": result.warnings}
    if result.duplicate:
        return {**body, "duplicate": result.duplicate}, 200
    return body, 201


_WRITE_RESPONSES: dict[int, Any] = {200: WriteResult, 201: WriteResult, 400: Error, 401: Error, 403: Error, 422: Error}


@bp.route("/tmserver/<slang>/<tlang>/unit/", methods=["POST", "PUT"])
@doc("Add a unit (amaGama/tmserver; POST or PUT); glossary enforced, duplicates not stored twice",
     tags=["compat"], body=CompatWrite, params=[_DUP_PARAM], responses=_WRITE_RESPONSES)
@_writer
def add_unit(slang: str, tlang: str):
    return _write(slang, tlang, request.args.get("source"))


@bp.route("/tmserver/<slang>/<tlang>/unit/<path:query>", methods=["POST", "PUT"])
@doc("Add a unit, source text in the path (amaGama write API, translate-toolkit's tmclient)",
     tags=["compat"], body=CompatWrite, params=[_DUP_PARAM], responses=_WRITE_RESPONSES)
@_writer
def add_unit_in_path(slang: str, tlang: str, query: str):
    return _write(slang, tlang, query)
