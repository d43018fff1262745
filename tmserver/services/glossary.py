"""The term base: concepts, search, files, checks and term recognition — each call one transaction.

What ``/api/v1/glossary…``, ``/api/v1/terms``, ``tmserver glossary …`` and the workbench's
glossary pages call. Concepts go in as :class:`~tmserver.glossary.termbase.Concept` (parse a
JSON body with :func:`concept_from_dict`) and come back as ``Concept`` (``to_dict()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from tmserver import glossary as _glossary
from tmserver.errors import ValidationError
from tmserver.glossary import FORMATS, Glossary, format_from_name
from tmserver.glossary import store as _store
from tmserver.glossary.annotate import recognise_terms
from tmserver.glossary.enforce import current_glossary
from tmserver.glossary.termbase import STATUSES, Concept, concept_from_dict
from tmserver.tm import TM, lang_or_400

__all__ = ["FORMATS", "STATUSES", "Concept", "ConceptQuery", "Glossary", "GlossarySummary", "check_pair",
           "compiled", "concept_from_dict", "count_concepts", "create_concept", "delete_concept", "export_glossary",
           "format_from_name", "get_concept", "import_glossary", "lang_pair", "recognise", "replace_concept",
           "search_concepts", "summary"]


@dataclass(frozen=True)
class GlossarySummary:
    concepts: int
    version: str
    policy: str
    formats: tuple[str, ...] = FORMATS

    def to_dict(self) -> dict[str, Any]:
        return {"concepts": self.concepts, "version": self.version, "policy": self.policy,
                "formats": list(self.formats)}


@dataclass(frozen=True)
class ConceptQuery:
    """A term-base search: ``q`` matches inside any term (matching form: 網路 finds 网络)."""

    q: str | None = None
    lang: str | None = None
    status: str | None = None
    page: int = 1
    per_page: int = 50


def lang_pair(source_lang: str, target_lang: str) -> tuple[str, str]:
    """Validated base codes of a language pair (a 400 naming the bad one)."""
    return lang_or_400(source_lang, "source_lang").base, lang_or_400(target_lang, "target_lang").base


def summary(tm: TM) -> GlossarySummary:
    with tm.session() as s:
        return GlossarySummary(_store.count(s), _store.get_version(s), tm.glossary_policy(session=s))


def search_concepts(tm: TM, query: ConceptQuery) -> dict[str, Any]:
    """A page ``{"items", "page", "per_page", "total"}`` of concepts."""
    from_status = query.status or None
    if from_status and from_status not in STATUSES:
        raise ValidationError(f"status must be one of {', '.join(STATUSES)}", {"parameter": "status"})
    lang = lang_or_400(query.lang, "lang").base if query.lang else None
    with tm.session() as s:
        return _store.search(s, q=query.q or None, lang=lang, status=from_status, page=query.page,
                             per_page=query.per_page)


def get_concept(tm: TM, concept_id: str) -> Concept:
    with tm.session() as s:
        return _store.get_concept(s, concept_id)


def create_concept(tm: TM, concept: Concept) -> Concept:
    with tm.write_session() as s:
        return _store.create_concept(s, concept)


def replace_concept(tm: TM, concept_id: str, concept: Concept) -> Concept:
    with tm.write_session() as s:
        return _store.replace_concept(s, concept_id, concept)


def delete_concept(tm: TM, concept_id: str) -> None:
    with tm.write_session() as s:
        _store.delete_concept(s, concept_id)


def import_glossary(tm: TM, fh: IO[bytes], fmt: str = "tbx", *, replace: bool = False) -> dict[str, Any]:
    """A TBX/CSV/TSV file, all or nothing (one transaction); the report counts what changed."""
    return _glossary.import_glossary(tm, fh, fmt, replace=replace)


def export_glossary(tm: TM, fh: IO[bytes], fmt: str = "tbx", *, tbx_version: int = 3) -> int:
    return _glossary.export_glossary(tm, fh, fmt, tbx_version=tbx_version)


def count_concepts(tm: TM) -> int:
    return _glossary.count_concepts(tm)


def compiled(tm: TM) -> Glossary:
    """The compiled glossary as the database holds it now (QA, checks without a pair)."""
    with tm.session() as s:
        return current_glossary(s)


def check_pair(tm: TM, source: str, target: str, source_lang: str, target_lang: str) -> list[dict[str, Any]]:
    """The rules ``target`` breaks as a translation of ``source``, each with its ``message``."""
    src, tgt = lang_pair(source_lang, target_lang)
    violations = compiled(tm).check_pair(source, target, src, tgt)
    return [{**v.to_dict(), "message": v.message()} for v in violations]


def recognise(tm: TM, texts: list[str], source_lang: str, target_lang: str | None) -> list[list[dict[str, Any]]]:
    """The glossary terms of each text (what a CAT plugin asks per segment), one transaction."""
    with tm.session() as s:
        return [recognise_terms(s, t, source_lang, target_lang) for t in texts]
