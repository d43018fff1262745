"""The Flask application factory.

``create_app()`` builds one :class:`tmserver.tm.TM` core for the process, upgrades the schema
when asked, registers the blueprints and makes every error — ours, Werkzeug's, or an
unexpected one — a JSON body of the shape ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
from flask import Flask, Response, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from tmserver import logs
from tmserver.api import register_blueprints
from tmserver.api.limits import install as install_limits
from tmserver.api.openapi import install_response_check
from tmserver.config import default_index_dir, load_config
from tmserver.errors import TMError
from tmserver.services.core import build_tm
from tmserver.web import bp as web_bp

log = logging.getLogger(__name__)


def database_url(app: Flask) -> str:
    url = app.config.get("DATABASE_URL")
    if url:
        return url
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return "sqlite:///" + str(Path(app.instance_path) / "tmserver.sqlite")


def create_app(config: dict[str, Any] | None = None, *, config_file: str | None = None) -> Flask:
    """Build the app. ``config`` overrides everything (tests pass ``DATABASE_URL`` here).

    ``AUTO_UPGRADE`` (default true) upgrades an empty or older database on start-up.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.json = FastJSON(app)
    app.config.update(load_config(config, config_file))
    logs.configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.config.setdefault("AUTO_UPGRADE", True)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    # CAT clients percent-encode "/" inside the text; keep "//" as sent.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False

    if not app.config["INDEX_DIR"]:  # the saved index lives beside the database unless configured
        app.config["INDEX_DIR"] = str(default_index_dir(database_url(app), app.instance_path))
    # the core with the glossary wired in as hooks (enforcement on writes, annotation on lookups)
    app.extensions["tmserver"] = build_tm(
        database_url(app), dict(app.config), auto_upgrade=app.config["AUTO_UPGRADE"],
        busy_timeout=app.config["SQLITE_BUSY_TIMEOUT"], synchronous=app.config["SQLITE_SYNCHRONOUS"])

    _register_request_log(app)  # first, so a request refused by the limits has its id too
    install_limits(app)  # ids, control characters, JSON depth: checked before every view
    register_blueprints(app)
    install_response_check(app)  # VALIDATE_RESPONSES: every answer against the OpenAPI document

    app.register_blueprint(web_bp)  # the workbench pages (HTML), not part of the JSON API
    _register_errors(app)
    return app


class FastJSON(DefaultJSONProvider):
    """Flask's JSON provider with orjson writing the responses (a lookup answer serialises several
    times faster than with the standard library, measured by ``bench/profile_http.py``).

    The output is the same JSON: UTF-8 characters as they are (``ensure_ascii`` off), keys in
    insertion order. Dates and dataclasses still go through Flask's own conversion (``default``),
    and whatever orjson refuses (integers beyond 64 bits, pretty-printing in debug mode) is written
    by the standard library as before."""

    _OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.get("indent") is None and not kwargs.get("sort_keys", self.sort_keys) and not self.ensure_ascii:
            try:
                return orjson.dumps(obj, default=self.default, option=self._OPTIONS).decode()
            except (TypeError, orjson.JSONEncodeError):
                pass  # the standard library decides (and names the problem) below
        return super().dumps(obj, **kwargs)


#: A client's own X-Request-ID is reused when it is short and plain; otherwise we make one.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def _register_request_log(app: Flask) -> None:
    """Give every request an id (echoed as ``X-Request-ID`` and in error bodies) and log one
    access line per request. The line names the route pattern, not the path, so the text a
    translator looked up stays out of the log unless ``LOG_QUERY_TEXT`` is on."""

    @app.before_request
    def _start() -> None:
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        logs.request_id.set(g.request_id)
        logs.actor.set(None)

    @app.after_request
    def _finish(response: Response) -> Response:
        rid = g.get("request_id")
        if rid:
            response.headers["X-Request-ID"] = rid
        started = g.get("request_started")
        took = round((time.perf_counter() - started) * 1000, 2) if started else None
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        shown = request.full_path.rstrip("?") if app.config.get("LOG_QUERY_TEXT") else rule
        logs.access_log.info("%s %s %s", request.method, shown, response.status_code,
                             extra={"status": response.status_code, "ms": took})
        return response


def _error(status: int, code: str, message: str, details: Any = None, headers: Any = None):
    body = {"code": code, "message": message, "details": details, "request_id": g.get("request_id")}
    return jsonify({"error": body}), status, headers or {}


def _register_errors(app: Flask) -> None:
    @app.errorhandler(TMError)
    def _tm_error(exc: TMError):
        retry = getattr(exc, "retry_after", None)  # Busy (503): tell the client when to retry
        return _error(exc.status, exc.code, exc.message, exc.details, {"Retry-After": str(retry)} if retry else None)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        message = exc.description or exc.name
        if exc.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"the request body is larger than the server's limit of {limit} bytes"
        if exc.code == 404:
            message = f"no route for {request.method} {request.path}"
        if exc.code == 405:
            message = f"method {request.method} is not allowed on {request.path}"
        # keep the exception's own headers (Allow on a 405, WWW-Authenticate…) but not its Content-Type
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        return _error(exc.code or 500, code, message, None, headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(500, "internal_error", "an unexpected error occurred; it has been logged")
