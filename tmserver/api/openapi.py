"""OpenAPI 3.1, generated from the code: the URL map, each view's ``@doc`` and the pydantic
models of :mod:`tmserver.api.schemas` those name.

Nothing is written twice: the model that validates a request body (``json_body(Model)``) is the
schema the document shows, and the models of the answers are checked against real answers in
tests (:func:`check_response`, on when ``VALIDATE_RESPONSES`` is set) and by schemathesis. A new
route with a ``@doc`` appears in ``/api/v1/openapi.json`` and on the ``/api/v1/docs`` page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from pydantic import BaseModel
from werkzeug.routing import Rule

from tmserver import __version__
from tmserver.api.schemas import Error

bp = Blueprint("openapi", __name__)

REF = "#/components/schemas/{model}"
JSON = "application/json"
WRITE_METHODS = {"POST", "PUT", "PATCH"}
#: Blueprints whose routes are HTML pages, not API operations: the workbench (``tmserver.web``).
NOT_API_BLUEPRINTS = ("web",)

_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_TYPES = {"int": "integer", "float": "number", "path": "string", "string": "string", "": "string"}


class Components:
    """``components.schemas``, filled with each model a ``@doc`` names (and the models inside it)."""

    def __init__(self) -> None:
        self.schemas: dict[str, dict[str, Any]] = {}

    def ref(self, model: type[BaseModel]) -> dict[str, Any]:
        name = model.__name__
        if name not in self.schemas:
            schema = model.model_json_schema(ref_template=REF)
            for inner, sub in schema.pop("$defs", {}).items():
                self._add(inner, sub)
            self._add(name, schema)
        return {"$ref": REF.format(model=name)}

    def _add(self, name: str, schema: dict[str, Any]) -> None:
        if self.schemas.setdefault(name, schema) != schema:
            raise RuntimeError(f"two different schema models are both named {name!r}")

    def schema(self, spec: Any) -> dict[str, Any]:
        """A model's ``$ref``, or a JSON Schema dict as given."""
        if isinstance(spec, type) and issubclass(spec, BaseModel):
            return self.ref(spec)
        if isinstance(spec, dict):
            return spec
        raise TypeError(f"@doc needs a pydantic model or a JSON Schema, got {spec!r}")


def _example(spec: Any) -> Any:
    """The first example a model declares (``json_schema_extra={"examples": [...]}``), if any."""
    if isinstance(spec, type) and issubclass(spec, BaseModel):
        extra = spec.model_config.get("json_schema_extra")
        if isinstance(extra, dict) and extra.get("examples"):
            return extra["examples"][0]  # type: ignore[index]
    return None


def _content(spec: Any, comps: Components) -> dict[str, Any]:
    """``{media type: {schema, example}}`` for a model, a schema, or a media-type map."""
    if isinstance(spec, dict) and any("/" in k for k in spec):
        items = list(spec.items())
    else:
        items = [(JSON, spec)]
    out: dict[str, Any] = {}
    for media, sub in items:
        entry: dict[str, Any] = {"schema": comps.schema(sub)}
        example = _example(sub)
        if example is not None:
            entry["example"] = example
        out[media] = entry
    return out


def _path_params(rule: Rule) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": _TYPES.get(conv, "string")}}
            for conv, name in _CONVERTER.findall(rule.rule)]


def _implied_errors(rule: Rule, method: str, role: str | None, has_body: bool) -> dict[int, Any]:
    """The errors any operation of this kind can answer, whatever its own ``@doc`` lists: every
    parameter and body is checked (400, :mod:`tmserver.api.limits`), a key is checked when one
    is sent (401), a role above reader may be refused (403), an id in the path may not exist (404),
    a body may be too large (413) and a write may find the database busy (503)."""
    errors: dict[int, Any] = {400: Error}
    if role:
        errors[401] = Error
    if role and role != "reader":
        errors.update({403: Error, 503: Error})
    if "<" in rule.rule:
        errors[404] = Error
    if has_body or method in WRITE_METHODS:
        errors[413] = Error
    return errors


def _responses(meta: dict[str, Any], implied: dict[int, Any], comps: Components) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, spec in sorted({**implied, **meta["responses"]}.items()):
        if status == 204 or spec is None or spec == "No content":
            out[str(status)] = {"description": "No content"}
            continue
        name = spec.__name__ if isinstance(spec, type) else "response"
        out[str(status)] = {"description": (spec.__doc__ or name).strip().splitlines()[0]
                            if isinstance(spec, type) else name, "content": _content(spec, comps)}
    return out


def _operation(rule: Rule, method: str, view: Any, meta: dict[str, Any], comps: Components) -> dict[str, Any]:
    role = getattr(view, "__apidoc_role__", None)
    body = meta.get("body") if method in WRITE_METHODS else None
    op: dict[str, Any] = {
        "operationId": f"{rule.endpoint}_{method.lower()}".replace(".", "_"),
        "summary": meta["summary"],
        "tags": meta["tags"],
        "parameters": _path_params(rule) + meta["params"],
    }
    if meta.get("description"):
        op["description"] = meta["description"]
    if role and role != "reader":
        op["security"] = [{"bearer": []}]
        op["x-required-role"] = role
    if body is not None:
        op["requestBody"] = {"required": True, "content": _content(body, comps)}
    op["responses"] = _responses(meta, _implied_errors(rule, method, role, body is not None), comps)
    return op


def api_rules(app: Flask) -> Iterator[tuple[Rule, Any]]:
    """Every (rule, view) of the JSON API (not the static files, not the workbench pages)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.partition(".")[0] in NOT_API_BLUEPRINTS:
            continue
        yield rule, app.view_functions[rule.endpoint]


def openapi_path(rule: Rule) -> str:
    """``/api/v1/segments/<int:seg_id>`` → ``/api/v1/segments/{seg_id}``."""
    return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule.rule)


def _paths(app: Flask, comps: Components) -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = {}
    missing = sorted(rule.rule for rule, view in api_rules(app) if not hasattr(view, "__apidoc__"))
    if missing:
        raise RuntimeError(f"routes without @doc: {', '.join(missing)}")
    for rule, view in api_rules(app):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op = _operation(rule, method, view, view.__apidoc__, comps)
            paths.setdefault(openapi_path(rule), {})[method.lower()] = op
    return dict(sorted(paths.items()))


def build_spec(app: Flask | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app`` (the current one by default), cached per app."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get("tmserver.openapi")
    if cached is None:
        comps = Components()
        paths = _paths(app, comps)
        cached = {
            "openapi": "3.1.0",
            "info": {
                "title": "tmserver",
                "version": __version__,
                "description": "Chinese–English translation memory and terminology service. Reads are open "
                               "unless the server requires a key; writes need 'Authorization: Bearer <key>' "
                               "with the role an operation names (reader < translator < admin).",
            },
            "paths": paths,
            "components": {
                "schemas": dict(sorted(comps.schemas.items())),
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        }
        app.extensions["tmserver.openapi"] = cached
    return cached


@bp.get("/api/v1/openapi.json")
def openapi_json():
    return build_spec()


openapi_json.__apidoc__ = {  # type: ignore[attr-defined]
    "summary": "This OpenAPI 3.1 document", "tags": ["service"], "params": [], "body": None,
    "responses": {200: {"type": "object", "required": ["openapi", "paths"]}}, "description": None,
}


@bp.get("/api/v1/docs")
def docs_page():
    """Every operation with its parameters, request body (schema and example) and answers, and a
    form to try it with an API key: server-rendered, plus one small script in ``static/`` (no CDN)."""
    spec = build_spec()
    return render_template("apidocs.html", spec=spec, spec_url=url_for("openapi.openapi_json"),
                           schemas=spec["components"]["schemas"], to_json=_pretty)


docs_page.__apidoc__ = {  # type: ignore[attr-defined]
    "summary": "Browsable API documentation with a try-it form (HTML)", "tags": ["service"], "params": [],
    "body": None, "responses": {200: {"text/html": {"type": "string"}}}, "description": None,
}


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


# -- every answer checked against the document (tests; VALIDATE_RESPONSES) -----------------------


class ResponseMismatch(AssertionError):
    """An answer the document does not describe: an undocumented status or media type, or JSON
    that breaks its schema. Raised (not logged) so a test that provokes it fails."""


def _documented(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any] | None:
    op = spec["paths"].get(path, {}).get(method.lower())
    if op is None:
        return None
    responses = op["responses"]
    found = responses.get(str(status)) or responses.get("default")
    if found is None:
        raise ResponseMismatch(f"{method} {path} answered {status}, which its document does not list "
                               f"({', '.join(responses)})")
    return found


def check_response(response: Response) -> Response:
    """After a request to a documented operation: its status and media type must be documented
    and a JSON answer must validate against the operation's schema (with ``jsonschema``)."""
    rule = request.url_rule
    if rule is None or rule.endpoint.partition(".")[0] in NOT_API_BLUEPRINTS or rule.endpoint == "static":
        return response
    spec = build_spec()
    documented = _documented(spec, openapi_path(rule), request.method, response.status_code)
    if documented is None or "content" not in documented:
        return response
    media = response.mimetype
    if media not in documented["content"]:
        raise ResponseMismatch(f"{request.method} {rule.rule} answered {response.status_code} as {media}, not as "
                               f"{', '.join(documented['content'])}")
    if media == JSON:
        _validate(spec, documented["content"][JSON]["schema"], response.get_json(),
                  f"{request.method} {rule.rule} {response.status_code}")
    return response


def _validate(spec: dict[str, Any], schema: dict[str, Any], data: Any, where: str) -> None:
    import jsonschema  # only when VALIDATE_RESPONSES is on (tests): kept out of a server's start-up

    validators = current_app.extensions.setdefault("tmserver.openapi.validators", {})
    key = json.dumps(schema, sort_keys=True)
    if key not in validators:  # one compiled validator per schema: the components are large
        validators[key] = jsonschema.Draft202012Validator({"components": spec["components"], **schema})
    try:
        validators[key].validate(data)
    except jsonschema.ValidationError as exc:
        path = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise ResponseMismatch(f"{where}: the answer breaks its schema at {path}: {exc.message}") from None


def install_response_check(app: Flask) -> None:
    """Check every answer against the document (``VALIDATE_RESPONSES``: tests, debugging).
    A mismatch becomes an exception, which the test client raises."""
    if app.config.get("VALIDATE_RESPONSES"):
        app.after_request(check_response)
