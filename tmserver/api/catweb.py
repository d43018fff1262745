"""HTTP manners shared by the CAT-tool protocols (amaGama ``/tmserver``, MyMemory ``/get``).

* ``Cache-Control: max-age=N, public`` on successful lookups (amaGama sends one; a TM that
  translators write to every minute should not be cached for an hour, so N is
  ``COMPAT_CACHE_SECONDS``, default 60);
* opt-in CORS (``CORS_ORIGINS``: ``*`` or a comma-separated list) so a browser plugin may call
  the server directly, with preflight answered for the write routes;
* JSONP: ``?jsoncallback=fn`` (amaGama, used by Pootle) or ``?callback=fn`` wraps the JSON in a
  call. The name must be a JavaScript identifier path (``fn``, ``ns.fn``) — anything else is a
  400, so the route can never be turned into a script-injection vector.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, current_app, request

from tmserver.errors import ValidationError

_CALLBACK = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")
MAX_CALLBACK = 64


def _callback(names: tuple[str, ...]) -> str | None:
    for name in names:
        value = request.args.get(name)
        if value:
            if len(value) > MAX_CALLBACK or not _CALLBACK.match(value):
                raise ValidationError(f"parameter {name!r} must be a JavaScript function name, got {value!r}",
                                      {"parameter": name})
            return value
    return None


def json_answer(data: Any, *, callbacks: tuple[str, ...] = ("jsoncallback",), cache: bool = True,
                status: int = 200) -> Response:
    """``data`` as JSON (or JSONP when the client asked), with the caching header."""
    body = json.dumps(data, ensure_ascii=False)
    name = _callback(callbacks)
    if name:
        resp = Response(f"/**/{name}({body});", status=status, mimetype="application/javascript")
    else:
        resp = Response(body, status=status, mimetype="application/json")
    if cache and status == 200:
        resp.headers["Cache-Control"] = f"max-age={int(current_app.config.get('COMPAT_CACHE_SECONDS', 60))}, public"
    return resp


def _allowed_origin() -> str | None:
    conf = str(current_app.config.get("CORS_ORIGINS") or "").strip()
    if not conf:
        return None
    if conf == "*":
        return "*"
    origin = request.headers.get("Origin")
    allowed = {o.strip().rstrip("/") for o in conf.split(",") if o.strip()}
    return origin if origin and origin.rstrip("/") in allowed else None


def add_cors(bp: Blueprint) -> None:
    """Give every answer of ``bp`` CORS headers when the server is configured for them."""

    @bp.after_request
    def _cors(resp: Response) -> Response:
        origin = _allowed_origin()
        if origin:
            resp.headers["Access-Control-Allow-Origin"] = origin
            resp.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, OPTIONS"
            resp.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            resp.headers["Access-Control-Max-Age"] = "600"
            if origin != "*":
                resp.headers.add("Vary", "Origin")
        return resp
