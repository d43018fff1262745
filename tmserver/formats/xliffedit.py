"""Edit XLIFF 1.2 / 2.0 files in place: fill targets, keep every other byte as it was.

A pre-translated file goes back to the translator's CAT tool, to the client's build and to
version control; a writer that re-serialises the whole tree would re-quote attributes, rewrite
the XML declaration, turn character references into characters and re-indent the skeleton, so
every diff would be noise. Instead we *splice*: lxml (through :mod:`tmserver.formats.safexml`)
gives the structure, a small tag scanner gives the character offsets of every element's start
and end tag in the decoded text, and edits are insertions or replacements at those offsets.
Whatever no edit covers — prolog, comments, skeleton, notes, other units, inline tags of the
source — is copied unchanged.

The scanner is only trusted after a cross-check: it must see exactly the elements lxml saw, in
document order and with the same local names; otherwise the file is refused (it never is for a
well-formed document, since tags cannot hide inside text, attribute values are quoted and
comments, CDATA and processing instructions are skipped as whole tokens).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from tmserver.errors import ValidationError

#: one markup token; groups: 1 "/" of an end tag, 2 the qualified name, 3 "/" of an empty tag
_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>"
    r"|<(/)?([^\s/>!?]+)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(/)?>",
    re.S,
)
_ENCODING_DECL = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


@dataclass
class Span:
    """Offsets of one element in the decoded text: its start tag and its end tag (the same
    span for an empty element ``<x/>``)."""

    qname: str
    start: tuple[int, int]
    end: tuple[int, int]

    @property
    def empty(self) -> bool:
        return self.start == self.end

    @property
    def prefix(self) -> str:
        """``"xlf:"`` for ``<xlf:source>``, ``""`` for the default namespace."""
        return self.qname.rsplit(":", 1)[0] + ":" if ":" in self.qname else ""


def local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def decode(data: bytes) -> tuple[str, str]:
    """Decode an XML document as its declaration (or BOM) says; return (text, encoding)."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "utf-16"
    m = _ENCODING_DECL.match(data)
    enc = m.group(1).decode("ascii").lower() if m else "utf-8"
    try:
        text = data.decode("utf-8-sig" if enc in ("utf-8", "utf8") else enc)
    except (LookupError, UnicodeDecodeError) as exc:
        raise ValidationError(f"the file is not valid {enc}: {exc}", {"encoding": enc}) from exc
    bom = "\ufeff" if data.startswith(codecs.BOM_UTF8) else ""
    return bom + text if bom else text, enc


def encode(text: str, encoding: str) -> bytes:
    if text.startswith("\ufeff") and encoding in ("utf-8", "utf8"):
        return codecs.BOM_UTF8 + text[1:].encode("utf-8")
    return text.encode(encoding, errors="xmlcharrefreplace")


class SplicedDocument:
    """A parsed XLIFF document plus the text offsets of its elements; collects edits."""

    def __init__(self, data: bytes, root) -> None:
        self.text, self.encoding = decode(data)
        self.root = root
        self.elements = [e for e in root.iter() if isinstance(e.tag, str)]
        self._spans = self._scan()
        self._by_id = {id(e): s for e, s in zip(self.elements, self._spans, strict=True)}
        self._edits: list[tuple[int, int, str]] = []

    def _scan(self) -> list[Span]:
        spans: list[Span | None] = []
        stack: list[int] = []
        started = False
        for m in _TOKEN.finditer(self.text):
            name = m.group(2)
            if name is None:
                continue  # comment, CDATA, PI, DOCTYPE
            started = True
            if m.group(1):  # end tag
                if not stack:
                    break
                i = stack.pop()
                s = spans[i]
                assert s is not None
                s.end = (m.start(), m.end())
                if not stack:
                    break
                continue
            span = Span(name, (m.start(), m.end()), (m.start(), m.end()))
            spans.append(span)
            if not m.group(3):
                stack.append(len(spans) - 1)
            elif not stack:
                break
        ok = started and len(spans) == len(self.elements) and all(
            s is not None and s.qname.rsplit(":", 1)[-1] == local(e) for s, e in zip(spans, self.elements, strict=False)
        )
        if not ok:
            raise ValidationError("the XLIFF file could not be mapped for in-place editing "
                                  "(its markup does not match what the XML parser read)")
        return [s for s in spans if s is not None]

    def span(self, el) -> Span:
        """Offsets of an element of :attr:`root` (the element list keeps lxml's proxies alive,
        so ``id()`` is stable for the document's lifetime)."""
        return self._by_id[id(el)]

    def raw(self, span: Span) -> str:
        """The element as written in the file, start tag to end tag."""
        return self.text[span.start[0] : span.end[1]]

    def indent_before(self, span: Span) -> str | None:
        """The whitespace before ``span``'s start tag on its line, or ``None`` when the tag does
        not start its line (then new siblings go on the same line, without a line break)."""
        line_start = self.text.rfind("\n", 0, span.start[0]) + 1
        lead = self.text[line_start : span.start[0]]
        return lead if lead.strip() == "" and line_start > 0 else None

    # -- edits --------------------------------------------------------------------------------

    def insert(self, pos: int, text: str) -> None:
        self._edits.append((pos, pos, text))

    def replace(self, start: int, end: int, text: str) -> None:
        self._edits.append((start, end, text))

    def set_attr(self, span: Span, name: str, value: str | None) -> None:
        """Set (or, with ``None``, remove) an attribute in a start tag, touching nothing else."""
        s, e = span.start
        tag = self.text[s:e]
        m = re.search(r"(\s+)" + re.escape(name) + r"\s*=\s*(\"[^\"]*\"|'[^']*')", tag)
        if m:
            new = "" if value is None else f"{m.group(1)}{name}={quoteattr(value)}"
            self.replace(s + m.start(), s + m.end(), new)
        elif value is not None:
            close = len(tag) - (2 if tag.endswith("/>") else 1)
            while close > 0 and tag[close - 1].isspace():
                close -= 1
            self.insert(s + close, f" {name}={quoteattr(value)}")

    def render(self) -> bytes:
        """The document with every edit applied (edits must not overlap)."""
        out: list[str] = []
        pos = 0
        for start, end, text in sorted(self._edits, key=lambda x: (x[0], x[1])):
            if start < pos:
                raise ValueError("overlapping edits")
            out.append(self.text[pos:start])
            out.append(text)
            pos = end
        out.append(self.text[pos:])
        return encode("".join(out), self.encoding)


def text_xml(text: str) -> str:
    """Character data for an element (``&``, ``<``, ``>`` escaped)."""
    return escape(text)


def attr_xml(value: str) -> str:
    return quoteattr(value)
