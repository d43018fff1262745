"""Persistence: typed SQLAlchemy models, engines/sessions, Alembic upgrades."""

from tmserver.store.db import make_engine, make_sessionmaker, transaction, upgrade
from tmserver.store.models import (
    ApiKey,
    Base,
    ChangeConsumer,
    ChangeLogState,
    Segment,
    SegmentChange,
    SegmentHistory,
    Setting,
)

__all__ = [
    "ApiKey",
    "Base",
    "ChangeConsumer",
    "ChangeLogState",
    "Segment",
    "SegmentChange",
    "SegmentHistory",
    "Setting",
    "make_engine",
    "make_sessionmaker",
    "transaction",
    "upgrade",
]
