"""Logging: one configuration for the server, request ids, access lines and audit events.

* :func:`configure` installs one handler on the ``tmserver`` logger (stderr), as plain text or as
  JSON lines (``LOG_FORMAT=json``), once per process.
* Every record carries the current **request id** and **actor** from context variables, which the
  faces set (the API per request, the CLI per command) and the core never needs to know about.
* :func:`audit` writes a structured event (``key.create``, ``policy.set``, ``import``,
  ``segment.delete`` …) on the ``tmserver.audit`` logger: who did what, without any segment text.
* Access lines (``tmserver.access``) name the route's *pattern* (``/tmserver/<slang>/<tlang>/unit/
  <path:query>``), never the text a translator looked up, unless ``LOG_QUERY_TEXT`` is on.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str | None] = ContextVar("tmserver_request_id", default=None)
actor: ContextVar[str | None] = ContextVar("tmserver_actor", default=None)

log = logging.getLogger("tmserver")
audit_log = logging.getLogger("tmserver.audit")
access_log = logging.getLogger("tmserver.access")

_HANDLER_NAME = "tmserver"
#: Attributes every LogRecord has; anything else was passed through ``extra=`` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class _ContextFilter(logging.Filter):
    """Stamp each record with the request id and actor of the code that logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.actor = actor.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, actor and extras."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        doc.update({k: v for k, v in vars(record).items() if k not in _STANDARD and v is not None})
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message key=value …`` for people reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        extras = {k: v for k, v in vars(record).items()
                  if k not in _STANDARD and k not in {"request_id", "actor"} and v is not None}
        head = f"{self.formatTime(record)} {record.levelname} {record.name}"
        request_id = getattr(record, "request_id", None)  # set by the request-id filter, absent outside requests
        rid = f" [{request_id}]" if request_id else ""
        tail = "".join(f" {k}={v}" for k, v in extras.items())
        text = f"{head}{rid} {record.getMessage()}{tail}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def configure(fmt: str = "text", level: str = "INFO") -> None:
    """Install (or replace) the one handler of the ``tmserver`` logger tree."""
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(_ContextFilter())
    for old in [h for h in log.handlers if h.get_name() == _HANDLER_NAME]:
        log.removeHandler(old)
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False


def audit(event: str, **fields: Any) -> None:
    """Record an administrative event. ``fields`` must never hold segment or term text."""
    audit_log.info(event, extra={"event": event, **fields})
