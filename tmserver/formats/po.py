"""gettext PO files (read with polib) as translator's documents.

Each entry is one segment: ``msgid`` is the source, ``msgstr`` the target. States follow
gettext: an entry with a ``msgstr`` and no ``fuzzy`` flag is *translated* (final for
bring-back); ``fuzzy`` marks a draft. Plural entries, the header and obsolete (``#~``) entries
are never filled — the TM has no plural forms.

Pre-translation writes exactly what ``msgmerge`` would for a suggestion: the ``msgstr``, a
``fuzzy`` flag for anything below 100 %, and a translator comment ``# tmserver: 87% fuzzy
match, adapted (TM #12, article)``. Only the changed entries are re-rendered (by polib); every
other line of the file — header, comments, wrapping, obsolete entries — is copied as it was.
An entry with a ``*-format`` flag is filled only when the suggestion keeps the source's
placeholders (``%(count)s``, ``%d``, ``{name}``), so the result still passes ``msgfmt --check``.

Languages: ``Language`` in the header is the target; ``X-Source-Language`` (if present) the
source.
"""

from __future__ import annotations

import os
import re

import polib

from tmserver.errors import ValidationError
from tmserver.formats.doc import FORMATS, DocSegment, Document, Fill

#: printf / python-format / brace-format placeholders whose presence msgfmt --check compares
_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-+ #0]*\d*(?:\.\d+)?[hlLqjzt]*[diouxXeEfFgGcrsa%]|\{[A-Za-z0-9_.]*\}")
_COMMENT = "# tmserver: "


def _placeholders(text: str) -> list[str]:
    return sorted(p for p in _PLACEHOLDER.findall(text) if p != "%%")


def _names_a_file(text: str) -> bool:
    try:
        return os.path.isfile(text)
    except (TypeError, ValueError, OSError):
        return False


def _decode(data: bytes) -> tuple[str, str]:
    """The file's text and the charset its header declares (UTF-8 when it declares none)."""
    head = data[:4096].decode("ascii", errors="ignore")
    m = re.search(r"charset=([A-Za-z0-9_.-]+)", head)
    enc = m.group(1) if m and m.group(1).upper() != "CHARSET" else "utf-8"
    try:
        return data.decode(enc), enc
    except (LookupError, UnicodeDecodeError) as exc:
        raise ValidationError(f"the PO file is not valid {enc}: {exc}", {"encoding": enc}) from exc


class PoDocument(Document):
    format = "po"
    media_type = FORMATS["po"][0]
    final_states = ("translated",)

    def __init__(self, filename: str, data: bytes, source_lang: str | None, target_lang: str | None):
        super().__init__(filename, source_lang, target_lang)
        self.text, self.encoding = _decode(data)
        if _names_a_file(self.text):
            # polib reads a string that names an existing file *as that file*: an upload whose
            # content is "/etc/passwd" must never make the server parse its own files
            raise ValidationError(f"{filename}: not a PO file (no entries)", {"filename": filename})
        try:
            self.po = polib.pofile(self.text, wrapwidth=78)
        except (OSError, ValueError) as exc:  # polib raises IOError/OSError on syntax errors
            raise ValidationError(f"{filename}: not a valid PO file: {exc}", {"filename": filename}) from exc
        meta = self.po.metadata
        self.target_lang = meta.get("Language") or target_lang
        self.source_lang = meta.get("X-Source-Language") or source_lang
        for entry in self.po:
            if entry.obsolete or entry.msgid == "":
                continue
            fuzzy = "fuzzy" in entry.flags
            state = "fuzzy" if fuzzy else ("translated" if entry.msgstr else "untranslated")
            key = (entry.msgctxt + "\x04" if entry.msgctxt else "") + entry.msgid
            self.segments.append(DocSegment(
                index=len(self.segments), id=key, source=entry.msgid, target=entry.msgstr, state=state,
                translatable=not entry.msgid_plural and bool(entry.msgid.strip()),
                final=bool(entry.msgstr.strip()) and not fuzzy,
                where=f"entry at line {entry.linenum}", ref=entry,
            ))

    def fits(self, seg: DocSegment, text: str) -> bool:
        """False when a ``*-format`` entry's suggestion lost or changed a placeholder."""
        entry = seg.ref
        if not any(f.endswith("-format") and not f.startswith("no-") for f in entry.flags):
            return True
        return _placeholders(entry.msgid) == _placeholders(text)

    def render(self, fills: dict[int, Fill], *, overwrite: bool = False, notes: bool = True,
               alternatives: bool = False) -> bytes:
        lines = self.text.splitlines(keepends=True)
        blocks: list[tuple[int, int, list[str]]] = []
        for idx, fill in fills.items():
            seg = self.segments[idx]
            if not seg.translatable or (seg.translated and not overwrite) or not self.fits(seg, fill.text):
                continue
            start, end = self._block(lines, seg.ref.linenum - 1)
            blocks.append((start, end, self._filled(lines[start:end], seg.ref, fill, notes)))
        for start, end, new in sorted(blocks, reverse=True):
            lines[start:end] = new
        try:  # written in the charset the header declares, so the file stays what it says it is
            return "".join(lines).encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise ValidationError(f"{self.filename}: a suggestion cannot be written in the file's charset "
                                  f"{self.encoding} ({exc.object[exc.start:exc.end]!r}); convert the file to UTF-8",
                                  {"encoding": self.encoding}) from exc

    @staticmethod
    def _block(lines: list[str], first: int) -> tuple[int, int]:
        """Lines of the entry that starts at ``first`` (polib's ``linenum``), up to a blank line."""
        end = first
        while end < len(lines) and lines[end].strip():
            end += 1
        return first, end

    @staticmethod
    def _filled(block: list[str], entry: polib.POEntry, fill: Fill, notes: bool) -> list[str]:
        """The entry's own lines with a new msgstr, flags and comment; msgid lines untouched."""
        newline = "\r\n" if block and block[0].endswith("\r\n") else "\n"
        keep = [ln for ln in block if not ln.startswith(_COMMENT)]
        msgstr_at = next(i for i, ln in enumerate(keep) if ln.startswith("msgstr"))
        flags = [f for f in entry.flags if f != "fuzzy"]
        if not fill.exact:
            flags = ["fuzzy", *flags]
        head = _with_flags(keep[:msgstr_at], flags, newline)
        comments = _comments(fill, newline) if notes else []
        msgstr_lines = _msgstr_lines(entry.msgid, fill.text)
        last = msgstr_lines[-1] + (block[-1][len(block[-1].rstrip("\r\n")):] or "")
        return comments + head + [ln + newline for ln in msgstr_lines[:-1]] + [last]


def _comments(fill: Fill, newline: str) -> list[str]:
    """The translator comments saying how the entry was filled and what the term check found."""
    return ([f"{_COMMENT}{fill.describe().removeprefix('tmserver: ')}{newline}"]
            + [f"{_COMMENT}term check: {p.get('message') or p}{newline}" for p in fill.term_problems])


def _msgstr_lines(msgid: str, text: str) -> list[str]:
    """The msgstr lines polib writes for ``text`` (wrapped as polib wraps), without newlines."""
    rendered = polib.POEntry(msgid=msgid, msgstr=text).__unicode__(wrapwidth=78).splitlines()
    return rendered[next(i for i, ln in enumerate(rendered) if ln.startswith("msgstr")):]


def _with_flags(head: list[str], flags: list[str], newline: str) -> list[str]:
    """The lines before msgstr with the ``#,`` flag line replaced (or added before msgid), or removed
    when there are no flags."""
    flag_at = next((i for i, ln in enumerate(head) if ln.startswith("#,")), None)
    flag_line = [f"#, {', '.join(flags)}{newline}"] if flags else []
    if flag_at is not None:
        head[flag_at : flag_at + 1] = flag_line
    else:
        at = next(i for i, ln in enumerate(head) if ln.startswith(("#|", "msgctxt", "msgid")))
        head[at:at] = flag_line
    return head
