"""Input limits every route shares, checked before any view runs: bad input is a 4xx JSON error.

* **Ids in paths** (``<int:…>``) are 1 … 2³¹−1, the range of PostgreSQL's ``INTEGER`` columns
  (SQLite's driver overflows past 2⁶³): a larger id cannot exist, so it is a 404, not a 500.
* **Text** — every query-string parameter (names and values), path parameter, form field and
  every string in a JSON body (keys and values) — must not hold NUL, other C0 control characters
  except tab/newline/carriage return, lone surrogates or U+FFFE/U+FFFF. PostgreSQL refuses NUL
  (a 500 before this check), SQLite stored it silently, XML (TMX export) cannot carry any of them.
* **JSON nesting** is at most :data:`MAX_JSON_DEPTH` levels (nothing we accept needs more than
  a handful; a deeply nested body used to exhaust Python's recursion limit: a 500).
* **405** answers carry ``Allow`` (the error handler keeps the exception's headers).

The error names what is wrong: ``{"error": {"code": "invalid_input", "details": {
"field": …, "position": …}}}``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from tmserver.errors import NotFound, ValidationError
from tmserver.services.segments import FORBIDDEN_CHARS

MAX_ID = 2**31 - 1
MAX_JSON_DEPTH = 32


def _check(text: str | None, where: dict[str, Any], label: str) -> None:
    if not isinstance(text, str):  # werkzeug gives a nameless multipart field the name None
        return
    bad = FORBIDDEN_CHARS.search(text)
    if bad:
        raise ValidationError(
            f"{label} contains U+{ord(bad.group()):04X} at position {bad.start()}, a control or surrogate "
            "character that is not accepted in any text",
            {**where, "position": bad.start()},
        )


def _check_json(data: Any) -> None:
    """Walk the parsed body without recursion: depth limit and forbidden characters."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]  # path as the details name it: source, segments[3].q
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            _check(value, {"field": path or "(body)"}, f"field {path!r}")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise ValidationError(f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep",
                                  {"field": path or "(body)", "maximum_depth": MAX_JSON_DEPTH})
        if isinstance(value, dict):
            for key, item in value.items():
                _check(key, {"field": path or "(body)"}, f"a key of the JSON object {path or '(body)'!r}")
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
        else:
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))


def check_request() -> None:
    for name, value in request.args.items(multi=True):
        _check(name, {"field": name}, f"query parameter name {name!r}")
        _check(value, {"field": name}, f"query parameter {name!r}")
    for name, value in (request.view_args or {}).items():
        # checked here, not by the converter's max: werkzeug answers a converter's range refusal
        # on PUT with a 405 (it remembers the other methods' rules), where a 404 is the truth
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise NotFound(f"no {name} {value} can exist (ids are 1 to {MAX_ID})", {"field": name})
        if isinstance(value, str):
            _check(value, {"field": name}, f"path parameter {name!r}")
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name, value in request.form.items(multi=True):
            _check(name, {"field": name}, f"form field name {name!r}")
            _check(value, {"field": name}, f"form field {name!r}")
    if request.is_json and request.content_length != 0:
        try:
            data = request.get_json(silent=True)  # parsed once; the view gets the cached value
        except RecursionError:
            raise ValidationError(f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep",
                                  {"maximum_depth": MAX_JSON_DEPTH}) from None
        if data is not None:
            _check_json(data)


def install(app: Flask) -> None:
    """Run :func:`check_request` before every view."""
    app.before_request(check_request)
