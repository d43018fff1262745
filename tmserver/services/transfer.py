"""Whole files in and out of the TM: TMX/CSV/TSV import and export, and bringing back the final
units of a translated XLIFF/PO. ``/api/v1/import``, ``/api/v1/export``, ``tmserver import|export``,
``serve``'s seeding and the workbench's file page call these.

An import is ONE write transaction (all or nothing; the glossary policy read inside it); an
export reads the whole TM in ONE read transaction, so the file is one consistent snapshot even
while others write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from tmserver import dedup
from tmserver.docloop import BRING_BACK_FORMATS
from tmserver.docloop import bring_back as _bring_back
from tmserver.docloop.bringback import parse_states
from tmserver.formats import detect_format
from tmserver.formats.punct import check_mode as check_punctuation
from tmserver.services import glossary as glossary_svc
from tmserver.tm import EXPORT_FORMATS, IMPORT_FORMATS, ON_VIOLATION, TM, ImportReport, lang_or_400
from tmserver.tm import export_file as _export_file
from tmserver.tm import import_file as _import_file

__all__ = ["BRING_BACK_FORMATS", "EXPORT_FORMATS", "IMPORT_FORMATS", "ON_VIOLATION", "ExportOptions", "ImportOptions",
           "ImportReport", "bring_back", "check_punctuation", "detect_format", "export_file", "import_file",
           "parse_states", "seed_if_empty"]


@dataclass(frozen=True)
class ImportOptions:
    """``origin``: the collection name; ``on_violation``: ``refuse|skip|accept`` units breaking
    the glossary under the strict policy; ``on_duplicate``: ``skip|update|keep`` stored pairs;
    languages for CSV/TSV without a header; ``punctuation``: ``fullwidth`` stores GB/T 15834."""

    origin: str | None = None
    user: str | None = None
    on_violation: str = "refuse"
    source_lang: str | None = None
    target_lang: str | None = None
    on_duplicate: str = dedup.DEFAULT
    punctuation: str | None = None
    final_states: tuple[str, ...] | None = None  #: bring-back only: the states that count as final


@dataclass(frozen=True)
class ExportOptions:
    source_lang: str | None = None
    target_lang: str | None = None
    origin: str | None = None
    punctuation: str | None = None



class Readable(Protocol):
    """What an import reads: a binary file, or a wrapper that counts what was read (the CLI's
    progress bar)."""

    def read(self, n: int = -1, /) -> bytes: ...

def import_file(tm: TM, fh: Readable, fmt: str, options: ImportOptions = ImportOptions(),
                progress: Callable[[int], None] | None = None) -> ImportReport:
    """A TMX/CSV/TSV stream, all or nothing (one transaction)."""
    return _import_file(tm, fh, fmt, origin=options.origin, user=options.user, on_violation=options.on_violation,
                        source_lang=options.source_lang, target_lang=options.target_lang, progress=progress,
                        on_duplicate=options.on_duplicate, punctuation=options.punctuation)


def bring_back(tm: TM, filename: str, data: bytes, fmt: str | None, options: ImportOptions) -> dict[str, Any]:
    """The final units of a translated XLIFF/PO, imported in one transaction; the report."""
    return _bring_back(tm, filename, data, fmt=fmt, origin=options.origin, user=options.user,
                       on_violation=options.on_violation, final_states=options.final_states,
                       source_lang=options.source_lang, target_lang=options.target_lang,
                       on_duplicate=options.on_duplicate or dedup.DEFAULT)


def export_file(tm: TM, fh: IO[bytes], fmt: str, options: ExportOptions = ExportOptions()) -> int:
    """The TM (or a filtered part) as TMX/CSV/TSV, read in one snapshot; returns the unit count.
    Bad parameters raise before anything is written."""
    mode = check_punctuation(options.punctuation)
    for name in ("source_lang", "target_lang"):
        value = getattr(options, name)
        if value:
            lang_or_400(value, name)
    with tm.read_session() as s:
        return _export_file(tm, fh, fmt, source_lang=options.source_lang, target_lang=options.target_lang,
                            origin=options.origin, punctuation=mode, session=s)


def seed_if_empty(tm: TM, dirs: list[Path], echo: Callable[[str], Any] = print) -> dict[str, int]:
    """Load ``glossary/*.tbx`` then ``alignments/*.tmx`` into an empty TM (glossary first, so the
    TM import is checked against it); each file is its own transaction."""
    loaded = {"concepts": 0, "segments": 0}
    if not tm.is_empty():
        return loaded
    tbx = sorted(p for d in dirs for p in d.glob("*.tbx"))
    tmx = sorted(p for d in dirs for p in d.glob("*.tmx"))
    if tbx and glossary_svc.count_concepts(tm) == 0:
        for path in tbx:
            with path.open("rb") as fh:
                report = glossary_svc.import_glossary(tm, fh, "tbx")
            loaded["concepts"] += int(report.get("concepts", 0))
            echo(f"loaded glossary {path.name}: {report.get('concepts', 0)} concepts")
    for path in tmx:
        with path.open("rb") as fh:
            imported = import_file(tm, fh, "tmx", ImportOptions(origin=path.stem, user="seed")).imported
        loaded["segments"] += imported
        echo(f"loaded TM {path.name}: {imported} segments")
    return loaded
