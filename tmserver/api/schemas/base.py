"""The two kinds of model the API's schemas are made of, and the JSON error every route shares.

* :class:`Body` — a JSON request body. Strict (``"5"`` is not a number, ``"yes"`` not a
  boolean) and closed (an unknown field is a 400), so the document describes exactly what
  :func:`tmserver.api.common.json_body` accepts: the same class validates and documents.
* :class:`Out` — a JSON answer. Closed too (``additionalProperties: false``), so a field the
  code adds without adding it here makes the response-schema check (tests, schemathesis) fail:
  the document cannot fall behind the code. :class:`OpenOut` is for reports whose inner keys
  belong to another module (QA summaries, analysis bands): their known fields are typed, the
  rest is allowed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    # defer_build: a validator is built on first use, not at import (server and CLI start-up)
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)

    def sent(self) -> dict[str, Any]:
        """The fields the client sent (defaults left out), as plain JSON values: what a route
        that reads ``data.get(...)`` needs, and how a partial update knows what to change."""
        return self.model_dump(exclude_unset=True, by_alias=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class OpenOut(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class ErrorInfo(Out):
    code: str = Field(description="machine-readable: invalid_input, not_found, unauthorized, forbidden, conflict, "
                                  "glossary_violation, unknown_language, busy, …", examples=["invalid_input"])
    message: str = Field(description="for people: names the field or parameter that is wrong",
                         examples=["'limit' must be at most 50"])
    details: Any = Field(None, description="machine-readable specifics, e.g. {\"field\": \"limit\"}")
    request_id: str | None = Field(None, description="also sent as the X-Request-ID header; quote it in a report")


class Error(Out):
    """Every 4xx/5xx answer of the JSON API."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"error": {
        "code": "invalid_input", "message": "'limit' must be at most 50", "details": {"field": "limit"},
        "request_id": "9f1c2a7e0b6d4e3f8a5b1c2d3e4f5a6b"}}]})
    error: ErrorInfo


Span = list[int]
"""``[start, end)`` character offsets."""


# -- pydantic's errors in the project's words ---------------------------------------------------

#: the phrase after ``field 'x'`` for each pydantic error type (the rest fall back to pydantic's message)
_PHRASES = {
    "missing": "is required",
    "string_type": "must be a string",
    "int_type": "must be an integer", "int_parsing": "must be an integer", "int_from_float": "must be an integer",
    "float_type": "must be a number", "float_parsing": "must be a number",
    "bool_type": "must be true or false", "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be an object", "model_type": "must be an object", "model_attributes_type": "must be an object",
    "none_required": "must be null",
}
_BOUNDS = {"greater_than_equal": ("at least", "ge"), "less_than_equal": ("at most", "le"),
           "greater_than": ("more than", "gt"), "less_than": ("less than", "lt")}
#: loc parts pydantic adds for the member of a union that failed (``str``, ``BatchItem``,
#: ``function-after[...]``): not field names, so left out of the path the error names
_TYPE_TAGS = {"str", "int", "float", "bool", "none", "list", "dict"}


def _is_tag(part: str) -> bool:
    return part in _TYPE_TAGS or part[:1].isupper() or "[" in part


def error_path(loc: tuple[int | str, ...]) -> str:
    """``('segments', 3, 'q')`` → ``segments[3].q``, as :mod:`tmserver.api.limits` names fields."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _is_tag(part):
            out += f".{part}" if out else part
    return out or "(body)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _phrase(err: Any) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _PHRASES:
        return _PHRASES[kind]
    if kind in _BOUNDS:
        word, key = _BOUNDS[kind]
        return f"must be {word} {ctx.get(key)}"
    if kind == "too_short":
        return "must be a non-empty list" if ctx.get("min_length") == 1 else f"must have at least {ctx.get('min_length')} items"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items"
    if kind == "string_too_short":
        return "must be a non-empty string" if ctx.get("min_length") == 1 else f"must be at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "literal_error":
        leaf = next((p for p in reversed(err["loc"]) if isinstance(p, str) and not _is_tag(p)), "value")
        allowed = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")  # as the domain words it
        return f"must be one of {allowed} (got {leaf} {_short(err.get('input'))})"
    return f"is not valid: {err.get('msg')}"


def describe_errors(errors: list[Any]) -> tuple[str, dict[str, Any]]:
    """The message and details of the 400 for pydantic's ``errors()``: unknown fields first (all
    of them), else the deepest problem, naming its field as ``details.field``."""
    extra = sorted({error_path(e["loc"]) for e in errors if e["type"] == "extra_forbidden"})
    if extra:
        return f"unknown field(s) {', '.join(extra)}", {"fields": extra}
    # the deepest problem: of a union's members (a string or an object) the one that got furthest
    first = max(errors, key=lambda e: len([p for p in e["loc"] if not (isinstance(p, str) and _is_tag(p))]))
    path = error_path(first["loc"])
    message = f"field {path!r} {_phrase(first)}"
    others = len({error_path(e["loc"]) for e in errors}) - 1
    if others > 0:
        message += f" (and {others} more field(s) with problems)"
    return message, {"field": path}
