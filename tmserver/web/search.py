"""Lookup (``/``) and concordance (``/concordance``): the translator's two read pages.

Both call exactly what the JSON API calls — :meth:`TM.lookup` then
:func:`tmserver.glossary.annotate.annotate_lookup` (terms in the query, term problems and the
glossary-adapted target per match), and :meth:`TM.concordance` — and only arrange the answer.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from tmserver.errors import TMError
from tmserver.normalize import is_cjk
from tmserver.services import lookup as lookup_svc
from tmserver.services import segments as segments_svc
from tmserver.web.base import bp, get_tm, page_role
from tmserver.web.render import diff_pieces, hit_pieces, term_pieces

DIRECTIONS = {"zh-en": ("zh", "en"), "en-zh": ("en", "zh")}
CONCORDANCE_PAGE = 20


def _int(name: str, default: int, lo: int, hi: int) -> int:
    """A bounded integer from the query string; anything unreadable falls back to the default."""
    try:
        return min(hi, max(lo, int(request.args.get(name, default))))
    except ValueError:
        return default


def _direction(q: str, chosen: str) -> tuple[str, str]:
    """``auto`` reads the query: any Chinese character means zh → en, else en → zh."""
    if chosen in DIRECTIONS:
        return DIRECTIONS[chosen]
    return ("zh", "en") if any(is_cjk(ch) for ch in q) else ("en", "zh")


@bp.get("/")
@page_role("reader")
def lookup():
    q = request.args.get("q", "")
    direction = request.args.get("dir", "auto")
    min_score = _int("min_score", 70, 0, 101)  # the API's default: below it the index cannot prove its top-k and scans
    limit = _int("limit", 5, 1, 20)
    result: dict[str, Any] | None = None
    error = None
    if q.strip():
        src, tgt = _direction(q, direction)
        tm = get_tm()
        try:
            result = lookup_svc.lookup(tm, lookup_svc.LookupQuery(q, src, tgt, limit, min_score)).to_dict()
        except TMError as exc:
            error = exc
    view = None
    if result is not None:
        view = {
            "query": term_pieces(result["query"], result.get("terms", [])),
            "terms": result.get("terms", []),
            "matches": [
                {**m, "source_pieces": diff_pieces(m["source"], m.get("diff", []), "match"),
                 "query_pieces": diff_pieces(result["query"], m.get("diff", []), "query")}
                for m in result["matches"]
            ],
            "source_lang": result["source_lang"],
            "target_lang": result["target_lang"],
        }
    return render_template("web/lookup.html", q=q, direction=direction, min_score=min_score, limit=limit,
                           result=view, error=error), (error.status if error else 200)


@bp.get("/concordance")
@page_role("reader")
def concordance():
    q = request.args.get("q", "")
    lang = request.args.get("lang", "zh")
    page = _int("page", 1, 1, 1_000_000)
    found = None
    error = None
    if q.strip():
        try:
            query = segments_svc.ConcordanceQuery(q, lang, CONCORDANCE_PAGE, (page - 1) * CONCORDANCE_PAGE)
            found = segments_svc.concordance(get_tm(), query)
        except TMError as exc:
            error = exc
    rows = []
    pages = 0
    if found:
        rows = [{**r, "pieces": hit_pieces(r["text"], r["spans"])} for r in found["results"]]
        pages = max(1, -(-found["total"] // CONCORDANCE_PAGE))
    return render_template("web/concordance.html", q=q, lang=lang, page=page, pages=pages, found=found, rows=rows,
                           error=error), (error.status if error else 200)
