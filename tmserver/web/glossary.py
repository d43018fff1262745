"""Glossary pages: browse and search concepts, read one, edit it (admin), import and export.

The same store functions as ``/api/v1/glossary`` (:mod:`tmserver.glossary.store`,
:func:`~tmserver.glossary.import_glossary`, :func:`~tmserver.glossary.export_glossary`) and the
same roles: changing the term base changes what every writer may store, so it needs an admin key,
as in the API.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Response, redirect, render_template, request, url_for

from tmserver.errors import TMError, ValidationError
from tmserver.services import glossary as glossary_svc
from tmserver.services.glossary import FORMATS, STATUSES, concept_from_dict, format_from_name
from tmserver.web.base import bp, get_tm, page_role
from tmserver.web.search import _int

MIMETYPES = {"tbx": "application/x-tbx+xml", "csv": "text/csv", "tsv": "text/tab-separated-values"}
BLANK_TERM_ROWS = 2  #: empty rows under a concept's terms, to add a term without JavaScript


@bp.get("/glossary")
@page_role("reader")
def glossary():
    q = request.args.get("q", "").strip()
    lang = request.args.get("lang", "")
    status = request.args.get("status", "")
    page = _int("page", 1, 1, 1_000_000)
    error = None
    found: dict[str, Any] = {"items": [], "total": 0}
    try:
        found = glossary_svc.search_concepts(get_tm(), glossary_svc.ConceptQuery(q or None, lang or None, status or None,
                                                                             page, 25))
    except TMError as exc:
        error = exc
    pages = max(1, -(-found["total"] // 25))
    return render_template("web/glossary.html", q=q, lang=lang, status=status, page=page, pages=pages, found=found,
                           statuses=STATUSES, formats=FORMATS, error=error, report=None), (error.status if error else 200)


def _concept_from_form(concept_id: str) -> dict[str, Any]:
    """The concept as the API's JSON body would carry it, from the edit form's fields."""
    terms = []
    for text, lang, status in zip(request.form.getlist("term_text"), request.form.getlist("term_lang"),
                                  request.form.getlist("term_status"), strict=False):
        if text.strip():
            terms.append({"text": text.strip(), "lang": lang, "status": status})
    fields = {k: (request.form.get(k) or "").strip() or None for k in ("definition", "note", "source", "subject")}
    return {"id": concept_id, "terms": terms, **fields}


@bp.route("/glossary/concepts/<concept_id>", methods=["GET"])
@page_role("reader")
def concept(concept_id: str):
    c = glossary_svc.get_concept(get_tm(), concept_id)
    return render_template("web/concept.html", concept=c.to_dict(), statuses=STATUSES, blank=BLANK_TERM_ROWS,
                           saved=request.args.get("saved") == "1", error=None)


@bp.post("/glossary/concepts/<concept_id>")
@page_role("admin")
def concept_save(concept_id: str):
    data = _concept_from_form(concept_id)
    try:
        new = concept_from_dict(data, default_id=concept_id)
        glossary_svc.replace_concept(get_tm(), concept_id, new)
    except TMError as exc:  # show the form again with what was typed and why it was refused
        return render_template("web/concept.html", concept=data, statuses=STATUSES, blank=BLANK_TERM_ROWS,
                               saved=False, error=exc), exc.status
    return redirect(url_for("web.concept", concept_id=concept_id, saved=1), code=303)


@bp.post("/glossary/import")
@page_role("admin")
def glossary_import():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("Choose a TBX or CSV file to import.", {"field": "file"})
    fmt = request.form.get("format") or format_from_name(upload.filename)
    if fmt not in FORMATS:
        raise ValidationError(f"unknown glossary format {fmt!r}; use one of {', '.join(FORMATS)}")
    report = glossary_svc.import_glossary(get_tm(), upload.stream, fmt, replace=request.form.get("replace") == "1")
    found = glossary_svc.search_concepts(get_tm(), glossary_svc.ConceptQuery(per_page=25))
    return render_template("web/glossary.html", q="", lang="", status="", page=1,
                           pages=max(1, -(-found["total"] // 25)), found=found, statuses=STATUSES, formats=FORMATS,
                           error=None, report=report)


@bp.get("/glossary/export")
@page_role("reader")
def glossary_export():
    fmt = request.args.get("format", "tbx")
    if fmt not in FORMATS:
        raise ValidationError(f"unknown glossary format {fmt!r}; use one of {', '.join(FORMATS)}")
    buf = io.BytesIO()
    glossary_svc.export_glossary(get_tm(), buf, fmt)
    return Response(buf.getvalue(), mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="glossary.{fmt}"'})
