"""Whole-file import (admin) and streamed export (reader) of TMX, CSV and TSV."""

from __future__ import annotations

import tempfile

from flask import Blueprint, Response, request

from tmserver.api.common import arg_str, doc, get_tm, requires, user_name
from tmserver.errors import ValidationError
from tmserver.formats import detect_format
from tmserver.tm import EXPORT_FORMATS, export_file, import_file

bp = Blueprint("transfer", __name__)

MIMETYPES = {"tmx": "application/x-tmx+xml", "csv": "text/csv", "tsv": "text/tab-separated-values"}


@bp.post("/api/v1/import")
@doc("Import a TMX, CSV or TSV file (multipart field 'file') in one transaction", tags=["files"], params=[
    {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["tmx", "csv", "tsv"]}},
    {"name": "origin", "in": "query", "schema": {"type": "string"}, "description": "collection name"},
    {"name": "on_violation", "in": "query", "schema": {"type": "string", "enum": ["refuse", "skip", "accept"]}},
    {"name": "source_lang", "in": "query", "schema": {"type": "string"}},
    {"name": "target_lang", "in": "query", "schema": {"type": "string"}},
], body={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
    responses={200: "ImportReport", 400: "Error", 401: "Error", 403: "Error", 413: "Error", 422: "Error"})
@requires("admin")
def import_route():
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("send the file as multipart/form-data in a field named 'file'")
    head = upload.stream.read(512)
    upload.stream.seek(0)
    fmt = arg_str("format") or detect_format(upload.filename, head)
    origin = arg_str("origin") or upload.filename or None
    report = import_file(
        get_tm(),
        upload.stream,
        fmt,
        origin=origin,
        user=user_name(),
        on_violation=arg_str("on_violation", default="refuse") or "refuse",
        source_lang=arg_str("source_lang"),
        target_lang=arg_str("target_lang"),
    )
    return {"format": fmt, "origin": origin, **report.to_dict()}


@bp.get("/api/v1/export")
@doc("Export the TM as TMX, CSV or TSV (streamed)", tags=["files"], params=[
    {"name": "format", "in": "query", "schema": {"type": "string", "enum": list(EXPORT_FORMATS)}},
    {"name": "source_lang", "in": "query", "schema": {"type": "string"}},
    {"name": "target_lang", "in": "query", "schema": {"type": "string"}},
    {"name": "origin", "in": "query", "schema": {"type": "string"}},
], responses={200: {mt: {"type": "string"} for mt in ("application/x-tmx+xml", "text/csv", "text/tab-separated-values")},
              400: "Error"})
@requires("reader")
def export_route():
    fmt = arg_str("format", default="tmx") or "tmx"
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    tm = get_tm()
    kwargs = {"source_lang": arg_str("source_lang"), "target_lang": arg_str("target_lang"), "origin": arg_str("origin")}
    # Validate before streaming starts so bad parameters still get a 400 JSON error.
    from tmserver.tm import lang_or_400

    for key in ("source_lang", "target_lang"):
        if kwargs[key]:
            lang_or_400(kwargs[key], key)

    # Write the whole export to a temp file *before* answering: an error (a bad filter, a database
    # failure) is then a JSON error with its status, not a broken body after a 200 has been sent.
    tmp = tempfile.TemporaryFile()
    try:
        export_file(tm, tmp, fmt, **kwargs)
    except BaseException:
        tmp.close()
        raise
    tmp.seek(0)

    def generate():
        with tmp:
            while chunk := tmp.read(1 << 16):
                yield chunk

    return Response(
        generate(),
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="tm.{fmt}"'},
    )
