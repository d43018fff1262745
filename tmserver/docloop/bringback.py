"""Bring back: import the finished units of a translated XLIFF or PO file into the TM.

Only units in a *final* state are imported — by default XLIFF 1.2 ``final``/``signed-off`` (or
``approved="yes"``), XLIFF 2.0 ``final``, PO entries translated and not ``fuzzy`` — because a
draft in the TM would be served to the next translator as if it were approved. The states are
configurable (``final_states``). The units go through :meth:`tmserver.tm.TM.import_units`, the
same write path as a TMX import: one transaction, the glossary policy (``on_violation``), the
duplicate policy and the history of every write. Each unit keeps its neighbours in the file as
context, so a later pre-translation of the same file finds 101 % matches.
"""

from __future__ import annotations

from typing import Any

from tmserver import dedup
from tmserver.docloop.matching import languages
from tmserver.errors import ValidationError
from tmserver.formats import Unit
from tmserver.formats.doc import Document
from tmserver.formats.documents import open_document

BRING_BACK_FORMATS = ("xliff", "po")


def parse_states(text: str | None) -> tuple[str, ...] | None:
    """``"final, signed-off"`` → ``("final", "signed-off")``; empty → None (the format's default)."""
    states = tuple(s.strip() for s in (text or "").split(",") if s.strip())
    return states or None


def final_units(doc: Document, states: tuple[str, ...] | None, src: str, tgt: str, origin: str | None,
                counts: dict[str, int]) -> list[Unit]:
    """The units to import, counting what is left out and why in ``counts``."""
    states = tuple(states) if states else doc.final_states
    units: list[Unit] = []
    for seg in doc.segments:
        if not seg.translatable:
            counts["locked"] += 1
        elif not seg.translated:
            counts["untranslated"] += 1
        elif not doc.is_final(seg, states):
            counts["not_final"] += 1
        else:
            units.append(Unit(source=seg.source, target=seg.target, source_lang=src, target_lang=tgt, origin=origin,
                              context_prev=seg.context_prev or "", context_next=seg.context_next or "",
                              where=f"{doc.filename}: {seg.where}", extra={"id": seg.id}))
    return units


def bring_back(
    tm,
    filename: str,
    data: bytes,
    *,
    origin: str | None = None,
    user: str | None = None,
    on_violation: str = "refuse",
    final_states: tuple[str, ...] | None = None,
    source_lang: str | None = None,
    target_lang: str | None = None,
    fmt: str | None = None,
    on_duplicate: str = dedup.DEFAULT,
    **import_options: Any,
) -> dict[str, Any]:
    """Import the final units of a translated document; return what was added, skipped, refused.

    A final unit whose pair is already stored in the same origin (a file delivered twice, or the
    same sentence in the XLIFF and the PO of one job) is a *duplicate*: ``on_duplicate`` skips it
    (the default), updates the stored copy's metadata or keeps a second copy, as for a TMX import.
    The report counts it, so ``final`` = added + updated + skipped duplicates + glossary skips.
    """
    on_duplicate = dedup.check_policy(on_duplicate)  # a bad value is a 400 before any parsing
    doc = open_document(filename, data, source_lang=source_lang, target_lang=target_lang, fmt=fmt)
    if doc.format not in BRING_BACK_FORMATS:
        raise ValidationError(f"{filename}: a {doc.format} file has no translations to import; "
                              "bring back XLIFF 1.2/2.0 or PO", {"format": doc.format})
    src, tgt = languages(doc.source_lang or source_lang, doc.target_lang or target_lang)
    counts = {"locked": 0, "untranslated": 0, "not_final": 0}
    units = final_units(doc, final_states, src.tag, tgt.tag, origin, counts)
    report = tm.import_units(units, origin=origin, user=user, on_violation=on_violation, on_duplicate=on_duplicate,
                             **import_options)
    # import_units counts duplicates apart from ``imported``; under "update" they were updated
    updated = report.duplicates if on_duplicate == "update" else 0
    return {
        "format": doc.format,
        "origin": origin,
        "source_lang": src.tag,
        "target_lang": tgt.tag,
        "final_states": list(final_states or doc.final_states),
        "segments": len(doc.segments),
        "final": len(units),
        "on_duplicate": on_duplicate,
        "added": report.imported,
        "updated": updated,
        "duplicates": report.duplicates,
        "skipped": {**counts, "duplicate": report.duplicates - updated, "glossary": report.skipped},
        "refused": report.skipped if on_violation == "skip" else 0,
        "flagged": report.flagged,
        "violations": report.violations,
        "import": report.to_dict(),
    }
