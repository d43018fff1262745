"""QA: check a file or JSON segments, a consistency report over the TM, stored suppressions.

``POST /api/v1/qa`` takes a JSON body (``{"segments": [...], "source_lang", "target_lang"}``) or
a multipart ``file`` (JSON, TMX, XLIFF, CSV, TSV) and answers JSON, HTML or CSV. The enforced
glossary of this server drives ``term_missing``/``term_forbidden``; ``tm=1`` also compares the
file with the TM for consistency. Accepted false positives are stored by signature and stay
suppressed on every later check.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from tmserver.api.common import arg_bool, arg_str, doc, get_tm, json_body, requires, user_name
from tmserver.api.schemas import Error, QAReport, QARequest, Suppression, SuppressionCreate, SuppressionList
from tmserver.errors import ValidationError
from tmserver.qa.engine import check_severity
from tmserver.qa.inputs import FORMATS, read_segments, segments_from_json, sniff
from tmserver.qa.report import render_report
from tmserver.services import qa as qa_svc

bp = Blueprint("qa", __name__)

OUT_FORMATS = ("json", "html", "csv")
#: the report in each ?format= (json is the default)
QA_REPORT_CONTENT = {"application/json": QAReport, "text/html": {"type": "string"}, "text/csv": {"type": "string"}}
_COMMON_PARAMS = [
    {"name": "format", "in": "query", "schema": {"type": "string", "enum": list(OUT_FORMATS)}},
    {"name": "checks", "in": "query", "schema": {"type": "string"}, "description": "comma-separated check ids"},
    {"name": "min_severity", "in": "query", "schema": {"type": "string", "enum": ["info", "warning", "error"]}},
]


def _param(name: str) -> str | None:
    """A query parameter, or the same field of a multipart form (checks, min_severity, format…)."""
    value = arg_str(name)
    if value is None and request.form:
        value = request.form.get(name)
    return value


def _respond(report, fmt: str, title: str):
    if fmt == "json":
        return report.to_dict()
    body, mimetype = render_report(report, fmt, title)
    return Response(body, mimetype=mimetype)


def _out_format() -> str:
    fmt = _param("format") or "json"
    if fmt not in OUT_FORMATS:
        raise ValidationError(f"unknown report format {fmt!r}; use one of {', '.join(OUT_FORMATS)}",
                              {"parameter": "format"})
    return fmt


@bp.post("/api/v1/qa")
@doc("Run QA checks on JSON segments or an uploaded file (JSON, TMX, XLIFF 1.2/2.0, CSV, TSV)", tags=["qa"],
     params=_COMMON_PARAMS + [
         {"name": "input", "in": "query", "schema": {"type": "string", "enum": list(FORMATS)},
          "description": "format of the uploaded file (guessed from its name otherwise)"},
         {"name": "source_lang", "in": "query", "schema": {"type": "string"}},
         {"name": "target_lang", "in": "query", "schema": {"type": "string"}},
         {"name": "tm", "in": "query", "schema": {"type": "boolean"}, "description": "also check consistency against the TM"},
     ],
     body={"application/json": QARequest, "multipart/form-data": {
         "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
     responses={200: QA_REPORT_CONTENT, 400: Error, 401: Error})
@requires("reader")
def qa_route():
    out_fmt = _out_format()
    checks = _param("checks")
    level = check_severity(_param("min_severity"))
    sl, tl = _param("source_lang"), _param("target_lang")
    upload = request.files.get("file")
    if upload is None and request.mimetype == "multipart/form-data":
        raise ValidationError("a multipart upload needs the file in a field named 'file'",
                              {"fields": sorted(request.files) + sorted(request.form)})
    if upload is not None:
        head = upload.stream.read(2048)
        upload.stream.seek(0)
        fmt = sniff(upload.filename, head, _param("input"))
        if fmt not in FORMATS:
            raise ValidationError(f"cannot check a {fmt!r} file; send one of {', '.join(FORMATS)}", {"format": fmt})
        segments = read_segments(upload.stream, fmt, source_lang=sl, target_lang=tl)
        title = f"QA report — {upload.filename or 'upload'}"
    else:
        segments = segments_from_json(json_body(QARequest).sent(), sl, tl)
        title = "QA report"
    if not segments:
        raise ValidationError("nothing to check: no segments found")
    with_tm = arg_bool("tm") or (request.form.get("tm") or "").lower() in ("1", "true", "yes", "on")
    report = qa_svc.check_segments(get_tm(), segments, qa_svc.QAOptions(checks, level, with_tm=with_tm))
    return _respond(report, out_fmt, title)


@bp.get("/api/v1/qa/tm")
@doc("Consistency report over the whole TM (same source → different targets and the reverse)", tags=["qa"],
     params=_COMMON_PARAMS + [{"name": "source_lang", "in": "query", "schema": {"type": "string"}},
                              {"name": "target_lang", "in": "query", "schema": {"type": "string"}}],
     responses={200: QA_REPORT_CONTENT, 400: Error})
@requires("reader")
def qa_tm_route():
    out_fmt = _out_format()
    checks = arg_str("checks") or "inconsistent_target,inconsistent_source"
    level = check_severity(arg_str("min_severity"))
    report = qa_svc.check_tm(get_tm(), qa_svc.QAOptions(checks, level, source_lang=arg_str("source_lang"),
                                                        target_lang=arg_str("target_lang")))
    return _respond(report, out_fmt, "TM consistency report")


@bp.get("/api/v1/qa/suppressions")
@doc("List stored QA suppressions (accepted false positives)", tags=["qa"], responses={200: SuppressionList})
@requires("reader")
def list_suppressions():
    items = qa_svc.list_suppressions(get_tm())
    return {"items": items, "total": len(items)}


@bp.post("/api/v1/qa/suppressions")
@doc("Suppress an issue by its signature (it stays suppressed on re-check)", tags=["qa"],
     body=SuppressionCreate, responses={201: Suppression, 400: Error, 401: Error, 403: Error})
@requires("translator")
def add_suppression():
    data = json_body(SuppressionCreate).sent()
    unknown = set(data) - {"signature", "check", "note"}
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}", {"fields": sorted(unknown)})
    return qa_svc.add_suppression(get_tm(), data.get("signature"), check=data.get("check"), note=data.get("note"),
                        user=user_name()), 201


@bp.delete("/api/v1/qa/suppressions/<signature>")
@doc("Remove a stored suppression", tags=["qa"], responses={204: None, 404: Error})
@requires("translator")
def delete_suppression(signature: str):
    qa_svc.remove_suppression(get_tm(), signature)
    return "", 204
