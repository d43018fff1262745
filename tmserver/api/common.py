"""Helpers every blueprint uses: the core, auth, request parsing and OpenAPI annotations.

Routes reach the core only through :mod:`tmserver.services` (one transaction per call).

A route stays thin::

    @bp.get("/api/v1/segments/<int:seg_id>")
    @doc("Read a segment", tags=["segments"], responses={200: Segment, 404: Error})
    @requires("reader")
    def get_segment(seg_id):
        return segments_svc.get(get_tm(), seg_id)

``@requires`` reads ``Authorization: Bearer <key>``; reads are open unless the server is
configured with ``READS_REQUIRE_KEY``. ``@doc`` records what the OpenAPI generator
(:mod:`tmserver.api.openapi`) needs — the pydantic models of :mod:`tmserver.api.schemas` for the
body and the answers; a route without it fails ``tests/test_openapi.py``. ``json_body(Model)``
validates a JSON body with the same model the document shows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

from flask import current_app, g, request
from pydantic import BaseModel
from pydantic import ValidationError as ModelError

from tmserver import logs
from tmserver.api.schemas.base import describe_errors
from tmserver.errors import Forbidden, Unauthorized, ValidationError
from tmserver.services.core import TM
from tmserver.services.keys import ANONYMOUS, Principal, authenticate, role_rank


def get_tm() -> TM:
    return current_app.extensions["tmserver"]


def principal() -> Principal:
    return getattr(g, "principal", ANONYMOUS)


def user_name() -> str | None:
    p = principal()
    return None if p.key_id is None else p.name


def _authenticate() -> Principal | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <key>'")
    found = authenticate(get_tm(), secret.strip())
    if found is None:
        raise Unauthorized("unknown or revoked API key")
    return found


def requires(role: str) -> Callable:
    """Decorator: the caller must hold ``role`` (reader < translator < admin)."""
    role_rank(role)  # fail at import time on a typo

    def deco(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            found = _authenticate()
            needs_key = role != "reader" or current_app.config.get("READS_REQUIRE_KEY")
            if found is None:
                if needs_key:
                    raise Unauthorized(f"this endpoint needs an API key with role {role!r}")
                found = ANONYMOUS
            if not found.allows(role):
                raise Forbidden(f"this endpoint needs role {role!r}; your key has {found.role!r}")
            g.principal = found
            logs.actor.set(f"key {found.key_id} ({found.name})" if found.key_id else found.name)
            return view(*args, **kwargs)

        wrapper.__apidoc_role__ = role  # type: ignore[attr-defined]
        return wrapper

    return deco


#: what ``@doc`` takes for a body or an answer: a pydantic model (the usual case), a JSON Schema
#: dict, or ``{media type: model or schema}`` for other media types (multipart, CSV, JSONP)
SchemaLike = type[BaseModel] | dict[str, Any] | str | None
M = TypeVar("M", bound=BaseModel)


def doc(
    summary: str,
    *,
    tags: list[str] | None = None,
    params: list[dict[str, Any]] | None = None,
    body: SchemaLike = None,
    responses: dict[int, SchemaLike] | None = None,
    description: str | None = None,
) -> Callable:
    """Attach OpenAPI facts to a view. ``params``: ``{"name", "in": "query", "schema", "required"}``.

    ``body`` and each ``responses`` value is a model of :mod:`tmserver.api.schemas` (validated
    with :func:`json_body`, checked against the answers in tests), a JSON Schema dict, or
    ``{media type: model or schema}``; ``None`` is "no content" (204).
    """

    def deco(view: Callable) -> Callable:
        view.__apidoc__ = {  # type: ignore[attr-defined]
            "summary": summary,
            "tags": tags or [],
            "params": params or [],
            "body": body,
            "responses": responses or {200: {"type": "object"}},
            "description": description,
        }
        return view

    return deco


def _raw_json(required: bool) -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None:
        if required:
            raise ValidationError("expected a JSON object body (Content-Type: application/json)")
        return {}
    if not isinstance(data, dict):
        raise ValidationError("the JSON body must be an object")
    return data


@overload
def json_body(model: None = None, *, required: bool = True) -> dict[str, Any]: ...
@overload
def json_body(model: type[M], *, required: bool = True) -> M: ...
def json_body(model: type[M] | None = None, *, required: bool = True) -> M | dict[str, Any]:
    """The JSON object body; with ``model``, validated by it (a 400 naming the field otherwise).

    ``required=False``: an absent body is ``{}`` (validated as such). ``Body.sent()`` gives the
    fields the client sent as a dict, for routes that read ``data.get(...)``.
    """
    data = _raw_json(required)
    if model is None:
        return data
    try:
        return model.model_validate(data)
    except ModelError as exc:
        message, details = describe_errors(exc.errors(include_url=False))
        raise ValidationError(message, details) from None


@overload
def arg_str(name: str, *, required: Literal[True], default: str | None = None) -> str: ...
@overload
def arg_str(name: str, *, required: bool = False, default: str) -> str: ...
@overload
def arg_str(name: str, *, required: bool = False, default: None = None) -> str | None: ...
def arg_str(name: str, *, required: bool = False, default: str | None = None) -> str | None:
    """A query parameter; typed ``str`` when it is required or has a default (the overloads say so)."""
    value = request.args.get(name, default)
    if required and (value is None or not str(value).strip()):
        raise ValidationError(f"query parameter {name!r} is required", {"parameter": name})
    return value


#: the largest integer any parameter may carry: the database's INTEGER range (ids, offsets, pages)
MAX_INT_PARAM = 2**31 - 1


def arg_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer query parameter, always range-checked (at most :data:`MAX_INT_PARAM` when no
    ``maximum`` is given: a 100-digit page number is a 400, not a database overflow)."""
    if maximum is None:
        maximum = MAX_INT_PARAM
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(float(raw))
    except (ValueError, OverflowError):  # "abc", "inf", "nan"
        raise ValidationError(f"query parameter {name!r} must be a number, got {raw!r}", {"parameter": name}) from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValidationError(
            f"query parameter {name!r} must be between {minimum} and {maximum}, got {value}",
            {"parameter": name, "minimum": minimum, "maximum": maximum},
        )
    return value


def arg_bool(name: str, default: bool = False) -> bool:
    raw = request.args.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def force_and_reason(data: dict[str, Any]) -> tuple[bool, str | None]:
    """``force``/``reason`` may come in the JSON body or the query string."""
    force = data.get("force", request.args.get("force", False))
    if isinstance(force, str):
        force = force.lower() in {"1", "true", "yes", "on"}
    reason = data.get("reason", request.args.get("reason"))
    if reason is not None and not isinstance(reason, str):
        raise ValidationError("'reason' must be a string")
    return bool(force), reason


def offered_pair(m: dict[str, Any]) -> tuple[str, str, int] | None:
    """What a CAT-tool protocol (amaGama, MyMemory) offers for one lookup match: source, target
    and a quality of at most 100 (our 101 context match stays in our own API). A sub-segment match
    offers its parts — the query's sentence and the aligned part of the target — capped at 99,
    since its target part comes from an alignment and a client must never apply it unseen as an
    exact match; nothing when the unit's target could not be cut."""
    if m["match_type"] != "subsegment":
        return m["source"], m["target"], min(int(m["score"]), 100)
    part = m["subsegment"]
    if part["target_text"] is None:
        return None
    return part["source_text"], part["target_text"], min(99, int(m["score"]))
