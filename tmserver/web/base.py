"""The workbench blueprint's plumbing: sign-in, roles, CSRF, the secret key and HTML errors.

The workbench is a face like the JSON API: its pages parse a form, call the core
(:class:`tmserver.tm.TM`, the glossary and QA functions) and render a template. What this
module adds is what a browser needs and an API client does not:

* **Sign-in with an API key kept in the session.** The key is posted once to ``/signin``,
  checked with :func:`tmserver.auth.verify_key` and stored in Flask's signed session cookie
  (HttpOnly, SameSite=Lax); it never appears in a URL. Every request re-verifies it, so a
  revoked key stops working at once.
* **Roles as the API has them.** :func:`page_role` protects a page: reads follow
  ``READS_REQUIRE_KEY`` (an anonymous reader is sent to the sign-in page when it is on); a write
  without the role answers 401/403 with a page naming the role it needs.
* **CSRF.** Every POST form carries the session's token; a POST without it is refused (400)
  before the view runs.
* **A secret key** from the config (``SECRET_KEY`` / ``TMSERVER_SECRET_KEY``) or, if none is
  given, generated once into ``instance/secret_key`` (mode 0600), so every gunicorn worker and
  every restart signs sessions with the same key.
"""

from __future__ import annotations

import functools
import hmac
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask.sansio.blueprints import BlueprintSetupState

from tmserver.errors import TMError
from tmserver.services.core import TM
from tmserver.services.keys import ANONYMOUS, Principal, role_rank, verify

bp = Blueprint("web", __name__)

SESSION_KEY = "api_key"
CSRF_KEY = "csrf_token"
ROLE_HELP = {
    "reader": "a reader key (or none, when reads are open)",
    "translator": "a translator or admin key",
    "admin": "an admin key",
}


# -- set-up -----------------------------------------------------------------------------------


def load_secret_key(instance_path: str) -> str:
    """The session signing key kept in ``instance/secret_key``, created on first use.

    Created with a link from a complete temporary file, so two workers starting together
    both end up reading the same finished key, never a half-written one.
    """
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        tmp = folder / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another worker won the race; use its key
        finally:
            tmp.unlink()
    return path.read_text().strip()


@bp.record_once
def _configure(state: BlueprintSetupState) -> None:
    app = state.app  # flask.sansio.App: config and instance_path are all this needs
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)


# -- who is signed in --------------------------------------------------------------------------


def get_tm() -> TM:
    return current_app.extensions["tmserver"]


def viewer() -> Principal:
    """The signed-in key's principal (verified on every request), or the anonymous reader."""
    if "viewer" not in g:
        found = None
        secret = session.get(SESSION_KEY)
        if secret:
            found = verify(get_tm(), secret)
            if found is None:  # revoked or deleted since sign-in
                session.pop(SESSION_KEY, None)
        g.viewer = found or ANONYMOUS
    return g.viewer


def signed_in() -> bool:
    return viewer().key_id is not None


def user_name() -> str | None:
    return viewer().name if signed_in() else None


def can(role: str) -> bool:
    """May the viewer do what ``role`` allows? (reads: also anonymous unless reads need a key)."""
    if role == "reader" and not signed_in():
        return not current_app.config.get("READS_REQUIRE_KEY")
    return signed_in() and viewer().allows(role)


class NeedsRole(TMError):
    """A page or form needs a role the viewer does not hold (401 anonymous, 403 too weak)."""

    def __init__(self, role: str):
        anonymous = not signed_in()
        super().__init__(
            f"This needs {ROLE_HELP[role]}." + (" Sign in first." if anonymous else
                                                 f" You are signed in as {viewer().name} ({viewer().role})."),
            {"role": role},
            code="unauthorized" if anonymous else "forbidden",
            status=401 if anonymous else 403,
        )


def page_role(role: str) -> Callable:
    """Decorator: reads send an anonymous viewer to sign in; writes answer 401/403 pages."""
    role_rank(role)  # a typo fails at import time

    def deco(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if not can(role):
                if request.method == "GET" and not signed_in():
                    return redirect(url_for("web.signin", next=request.full_path.rstrip("?")))
                raise NeedsRole(role)
            return view(*args, **kwargs)

        wrapper.__page_role__ = role  # type: ignore[attr-defined]
        return wrapper

    return deco


# -- CSRF -------------------------------------------------------------------------------------


def csrf_token() -> str:
    token = session.get(CSRF_KEY)
    if not token:
        token = session[CSRF_KEY] = secrets.token_urlsafe(32)
    return token


@bp.before_request
def _check_csrf() -> None:
    if request.method != "POST":
        return
    sent = request.form.get(CSRF_KEY, "")
    token = session.get(CSRF_KEY, "")
    if not token or not hmac.compare_digest(sent, token):
        raise TMError("The form's security token is missing or out of date. Reload the page and try again.",
                      {"field": CSRF_KEY}, code="csrf_failed", status=400)


@bp.context_processor
def _template_globals() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "viewer": viewer, "signed_in": signed_in, "can": can, "ROLE_HELP": ROLE_HELP}


# -- errors as pages --------------------------------------------------------------------------


@bp.errorhandler(TMError)
def _error_page(exc: TMError):
    """Errors raised by a page's own view render as a page (the API keeps its JSON errors)."""
    return render_template("web/error.html", error=exc), exc.status
