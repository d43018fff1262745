"""OpenAPI 3.1, generated from the code: the URL map plus each view's ``@doc`` annotations.

Nothing is written by hand twice: a new route with a ``@doc`` appears in
``/api/v1/openapi.json`` and on the ``/api/v1/docs`` page (a self-contained page, no CDN).
Areas add named schemas with :func:`register_schema`.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, render_template_string, url_for

from tmserver import __version__

bp = Blueprint("openapi", __name__)

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {},
                "request_id": {"type": ["string", "null"], "description": "also sent as X-Request-ID"},
            },
        }
    },
}
_SEGMENT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "source_lang": {"type": "string"},
        "target_lang": {"type": "string"},
        "source": {"type": "string"},
        "target": {"type": "string"},
        "origin": {"type": ["string", "null"]},
        "creator": {"type": ["string", "null"]},
        "context_prev": {"type": ["string", "null"]},
        "context_next": {"type": ["string", "null"]},
        "version": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "extra": {"type": "object"},
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": _ERROR,
    "Segment": _SEGMENT,
    "SegmentInput": {
        "type": "object",
        "required": ["source", "target"],
        "properties": {
            "source": {"type": "string"},
            "target": {"type": "string"},
            "source_lang": {"type": "string", "default": "zh"},
            "target_lang": {"type": "string", "default": "en"},
            "origin": {"type": ["string", "null"]},
            "context_prev": {"type": ["string", "null"], "description": "previous source sentence (text)"},
            "context_next": {"type": ["string", "null"], "description": "next source sentence (text)"},
            "extra": {"type": "object"},
            "force": {"type": "boolean"},
            "reason": {"type": "string"},
        },
    },
    "WriteResult": {
        "type": "object",
        "properties": {"segment": {"$ref": "#/components/schemas/Segment"}, "warnings": {"type": "array"}},
    },
    "SegmentPage": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    },
    "History": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "current": {"oneOf": [{"$ref": "#/components/schemas/Segment"}, {"type": "null"}]},
            "deleted": {"type": "boolean"},
            "history": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Concordance": {
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "lang": {"type": "string"},
            "total": {"type": "integer"},
            "results": {"type": "array", "items": {"type": "object"}},
        },
    },
    "ImportReport": {
        "type": "object",
        "properties": {
            "imported": {"type": "integer"},
            "skipped": {"type": "integer"},
            "flagged": {"type": "integer"},
            "total": {"type": "integer"},
            "violations": {"type": "array"},
        },
    },
    "Health": {"type": "object", "properties": {"status": {"type": "string"}, "segments": {"type": "integer"}}},
    "Policy": {
        "type": "object",
        "properties": {"policy": {"type": "string", "enum": ["strict", "warn", "off"]}, "origin": {"type": ["string", "null"]}},
    },
}


def register_schema(name: str, schema: dict[str, Any]) -> None:
    SCHEMAS[name] = schema


def _schema(ref: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(ref, dict):
        return ref
    if ref not in SCHEMAS:
        raise KeyError(f"unknown schema name {ref!r} in @doc")
    return {"$ref": f"#/components/schemas/{ref}"}


_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_TYPES = {"int": "integer", "float": "number", "path": "string", "string": "string", None: "string"}


#: Blueprints whose routes are HTML pages, not API operations: the workbench (``tmserver.web``).
NOT_API_BLUEPRINTS = ("web",)


def build_spec() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.partition(".")[0] in NOT_API_BLUEPRINTS:
            continue
        view = current_app.view_functions[rule.endpoint]
        meta = getattr(view, "__apidoc__", None)
        if meta is None:
            missing.append(rule.rule)
            continue
        path_params = []
        for conv, name in _CONVERTER.findall(rule.rule):
            path_params.append(
                {"name": name, "in": "path", "required": True, "schema": {"type": _TYPES.get(conv or None, "string")}}
            )
        path = _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint}_{method.lower()}".replace(".", "_"),
                "summary": meta["summary"],
                "tags": meta["tags"],
                "parameters": path_params + meta["params"],
                "responses": {},
            }
            if meta.get("description"):
                op["description"] = meta["description"]
            role = getattr(view, "__apidoc_role__", None)
            if role and role != "reader":
                op["security"] = [{"bearer": []}]
                op["x-required-role"] = role
            body = meta.get("body")
            if body is not None and method in {"POST", "PUT", "PATCH"}:
                if isinstance(body, dict) and any("/" in k for k in body):
                    content = {mt: {"schema": sch} for mt, sch in body.items()}
                else:
                    content = {"application/json": {"schema": _schema(body)}}
                op["requestBody"] = {"required": True, "content": content}
            for status, resp in meta["responses"].items():
                if status == 204:
                    op["responses"]["204"] = {"description": "No content"}
                    continue
                if isinstance(resp, dict) and any("/" in k for k in resp):  # {media type: schema}
                    content = {mt: {"schema": sch} for mt, sch in resp.items()}
                else:
                    content = {"application/json": {"schema": _schema(resp)}}
                op["responses"][str(status)] = {
                    "description": resp if isinstance(resp, str) else "response",
                    "content": content,
                }
            paths.setdefault(path, {})[method.lower()] = op
    if missing:
        raise RuntimeError(f"routes without @doc: {', '.join(sorted(missing))}")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tmserver",
            "version": __version__,
            "description": "Chinese–English translation memory and terminology service.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/api/v1/openapi.json")
def openapi_json():
    return build_spec()


openapi_json.__apidoc__ = {  # type: ignore[attr-defined]
    "summary": "This OpenAPI 3.1 document", "tags": ["service"], "params": [], "body": None,
    "responses": {200: {"type": "object"}}, "description": None,
}

_DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tmserver API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{margin-bottom:0}.op{border:1px solid #ddd;border-radius:6px;margin:.6rem 0;padding:.4rem .8rem}
.m{display:inline-block;min-width:4.2rem;font-weight:600;font-family:monospace}
.get{color:#1565c0}.post{color:#2e7d32}.put,.patch{color:#ef6c00}.delete{color:#c62828}
code{background:#f4f4f4;padding:0 .25rem;border-radius:3px}table{border-collapse:collapse;margin:.3rem 0}
td,th{border:1px solid #eee;padding:.15rem .5rem;text-align:left;font-size:13px}
input{font:inherit;padding:.3rem;width:20rem}
</style></head><body>
<h1>tmserver API</h1><p>Version {{ spec.info.version }} · <a href="{{ url }}">openapi.json</a>
· filter: <input id="f" placeholder="path, tag or summary"></p>
{% for path, ops in spec.paths.items() %}{% for method, op in ops.items() %}
<div class="op" data-k="{{ (path ~ ' ' ~ op.summary ~ ' ' ~ op.tags|join(' '))|lower }}">
<span class="m {{ method }}">{{ method|upper }}</span> <code>{{ path }}</code> — {{ op.summary }}
{% if op['x-required-role'] %}<small>(needs <b>{{ op['x-required-role'] }}</b> key)</small>{% endif %}
{% if op.parameters %}<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>
{% for p in op.parameters %}<tr><td><code>{{ p.name }}</code>{% if p.required %}*{% endif %}</td><td>{{ p['in'] }}</td>
<td>{{ p.schema.type if p.schema else '' }}</td><td>{{ p.description or '' }}</td></tr>{% endfor %}</table>{% endif %}
<small>responses: {{ op.responses.keys()|join(', ') }}</small></div>
{% endfor %}{% endfor %}
<script>
document.getElementById('f').addEventListener('input',e=>{const q=e.target.value.toLowerCase();
document.querySelectorAll('.op').forEach(d=>{d.style.display=d.dataset.k.includes(q)?'':'none'})});
</script></body></html>"""


@bp.get("/api/v1/docs")
def docs_page():
    return render_template_string(_DOCS, spec=build_spec(), url=url_for("openapi.openapi_json"))


docs_page.__apidoc__ = {  # type: ignore[attr-defined]
    "summary": "Browsable API documentation (HTML)", "tags": ["service"], "params": [], "body": None,
    "responses": {200: {"text/html": {"type": "string"}}}, "description": None,
}
