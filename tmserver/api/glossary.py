"""Glossary routes: concepts CRUD with search, term recognition for CAT plugins, TBX/CSV in and out.

    GET    /api/v1/glossary                       summary (concept count, version, policy)
    GET    /api/v1/glossary/concepts?q=&lang=&status=&page=&per_page=
    POST   /api/v1/glossary/concepts              (admin) create
    GET    /api/v1/glossary/concepts/<id>
    PUT    /api/v1/glossary/concepts/<id>         (admin) replace
    DELETE /api/v1/glossary/concepts/<id>         (admin)
    POST   /api/v1/glossary/import?format=tbx|csv|tsv&replace=1   (admin) all or nothing
    GET    /api/v1/glossary/export?format=tbx|csv|tsv
    POST   /api/v1/glossary/check                 which rules a source/target pair breaks
    GET|POST /api/v1/terms?text=…&source_lang=zh&target_lang=en   terms in a segment

Changing the glossary is for admins: it decides which translations every writer may store.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, request

from tmserver.api.common import arg_bool, arg_int, arg_str, doc, get_tm, json_body, requires
from tmserver.api.schemas import (
    ConceptIn,
    ConceptOut,
    ConceptPage,
    Error,
    GlossaryCheck,
    GlossaryCheckRequest,
    GlossaryImportReport,
    GlossarySummary,
    TermsAnswer,
    TermsRequest,
)
from tmserver.errors import ValidationError
from tmserver.services import glossary as glossary_svc
from tmserver.services.glossary import FORMATS, STATUSES, concept_from_dict, format_from_name

bp = Blueprint("glossary", __name__)

_LANG_PARAMS = [
    {"name": "source_lang", "in": "query", "schema": {"type": "string"}, "description": "default zh"},
    {"name": "target_lang", "in": "query", "schema": {"type": "string"}, "description": "default en"},
]
_ERRORS = {400: Error, 401: Error, 403: Error}
MIMETYPES = {"tbx": "application/x-tbx+xml", "csv": "text/csv", "tsv": "text/tab-separated-values"}


@bp.get("/api/v1/glossary")
@doc("Glossary summary: concept count, version token, enforcement policy", tags=["glossary"],
     responses={200: GlossarySummary})
@requires("reader")
def summary():
    return glossary_svc.summary(get_tm()).to_dict()


@bp.get("/api/v1/glossary/concepts")
@doc("List or search concepts (q matches any term in its matching form: 網路 finds 网络)", tags=["glossary"], params=[
    {"name": "q", "in": "query", "schema": {"type": "string"}},
    {"name": "lang", "in": "query", "schema": {"type": "string"}, "description": "only terms in this language"},
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES)}},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
], responses={200: ConceptPage, 400: Error})
@requires("reader")
def list_concepts():
    query = glossary_svc.ConceptQuery(q=arg_str("q"), lang=arg_str("lang"), status=arg_str("status"),
                                      page=arg_int("page", 1, minimum=1),
                                      per_page=arg_int("per_page", 50, minimum=1, maximum=500))
    return glossary_svc.search_concepts(get_tm(), query)


@bp.post("/api/v1/glossary/concepts")
@doc("Create a concept", tags=["glossary"], body=ConceptIn, responses={201: ConceptOut, **_ERRORS, 409: Error})
@requires("admin")
def create_concept():
    concept = concept_from_dict(json_body(ConceptIn).sent())
    return glossary_svc.create_concept(get_tm(), concept).to_dict(), 201


@bp.get("/api/v1/glossary/concepts/<concept_id>")
@doc("Read a concept", tags=["glossary"], responses={200: ConceptOut, 404: Error})
@requires("reader")
def get_concept(concept_id: str):
    return glossary_svc.get_concept(get_tm(), concept_id).to_dict()


@bp.put("/api/v1/glossary/concepts/<concept_id>")
@doc("Replace a concept (all its terms)", tags=["glossary"], body=ConceptIn,
     responses={200: ConceptOut, **_ERRORS, 404: Error})
@requires("admin")
def replace_concept(concept_id: str):
    concept = concept_from_dict(json_body(ConceptIn).sent(), default_id=concept_id)
    return glossary_svc.replace_concept(get_tm(), concept_id, concept).to_dict()


@bp.delete("/api/v1/glossary/concepts/<concept_id>")
@doc("Delete a concept", tags=["glossary"], responses={204: None, 401: Error, 403: Error, 404: Error})
@requires("admin")
def delete_concept(concept_id: str):
    glossary_svc.delete_concept(get_tm(), concept_id)
    return "", 204


def _format(default: str = "tbx") -> str:
    fmt = (arg_str("format") or default).lower()
    if fmt not in FORMATS:
        raise ValidationError(f"unknown glossary format {fmt!r}; use one of {', '.join(FORMATS)}", {"parameter": "format"})
    return fmt


@bp.post("/api/v1/glossary/import")
@doc("Import a TBX (v2 or v3) or CSV glossary in one transaction: all of it or nothing", tags=["glossary"], params=[
    {"name": "format", "in": "query", "schema": {"type": "string", "enum": list(FORMATS)},
     "description": "default: from the file name, else tbx"},
    {"name": "replace", "in": "query", "schema": {"type": "boolean"},
     "description": "also delete concepts the file does not contain"},
], body={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
         "application/x-tbx+xml": {"type": "string"}},
    responses={200: GlossaryImportReport, **_ERRORS, 413: Error})
@requires("admin")
def import_route():
    upload = request.files.get("file")
    if upload is not None:
        stream, name = upload.stream, upload.filename or ""
    else:
        data = request.get_data(cache=False)
        if not data:
            raise ValidationError("send the glossary as multipart/form-data field 'file' or as the request body")
        stream, name = io.BytesIO(data), ""
    return glossary_svc.import_glossary(get_tm(), stream, _format(format_from_name(name)), replace=arg_bool("replace"))


@bp.get("/api/v1/glossary/export")
@doc("Export the glossary as TBX-Basic (v3, or v2 martif with version=2) or CSV", tags=["glossary"], params=[
    {"name": "format", "in": "query", "schema": {"type": "string", "enum": list(FORMATS)}},
    {"name": "version", "in": "query", "schema": {"type": "integer", "enum": [2, 3], "default": 3},
     "description": "TBX version: 3 (ISO 30042:2019) or 2 (martif, for OmegaT, translate-toolkit, Weblate)"},
], responses={200: {mt: {"type": "string"} for mt in MIMETYPES.values()}, 400: Error})
@requires("reader")
def export_route():
    fmt = _format()
    buf = io.BytesIO()
    glossary_svc.export_glossary(get_tm(), buf, fmt, tbx_version=arg_int("version", 3, minimum=2, maximum=3))
    return Response(buf.getvalue(), mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="glossary.{fmt}"'})


def _langs(data: dict[str, Any]) -> tuple[str, str]:
    src = data.get("source_lang") or arg_str("source_lang") or "zh"
    tgt = data.get("target_lang") or arg_str("target_lang") or "en"
    if not isinstance(src, str) or not isinstance(tgt, str):
        raise ValidationError("source_lang and target_lang must be strings")
    s, t = glossary_svc.lang_pair(src, tgt)
    if s == t:
        raise ValidationError("source and target language must differ", {"source_lang": src, "target_lang": tgt})
    return s, t


@bp.post("/api/v1/glossary/check")
@doc("Which glossary rules does a translation break? (no write; the same rules as TM writes)", tags=["glossary"],
     body=GlossaryCheckRequest, responses={200: GlossaryCheck, 400: Error})
@requires("reader")
def check_route():
    data = json_body(GlossaryCheckRequest).sent()
    for key in ("source", "target"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValidationError(f"field {key!r} must be a non-empty string", {"field": key})
    src, tgt = _langs(data)
    violations = glossary_svc.check_pair(get_tm(), data["source"], data["target"], src, tgt)
    return {"ok": not violations, "violations": violations}


MAX_TERMS_TEXTS = 1000


@bp.route("/api/v1/terms", methods=["GET", "POST"])
@doc("Glossary terms in a segment, with spans in the text as sent and their renderings (one call per segment; "
     "POST {\"texts\": [...]} for a batch)", tags=["glossary"],
     params=[{"name": "text", "in": "query", "schema": {"type": "string"}}, *_LANG_PARAMS],
     body=TermsRequest, responses={200: TermsAnswer, 400: Error})
@requires("reader")
def terms_route():
    data = json_body(TermsRequest, required=False).sent() if request.method == "POST" else {}
    src, tgt = _langs(data)
    texts = data.get("texts")
    tm = get_tm()
    if texts is not None:
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts) or len(texts) > MAX_TERMS_TEXTS:
            raise ValidationError(f"'texts' must be a list of at most {MAX_TERMS_TEXTS} strings", {"field": "texts"})
        found = glossary_svc.recognise(tm, texts, src, tgt)
        return {"source_lang": src, "target_lang": tgt,
                "results": [{"text": t, "terms": terms} for t, terms in zip(texts, found, strict=True)]}
    text = data.get("text", arg_str("text"))
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("'text' is required: the segment to look terms up in", {"parameter": "text"})
    if len(text) > 20_000:
        raise ValidationError("'text' is longer than 20000 characters", {"parameter": "text"})
    return {"text": text, "source_lang": src, "target_lang": tgt, "terms": glossary_svc.recognise(tm, [text], src, tgt)[0]}
