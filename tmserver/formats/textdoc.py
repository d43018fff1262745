"""Plain text and Markdown as translator's documents: one segment per sentence.

Each non-blank line is a paragraph, cut into sentences by :mod:`tmserver.align.segment` (the
same cut points the aligner and the stored TM use, so a sentence finds its stored unit). In
Markdown the line's block marker (``#``, ``>``, ``-``, ``1.``) stays out of the segment and
fenced code blocks are left alone.

Rendering writes the translated document: each line's marker, then its sentences — translated
where a fill exists, in the source language otherwise — joined with a space for an English
target and with nothing for a Chinese one. Line endings and blank lines are kept.
"""

from __future__ import annotations

import re

from tmserver.align.segment import segment
from tmserver.errors import ValidationError
from tmserver.formats.doc import FORMATS, DocSegment, Document, Fill
from tmserver.langs import UnknownLanguage, parse_lang
from tmserver.normalize import CJK_CLASS

_MARKER = re.compile(r"^(\s*(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)*)")
_INDENT = re.compile(r"^\s*")
_FENCE = re.compile(r"^\s*(```|~~~)")
_CJK = re.compile(CJK_CLASS)


def _base(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return parse_lang(code).base
    except UnknownLanguage:
        return None


class TextDocument(Document):
    def __init__(self, filename: str, data: bytes, source_lang: str | None, target_lang: str | None,
                 *, markdown: bool = False):
        super().__init__(filename, source_lang, target_lang)
        self.format = "markdown" if markdown else "text"
        self.media_type = FORMATS[self.format][0]
        try:
            self.text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(f"{filename}: plain text and Markdown must be UTF-8 ({exc})",
                                  {"filename": filename}) from exc
        if not self.source_lang:
            self.source_lang = "zh" if len(_CJK.findall(self.text)) * 4 > len(self.text.strip() or "x") else "en"
        if not self.target_lang:
            self.target_lang = "en" if _base(self.source_lang) == "zh" else "zh"
        lang = _base(self.source_lang) or "zh"
        self.lines = self.text.splitlines(keepends=True)
        self.layout: list[tuple[str, list[int], str] | str] = []  # (marker, segment indexes, ending) or raw line
        in_fence = False
        for n, line in enumerate(self.lines, 1):
            body = line.rstrip("\r\n")
            ending = line[len(body):]
            if markdown and _FENCE.match(body):
                in_fence = not in_fence
                self.layout.append(line)
                continue
            if in_fence or not body.strip():
                self.layout.append(line)
                continue
            # both patterns can match nothing, so a match always exists; group(0) is the whole marker
            found = (_MARKER if markdown else _INDENT).match(body)
            marker = found.group(0) if found else ""
            idxs = []
            for k, sentence in enumerate(segment(body[len(marker):], lang), 1):
                idxs.append(len(self.segments))
                self.segments.append(DocSegment(index=len(self.segments), id=f"{n}:{k}", source=sentence,
                                                where=f"line {n}, sentence {k}"))
            self.layout.append((marker, idxs, ending))

    def render(self, fills: dict[int, Fill], *, overwrite: bool = False, notes: bool = True,
               alternatives: bool = False) -> bytes:
        target_sep = "" if _base(self.target_lang) == "zh" else " "
        source_sep = "" if _base(self.source_lang) == "zh" else " "
        out: list[str] = []
        for item in self.layout:
            if isinstance(item, str):
                out.append(item)
                continue
            marker, idxs, ending = item
            text = ""
            for k, i in enumerate(idxs):
                part = fills[i].text if i in fills else self.segments[i].source
                if k:  # two sentences left in the source language join as the source does
                    both_source = i not in fills and idxs[k - 1] not in fills
                    text += source_sep if both_source else target_sep
                text += part
            out.append(marker + text + ending)
        return "".join(out).encode("utf-8")
