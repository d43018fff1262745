"""The database schema: Alembic upgrades for ``tmserver db upgrade`` (``serve`` upgrades through
the app factory, :func:`tmserver.services.core.build_tm`)."""

from __future__ import annotations

from tmserver.store.db import current_revision
from tmserver.store.db import upgrade as _upgrade
from tmserver.tm import TM

__all__ = ["revision", "upgrade"]


def upgrade(tm: TM, target: str = "heads") -> str | None:
    """Apply the migrations up to ``target``; return the revision(s) the database is at."""
    _upgrade(tm.engine, target)
    return current_revision(tm.engine)


def revision(tm: TM) -> str | None:
    return current_revision(tm.engine)
