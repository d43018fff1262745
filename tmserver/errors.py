"""Domain errors. Every face (JSON API, CLI) turns them into its own shape.

The API answers ``{"error": {"code", "message", "details"}}`` with :attr:`TMError.status`;
the CLI prints the message and exits non-zero. Nothing here imports Flask.
"""

from __future__ import annotations

from typing import Any


class TMError(Exception):
    """Base class: a client-visible error with an HTTP status and a machine-readable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: Any = None, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        if code:
            self.code = code
        if status:
            self.status = status

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class ValidationError(TMError):
    status = 400
    code = "invalid_input"


class UnknownLanguageError(TMError):
    status = 400
    code = "unknown_language"


class NotFound(TMError):
    status = 404
    code = "not_found"


class Unauthorized(TMError):
    status = 401
    code = "unauthorized"


class Forbidden(TMError):
    status = 403
    code = "forbidden"


class ImportFailed(TMError):
    """A file could not be imported; nothing was written. ``details`` names the line or <tu>."""

    status = 400
    code = "import_failed"


class UnsafeXML(ImportFailed):
    """Entity declarations, DTDs or external references: refused before anything is read."""

    code = "unsafe_xml"


class GlossaryViolation(TMError):
    """A TM write breaks the enforced glossary (strict policy)."""

    status = 422
    code = "glossary_violation"


class Conflict(TMError):
    status = 409
    code = "conflict"


class Busy(TMError):
    """The database could not take a write within its busy timeout (SQLite during a long import).
    Nothing was written; the API answers 503 with ``Retry-After``."""

    status = 503
    code = "busy"
    retry_after = 2  #: seconds, sent as ``Retry-After``


class IndexWarming(TMError):
    """The lookup index of a language is still being opened or built (a cold start with no saved
    index): the request waited ``INDEX_WAIT`` seconds. Answered 503 with ``Retry-After``;
    ``GET /api/v1/ready`` says when the worker can answer."""

    status = 503
    code = "index_warming"
    retry_after = 5

    def __init__(self, lang: str, error: str | None = None) -> None:
        super().__init__(f"the {lang} lookup index is being built; retry shortly",
                         {"lang": lang, **({"last_error": error} if error else {})})
