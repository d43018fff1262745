"""Whole-file import (admin) and streamed export (reader) of TMX, CSV and TSV."""

from __future__ import annotations

import tempfile

from flask import Blueprint, Response, request

from tmserver.api.common import arg_str, doc, get_tm, requires, user_name
from tmserver.docloop import BRING_BACK_FORMATS, bring_back
from tmserver.docloop.bringback import parse_states
from tmserver.errors import ValidationError
from tmserver.formats import detect_format
from tmserver.formats.punct import check_mode as check_punctuation
from tmserver.tm import EXPORT_FORMATS, export_file, import_file, lang_or_400

bp = Blueprint("transfer", __name__)

MIMETYPES = {"tmx": "application/x-tmx+xml", "csv": "text/csv", "tsv": "text/tab-separated-values"}


def detect_document(filename: str | None) -> str | None:
    """``xliff`` or ``po`` for a translated document to bring back (by its name)."""
    name = (filename or "").lower()
    return "xliff" if name.endswith((".xlf", ".xliff")) else "po" if name.endswith(".po") else None


@bp.post("/api/v1/import")
@doc("Import a TMX, CSV or TSV file, or the final units of a translated XLIFF 1.2/2.0 or PO file "
     "(multipart field 'file'), in one transaction", tags=["files"], params=[
    {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["tmx", "csv", "tsv", "xliff", "po"]}},
    {"name": "final_states", "in": "query", "schema": {"type": "string"},
     "description": "XLIFF/PO: comma-separated states to import (default 1.2 final,signed-off; 2.0 final; PO translated)"},
    {"name": "origin", "in": "query", "schema": {"type": "string"}, "description": "collection name"},
    {"name": "on_violation", "in": "query", "schema": {"type": "string", "enum": ["refuse", "skip", "accept"]}},
    {"name": "source_lang", "in": "query", "schema": {"type": "string"}},
    {"name": "target_lang", "in": "query", "schema": {"type": "string"}},
    {"name": "on_duplicate", "in": "query", "schema": {"type": "string", "enum": ["skip", "update", "keep"]},
     "description": "pairs already stored in the same origin (or repeated in the file): skip (default), "
                    "update their metadata, or keep a copy"},
    {"name": "punctuation", "in": "query", "schema": {"type": "string", "enum": ["verbatim", "fullwidth"]},
     "description": "fullwidth: store the Chinese side with GB/T 15834 punctuation (，：；（）)"},
], body={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
    responses={200: "ImportReport", 400: "Error", 401: "Error", 403: "Error", 413: "Error", 422: "Error"})
@requires("admin")
def import_route():
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("send the file as multipart/form-data in a field named 'file'")
    head = upload.stream.read(512)
    upload.stream.seek(0)
    fmt = arg_str("format") or detect_document(upload.filename) or detect_format(upload.filename, head)
    origin = arg_str("origin") or upload.filename or None
    if fmt in BRING_BACK_FORMATS:
        return bring_back(get_tm(), upload.filename or f"upload.{fmt}", upload.stream.read(), fmt=fmt, origin=origin,
                          user=user_name(), on_violation=arg_str("on_violation", default="refuse") or "refuse",
                          final_states=parse_states(arg_str("final_states")),
                          source_lang=arg_str("source_lang"), target_lang=arg_str("target_lang"),
                          on_duplicate=arg_str("on_duplicate") or "skip")
    report = import_file(
        get_tm(),
        upload.stream,
        fmt,
        origin=origin,
        user=user_name(),
        on_violation=arg_str("on_violation", default="refuse") or "refuse",
        source_lang=arg_str("source_lang"),
        target_lang=arg_str("target_lang"),
        on_duplicate=arg_str("on_duplicate") or "skip",
        punctuation=arg_str("punctuation"),
    )
    return {"format": fmt, "origin": origin, **report.to_dict()}


@bp.get("/api/v1/export")
@doc("Export the TM as TMX, CSV or TSV (streamed)", tags=["files"], params=[
    {"name": "format", "in": "query", "schema": {"type": "string", "enum": list(EXPORT_FORMATS)}},
    {"name": "source_lang", "in": "query", "schema": {"type": "string"}},
    {"name": "target_lang", "in": "query", "schema": {"type": "string"}},
    {"name": "origin", "in": "query", "schema": {"type": "string"}},
    {"name": "punctuation", "in": "query", "schema": {"type": "string", "enum": ["verbatim", "fullwidth"]},
     "description": "fullwidth: write Chinese text with GB/T 15834 punctuation for CAT tools that match "
                    "verbatim (OmegaT); the database keeps the text as stored"},
], responses={200: {mt: {"type": "string"} for mt in ("application/x-tmx+xml", "text/csv", "text/tab-separated-values")},
              400: "Error"})
@requires("reader")
def export_route():
    fmt = arg_str("format", default="tmx") or "tmx"
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    tm = get_tm()
    kwargs = {"source_lang": arg_str("source_lang"), "target_lang": arg_str("target_lang"), "origin": arg_str("origin"),
              "punctuation": check_punctuation(arg_str("punctuation"))}
    # Validate before streaming starts so bad parameters still get a 400 JSON error.
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
