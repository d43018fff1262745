"""File analysis against the TM: the match bands a project manager quotes from.

Bands (the usual CAT grid): ``context`` (101 %: exact, and the neighbouring segments match too),
``exact`` (100 %), ``95-99``, ``85-94``, ``75-84``, ``50-74`` and ``new`` (no match of 50 % or
more), plus ``repetitions``: a segment whose text already occurred earlier in the batch (same
file or an earlier file) is counted once in its band and then as a repetition — unless it is
itself a context match, which wins. ``locked`` segments (``translate="no"``, PO plurals, empty
sources) are listed apart and belong to no band, so for every file

    sum(band segments) + repetitions + locked == segments in the file.

Counting rule (said in every report): **characters** are CJK ideographs (what Chinese rates are
quoted on), **words** are runs of Latin letters or digits (``6G``, ``WIC``, ``2.5``,
``don't``), and the **weighted** count is characters + words — the CAT convention for Asian
text, where each ideograph counts as one word. Whitespace and punctuation count for nothing.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field
from typing import Any

from tmserver.docloop.matching import best_matches, languages
from tmserver.formats.doc import Document
from tmserver.normalize import CJK_CLASS, normalize_text

BANDS: list[tuple[str, str, int, int]] = [
    ("context", "Context match (101%)", 101, 101),
    ("exact", "100%", 100, 100),
    ("95-99", "95–99%", 95, 99),
    ("85-94", "85–94%", 85, 94),
    ("75-84", "75–84%", 75, 84),
    ("50-74", "50–74%", 50, 74),
    ("new", "No match", 0, 49),
]
ROWS = ["context", "repetitions", "exact", "95-99", "85-94", "75-84", "50-74", "new"]
LABELS = {key: label for key, label, _lo, _hi in BANDS} | {"repetitions": "Repetitions", "locked": "Locked / not translatable"}
COUNTING_RULE = ("characters = CJK ideographs; words = runs of Latin letters/digits; "
                 "weighted = characters + words (each ideograph counts as one word)")
MIN_SCORE = 50

_CJK = re.compile(CJK_CLASS)
_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:[.'’,-][A-Za-z0-9\u00c0-\u024f]+)*")


def count_text(text: str) -> tuple[int, int]:
    """(CJK characters, Latin/digit words) of a text, per :data:`COUNTING_RULE`."""
    return len(_CJK.findall(text)), len(_WORD.findall(text))


def band_of(score: int) -> str:
    for key, _label, lo, hi in BANDS:
        if lo <= score <= hi:
            return key
    return "new"


@dataclass
class Counts:
    segments: int = 0
    characters: int = 0
    words: int = 0

    @property
    def weighted(self) -> int:
        return self.characters + self.words

    def add(self, text: str) -> None:
        c, w = count_text(text)
        self.segments += 1
        self.characters += c
        self.words += w

    def merge(self, other: Counts) -> None:
        self.segments += other.segments
        self.characters += other.characters
        self.words += other.words

    def to_dict(self) -> dict[str, int]:
        return {"segments": self.segments, "characters": self.characters, "words": self.words,
                "weighted": self.weighted}


def _empty_rows() -> dict[str, Counts]:
    return {key: Counts() for key in [*ROWS, "locked"]}


@dataclass
class FileAnalysis:
    filename: str
    format: str
    source_lang: str
    target_lang: str
    rows: dict[str, Counts] = field(default_factory=_empty_rows)
    segments: list[dict[str, Any]] = field(default_factory=list)  #: per segment: id, band, score

    @property
    def total(self) -> Counts:
        t = Counts()
        for c in self.rows.values():
            t.merge(c)
        return t

    def to_dict(self, with_segments: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "filename": self.filename, "format": self.format,
            "source_lang": self.source_lang, "target_lang": self.target_lang,
            "bands": {k: self.rows[k].to_dict() for k in [*ROWS, "locked"]},
            "total": self.total.to_dict(),
        }
        if with_segments:
            out["segments"] = self.segments
        return out


@dataclass
class AnalysisReport:
    """Per-file and cross-file band counts; render with :meth:`to_text`, :meth:`to_csv`,
    :meth:`to_html` or :meth:`to_dict`."""

    files: list[FileAnalysis]
    tm_segments: int = 0

    @property
    def summary(self) -> dict[str, Counts]:
        rows = _empty_rows()
        for f in self.files:
            for k, c in f.rows.items():
                rows[k].merge(c)
        return rows

    @property
    def total(self) -> Counts:
        t = Counts()
        for c in self.summary.values():
            t.merge(c)
        return t

    def to_dict(self) -> dict[str, Any]:
        summary = self.summary
        return {
            "counting_rule": COUNTING_RULE,
            "bands": [{"key": k, "label": LABELS[k]} for k in [*ROWS, "locked"]],
            "tm_segments": self.tm_segments,
            "files": [f.to_dict() for f in self.files],
            "summary": {"bands": {k: summary[k].to_dict() for k in [*ROWS, "locked"]},
                        "total": self.total.to_dict()},
        }

    def _tables(self) -> list[tuple[str, dict[str, Counts]]]:
        tables = [(f.filename, f.rows) for f in self.files]
        if len(self.files) > 1:
            tables.append(("All files", self.summary))
        return tables

    def to_text(self) -> str:
        """A terminal table per file (and a summary for several files)."""
        out: list[str] = []
        for name, rows in self._tables():
            total = Counts()
            for c in rows.values():
                total.merge(c)
            out.append(name)
            out.append(f"  {'band':<26}{'segments':>9}{'chars':>9}{'words':>8}{'weighted':>10}{'%':>7}")
            for key in [*ROWS, "locked"]:
                c = rows[key]
                share = 100 * c.weighted / total.weighted if total.weighted else 0.0
                out.append(f"  {LABELS[key]:<26}{c.segments:>9}{c.characters:>9}{c.words:>8}{c.weighted:>10}{share:>6.1f}%")
            out.append(f"  {'Total':<26}{total.segments:>9}{total.characters:>9}{total.words:>8}{total.weighted:>10}")
            out.append("")
        out.append(f"Counting: {COUNTING_RULE}.")
        return "\n".join(out) + "\n"

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["file", "band", "label", "segments", "characters", "words", "weighted"])
        for name, rows in self._tables():
            for key in [*ROWS, "locked"]:
                c = rows[key]
                w.writerow([name, key, LABELS[key], c.segments, c.characters, c.words, c.weighted])
        return buf.getvalue()

    def to_html(self) -> str:
        """One self-contained HTML page (inline CSS, no scripts, nothing fetched)."""
        esc = html.escape
        parts = [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>tmserver analysis</title>",
            "<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
            "table{border-collapse:collapse;margin-bottom:2em}th,td{padding:.3em .8em;border-bottom:1px solid #ddd}"
            "td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3;text-align:left}"
            "tr.total td{font-weight:bold;border-top:2px solid #999}.bar{background:#4a7;height:.8em}</style>",
            "</head><body><h1>TM analysis</h1>",
            f"<p>TM: {self.tm_segments} segments. Counting: {esc(COUNTING_RULE)}.</p>",
        ]
        for name, rows in self._tables():
            total = Counts()
            for c in rows.values():
                total.merge(c)
            parts.append(f"<h2>{esc(name)}</h2><table><tr><th>Band</th><th>Segments</th><th>Characters</th>"
                         "<th>Words</th><th>Weighted</th><th>Share</th><th></th></tr>")
            for key in [*ROWS, "locked"]:
                c = rows[key]
                share = 100 * c.weighted / total.weighted if total.weighted else 0.0
                parts.append(f"<tr><td>{esc(LABELS[key])}</td><td class='n'>{c.segments}</td>"
                             f"<td class='n'>{c.characters}</td><td class='n'>{c.words}</td>"
                             f"<td class='n'>{c.weighted}</td><td class='n'>{share:.1f}%</td>"
                             f"<td style='width:10em'><div class='bar' style='width:{share:.1f}%'></div></td></tr>")
            parts.append(f"<tr class='total'><td>Total</td><td class='n'>{total.segments}</td>"
                         f"<td class='n'>{total.characters}</td><td class='n'>{total.words}</td>"
                         f"<td class='n'>{total.weighted}</td><td></td><td></td></tr></table>")
        parts.append("</body></html>\n")
        return "".join(parts)


def _scores(tm, work: list, src, tgt) -> dict[int, int]:
    """Best score of every segment, exactly, in two passes: the index lookup at 75 % (where its
    proof prunes well) gives context, exact and fuzzy matches down to 75; the segments left
    without one get their best 50–74 % score from one batched exact pass over the TM
    (:meth:`tmserver.index.Engine.best_fuzzy_scores`), since an index proof at 50 % degenerates
    into a scan per segment."""
    best = best_matches(tm, [(s.source, s.context_prev, s.context_next) for s in work], src, tgt,
                        min_score=75, annotate=False)
    scores = {s.index: b.score for s, b in zip(work, best, strict=True)}
    low = list(dict.fromkeys(s.source for s, b in zip(work, best, strict=True) if b.match is None and s.source.strip()))
    low_scores = dict(zip(low, tm.index.best_fuzzy_scores(low, src, floor=MIN_SCORE), strict=True))
    for seg, b in zip(work, best, strict=True):
        if b.match is None and seg.source in low_scores:
            scores[seg.index] = low_scores[seg.source]
    return scores


def analyze_documents(tm, docs: list[Document], *, source_lang: str | None = None,
                      target_lang: str | None = None) -> AnalysisReport:
    """Analyse parsed documents in order (repetitions run across files)."""
    seen: set[str] = set()
    files: list[FileAnalysis] = []
    for doc in docs:
        src, tgt = languages(doc.source_lang or source_lang, doc.target_lang or target_lang)
        fa = FileAnalysis(doc.filename, doc.format, src.tag, tgt.tag)
        work = [s for s in doc.segments if s.translatable]
        scores = _scores(tm, work, src, tgt)
        for seg in doc.segments:
            if not seg.translatable:
                fa.rows["locked"].add(seg.source)
                fa.segments.append({"id": seg.id, "band": "locked", "score": None})
                continue
            score = scores[seg.index]
            key = normalize_text(seg.source)
            band = band_of(score)
            if key in seen and band != "context":
                band = "repetitions"
            seen.add(key)
            fa.rows[band].add(seg.source)
            fa.segments.append({"id": seg.id, "band": band, "score": score})
        files.append(fa)
    return AnalysisReport(files, tm_segments=tm.count())
