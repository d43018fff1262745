"""The document loop over HTTP: ``POST /api/v1/analyze``, ``POST /api/v1/pretranslate``,
``GET /api/v1/eval``. Bring-back is ``POST /api/v1/import`` with an XLIFF or PO file.

Thin: read the upload and the query, call :mod:`tmserver.docloop`, shape the answer.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from flask import Blueprint, Response, request

from tmserver.api.common import arg_bool, arg_int, arg_str, doc, get_tm, requires
from tmserver.api.schemas import Error, PretranslateJSON, Report
from tmserver.errors import ValidationError
from tmserver.services.docloop import analyze, evaluate_heldout, evaluate_tm, pretranslate

bp = Blueprint("docloop", __name__)

_LANGS = [
    {"name": "source_lang", "in": "query", "schema": {"type": "string"}, "description": "when the file does not say"},
    {"name": "target_lang", "in": "query", "schema": {"type": "string"}, "description": "when the file does not say"},
]
_UPLOAD = {"multipart/form-data": {"type": "object", "properties": {
    "file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}
_TEXT = {"type": "string"}
#: the analysis in each ?format=
_ANALYSIS = {"application/json": Report, "text/csv": _TEXT, "text/html": _TEXT, "text/plain": _TEXT}
#: the pre-translated file in the media type of its format, or ?format=json
_PRETRANSLATED = {"application/json": PretranslateJSON, "application/xliff+xml": _TEXT,
                  "text/x-gettext-translation": _TEXT, "text/markdown": _TEXT, "text/plain": _TEXT,
                  "application/octet-stream": _TEXT}
_UPLOAD_ONE = {"multipart/form-data": {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary"}}}}


def _uploads() -> list[tuple[str, bytes]]:
    files = request.files.getlist("file")
    if not files:
        raise ValidationError("send the file(s) as multipart/form-data in fields named 'file'",
                              {"fields": sorted(request.files)})
    return [(f.filename or f"upload-{i}", f.read()) for i, f in enumerate(files, 1)]


@bp.post("/api/v1/analyze")
@doc("Analyse files against the TM: match bands (101, 100, 95–99, 85–94, 75–84, 50–74, new) and repetitions, "
     "in segments, CJK characters and words", tags=["documents"], params=[
         {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv", "html", "text"]}},
         *_LANGS,
     ], body=_UPLOAD, responses={200: _ANALYSIS, 400: Error, 401: Error, 413: Error, 503: Error})
@requires("reader")
def analyze_route():
    fmt = arg_str("format", default="json") or "json"
    if fmt not in ("json", "csv", "html", "text"):
        raise ValidationError(f"unknown report format {fmt!r}; use json, csv, html or text", {"parameter": "format"})
    report = analyze(get_tm(), _uploads(), source_lang=arg_str("source_lang"), target_lang=arg_str("target_lang"))
    if fmt == "json":
        return report.to_dict()
    body, mime = {"csv": (report.to_csv, "text/csv"), "html": (report.to_html, "text/html"),
                  "text": (report.to_text, "text/plain")}[fmt]
    return Response(body(), mimetype=mime)


@bp.post("/api/v1/pretranslate")
@doc("Pre-translate a file (XLIFF 1.2/2.0, PO, Markdown, text) from the TM; returns the file "
     "(or JSON with ?format=json). The per-segment report is in the X-Tmserver-Report header (counts) "
     "and in the JSON answer", tags=["documents"], params=[
         {"name": "threshold", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 101, "default": 75}},
         {"name": "overwrite", "in": "query", "schema": {"type": "boolean"}, "description": "refill translated segments"},
         {"name": "alternatives", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 10}},
         {"name": "term_notes", "in": "query", "schema": {"type": "boolean"}},
         {"name": "notes", "in": "query", "schema": {"type": "boolean", "default": True}},
         {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["file", "json"]}},
         *_LANGS,
     ], body=_UPLOAD_ONE, responses={200: _PRETRANSLATED, 400: Error, 401: Error, 413: Error, 503: Error})
@requires("reader")
def pretranslate_route():
    uploads = _uploads()
    if len(uploads) != 1:
        raise ValidationError("pre-translate one file per request", {"files": len(uploads)})
    out = arg_str("format", default="file") or "file"
    if out not in ("file", "json"):
        raise ValidationError(f"unknown answer format {out!r}; use file or json", {"parameter": "format"})
    name, data = uploads[0]
    result = pretranslate(
        get_tm(), name, data,
        threshold=arg_int("threshold", 75, minimum=0, maximum=101),
        source_lang=arg_str("source_lang"), target_lang=arg_str("target_lang"),
        overwrite=arg_bool("overwrite"), alternatives=arg_int("alternatives", 0, minimum=0, maximum=10),
        term_notes=arg_bool("term_notes"), notes=arg_bool("notes", True),
    )
    if out == "json":
        return {"filename": result.filename, "media_type": result.media_type, "report": result.report,
                "content": result.data.decode("utf-8", errors="replace")}
    counts = {k: v for k, v in result.report.items() if k != "units"}
    return Response(result.data, content_type=result.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(result.filename)}",
        "X-Tmserver-Report": json.dumps(counts, ensure_ascii=True),
    })


@bp.get("/api/v1/eval")
@doc("Suggestion quality per match band with sacrebleu (chrF, BLEU, TER of raw and adapted targets): "
     "leave-one-out over the TM", tags=["documents"], params=[
         *_LANGS,
         {"name": "min_score", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 101, "default": 50}},
         {"name": "origin", "in": "query", "schema": {"type": "string"}, "description": "one collection only"},
         {"name": "units", "in": "query", "schema": {"type": "boolean"}, "description": "list every unit"},
         {"name": "max_units", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000,
                                                           "default": 2000},
          "description": "evaluate an evenly spaced sample of at most this many units (a request, not a batch job)"},
     ], responses={200: Report, 400: Error, 401: Error, 503: Error})
@requires("reader")
def eval_route():
    report = evaluate_tm(get_tm(), source_lang=arg_str("source_lang"), target_lang=arg_str("target_lang"),
                         min_score=arg_int("min_score", 50, minimum=0, maximum=101), origin=arg_str("origin"),
                         max_units=arg_int("max_units", 2000, minimum=1, maximum=100_000))
    return report.to_dict(with_units=arg_bool("units"))


@bp.post("/api/v1/eval")
@doc("Suggestion quality on a held-out file (TMX, translated XLIFF/PO): each unit looked up against the TM, "
     "its target as the reference", tags=["documents"], params=[
         *_LANGS,
         {"name": "min_score", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 101, "default": 50}},
         {"name": "units", "in": "query", "schema": {"type": "boolean"}},
     ], body=_UPLOAD_ONE, responses={200: Report, 400: Error, 401: Error, 503: Error})
@requires("reader")
def eval_heldout_route():
    uploads = _uploads()
    if len(uploads) != 1:
        raise ValidationError("send one held-out file", {"files": len(uploads)})
    name, data = uploads[0]
    report = evaluate_heldout(get_tm(), name, data, source_lang=arg_str("source_lang"),
                              target_lang=arg_str("target_lang"),
                              min_score=arg_int("min_score", 50, minimum=0, maximum=101))
    return report.to_dict(with_units=arg_bool("units"))
