"""JSON bodies for the errors gunicorn answers itself, before the app sees the request.

A request line longer than ``--limit-request-line`` (414), too many or too large headers (431),
a malformed request line (400): gunicorn answers these from its own parser with a small HTML
page, so a client that expects ``{"error": {"code", "message", "details"}}`` from every answer of
this server would get text it cannot parse. gunicorn has no setting for that page; its workers
call :func:`gunicorn.util.write_error`, which :func:`install` replaces (in the server process
only) with a writer of the same status in our JSON shape.
"""

from __future__ import annotations

import json
import re

from gunicorn import util

_HINTS = {
    414: "the request line (method and URL) is longer than the server accepts; send long texts in a POST body",
    431: "the request headers are larger or more numerous than the server accepts",
}


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """Same contract as gunicorn's ``util.write_error``: one complete HTTP/1.1 response."""
    code = re.sub(r"[^a-z0-9]+", "_", reason.lower()).strip("_") or "error"
    message = _HINTS.get(status_int, mesg or reason)
    body = json.dumps({"error": {"code": code, "message": message, "details": {"detail": mesg} if mesg else None}},
                      ensure_ascii=False).encode("utf-8")
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    util.write_nonblock(sock, head + body)


def install() -> None:
    util.write_error = write_json_error
