"""Database tables of the term base: a concept owns its terms, one row per term and language.

A *concept* is the thing a term names (网络空间命运共同体 and "community with a shared future in
cyberspace" are two terms of one concept). Its ``key`` is the TBX ``conceptEntry/@id`` and is
what every face shows as ``concept_id``: it survives TBX → DB → TBX round trips, unlike the
integer primary key.

A term carries the TBX-Basic data categories translators rely on: ``administrativeStatus``
(preferred / admitted / deprecated / superseded), part of speech, term type (an acronym such as
GGE is matched case-sensitively), a note and the source of the rendering. ``norm`` is the
matching form (:func:`tmserver.normalize.normalize_text`) so a search for 網路空間 finds 网络空间.

Every change bumps the ``glossary_version`` setting (see :mod:`tmserver.glossary.store`), which
is how other server processes learn that their compiled recognisers are stale.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tmserver.store.models import Base, utcnow


class GlossaryConcept(Base):
    __tablename__ = "glossary_concepts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # TBX conceptEntry/@id
    subject: Mapped[str | None] = mapped_column(String(255), nullable=True)
    definition: Mapped[str | None] = mapped_column(Text, nullable=True)
    definition_lang: Mapped[str | None] = mapped_column(String(35), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: TBX-Basic metadata without a column (dates, cross-references, notes…): termbase.META_KEYS
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    terms: Mapped[list[GlossaryTerm]] = relationship(
        back_populates="concept",
        order_by="GlossaryTerm.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class GlossaryTerm(Base):
    __tablename__ = "glossary_terms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    concept_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("glossary_concepts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)  # order inside the concept
    lang: Mapped[str] = mapped_column(String(8))  # base code: zh | en
    lang_tag: Mapped[str] = mapped_column(String(35))  # as written in the file: zh-Hans, en-GB
    text: Mapped[str] = mapped_column(String(500))
    norm: Mapped[str] = mapped_column(String(500))  # matching form, for search
    status: Mapped[str] = mapped_column(String(16), default="preferred")
    case_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    pos: Mapped[str | None] = mapped_column(String(32), nullable=True)
    term_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    concept: Mapped[GlossaryConcept] = relationship(back_populates="terms")

    __table_args__ = (Index("ix_glossary_terms_lang_norm", "lang", "norm"),)
