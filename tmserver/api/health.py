"""Liveness, readiness and a little about the TM, for load balancers and CAT-tool settings pages.

``/api/v1/health`` always answers 200 while the process runs (``ready`` says whether lookups
can be answered now); ``/api/v1/ready`` answers 503 until this worker's lookup indexes are
loaded, for a load balancer to hold traffic back. Neither is a CAT-tool route: Weblate pauses a
machine-translation service for 30 minutes on a 503, so the compat routes never use it for this.
"""

from __future__ import annotations

from flask import Blueprint

from tmserver import __version__
from tmserver.api.common import doc, get_tm
from tmserver.api.schemas import Health, Readiness

bp = Blueprint("health", __name__)

@bp.get("/api/v1/health")
@doc("Service health and TM size", tags=["service"], responses={200: Health})
def health():
    tm = get_tm()
    segments, estimated = tm.size()
    return {
        "status": "ok",
        "ready": tm.index.readiness()["ready"],
        "version": __version__,
        "database": tm.engine.dialect.name,
        "segments": segments,
        "segments_estimated": estimated,
        "glossary_policy": tm.glossary_policy(),
    }


@bp.get("/api/v1/ready")
@doc("Readiness: can this worker answer lookups now (its lookup indexes are loaded)?", tags=["service"],
     responses={200: Readiness, 503: Readiness})
def ready():
    state = get_tm().index.readiness()
    return state, 200 if state["ready"] else 503
