"""A compiled term base: recognise terms in a segment and check a translation against it.

:class:`Glossary` needs no database: ``Glossary.from_tbx("glossary/article.tbx")`` gives QA
scripts the very semantics the server enforces on every write (the server builds the same
object from its tables, see :mod:`tmserver.glossary.enforce`).

Enforcement rules (the contract other modules and users rely on):

1. every source term found (longest-leftmost) whose concept has a *preferred* rendering in the
   target language requires one of that concept's preferred or admitted renderings somewhere in
   the target — otherwise a ``missing`` violation;
2. a deprecated or superseded rendering of a concept found in the source (or nested inside a
   found term) is a ``forbidden`` violation even when a preferred rendering is also present —
   unless the forbidden words are merely part of an accepted rendering found at that place;
3. a ``missing`` violation is not reported for a term when a ``forbidden`` one already explains
   it (the translator sees one problem: "you wrote X, use Y").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from tmserver.glossary.csvio import read_csv
from tmserver.glossary.recognize import Hit, Recognizer, recognizer_for
from tmserver.glossary.tbx import read_tbx
from tmserver.glossary.termbase import ACCEPTED, Concept, Term

__all__ = ["Glossary", "Violation", "FoundTerm"]


@dataclass(frozen=True, slots=True)
class Violation:
    kind: str  #: missing | forbidden
    concept_id: str
    term: str  #: the source term as written
    source_span: tuple[int, int]
    expected: tuple[str, ...]  #: accepted renderings, preferred first
    found: str | None = None  #: the forbidden rendering as written in the target
    target_span: tuple[int, int] | None = None
    status: str | None = None  #: status of the forbidden rendering (deprecated | superseded)
    replacement: str | None = None  #: the one preferred rendering that may replace ``found``
    plural: bool = False  #: ``found`` was the plural form of the forbidden rendering

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "concept_id": self.concept_id,
            "term": self.term,
            "source_span": list(self.source_span),
            "expected": list(self.expected),
            "found": self.found,
            "target_span": list(self.target_span) if self.target_span else None,
        }
        if self.status:
            out["status"] = self.status
        return out

    def message(self) -> str:
        if self.kind == "missing":
            return f"{self.term!r} must be rendered as " + " or ".join(repr(e) for e in self.expected)
        return f"{self.found!r} is {self.status or 'forbidden'} for {self.term!r}; use " + " or ".join(
            repr(e) for e in self.expected
        )


@dataclass(frozen=True, slots=True)
class FoundTerm:
    """A glossary term recognised in a text: the hit and the words it covers."""

    hit: Hit
    text: str


class Glossary:
    """Concepts plus lazily compiled recognisers, one per language."""

    def __init__(self, concepts: Sequence[Concept], version: str | None = None):
        self.concepts = list(concepts)
        self.version = version
        self._recognizers: dict[str, Recognizer] = {}

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_tbx(cls, source: str | Path | IO[bytes]) -> Glossary:
        return cls(_read(source, read_tbx))

    @classmethod
    def from_csv(cls, source: str | Path | IO[bytes]) -> Glossary:
        return cls(_read(source, read_csv))

    @cached_property
    def by_id(self) -> dict[str, Concept]:
        return {c.id: c for c in self.concepts}

    def recognizer(self, lang: str) -> Recognizer:
        rec = self._recognizers.get(lang)
        if rec is None:
            rec = self._recognizers[lang] = recognizer_for(lang, self.concepts)
        return rec

    def compile(self) -> Glossary:
        """Build both recognisers now (a server does this once, not on the first request)."""
        for lang in ("zh", "en"):
            self.recognizer(lang)
        return self

    # -- recognition --------------------------------------------------------------------------

    def find_terms(self, text: str, lang: str) -> list[FoundTerm]:
        return [FoundTerm(h, text[h.start : h.end]) for h in self.recognizer(lang).find(text)]

    def describe_terms(self, text: str, lang: str, target_lang: str | None) -> list[dict[str, Any]]:
        """:meth:`describe` for every term found in ``text``: the lookup ``terms``, the /terms route, the CLI."""
        return [self.describe(f.hit, f.text, target_lang) for f in self.find_terms(text, lang)]

    def term(self, concept: int, term: int) -> Term:
        return self.concepts[concept].terms[term]

    def describe(self, hit: Hit, text: str, target_lang: str | None) -> dict[str, Any]:
        """JSON for a recognised term: where it is, what it matched, how to render it."""
        ref = hit.refs[0]
        concept = self.concepts[ref.concept]
        matched = self.term(ref.concept, ref.term)
        out: dict[str, Any] = {
            "concept_id": concept.id,
            "text": text,
            "span": [hit.start, hit.end],
            "matched": matched.text,
            "status": matched.status,
            "definition": concept.definition,
            "note": concept.note,
        }
        if target_lang:
            renderings: list[dict[str, Any]] = []
            for ci in hit.concepts:
                for t in self.concepts[ci].terms_in(target_lang):
                    renderings.append(
                        {"text": t.text, "status": t.status, "case_sensitive": t.case_sensitive,
                         "note": t.note, "source": t.source, "concept_id": self.concepts[ci].id}
                    )
            renderings.sort(key=lambda r: _STATUS_ORDER[r["status"]])
            out["renderings"] = renderings
        if len(hit.concepts) > 1:
            out["also"] = [self.concepts[ci].id for ci in hit.concepts[1:]]
        if hit.nested:
            out["nested"] = [
                {"concept_id": self.concepts[n.refs[0].concept].id, "text": text[n.start - hit.start : n.end - hit.start],
                 "span": [n.start, n.end]}
                for n in hit.nested
            ]
        return out

    # -- enforcement --------------------------------------------------------------------------

    def accepted(self, concept: int, lang: str) -> list[Term]:
        terms = self.concepts[concept].terms_in(lang, ACCEPTED)
        return sorted(terms, key=lambda t: _STATUS_ORDER[t.status])

    def check_pair(self, source: str, target: str, source_lang: str, target_lang: str) -> list[Violation]:
        """Violations of the glossary by ``target`` as a translation of ``source`` (base codes)."""
        if source_lang == target_lang or not self.concepts:
            return []
        src_hits = self.recognizer(source_lang).find(source)
        if not src_hits:
            return []
        tgt_hits = self.recognizer(target_lang).find_all(target)
        # where each (concept, term) occurs in the target
        seen: dict[int, list[tuple[Hit, int, str]]] = {}
        accepted_spans: list[tuple[int, int]] = []
        for h in tgt_hits:
            for r in h.refs:
                seen.setdefault(r.concept, []).append((h, r.term, r.form))
                if self.term(r.concept, r.term).accepted:
                    accepted_spans.append((h.start, h.end))

        violations: list[Violation] = []
        reported_missing: set[int] = set()
        forbidden_spans: list[tuple[int, int]] = []
        for hit in src_hits:
            term_text = source[hit.start : hit.end]
            explained = False
            # where each concept stands in the source: a nested concept (网络空间命运共同体 inside
            # 构建网络空间命运共同体) is reported with its own text and span, not its container's
            where: dict[int, tuple[int, int]] = {}
            for n in [hit, *hit.nested]:
                for c in n.concepts:
                    where.setdefault(c, (n.start, n.end))
            for ci in where:
                expected = self.accepted(ci, target_lang)
                for th, ti, form in sorted(seen.get(ci, []), key=lambda x: -(x[0].end - x[0].start)):
                    t = self.term(ci, ti)
                    if not t.forbidden:
                        continue
                    if any(s <= th.start and th.end <= e and (e - s) > (th.end - th.start) for s, e in accepted_spans):
                        continue  # part of a longer accepted rendering
                    if any(s <= th.start and th.end <= e for s, e in forbidden_spans):
                        explained = True
                        continue  # already reported through a longer forbidden rendering
                    forbidden_spans.append((th.start, th.end))
                    preferred = self.concepts[ci].preferred(target_lang)
                    ws, we = where[ci]
                    violations.append(
                        Violation(
                            kind="forbidden",
                            concept_id=self.concepts[ci].id,
                            term=source[ws:we],
                            source_span=(ws, we),
                            expected=tuple(e.text for e in expected),
                            found=target[th.start : th.end],
                            target_span=(th.start, th.end),
                            status=t.status,
                            replacement=preferred[0].text if len(preferred) == 1 else None,
                            plural=form == "plural",
                        )
                    )
                    explained = True
            if explained:
                continue
            required = [ci for ci in hit.concepts if self.concepts[ci].preferred(target_lang)]
            if not required or any(ci in reported_missing for ci in required):
                continue
            satisfied = any(
                self.term(ci, ti).accepted for ci in required for _, ti, _ in seen.get(ci, [])
            )
            if not satisfied:
                reported_missing.update(required)
                expected_texts = list(dict.fromkeys(t.text for ci in required for t in self.accepted(ci, target_lang)))
                violations.append(
                    Violation(
                        kind="missing",
                        concept_id=self.concepts[required[0]].id,
                        term=term_text,
                        source_span=(hit.start, hit.end),
                        expected=tuple(expected_texts),
                    )
                )
        violations.sort(key=lambda v: (v.source_span, v.kind))
        return violations


_STATUS_ORDER = {"preferred": 0, "admitted": 1, "deprecated": 2, "superseded": 3}


def _read(source: str | Path | IO[bytes], reader) -> list[Concept]:
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            return reader(fh)
    return reader(source)
