"""Pre-translation: fill a document's empty targets from the TM (and glossary).

For each translatable segment without a translation (or every one, with ``overwrite``), the
best match at or above ``threshold`` is written — its *adapted* target when the index or the
glossary adapted it (2024年 → 2025 in the English, a superseded term replaced), else its stored
target — and marked the way the format expects (see :mod:`tmserver.formats.xliffdoc` and
:mod:`tmserver.formats.po`). Every filled target is then checked against the enforced glossary;
problems are reported (and, in XLIFF, written as notes) but do not stop the fill: the
translator reviews them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from tmserver.docloop.analysis import band_of
from tmserver.docloop.matching import Best, best_matches, languages, term_problems
from tmserver.errors import ValidationError
from tmserver.formats.doc import Document, Fill


@dataclass
class PretranslateResult:
    data: bytes  #: the pre-translated file
    filename: str  #: suggested output name (``summit.en-US.xlf``)
    media_type: str
    report: dict[str, Any] = field(default_factory=dict)


def output_name(filename: str, target_tag: str) -> str:
    """``summit.xlf`` → ``summit.en-US.xlf`` (the target language before the suffix)."""
    p = PurePath(filename or "document.txt")
    return f"{p.stem}.{target_tag}{p.suffix}"


def pretranslate_document(
    tm,
    doc: Document,
    *,
    threshold: int = 75,
    source_lang: str | None = None,
    target_lang: str | None = None,
    overwrite: bool = False,
    alternatives: int = 0,
    term_notes: bool = False,
    notes: bool = True,
) -> PretranslateResult:
    _check_options(threshold, alternatives)
    src, tgt = languages(doc.source_lang or source_lang, doc.target_lang or target_lang)
    work = [s for s in doc.segments if s.translatable and (overwrite or not s.translated)]
    best = best_matches(tm, [(s.source, s.context_prev, s.context_next) for s in work], src, tgt,
                        min_score=threshold, limit=1 + alternatives, with_terms=term_notes)
    fills = {seg.index: _fill(b, alternatives > 0) for seg, b in zip(work, best, strict=True)
             if b.match is not None and b.target is not None}
    refused = _drop_unfit(doc, fills)
    problems = term_problems(tm, [(doc.segments[i].source, f.text) for i, f in fills.items()], src, tgt)
    for f, p in zip(fills.values(), problems, strict=True):
        f.term_problems = p
    data = doc.render(fills, overwrite=overwrite, notes=notes, alternatives=alternatives > 0)
    return PretranslateResult(
        data=data,
        filename=output_name(doc.filename, tgt.tag),
        media_type=doc.media_type,
        report=_report(doc, fills, refused, threshold, overwrite, src.tag, tgt.tag),
    )


def _drop_unfit(doc: Document, fills: dict[int, Fill]) -> list[int]:
    """Remove the fills the format refuses (a PO *-format entry must keep its placeholders); their indices."""
    fits = getattr(doc, "fits", None)
    refused = [i for i, f in fills.items() if fits is not None and not fits(doc.segments[i], f.text)]
    for i in refused:
        del fills[i]
    return refused


def _check_options(threshold: int, alternatives: int) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 0 <= threshold <= 101:
        raise ValidationError("'threshold' must be an integer between 0 and 101", {"field": "threshold"})
    if not 0 <= alternatives <= 10:
        raise ValidationError("'alternatives' must be between 0 and 10", {"field": "alternatives"})


def _fill(b: Best, alternatives: bool) -> Fill:
    """The fill for one segment from its best match ``b`` (which has a match and a target)."""
    m = b.match
    assert m is not None and b.target is not None  # the caller passes only matched segments
    return Fill(
        text=b.target, score=b.score, match_type=m["match_type"], adapted=bool(m.get("adapted")),
        tm_id=m["id"], origin=m.get("origin"),
        # alternatives show what the TM holds (the filled target is the adapted one)
        alternatives=[{"source": x["source"], "target": x["target"], "score": x["score"], "id": x["id"]}
                      for x in ([m] + b.others)] if alternatives else [],
        terms=b.terms,
    )


def _report(doc: Document, fills: dict[int, Fill], refused: list[int], threshold: int, overwrite: bool,
            src: str, tgt: str) -> dict[str, Any]:
    bands: dict[str, int] = {}
    units = []
    for seg in doc.segments:
        fill = fills.get(seg.index)
        if not seg.translatable:
            status = "locked"
        elif seg.translated and not overwrite:
            status = "kept"  # already translated: never touched unless asked
        elif fill is None:
            status = "format" if seg.index in refused else "unmatched"
        else:
            status = "filled"
            band = band_of(fill.score)
            bands[band] = bands.get(band, 0) + 1
        unit: dict[str, Any] = {"id": seg.id, "status": status}
        if fill is not None:
            unit.update(score=fill.score, match_type=fill.match_type, adapted=fill.adapted, tm_id=fill.tm_id,
                        target=fill.text, term_problems=fill.term_problems)
        units.append(unit)
    count = lambda s: sum(1 for u in units if u["status"] == s)  # noqa: E731
    return {
        "filename": doc.filename, "format": doc.format, "source_lang": src, "target_lang": tgt,
        "threshold": threshold, "overwrite": overwrite,
        "segments": len(doc.segments), "filled": count("filled"), "kept": count("kept"),
        "locked": count("locked"), "unmatched": count("unmatched"), "format_refused": count("format"),
        "adapted": sum(1 for f in fills.values() if f.adapted),
        "term_problems": sum(len(f.term_problems) for f in fills.values()),
        "bands": bands, "units": units,
    }


