"""Persistence: typed SQLAlchemy models, engines/sessions, Alembic upgrades."""

from tmserver.store.db import make_engine, make_sessionmaker, transaction, upgrade
from tmserver.store.models import ApiKey, Base, Segment, SegmentChange, SegmentHistory, Setting

__all__ = [
    "ApiKey",
    "Base",
    "Segment",
    "SegmentChange",
    "SegmentHistory",
    "Setting",
    "make_engine",
    "make_sessionmaker",
    "transaction",
    "upgrade",
]
