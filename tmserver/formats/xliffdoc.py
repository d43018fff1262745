"""XLIFF 1.2 and 2.0 as translator's documents: read segments, fill targets in place.

Reading reuses the flattening of :mod:`tmserver.formats.xliff` (inline codes dropped from the
text that is matched). Writing goes through :class:`tmserver.formats.xliffedit.SplicedDocument`,
so only the inserted or replaced ``<target>`` (plus, on request, notes and alternatives) differ
from the input.

How a filled target is marked, per format:

* **XLIFF 1.2** — ``<target state="…" state-qualifier="…">``: an exact or context match gets
  ``state="translated"`` and ``state-qualifier="exact-match"`` (``id-match`` for 101 %, the
  qualifier for a match that also agrees on context); a fuzzy match gets
  ``state="needs-review-translation"`` with ``fuzzy-match`` (stored target as is) or
  ``leveraged-tm`` (target adapted: numbers, dates or terms changed). The score and the TM unit
  go into a ``<note from="tmserver">``; with ``alternatives`` every match becomes an
  ``<alt-trans match-quality="87" origin="tmserver">``.
* **XLIFF 2.0** — ``<segment state="translated">`` for exact/context matches and
  ``state="initial"`` (a draft to review) for fuzzy ones, each with
  ``subState="tmserver:exact-match|fuzzy-match|leveraged-tm"``; the note goes into the unit's
  ``<notes>``; alternatives into the matches module (``<mtc:matches>``, ``similarity``,
  ``type="tm"``, ``origin="tmserver"``).

Inline codes: the TM stores plain text, so a filled target cannot know where the source's
paired codes (``<g>``, ``<pc>``) go. Standalone codes (1.2 ``<x/> <ph> <bx/> <ex/> <it>``, 2.0
``<ph/> <sc/> <ec/>``) are copied from the source to the end of the target, and a segment whose
source has codes is never marked better than "needs review" (1.2) / ``initial`` (2.0).
"""

from __future__ import annotations

import io

from lxml import etree

from tmserver.errors import ValidationError
from tmserver.formats.doc import FORMATS, DocSegment, Document, Fill
from tmserver.formats.safexml import parse, xml_error_message
from tmserver.formats.xliff import _flatten
from tmserver.formats.xliffedit import Span, SplicedDocument, attr_xml, local, text_xml

MTC_NS = "urn:oasis:names:tc:xliff:matches:2.0"
_CODES_12 = {"x", "ph", "bx", "ex", "it"}
_CODES_20 = {"ph", "sc", "ec"}
_PAIRED = {"g", "pc", "bpt", "ept", "mrk", "sub"}
#: XLIFF 1.2 target states that mean "done" by default (bring-back); ``approved="yes"`` counts too
FINAL_12 = ("final", "signed-off")
FINAL_20 = ("final",)


def _child(el, name: str):
    for c in el:
        if local(c) == name:
            return c
    return None


def _locked(el, stop: str) -> bool:
    """``translate="no"`` on the element or an ancestor up to (and including) ``stop``."""
    node = el
    while node is not None:
        if node.get("translate") == "no":
            return True
        if local(node) == stop:
            return False
        node = node.getparent()
    return False


def open_xliff(filename: str, data: bytes, source_lang: str | None, target_lang: str | None) -> Document:
    try:
        root = parse(io.BytesIO(data)).getroot()
    except etree.XMLSyntaxError as exc:
        raise ValidationError(f"{filename}: {xml_error_message(exc)}", {"where": "document", "line": exc.lineno}) from exc
    if local(root) != "xliff":
        raise ValidationError(f"{filename}: not an XLIFF file (the root element is <{local(root)}>)",
                              {"filename": filename})
    version = root.get("version", "")
    if version.startswith("2"):
        return Xliff20Document(filename, data, root, source_lang, target_lang)
    if version.startswith("1"):
        return Xliff12Document(filename, data, root, source_lang, target_lang)
    raise ValidationError(f"{filename}: unsupported XLIFF version {version!r} (1.2 and 2.0 are supported)",
                          {"filename": filename, "version": version})


class _XliffBase(Document):
    format = "xliff"
    media_type = FORMATS["xliff"][0]
    codes: set[str] = set()

    def __init__(self, filename: str, data: bytes, root, source_lang: str | None, target_lang: str | None):
        super().__init__(filename, source_lang, target_lang)
        self.data = data
        self.root = root
        self.doc = SplicedDocument(data, root)

    def _codes(self, source) -> tuple[str, bool]:
        """Raw standalone codes of a source (copied to the target) and whether it has any code."""
        raw: list[str] = []
        has = False
        for el in source.iterdescendants():
            name = local(el)
            if not name:
                continue
            if name in self.codes:
                has = True
                if not any(local(a) in self.codes for a in el.iterancestors() if a is not source):
                    raw.append(self.doc.raw(self.doc.span(el)))
            elif name in _PAIRED and name != "mrk":
                has = True
        return "".join(raw), has

    def _new_element(self, like: Span, name: str, attrs: dict[str, str], inner: str) -> str:
        p = like.prefix
        attr_text = "".join(f" {k}={attr_xml(v)}" for k, v in attrs.items())
        return f"<{p}{name}{attr_text}>{inner}</{p}{name}>"


class Xliff12Document(_XliffBase):
    """XLIFF 1.2: one segment per ``<trans-unit>`` (``<seg-source>`` sub-segments are filled as
    one target)."""

    codes = _CODES_12
    final_states = FINAL_12

    def __init__(self, filename: str, data: bytes, root, source_lang: str | None, target_lang: str | None):
        super().__init__(filename, data, root, source_lang, target_lang)
        self.version = "1.2"
        for f in root.iter("{*}file"):
            # the first <file> names the document's languages (a multi-file XLIFF has one pair)
            self.source_lang = self.source_lang if self.segments else (f.get("source-language") or source_lang)
            self.target_lang = self.target_lang if self.segments else (f.get("target-language") or target_lang)
            for tu in f.iter("{*}trans-unit"):
                src = _child(tu, "source")
                if src is None:
                    raise ValidationError(f"{filename}: trans-unit {tu.get('id')} (line {tu.sourceline}) has no <source>",
                                          {"where": f"line {tu.sourceline}"})
                tgt = _child(tu, "target")
                text, _ = _flatten(src)
                target = _flatten(tgt)[0] if tgt is not None else ""
                state = tgt.get("state") if tgt is not None else None
                approved = tu.get("approved") == "yes"
                tid = tu.get("id") or str(tu.sourceline)
                self.segments.append(DocSegment(
                    index=len(self.segments), id=tid, source=text, target=target, state=state,
                    translatable=not _locked(tu, "file") and bool(text.strip()),
                    final=bool(target.strip()) and (state in FINAL_12 or approved),
                    where=f"trans-unit {tid} (line {tu.sourceline})", ref=(tu, src, tgt),
                ))

    def is_final(self, seg: DocSegment, states: tuple[str, ...]) -> bool:
        tu = seg.ref[0]
        return seg.translated and (seg.state in states or tu.get("approved") == "yes")

    def render(self, fills: dict[int, Fill], *, overwrite: bool = False, notes: bool = True,
               alternatives: bool = False) -> bytes:
        for idx, fill in fills.items():
            seg = self.segments[idx]
            if seg.translatable and (not seg.translated or overwrite):
                self._fill(seg, fill, notes, alternatives)
        return self.doc.render()

    def _fill(self, seg: DocSegment, fill: Fill, notes: bool, alternatives: bool) -> None:
        """Write the <target> of one trans-unit (replacing the old one) and the notes/alt-trans after it."""
        doc = self.doc
        tu, src, tgt = seg.ref
        codes, has_codes = self._codes(src)
        src_span = doc.span(src)
        state = "translated" if fill.exact and not has_codes else "needs-review-translation"
        qualifier = ("id-match" if fill.match_type == "context" else "exact-match") if fill.exact else (
            "leveraged-tm" if fill.adapted else "fuzzy-match")
        target = self._new_element(src_span, "target", {"state": state, "state-qualifier": qualifier},
                                   text_xml(fill.text) + codes)
        extras = self._notes(fill, src_span) if notes else []
        if alternatives:
            extras += self._alt_trans(fill, src_span)
        indent = doc.indent_before(src_span)
        sep = "" if indent is None else "\n" + indent
        if tgt is not None:
            t_span = doc.span(tgt)
            doc.replace(t_span.start[0], t_span.end[1], target)
            doc.insert(t_span.end[1], "".join(sep + e for e in extras))
        else:
            seg_source = _child(tu, "seg-source")
            anchor = doc.span(seg_source if seg_source is not None else src).end[1]
            doc.insert(anchor, "".join(sep + e for e in [target, *extras]))

    def _notes(self, fill: Fill, like: Span) -> list[str]:
        """<note from="tmserver">: how the target was made, the terms, and each term problem."""
        out = [self._new_element(like, "note", {"from": "tmserver"}, text_xml(fill.describe()))]
        if fill.terms:
            out.append(self._new_element(like, "note", {"from": "tmserver", "annotates": "source"},
                                         text_xml(fill.terms_note())))
        for problem in fill.term_problems:
            out.append(self._new_element(like, "note", {"from": "tmserver", "priority": "2"},
                                         text_xml("Term check: " + str(problem.get("message") or problem))))
        return out

    def _alt_trans(self, fill: Fill, like: Span) -> list[str]:
        """One <alt-trans> per alternative match."""
        out = []
        for alt in fill.alternatives:
            inner = (self._new_element(like, "source", {}, text_xml(alt["source"]))
                     + self._new_element(like, "target", {}, text_xml(alt["target"])))
            out.append(self._new_element(like, "alt-trans", {
                "match-quality": str(alt["score"]), "origin": "tmserver"}, inner))
        return out


class Xliff20Document(_XliffBase):
    """XLIFF 2.0: one segment per ``<segment>``; ``<ignorable>`` is skipped."""

    codes = _CODES_20
    final_states = FINAL_20

    def __init__(self, filename: str, data: bytes, root, source_lang: str | None, target_lang: str | None):
        super().__init__(filename, data, root, source_lang, target_lang)
        self.version = "2.0"
        self.source_lang = root.get("srcLang") or source_lang
        self.target_lang = root.get("trgLang") or target_lang
        for unit in root.iter("{*}unit"):
            uid = unit.get("id") or str(unit.sourceline)
            segs = [c for c in unit if local(c) == "segment"]
            for k, seg in enumerate(segs, 1):
                src, tgt = _child(seg, "source"), _child(seg, "target")
                if src is None:
                    raise ValidationError(f"{filename}: unit {uid} (line {seg.sourceline}) has a segment without <source>",
                                          {"where": f"line {seg.sourceline}"})
                text = _flatten(src)[0]
                target = _flatten(tgt)[0] if tgt is not None else ""
                state = seg.get("state") or ("initial" if tgt is not None else None)
                sid = f"{uid}/{seg.get('id')}" if seg.get("id") else (f"{uid}#{k}" if len(segs) > 1 else uid)
                self.segments.append(DocSegment(
                    index=len(self.segments), id=sid, source=text, target=target, state=state,
                    translatable=not _locked(unit, "file") and bool(text.strip()),
                    final=bool(target.strip()) and state in FINAL_20,
                    where=f"unit {sid} (line {seg.sourceline})", ref=(unit, seg, src, tgt),
                ))

    def is_final(self, seg: DocSegment, states: tuple[str, ...]) -> bool:
        return seg.translated and (seg.state or "initial") in states

    def _insert_notes(self, unit, texts: list[str], like: Span) -> None:
        """Add ``<note category="tmserver">`` elements to the unit's ``<notes>`` (created, in the
        place the core schema wants it, when the unit has none)."""
        doc = self.doc
        new = "".join(self._new_element(like, "note", {"category": "tmserver"}, text_xml(t)) for t in texts)
        notes = _child(unit, "notes")
        if notes is not None:
            span = doc.span(notes)
            if span.empty:
                doc.replace(span.start[0], span.end[1], self._new_element(like, "notes", {}, new))
            else:
                doc.insert(span.end[0], new)
            return
        first = next(c for c in unit if local(c) in ("originalData", "segment", "ignorable"))
        indent = doc.indent_before(doc.span(first))
        doc.insert(doc.span(first).start[0], self._new_element(like, "notes", {}, new)
                   + ("\n" + indent if indent is not None else ""))

    def render(self, fills: dict[int, Fill], *, overwrite: bool = False, notes: bool = True,
               alternatives: bool = False) -> bytes:
        unit_notes: dict[int, tuple[object, list[str], Span]] = {}
        unit_matches: dict[int, tuple[object, list[str], Span]] = {}
        for idx, fill in fills.items():
            seg = self.segments[idx]
            if not seg.translatable or (seg.translated and not overwrite):
                continue
            unit, segment = seg.ref[0], seg.ref[1]
            src_span = self._fill(seg, fill)
            if notes:
                unit_notes.setdefault(id(unit), (unit, [], src_span))[1].extend(self._note_lines(seg, fill))
            if alternatives and segment.get("id") and fill.alternatives:
                unit_matches.setdefault(id(unit), (unit, [], src_span))[1].extend(
                    self._matches(segment.get("id"), fill, src_span.prefix))
        for unit, lines, like in unit_notes.values():
            self._insert_notes(unit, lines, like)
        for unit, matches, _like in unit_matches.values():
            self._insert_matches(unit, matches)
        return self.doc.render()

    def _fill(self, seg: DocSegment, fill: Fill) -> Span:
        """Write one segment's <target> and its state; the span of its <source> (the style to copy)."""
        doc = self.doc
        _unit, segment, src, tgt = seg.ref
        codes, has_codes = self._codes(src)
        src_span = doc.span(src)
        target = self._new_element(src_span, "target", {}, text_xml(fill.text) + codes)
        if tgt is not None:
            t_span = doc.span(tgt)
            doc.replace(t_span.start[0], t_span.end[1], target)
        else:
            indent = doc.indent_before(src_span)
            sep = "" if indent is None else "\n" + indent
            doc.insert(src_span.end[1], sep + target)
        seg_span = doc.span(segment)
        sub = "exact-match" if fill.exact else ("leveraged-tm" if fill.adapted else "fuzzy-match")
        doc.set_attr(seg_span, "state", "translated" if fill.exact and not has_codes else "initial")
        doc.set_attr(seg_span, "subState", f"tmserver:{sub}")
        return src_span

    @staticmethod
    def _note_lines(seg: DocSegment, fill: Fill) -> list[str]:
        lines = [f"{seg.id}: {fill.describe()}"]
        if fill.terms:
            lines.append(f"{seg.id}: {fill.terms_note()}")
        return lines + [f"{seg.id}: Term check: {p.get('message') or p}" for p in fill.term_problems]

    @staticmethod
    def _matches(segment_id: str, fill: Fill, p: str) -> list[str]:
        """One <mtc:match> per alternative, referring to the segment."""
        ref = "#" + segment_id
        return [f'<mtc:match ref={attr_xml(ref)} similarity="{min(100, alt["score"])}" type="tm" '
                f'origin="tmserver"><{p}source>{text_xml(alt["source"])}</{p}source>'
                f'<{p}target>{text_xml(alt["target"])}</{p}target></mtc:match>' for alt in fill.alternatives]

    def _insert_matches(self, unit, matches: list[str]) -> None:
        """Add an <mtc:matches> module at the start of the unit, unless it already has one."""
        if any(etree.QName(c).namespace == MTC_NS for c in unit if isinstance(c.tag, str)):
            return  # the unit already has a matches module: leave it to its owner
        doc = self.doc
        start = doc.span(unit).start[1]
        first = next((c for c in unit if isinstance(c.tag, str)), None)
        indent = doc.indent_before(doc.span(first)) if first is not None else None
        lead = "" if indent is None else "\n" + indent
        doc.insert(start, lead + f'<mtc:matches xmlns:mtc="{MTC_NS}">' + "".join(matches) + "</mtc:matches>")
