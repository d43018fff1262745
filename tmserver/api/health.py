"""Liveness and a little about the TM, for load balancers and CAT-tool settings pages."""

from __future__ import annotations

from flask import Blueprint

from tmserver import __version__
from tmserver.api.common import doc, get_tm
from tmserver.api.schemas import Health

bp = Blueprint("health", __name__)


@bp.get("/api/v1/health")
@doc("Service health and TM size", tags=["service"], responses={200: Health})
def health():
    tm = get_tm()
    return {
        "status": "ok",
        "version": __version__,
        "database": tm.engine.dialect.name,
        "segments": tm.count(),
        "glossary_policy": tm.glossary_policy(),
    }
