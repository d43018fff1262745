"""Sign in with an API key (kept in the signed session cookie, never in a URL) and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for

from tmserver.services import keys as keys_svc
from tmserver.web.base import SESSION_KEY, bp, get_tm, viewer


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a crafted ``next`` must not send the user elsewhere after sign-in."""
    if not target:
        return url_for("web.lookup")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.lookup")
    return target


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    """GET: the form. POST: check the key; on success keep it in the session."""
    error = None
    status = 200
    nxt = request.values.get("next")
    if request.method == "POST":
        secret = (request.form.get("api_key") or "").strip()
        found = keys_svc.verify(get_tm(), secret) if secret else None
        if found is not None:
            session.clear()  # a fresh session (and CSRF token) for the new identity
            session[SESSION_KEY] = secret
            session.permanent = False
            return redirect(_safe_next(nxt))
        error = "That key is unknown or revoked." if secret else "Paste an API key."
        status = 401
    return render_template("web/signin.html", error=error, next=nxt or "", viewer_now=viewer()), status


@bp.post("/signout")
def signout():
    session.clear()
    return redirect(url_for("web.lookup"))
