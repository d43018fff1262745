"""SQLAlchemy 2.0 typed mappings for the TM.

Tables are kept portable between SQLite and PostgreSQL: JSON columns use SQLAlchemy's generic
:class:`~sqlalchemy.JSON`, timestamps are timezone-aware UTC. Schema changes go through the
Alembic migrations in ``tmserver/migrations`` — never ``create_all`` in production code.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tmserver.normalize import normalize_text


def utcnow() -> datetime:
    return datetime.now(UTC)


def text_hash(norm: str) -> str:
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()


def context_hash(text: str | None) -> str | None:
    """Hash of a neighbouring segment's *normalised* source, for 101 % context matches."""
    if not text:
        return None

    return hashlib.sha1(normalize_text(text).encode("utf-8")).hexdigest()[:16]


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database.

    PostgreSQL keeps the offset (``timestamptz``); SQLite has no timestamp type and SQLAlchemy
    hands its values back naive, so a segment created as ``…+00:00`` would read back without an
    offset. Values are stored as UTC and always come back with ``tzinfo=UTC``. The column type
    is unchanged (``DateTime(timezone=True)``), so no migration is needed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        if value is not None and dialect.name == "sqlite":
            value = value.replace(tzinfo=None)  # stored as naive UTC text, as before
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime()}
    # every model maps one Table (SQLAlchemy types it as any FromClause), so Model.__table__.update() is typed
    __table__: ClassVar[Table]


class Segment(Base):
    """One translation unit: a source sentence and its translation."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_lang: Mapped[str] = mapped_column(String(8))  # base: zh | en
    target_lang: Mapped[str] = mapped_column(String(8))
    source_tag: Mapped[str] = mapped_column(String(35))  # variant as sent: zh-Hans, en-US …
    target_tag: Mapped[str] = mapped_column(String(35))
    source_text: Mapped[str] = mapped_column(Text)
    target_text: Mapped[str] = mapped_column(Text)
    source_norm: Mapped[str] = mapped_column(Text)  # matching form, see tmserver.normalize
    # sha1 of source_norm: exact-match lookups without a btree over long text (PostgreSQL
    # refuses btree entries over ~2.7 kB, and TM segments can be longer).
    source_hash: Mapped[str] = mapped_column(String(40))
    target_norm: Mapped[str] = mapped_column(Text)
    context_prev: Mapped[str | None] = mapped_column(String(16))
    context_next: Mapped[str | None] = mapped_column(String(16))
    origin: Mapped[str | None] = mapped_column(String(255))
    creator: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: Format details kept for lossless round trips (TMX tu/tuv attributes, props, notes,
    #: inline markup) and per-segment flags (glossary warnings, alignment confidence…).
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    history: Mapped[list[SegmentHistory]] = relationship(
        back_populates="segment", order_by="SegmentHistory.version", passive_deletes=True
    )

    __table_args__ = (
        Index("ix_segments_pair_hash", "source_lang", "target_lang", "source_hash"),
        Index("ix_segments_origin", "origin"),
    )

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to restore or show this version."""
        return {
            "source_lang": self.source_tag,
            "target_lang": self.target_tag,
            "source": self.source_text,
            "target": self.target_text,
            "origin": self.origin,
            "creator": self.creator,
            "context_prev": self.context_prev,
            "context_next": self.context_next,
            "version": self.version,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "extra": self.extra or {},
        }


class SegmentHistory(Base):
    """A previous version of a segment, kept on every update and delete."""

    __tablename__ = "segment_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No FK cascade: history must outlive a deleted segment.
    segment_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("segments.id", ondelete="SET NULL"), nullable=True, index=True
    )
    original_segment_id: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # update | delete
    changed_by: Mapped[str | None] = mapped_column(String(255))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    segment: Mapped[Segment | None] = relationship(back_populates="history")


class SegmentChange(Base):
    """Append-only change log: other server processes replay it to keep their index fresh.

    ``op`` is ``upsert``, ``delete`` or ``reset`` (``TM.clear()``: rebuild everything). On
    PostgreSQL the table also has an ``xid`` column (migration ``0005``, default
    ``pg_current_xact_id()``), deliberately not mapped here: the database fills it, and only
    :mod:`tmserver.index.sync` reads it, to learn when the writing transaction committed.
    """

    __tablename__ = "segment_changes"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    segment_id: Mapped[int] = mapped_column(Integer, index=True)
    op: Mapped[str] = mapped_column(String(8))  # upsert | delete
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChangeConsumer(Base):
    """A process (an index) following ``segment_changes``: how far it has applied the log.

    ``horizon`` is the first log position the consumer still needs (SQLite: a ``seq``; PostgreSQL:
    a transaction id, the ``xmin`` of its last snapshot); ``position`` is the follower's own
    opaque position (:mod:`tmserver.index.sync`). Rows below the smallest horizon of the consumers
    whose ``heartbeat_at`` is recent are pruned; a consumer that went quiet longer finds its
    position pruned and rebuilds its index from the segments."""

    __tablename__ = "change_consumers"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    horizon: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[str] = mapped_column(Text)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChangeLogState(Base):
    """One row (``id`` 1): how far ``segment_changes`` has been pruned.

    Every log row below ``pruned_below`` (SQLite: ``seq``; PostgreSQL: ``xid``) is gone. It is
    written in the same transaction as the prune, so a follower that reads it in the snapshot of
    its poll knows whether rows it still needed were removed (then it rebuilds)."""

    __tablename__ = "change_log_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pruned_below: Mapped[int] = mapped_column(BigInteger, default=0)


class ApiKey(Base):
    """An API key. Only a SHA-256 of the secret is stored; the secret is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # reader | translator | admin
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Setting(Base):
    """Server-wide settings stored in the database (e.g. the glossary policy)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
