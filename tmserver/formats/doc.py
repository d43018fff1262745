"""Bilingual documents a translator works on: XLIFF 1.2/2.0, PO, plain text and Markdown.

A TMX or CSV file is *TM data*; these are *documents*: they carry segments to translate in file
order, some already translated, some locked, plus everything around them (skeleton, notes,
headers, markup) that must come back unchanged. Every format exposes the same small surface:

* :attr:`Document.segments` — :class:`DocSegment` in file order (source and existing target as
  translatable text, the format's own state, whether it may be translated, whether it is final);
* :meth:`Document.render` — the file with some segments filled (:class:`Fill`), every other byte
  kept;
* :func:`tmserver.formats.documents.open_document` picks the format from the name and content.

The document loop (:mod:`tmserver.docloop`) analyses, pre-translates and brings back files
through this surface only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tmserver.errors import ValidationError

#: format name → (media type, file name suffixes)
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "xliff": ("application/xliff+xml", (".xlf", ".xliff", ".sdlxliff", ".mqxliff")),
    "po": ("text/x-gettext-translation", (".po", ".pot")),  # charset: the file's own header
    "markdown": ("text/markdown; charset=utf-8", (".md", ".markdown")),
    "text": ("text/plain; charset=utf-8", (".txt",)),
}


@dataclass
class DocSegment:
    """One translatable (or locked) segment of a document."""

    index: int  #: position in the document's segment list
    id: str  #: the format's id (trans-unit id, unit/segment id, msgctxt+msgid, line:sentence)
    source: str  #: translatable text, inline codes removed
    target: str = ""  #: existing translation ("" when none)
    state: str | None = None  #: the format's own state (XLIFF ``state``, PO ``fuzzy``/``translated``)
    translatable: bool = True  #: False for ``translate="no"``, plural PO entries, empty sources
    final: bool = False  #: in a final state (the default test of what bring-back imports)
    where: str = ""  #: a human-readable place ("trans-unit t3 (line 20)")
    context_prev: str | None = None  #: source of the previous segment (101 % matches)
    context_next: str | None = None
    ref: Any = field(default=None, repr=False)  #: format-private handle

    @property
    def translated(self) -> bool:
        return bool(self.target.strip())


@dataclass
class Fill:
    """What pre-translation puts into one segment, and where it came from."""

    text: str
    score: int
    match_type: str  #: context | exact | fuzzy
    adapted: bool = False  #: numbers/dates or terms changed from the stored target
    tm_id: int | None = None
    origin: str | None = None
    alternatives: list[dict[str, Any]] = field(default_factory=list)  #: other matches (source, target, score)
    terms: list[dict[str, Any]] = field(default_factory=list)  #: glossary terms of the source
    term_problems: list[dict[str, Any]] = field(default_factory=list)  #: the filled text vs the glossary

    @property
    def exact(self) -> bool:
        return self.score >= 100

    def describe(self) -> str:
        """One line for a note or comment: ``tmserver: 87% fuzzy match, adapted (TM #12, article)``."""
        kind = {"context": "context match", "exact": "exact match"}.get(self.match_type, "fuzzy match")
        bits = [f"tmserver: {self.score}% {kind}"]
        if self.adapted:
            bits.append("adapted")
        where = f"TM #{self.tm_id}" if self.tm_id is not None else "TM"
        if self.origin:
            where += f", {self.origin}"
        return ", ".join(bits) + f" ({where})"

    def terms_note(self) -> str:
        parts = []
        for t in self.terms:
            renderings = [r.get("text") for r in (t.get("renderings") or [])
                          if r.get("text") and r.get("status") in ("preferred", "admitted", None)]
            parts.append(f"{t.get('text') or t.get('term')} → {' | '.join(renderings[:3]) or '?'}")
        return "Glossary: " + "; ".join(parts)


class Document:
    """Base class: ``segments`` in file order and ``render(fills)``."""

    format = "?"
    media_type = "application/octet-stream"
    #: states that count as finished for bring-back (per format; see :meth:`is_final`)
    final_states: tuple[str, ...] = ()

    def __init__(self, filename: str, source_lang: str | None, target_lang: str | None) -> None:
        self.filename = filename
        self.source_lang = source_lang
        self.target_lang = target_lang
        self.segments: list[DocSegment] = []

    def link_context(self) -> None:
        """Give each segment its neighbours' sources (the context of a 101 % match)."""
        segs = self.segments
        for i, seg in enumerate(segs):
            seg.context_prev = segs[i - 1].source if i > 0 else None
            seg.context_next = segs[i + 1].source if i + 1 < len(segs) else None

    def is_final(self, seg: DocSegment, states: tuple[str, ...]) -> bool:
        """Whether ``seg`` is finished under ``states`` (the format's own state names)."""
        return seg.translated and (seg.state or "") in states

    def render(self, fills: dict[int, Fill], *, overwrite: bool = False, notes: bool = True,
               alternatives: bool = False) -> bytes:
        raise NotImplementedError


def detect_document_format(filename: str, data: bytes) -> str:
    """``xliff``, ``po``, ``markdown`` or ``text`` from the name, then the content."""
    name = (filename or "").lower()
    for fmt, (_media, suffixes) in FORMATS.items():
        if name.endswith(suffixes):
            return fmt
    head = data[:4096].lstrip(b"\xef\xbb\xbf \r\n\t")
    if head.startswith(b"<") and b"xliff" in head:
        return "xliff"
    if b'msgid "' in head:
        return "po"
    if head.startswith(b"<"):
        raise ValidationError(f"{filename or 'the file'}: an XML file that is not XLIFF; "
                              "documents are XLIFF 1.2/2.0, PO, Markdown or plain text",
                              {"filename": filename})
    return "text"
