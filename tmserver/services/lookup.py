"""Fuzzy lookup: one query or a batch, each call ONE read transaction.

``GET /api/v1/lookup``, ``POST /api/v1/lookup/batch``, ``tmserver lookup --json`` and the
workbench's search page call :func:`lookup` / :func:`lookup_batch` and print
:meth:`LookupResult.to_dict` — one document, whichever face asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tmserver.tm import TM

__all__ = ["LookupQuery", "LookupResult", "lookup", "lookup_batch"]


@dataclass(frozen=True)
class LookupQuery:
    """One segment to look up (``context_prev``/``context_next``: the neighbours' source texts)."""

    q: str
    source_lang: str = "zh"
    target_lang: str = "en"
    limit: int = 5
    min_score: int = 70
    context_prev: str | None = None
    context_next: str | None = None


@dataclass
class LookupResult:
    """The lookup document: matches best first; ``terms`` only when annotated by the glossary."""

    query: str
    source_lang: str
    target_lang: str
    matches: list[dict[str, Any]]
    proven: bool
    strategy: str | None
    terms: list[dict[str, Any]] | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LookupResult:
        return cls(query=data["query"], source_lang=data["source_lang"], target_lang=data["target_lang"],
                   matches=data["matches"], proven=bool(data["proven"]), strategy=data.get("strategy"),
                   terms=data.get("terms"))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"query": self.query, "source_lang": self.source_lang, "target_lang": self.target_lang,
                               "matches": self.matches, "proven": self.proven, "strategy": self.strategy}
        if self.terms is not None:
            out["terms"] = self.terms
        return out


def _one(tm: TM, query: LookupQuery, annotate: bool, session: Any) -> LookupResult:
    return LookupResult.from_dict(tm.lookup(
        query.q, query.source_lang, query.target_lang, annotate=annotate, session=session, limit=query.limit,
        min_score=query.min_score, context_prev=query.context_prev, context_next=query.context_next))


def lookup(tm: TM, query: LookupQuery, *, annotate: bool = True) -> LookupResult:
    """One lookup in one transaction (change-log poll, fetch and glossary annotation together).
    ``annotate=False``: no glossary facts (the CAT-tool protocols have no place for them)."""
    with tm.read_session() as s:
        return _one(tm, query, annotate, s)


def lookup_batch(tm: TM, queries: Sequence[LookupQuery], *, annotate: bool = True) -> list[LookupResult]:
    """Many lookups (pre-translation) in ONE transaction: every answer sees the same TM state."""
    with tm.read_session() as s:
        return [_one(tm, q, annotate, s) for q in queries]
