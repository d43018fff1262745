"""The enforced terminology glossary: term base, TBX/CSV I/O, recognisers, enforcement.

Modules, in data-flow order:

* :mod:`~tmserver.glossary.termbase` — concepts and terms as plain data, validation;
* :mod:`~tmserver.glossary.tbx`, :mod:`~tmserver.glossary.csvio` — files in and out;
* :mod:`~tmserver.glossary.model`, :mod:`~tmserver.glossary.store` — tables, CRUD, versioning;
* :mod:`~tmserver.glossary.recognize` — Chinese and English recognisers (Aho–Corasick);
* :mod:`~tmserver.glossary.glossary` — :class:`Glossary`: recognition and ``check_pair``;
* :mod:`~tmserver.glossary.enforce` — ``check_pair(session, …)`` for the TM's write paths;
* :mod:`~tmserver.glossary.annotate` — glossary terms and term problems on lookup results.

This package's entry points for other modules are :func:`import_glossary`, :func:`export_glossary`
and :func:`count_concepts` (each works on a :class:`tmserver.tm.TM`), :func:`read_concepts` (a file
to concepts, no database) and :func:`format_from_name`.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from tmserver.errors import ValidationError
from tmserver.glossary import model as _model  # noqa: F401  (registers the tables on Base.metadata)
from tmserver.glossary import store
from tmserver.glossary.csvio import read_csv, write_csv
from tmserver.glossary.glossary import Glossary, Violation
from tmserver.glossary.tbx import read_tbx, write_tbx, write_tbx_v2
from tmserver.glossary.termbase import Concept, Term

if TYPE_CHECKING:
    from tmserver.tm import TM

__all__ = ["Glossary", "Violation", "Concept", "Term", "import_glossary", "export_glossary", "count_concepts", "read_concepts", "FORMATS",
           "format_from_name"]

FORMATS = ("tbx", "csv", "tsv")


def format_from_name(name: str) -> str:
    """The glossary format a file name's extension gives (.tbx, .csv, .tsv); ``tbx`` otherwise."""
    low = name.lower()
    return next((f for f in FORMATS if low.endswith("." + f)), "tbx")


def read_concepts(fh: IO[bytes], fmt: str, report: dict[str, Any] | None = None) -> list[Concept]:
    """Parse a whole glossary file (raises :class:`~tmserver.errors.ImportFailed`)."""
    if fmt == "tbx":
        return read_tbx(fh, report)
    if fmt in ("csv", "tsv"):
        return read_csv(fh, report, delimiter="\t" if fmt == "tsv" else None)
    raise ValidationError(f"unknown glossary format {fmt!r}; choose one of {', '.join(FORMATS)}", {"format": fmt})


def import_glossary(tm: TM, fh: IO[bytes], fmt: str = "tbx", *, replace: bool = False) -> dict[str, Any]:
    """Import a TBX or CSV glossary in one transaction: all of it, or — on any error — nothing.

    Concepts are matched by id: an existing concept is replaced by the file's version, a new one
    is added. ``replace=True`` also deletes concepts the file does not contain.
    """
    report: dict[str, Any] = {"format": fmt}
    concepts = read_concepts(fh, fmt, report)  # parse everything before touching the database
    # save_all reads the concepts it then replaces: a read-modify-write, so it takes the write lock
    # from the start (SQLite's BEGIN IMMEDIATE), as every other glossary write does. In a deferred
    # transaction a write after a read can fail at once if another connection wrote in between
    # (round 10's CI run failed here with "database is locked" in a test's glossary seeding).
    with tm.write_session() as s:
        counts = store.save_all(s, concepts, replace=replace)
        total = store.count(s)
    report.update(counts)
    report["concepts"] = len(concepts)  # in this file
    report["total"] = total  # in the term base afterwards
    return report


def count_concepts(tm: TM) -> int:
    """How many concepts the term base holds (``serve`` seeds ``glossary/*.tbx`` when 0)."""
    with tm.session() as s:
        return store.count(s)


def export_glossary(tm: TM, fh: IO[bytes], fmt: str = "tbx", *, tbx_version: int = 3) -> int:
    """Write the whole term base as TBX-Basic (v3, or v2 ``martif`` with ``tbx_version=2``) or CSV
    (long layout); returns the concept count."""

    if fmt not in FORMATS:
        raise ValidationError(f"unknown glossary format {fmt!r}; choose one of {', '.join(FORMATS)}", {"format": fmt})
    if tbx_version not in (2, 3):
        raise ValidationError(f"TBX version must be 2 or 3, got {tbx_version!r}", {"field": "version"})
    with tm.session() as s:
        concepts = store.load_concepts(s)
    if fmt == "tbx":
        (write_tbx if tbx_version == 3 else write_tbx_v2)(concepts, fh)
    else:
        write_csv(concepts, fh, delimiter="\t" if fmt == "tsv" else ",")
    return len(concepts)
