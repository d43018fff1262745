"""A MyMemory-compatible read route: ``GET /get?q=…&langpair=zh|en``.

MyMemory's public API (``/get``) is what Matecat-style tools and many editor plugins speak, so a
tool that lets its user change the MyMemory URL can ask this TM instead. The answer has
MyMemory's shape:

* ``responseData``: ``{"translatedText", "match"}`` — the best match's translation and its
  similarity as a fraction 0–1 (``""`` and 0 when nothing matches: this server has no machine
  translation to fall back to);
* ``matches``: at most 10 scoring 60 or more (see ``MIN_SCORE``), best first, each ``{"id",
  "segment", "translation", "source", "target", "quality", "match", "reference", "usage-count",
  "subject", "created-by", "last-updated-by", "create-date", "last-update-date"}`` — ``match``
  is 0–1 (our CAT score / 100, capped at 1), ``quality`` the integer score as a string (as
  MyMemory sends it), languages as ``zh-CN``-style tags;
* ``responseStatus`` 200, ``responseDetails`` "", ``quotaFinished`` false, ``responderId`` null,
  ``exception_code`` null, ``mtLangSupported`` null.

Parameters MyMemory defines that have no meaning here (``de``, ``key``, ``mt``, ``onlyprivate``,
``ip``) are accepted and ignored. A bad request — no ``q``, a ``langpair`` without ``|``, an
unsupported language — is an HTTP 400 whose body carries both MyMemory's
``responseStatus``/``responseDetails`` and our ``{"error": …}``; never 401/403/429/503, which
such clients take as "quota exhausted" or "banned".
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from tmserver.api.catweb import add_cors, json_answer
from tmserver.api.common import doc, get_tm, offered_pair, requires
from tmserver.api.schemas import MyMemoryAnswer
from tmserver.errors import IndexWarming, TMError, ValidationError
from tmserver.langs import try_parse_lang
from tmserver.services import lookup as lookup_svc

bp = Blueprint("mymemory", __name__)
add_cors(bp)

MAX_MATCHES = 10
#: Matches from 60 up (MyMemory defines no threshold; Trados offers from 70 by default). Not 50:
#: at 50 a document sharing no bigram with the query can still score (every other character
#: replaced), so the bigram index cannot prove a top 10 and every request checked the whole
#: length window — vocab 1e6, 10 matches: 20–35 ms p50 in process, 169 ms for long queries,
#: against 2–4 ms at 60 (bench/RESULTS.md, round 8). A caller who wants 50–59 matches asks
#: ``/api/v1/lookup?min_score=50`` and pays for the check.
MIN_SCORE = 60

#: JSON, or JSONP (a script) when ?callback= names a function
_ANSWER = {"application/json": MyMemoryAnswer,
           "application/javascript": {"type": "string", "description": "/**/callback(<the JSON answer>);"}}


def _display_tag(code: str) -> str:
    """``zh_cn``/``zh-Hans`` → ``zh-CN``/``zh-Hans``: MyMemory writes region subtags upper-case."""
    parts = code.replace("_", "-").split("-")
    out = [parts[0].lower()]
    for p in parts[1:]:
        out.append(p.upper() if len(p) == 2 else p.title())
    return "-".join(out)


def _parse_langpair(raw: str | None) -> tuple[str, str]:
    if not raw or "|" not in raw:
        raise ValidationError("'langpair' must be two language codes separated by '|', e.g. zh|en or zh-CN|en-GB",
                              {"parameter": "langpair", "value": raw})
    src, _, tgt = raw.partition("|")
    for name, code in (("source", src), ("target", tgt)):
        if try_parse_lang(code.strip()) is None:
            raise ValidationError(f"{code.strip()!r} is not a supported {name} language (zh and en are)",
                                  {"parameter": "langpair", "value": raw})
    return src.strip(), tgt.strip()


def _match(m: dict[str, Any], src: str, tgt: str) -> dict[str, Any] | None:
    offered = offered_pair(m)
    if offered is None:
        return None
    segment, translation, score = offered
    return {
        "id": str(m.get("id", "")),
        "segment": segment,
        "translation": translation,
        "source": _display_tag(m.get("source_lang") or src),
        "target": _display_tag(m.get("target_lang") or tgt),
        "quality": str(score),
        "match": round(score / 100, 2),
        "reference": m.get("origin"),
        "usage-count": 0,
        "subject": "All",
        "created-by": m.get("creator"),
        "last-updated-by": m.get("creator"),
        "create-date": m.get("created_at"),
        "last-update-date": m.get("updated_at"),
    }


@bp.errorhandler(IndexWarming)
def _warming(_exc: IndexWarming):
    """A cold index build: "no match" (uncached), never a 503, which such clients read as banned."""
    return json_answer({"responseData": {"translatedText": "", "match": 0}, "quotaFinished": False,
                        "mtLangSupported": None, "responseDetails": "", "responseStatus": 200,
                        "responderId": None, "exception_code": None, "matches": []},
                       callbacks=("callback",), cache=False)


def _error_answer(exc: TMError):
    body = {"responseData": {"translatedText": "", "match": 0}, "responseStatus": exc.status,
            "responseDetails": exc.message.upper(), "quotaFinished": False, "responderId": None,
            "exception_code": None, "mtLangSupported": None, "matches": [],
            "error": {"code": exc.code, "message": exc.message, "details": exc.details}}
    return json_answer(body, callbacks=("callback",), cache=False, status=exc.status)


@bp.get("/get")
@doc("MyMemory-compatible lookup: GET /get?q=…&langpair=zh|en", tags=["compat"], params=[
    {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
    {"name": "langpair", "in": "query", "required": True, "schema": {"type": "string"},
     "description": "source|target, e.g. zh|en or zh-CN|en-GB"},
    {"name": "callback", "in": "query", "schema": {"type": "string"}, "description": "JSONP"},
], responses={200: _ANSWER, 400: _ANSWER})
@requires("reader")
def get():
    try:
        q = request.args.get("q")
        if not q or not q.strip():
            raise ValidationError("the query 'q' must not be empty", {"parameter": "q"})
        src, tgt = _parse_langpair(request.args.get("langpair"))
        if try_parse_lang(src).base == try_parse_lang(tgt).base:  # type: ignore[union-attr]
            raise ValidationError("source and target language must differ", {"parameter": "langpair"})
        query = lookup_svc.LookupQuery(q, src, tgt, MAX_MATCHES, MIN_SCORE)
        result = lookup_svc.lookup(get_tm(), query, annotate=False).to_dict()
    except TMError as exc:
        if exc.status >= 500:
            raise
        return _error_answer(exc)
    matches = [x for x in (_match(m, src, tgt) for m in result["matches"]) if x is not None]
    best = matches[0] if matches else None
    return json_answer({
        "responseData": {"translatedText": best["translation"] if best else "",
                         "match": best["match"] if best else 0},
        "quotaFinished": False,
        "mtLangSupported": None,
        "responseDetails": "",
        "responseStatus": 200,
        "responderId": None,
        "exception_code": None,
        "matches": matches,
    }, callbacks=("callback",))
