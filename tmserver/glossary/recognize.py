"""Term recognisers: find glossary terms in a segment, with spans in the ORIGINAL text.

One small class per language over a shared base (:class:`Recognizer`), in the style of
sacrebleu's ``metrics/``: the base owns the Aho–Corasick automaton (pyahocorasick: every
pattern found in one pass, whatever the size of the term base) and the longest-leftmost
selection; a subclass says how text becomes the string the automaton runs over and which
surface forms a term has.

* :class:`ChineseRecognizer` runs over the matching form of :mod:`tmserver.normalize` (NFKC +
  OpenCC phrase conversion), so 網路空間命運共同體 (Taiwan) and 网络空间命运共同体 meet; the
  offset map turns spans back into the user's text. Traditional forms are never stored.
* :class:`EnglishRecognizer` runs over a *token string* — words lower-cased and joined by single
  spaces, padded with a space on each side — so a pattern only ever matches whole words, and
  hyphen, space and punctuation differences vanish (open-ended = open ended; "extensive
  consultation, joint contribution and shared benefits" with or without its comma). Each term
  also gets its inflected forms (head noun plural: "communities with a shared future in
  cyberspace", "developing countries"), British/American -isation/-ization, and loses a leading
  article. Case-sensitive terms (acronyms: GGE, OEWG, AI…) are matched case-insensitively by the
  automaton and then verified token by token against the original case.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import ahocorasick

from tmserver.glossary.scope import crossing_word, not_within
from tmserver.glossary.termbase import CASE_SENSITIVE_TYPES, Concept, Term
from tmserver.normalize import normalize, normalize_text

__all__ = ["Ref", "Hit", "Recognizer", "ChineseRecognizer", "EnglishRecognizer", "recognizer_for", "select_longest_leftmost"]


@dataclass(frozen=True, slots=True)
class Ref:
    """Which glossary term a hit stands for: indices into the concept list, and the form seen."""

    concept: int
    term: int
    form: str = "base"  #: base | plural | variant


@dataclass(slots=True)
class Hit:
    """A term occurrence: half-open span in the original text and every term it stands for.

    Several refs share one hit when two concepts list the same surface (the World Internet
    Conference and its international organisation are both "World Internet Conference").
    """

    start: int
    end: int
    refs: list[Ref]
    nested: list[Hit] = field(default_factory=list)

    @property
    def concepts(self) -> list[int]:
        return list(dict.fromkeys(r.concept for r in self.refs))

    def __len__(self) -> int:
        return self.end - self.start


def select_longest_leftmost(hits: Sequence[Hit]) -> list[Hit]:
    """Keep the leftmost hit, the longest one where several start together, and so on.

    Hits that lie inside a kept one become its ``nested`` list (构建网络空间命运共同体 keeps
    网络空间命运共同体 and 网络空间 there); hits that merely overlap a kept one are dropped.
    """
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if kept and hit.start < kept[-1].end:
            if hit.end <= kept[-1].end:
                kept[-1].nested.append(hit)
            continue
        kept.append(Hit(hit.start, hit.end, hit.refs, []))
    return kept


class Recognizer(ABC):
    """Compile the terms of one language and find them in text."""

    lang: str = ""

    def __init__(self, concepts: Sequence[Concept]):
        self.concepts = concepts
        self._automaton = ahocorasick.Automaton()
        patterns: dict[str, list[tuple[Ref, tuple[str, ...] | None]]] = {}
        for ci, concept in enumerate(concepts):
            for ti, term in enumerate(concept.terms):
                if term.lang != self.lang:
                    continue
                for key, form, exact in self.patterns(term):
                    if key.strip():
                        patterns.setdefault(key, []).append((Ref(ci, ti, form), exact))
        for key, entries in patterns.items():
            # dedupe: one term may yield the same key through two rules
            unique = list(dict.fromkeys(entries))
            self._automaton.add_word(key, (len(key), unique))
        self.size = len(patterns)
        if patterns:
            self._automaton.make_automaton()

    @abstractmethod
    def patterns(self, term: Term) -> Iterable[tuple[str, str, tuple[str, ...] | None]]:
        """Yield ``(automaton key, form name, exact tokens to verify or None)`` for a term."""

    @abstractmethod
    def _scan(self, text: str) -> list[Hit]:
        """Every hit in ``text`` (overlapping ones included), spans in original offsets."""

    def find_all(self, text: str) -> list[Hit]:
        """Every occurrence, nested and overlapping ones included (for checking a target)."""
        if not self.size or not text:
            return []
        merged: dict[tuple[int, int], Hit] = {}
        for hit in self._scan(text):
            prev = merged.get((hit.start, hit.end))
            if prev is None:
                merged[(hit.start, hit.end)] = hit
            else:
                prev.refs.extend(r for r in hit.refs if r not in prev.refs)
        return sorted(merged.values(), key=lambda h: (h.start, -(h.end - h.start)))

    def find(self, text: str) -> list[Hit]:
        """Longest-leftmost occurrences, each with the terms nested inside it."""
        return select_longest_leftmost(self.find_all(text))


class ChineseRecognizer(Recognizer):
    """Longest-leftmost Chinese terms, kept out of longer phrases they are not part of
    (:mod:`tmserver.glossary.scope`): a term's ``not within:`` note, and any longer jieba
    dictionary word (not itself a term) that runs across the term's boundary."""

    lang = "zh"

    def __init__(self, concepts: Sequence[Concept]):
        super().__init__(concepts)
        self._terms = frozenset(
            normalize_text(t.text) for c in concepts for t in c.terms if t.lang == self.lang
        )
        # phrase (matching form) → the refs it keeps out
        self._stops = ahocorasick.Automaton()
        stops: dict[str, set[tuple[int, int]]] = {}
        for ci, concept in enumerate(concepts):
            for ti, term in enumerate(concept.terms):
                if term.lang == self.lang:
                    for phrase in not_within(term.note):
                        key = normalize(phrase).text
                        if key:
                            stops.setdefault(key, set()).add((ci, ti))
        for key, refs in stops.items():
            self._stops.add_word(key, (len(key), frozenset(refs)))
        self._has_stops = bool(stops)
        if stops:
            self._stops.make_automaton()
        if self.size:
            crossing_word("", 0, 0, frozenset())  # load the word list once now (compile time), not on the first segment that has a term

    def patterns(self, term: Term):
        yield normalize(term.text).text, "base", None

    def _blocked(self, text: str) -> list[tuple[int, int, frozenset[tuple[int, int]]]]:
        if not self._has_stops:
            return []
        return [(end - length + 1, end + 1, refs) for end, (length, refs) in self._stops.iter(text)]

    def _scan(self, text: str) -> list[Hit]:
        norm = normalize(text)
        blocked = self._blocked(norm.text)
        hits = []
        for end, (length, entries) in self._automaton.iter(norm.text):
            ns, ne = end - length + 1, end + 1
            refs = [ref for ref, _ in entries
                    if not any(bs <= ns and ne <= be and (ref.concept, ref.term) in br for bs, be, br in blocked)]
            if not refs or crossing_word(norm.text, ns, ne, self._terms):
                continue
            s, e = norm.to_original(ns, ne)
            hits.append(Hit(s, e, refs))
        return hits


# -- English ----------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+")
_ARTICLES = {"a", "an", "the"}
#: Prepositions that end an English noun phrase's head: "community WITH a shared future".
_PREPOSITIONS = {"of", "with", "in", "on", "for", "against", "to", "from", "between", "among", "by", "at", "under"}
#: Plurals a suffix rule gets wrong; the few this domain needs.
_IRREGULAR = {"man": "men", "woman": "women", "child": "children", "person": "people", "criterion": "criteria",
              "datum": "data", "medium": "media", "analysis": "analyses", "crisis": "crises", "basis": "bases"}


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Words of ``text`` (after NFKC) with their original spans: ``(word, start, end)``.

    "People’s Daily" gives people/s/daily, "open-ended" gives open/ended: punctuation and
    hyphens only separate words.
    """
    if text.isascii():
        return [(m.group(), m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    norm = normalize(text, casefold=False, script=False)
    out = []
    for m in _WORD_RE.finditer(norm.text):
        s, e = norm.to_original(m.start(), m.end())
        out.append((m.group(), s, e))
    return out


def pluralize(word: str) -> str:
    low = word.lower()
    if low in _IRREGULAR:
        plural = _IRREGULAR[low]
        return word[0] + plural[1:] if word[:1].isupper() else plural
    if re.search(r"[^aeiou]y$", low):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", low):
        return word + "es"
    return word + "s"


def _looks_plural(word: str) -> bool:
    low = word.lower()
    return low.endswith("s") and not low.endswith(("ss", "us", "is"))


def head_index(words: Sequence[str]) -> int:
    """The head noun of an English noun phrase: the word before the first preposition, or the last.

    "community with a shared future in cyberspace" → community; "developing country" → country.
    """
    for i, w in enumerate(words):
        if i > 0 and w.lower() in _PREPOSITIONS:
            return i - 1
    return len(words) - 1


def _spellings(words: list[str]) -> list[list[str]]:
    """British/American -isation/-ization twins of a word list (both count as the same term)."""
    out = [words]
    swapped = [re.sub(r"is(ation|ations|e|es|ed|ing)$", r"iz\1", w) for w in words]
    if swapped != words:
        out.append(swapped)
    swapped = [re.sub(r"iz(ation|ations|e|es|ed|ing)$", r"is\1", w) for w in words]
    if swapped != words:
        out.append(swapped)
    return out


class EnglishRecognizer(Recognizer):
    lang = "en"

    @staticmethod
    def _key(words: Sequence[str]) -> str:
        return " " + " ".join(w.casefold() for w in words) + " "

    def patterns(self, term: Term):
        text = unicodedata.normalize("NFKC", term.text)
        words = [w for w, _, _ in tokenize(text)]
        if len(words) > 1 and words[0].lower() in _ARTICLES:
            words = words[1:]  # "the Belt and Road Initiative" = "Belt and Road Initiative"
        if not words:
            return
        forms: list[tuple[str, list[str]]] = [("base", words)]
        # a hyphenated word may also be written closed: e-commerce / ecommerce
        parts = re.split(r"\s+", text.strip())
        if any("-" in p for p in parts) and len(parts) == 1:
            forms.append(("variant", ["".join(words)]))
        inflect = term.pos not in ("properNoun", "verb", "adjective", "adverb")
        if inflect:
            if term.case_sensitive or term.term_type in CASE_SENSITIVE_TYPES:
                if len(words) == 1 and words[0].isupper():
                    forms.append(("plural", [words[0] + "s"]))  # CERT → CERTs
            else:
                h = head_index(words)
                if not _looks_plural(words[h]):
                    forms.append(("plural", words[:h] + [pluralize(words[h])] + words[h + 1:]))
        for form, ws in forms:
            for spelled in _spellings(ws):
                yield self._key(spelled), form, (tuple(spelled) if term.case_sensitive else None)

    def _scan(self, text: str) -> list[Hit]:
        tokens = tokenize(text)
        if not tokens:
            return []
        canon_parts = []
        starts = []  # canonical offset of each token
        pos = 1
        for w, _, _ in tokens:
            starts.append(pos)
            folded = w.casefold()
            canon_parts.append(folded)
            pos += len(folded) + 1
        canon = " " + " ".join(canon_parts) + " "
        hits = []
        for end, (length, entries) in self._automaton.iter(canon):
            first = bisect_right(starts, end - length + 2) - 1
            n_words = canon[end - length + 2 : end].count(" ") + 1
            last = first + n_words - 1
            refs = []
            for ref, exact in entries:
                if exact is not None and tuple(t[0] for t in tokens[first : last + 1]) != exact:
                    continue  # a case-sensitive term seen in the wrong case ("ai" is not AI)
                refs.append(ref)
            if refs:
                hits.append(Hit(tokens[first][1], tokens[last][2], refs))
        return hits


def recognizer_for(lang: str, concepts: Sequence[Concept]) -> Recognizer:
    if lang == "zh":
        return ChineseRecognizer(concepts)
    if lang == "en":
        return EnglishRecognizer(concepts)
    raise ValueError(f"no recogniser for language {lang!r}")
