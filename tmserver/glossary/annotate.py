"""Glossary facts on lookup results: terms in the query, term problems and fixes in each match.

A translator looking up a segment sees, next to the fuzzy matches,

* ``terms`` — every glossary term recognised in the query (span in the query as sent, the
  concept, its renderings preferred first, definition and note);
* per match, ``term_problems`` — the glossary rules the match's *stored* translation breaks
  (``missing`` preferred rendering, ``forbidden`` deprecated/superseded one), the same
  :class:`~tmserver.glossary.glossary.Violation` shape the write paths use;
* per match, when a problem is a superseded or deprecated rendering whose concept has exactly
  one preferred rendering in the target language, an ``adapted_target`` with that rendering put
  in its place ("community of shared future in cyberspace" → "community with a shared future in
  cyberspace"), ``"adapted": true`` and an entry in ``adaptations`` saying why. Case follows the
  replaced words (sentence-initial capital, Title Case in headings) and a plural stays plural.

When the match already carries an ``adapted_target`` (placeable adaptation by the index), the
glossary fix is applied on top of it.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from sqlalchemy.orm import Session

from tmserver.glossary.enforce import current_glossary
from tmserver.glossary.glossary import Glossary, Violation
from tmserver.glossary.recognize import head_index, pluralize, tokenize
from tmserver.langs import parse_lang

__all__ = ["annotate_lookup", "annotate_match", "fit_case"]

_SMALL_WORDS = {"a", "an", "the", "of", "with", "in", "on", "for", "and", "or", "against", "to", "by", "at"}


def _base(code: str) -> str:
    return code if code in ("zh", "en") else parse_lang(code).base


def fit_case(found: str, replacement: str) -> str:
    """Give ``replacement`` the capitalisation pattern of the words it replaces."""
    words = [w for w, _, _ in tokenize(found)]
    if not words or not replacement:
        return replacement
    significant = [w for w in words if w.lower() not in _SMALL_WORDS]
    if len(words) > 1 and significant and all(w[:1].isupper() for w in significant):
        # Title Case: capitalise every significant word, keep small words lower (not the first)
        out = []
        for i, part in enumerate(replacement.split(" ")):
            if i == 0 or part.lower() not in _SMALL_WORDS:
                part = part[:1].upper() + part[1:]
            out.append(part)
        return " ".join(out)
    if words[0][:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _plural_of(text: str) -> str:
    parts = text.split(" ")
    h = head_index(parts)
    parts[h] = pluralize(parts[h])
    return " ".join(parts)


def _fixes(violations: list[Violation]) -> list[Violation]:
    """Forbidden renderings with a one-to-one preferred replacement, non-overlapping."""
    out: list[Violation] = []
    for v in sorted((v for v in violations if v.kind == "forbidden" and v.replacement and v.target_span),
                    key=lambda v: v.target_span[0]):  # type: ignore[index]
        if out and v.target_span[0] < out[-1].target_span[1]:  # type: ignore[index]
            continue
        out.append(v)
    return out


class _PairCache:
    """The glossary's verdict on a (source, target) pair, kept for the pairs lookups return.

    The same stored units come back for many queries (a TM's popular segments, a document's
    repetitions), and their verdict only changes with the glossary: the key holds the glossary's
    version, so a new version never sees an old answer. Bounded LRU, shared by a process's threads."""

    def __init__(self, size: int = 8192) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str | None, str, str, str, str], list[Violation]] = OrderedDict()
        self._lock = Lock()

    def check(self, glossary: Glossary, source: str, target: str, source_lang: str, target_lang: str) -> list[Violation]:
        if glossary.version is None:  # an uncompiled, unversioned glossary (tests, files): no cache
            return glossary.check_pair(source, target, source_lang, target_lang)
        key = (glossary.version, source, target, source_lang, target_lang)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        found = glossary.check_pair(source, target, source_lang, target_lang)
        with self._lock:
            self._items[key] = found
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return found


_pairs = _PairCache()


def annotate_match(glossary: Glossary, match: dict[str, Any], source_lang: str, target_lang: str) -> dict[str, Any]:
    """Add ``term_problems`` (and, when a fix is possible, ``adapted_target``) to one match."""
    source, target = match.get("source"), match.get("target")
    if not isinstance(source, str) or not isinstance(target, str):
        match["term_problems"] = []
        return match
    problems = _pairs.check(glossary, source, target, source_lang, target_lang)
    adapted = match.get("adapted_target")
    base: str = adapted if isinstance(adapted, str) else target
    fix_on = problems if base == target else _pairs.check(glossary, source, base, source_lang, target_lang)
    fixes = _fixes(fix_on)
    fixed_concepts = {v.concept_id for v in fixes}
    match["term_problems"] = [
        {**v.to_dict(), "message": v.message(), "fixed_in_adapted_target": v.kind == "forbidden" and v.concept_id in fixed_concepts}
        for v in problems
    ]
    if not fixes:
        return match
    text = base
    adaptations = []
    for v in reversed(fixes):
        s, e = v.target_span  # type: ignore[misc]
        replacement = v.replacement or ""
        if v.plural and target_lang == "en":
            replacement = _plural_of(replacement)
        replacement = fit_case(text[s:e], replacement) if target_lang == "en" else replacement
        text = text[:s] + replacement + text[e:]
        adaptations.append(
            {
                "kind": "glossary",
                "concept_id": v.concept_id,
                "from": v.found,
                "to": replacement,
                "span": [s, e],
                "reason": f"{v.found!r} is a {v.status} rendering of {v.term!r}; the glossary prefers {v.replacement!r}",
            }
        )
    match["adapted_target"] = text
    match["adapted"] = True
    existing = match.get("adaptations")
    match["adaptations"] = (existing if isinstance(existing, list) else []) + list(reversed(adaptations))
    return match


def annotate_lookup(
    session: Session, query: str, source_lang: str, target_lang: str, matches: list[dict[str, Any]]
) -> dict[str, Any]:
    """Terms in ``query`` and, on each match dict (changed in place), its term problems.

    Returns ``{"terms": [...]}`` for the lookup response; spans are offsets in ``query``.
    """
    glossary = current_glossary(session)
    src, tgt = _base(source_lang), _base(target_lang)
    for match in matches:
        annotate_match(glossary, match, src, tgt)
    return {"terms": glossary.describe_terms(query, src, tgt)}


def recognise_terms(session: Session, text: str, source_lang: str, target_lang: str | None) -> list[dict[str, Any]]:
    """What a CAT plugin asks per segment: the glossary terms in ``text`` with renderings."""
    tgt = _base(target_lang) if target_lang else None
    return current_glossary(session).describe_terms(text, _base(source_lang), tgt)
