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
        check = _PairCheck(self, source, target, target_lang, self.recognizer(target_lang).find_all(target))
        for hit in src_hits:
            if not check.forbidden(hit):
                check.missing(hit)
        check.violations.sort(key=lambda v: (v.source_span, v.kind))
        return check.violations


class _PairCheck:
    """One :meth:`Glossary.check_pair` call: where each concept occurs in the target, and what is
    reported so far (a forbidden rendering inside a longer one, or a concept missing twice, is
    reported once)."""

    def __init__(self, g: Glossary, source: str, target: str, target_lang: str, tgt_hits: Sequence[Hit]) -> None:
        self.g, self.source, self.target, self.lang = g, source, target, target_lang
        # where each (concept, term) occurs in the target
        self.seen: dict[int, list[tuple[Hit, int, str]]] = {}
        self.accepted_spans: list[tuple[int, int]] = []
        for h in tgt_hits:
            for r in h.refs:
                self.seen.setdefault(r.concept, []).append((h, r.term, r.form))
                if g.term(r.concept, r.term).accepted:
                    self.accepted_spans.append((h.start, h.end))
        self.violations: list[Violation] = []
        self.reported_missing: set[int] = set()
        self.forbidden_spans: list[tuple[int, int]] = []

    def forbidden(self, hit: Hit) -> bool:
        """Report the forbidden renderings of ``hit``'s concepts; True when the hit is explained by one."""
        # where each concept stands in the source: a nested concept (网络空间命运共同体 inside
        # 构建网络空间命运共同体) is reported with its own text and span, not its container's
        where: dict[int, tuple[int, int]] = {}
        for n in [hit, *hit.nested]:
            for c in n.concepts:
                where.setdefault(c, (n.start, n.end))
        explained = False
        for ci, span in where.items():
            for th, ti, form in sorted(self.seen.get(ci, []), key=lambda x: -(x[0].end - x[0].start)):
                explained = self._forbidden_rendering(ci, span, th, ti, form) or explained
        return explained

    def _forbidden_rendering(self, ci: int, span: tuple[int, int], th: Hit, ti: int, form: str) -> bool:
        """Report target term ``ti`` at ``th`` if it is forbidden; True when it explains the source term."""
        t = self.g.term(ci, ti)
        if not t.forbidden:
            return False
        if any(s <= th.start and th.end <= e and (e - s) > (th.end - th.start) for s, e in self.accepted_spans):
            return False  # part of a longer accepted rendering
        if any(s <= th.start and th.end <= e for s, e in self.forbidden_spans):
            return True  # already reported through a longer forbidden rendering
        self.forbidden_spans.append((th.start, th.end))
        preferred = self.g.concepts[ci].preferred(self.lang)
        ws, we = span
        self.violations.append(Violation(
            kind="forbidden",
            concept_id=self.g.concepts[ci].id,
            term=self.source[ws:we],
            source_span=(ws, we),
            expected=tuple(e.text for e in self.g.accepted(ci, self.lang)),
            found=self.target[th.start : th.end],
            target_span=(th.start, th.end),
            status=t.status,
            replacement=preferred[0].text if len(preferred) == 1 else None,
            plural=form == "plural",
        ))
        return True

    def missing(self, hit: Hit) -> None:
        """Report ``hit`` when no accepted rendering of its concepts is in the target."""
        g = self.g
        required = [ci for ci in hit.concepts if g.concepts[ci].preferred(self.lang)]
        if not required or any(ci in self.reported_missing for ci in required):
            return
        if any(g.term(ci, ti).accepted for ci in required for _, ti, _ in self.seen.get(ci, [])):
            return
        self.reported_missing.update(required)
        expected = list(dict.fromkeys(t.text for ci in required for t in g.accepted(ci, self.lang)))
        self.violations.append(Violation(
            kind="missing",
            concept_id=g.concepts[required[0]].id,
            term=self.source[hit.start : hit.end],
            source_span=(hit.start, hit.end),
            expected=tuple(expected),
        ))


_STATUS_ORDER = {"preferred": 0, "admitted": 1, "deprecated": 2, "superseded": 3}


def _read(source: str | Path | IO[bytes], reader) -> list[Concept]:
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            return reader(fh)
    return reader(source)
