"""What a match is worth: sacrebleu scores of TM suggestions, per match band.

Two set-ups, one report:

* **leave-one-out** over the TM — every stored unit is looked up with itself excluded, so its
  best match comes from the *other* units; its own target is the reference;
* **held-out** — the units of a test file (TMX, translated XLIFF or PO) are looked up against
  the TM; the file's targets are the references.

For each band (:data:`tmserver.docloop.analysis.BANDS`) the report gives the number of units
and corpus chrF, BLEU and TER of (a) the raw stored target of the best match and (b) the
adapted target (numbers, dates and superseded terms fixed; the raw target where nothing was
adapted) against the references, with sacrebleu's signature of each metric. BLEU tokenises
with ``zh`` for a Chinese target and ``13a`` for English; TER uses its Asian-script support for
a Chinese target. Units without a match (``new``) have no hypothesis and are only counted.

:func:`score_files` scores a translated file against a reference file the same way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from sacrebleu.metrics import BLEU, CHRF, TER

from tmserver.docloop.analysis import BANDS, band_of
from tmserver.docloop.matching import Query, best_matches, languages
from tmserver.errors import ValidationError
from tmserver.formats.documents import open_document
from tmserver.formats.tmx import iter_tmx
from tmserver.langs import Lang

MIN_SCORE = 50


def _metrics(tgt: Lang) -> dict[str, Any]:
    zh = tgt.base == "zh"
    return {"chrF": CHRF(), "BLEU": BLEU(tokenize="zh" if zh else "13a"), "TER": TER(asian_support=zh)}


@dataclass
class Scores:
    """Corpus scores of one hypothesis set (chrF, BLEU, TER) and the metrics' signatures."""

    chrF: float
    BLEU: float
    TER: float
    signatures: dict[str, str] = field(default_factory=dict)

    @classmethod
    def compute(cls, hyps: list[str], refs: list[str], tgt: Lang) -> Scores:
        out: dict[str, float] = {}
        sigs: dict[str, str] = {}
        for name, metric in _metrics(tgt).items():
            out[name] = round(float(metric.corpus_score(hyps, [refs]).score), 2)
            sigs[name] = str(metric.get_signature())
        return cls(out["chrF"], out["BLEU"], out["TER"], sigs)

    def to_dict(self) -> dict[str, float]:
        return {"chrF": self.chrF, "BLEU": self.BLEU, "TER": self.TER}


@dataclass
class BandReport:
    """One band: how many units, and what their raw and adapted suggestions score."""

    band: str
    label: str
    count: int = 0
    adapted_count: int = 0  #: units whose adapted target differs from the raw one
    raw: Scores | None = None
    adapted: Scores | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"band": self.band, "label": self.label, "count": self.count, "adapted_count": self.adapted_count,
                "raw": self.raw.to_dict() if self.raw else None,
                "adapted": self.adapted.to_dict() if self.adapted else None}


@dataclass
class EvalReport:
    mode: str  #: leave-one-out | held-out | files
    source_lang: str
    target_lang: str
    bands: list[BandReport]
    signatures: dict[str, str]
    overall: BandReport | None = None
    units: list[dict[str, Any]] = field(default_factory=list)
    units_total: int | None = None  #: units in the TM when a leave-one-out run sampled them

    def to_dict(self, with_units: bool = False) -> dict[str, Any]:
        out = {"mode": self.mode, "source_lang": self.source_lang, "target_lang": self.target_lang,
               "bands": [b.to_dict() for b in self.bands],
               "overall": self.overall.to_dict() if self.overall else None,
               "signatures": self.signatures,
               "units_evaluated": len(self.units) if self.units else sum(b.count for b in self.bands),
               "units_total": self.units_total}
        if with_units:
            out["units"] = self.units
        return out

    def to_text(self) -> str:
        if self.mode == "files" and self.overall and self.overall.raw:
            r = self.overall.raw
            lines = [f"{self.overall.count} segments, target {self.target_lang}: chrF {r.chrF:.2f}  BLEU {r.BLEU:.2f}  "
                     f"TER {r.TER:.2f} (lower is better)", "Signatures (sacrebleu):"]
            lines += [f"  {name}: {sig}" for name, sig in self.signatures.items()]
            return "\n".join(lines) + "\n"
        head = (f"{'band':<22}{'units':>6}{'adapted':>8}  {'chrF raw':>9}{'adapted':>8}"
                f"  {'BLEU raw':>9}{'adapted':>8}  {'TER raw':>8}{'adapted':>8}")
        sample = (f", a sample of {len(self.units)} of {self.units_total} units"
                  if self.units_total is not None and self.units_total > len(self.units) else "")
        lines = [f"{self.mode}, {self.source_lang} → {self.target_lang}{sample}", head]
        for b in [*self.bands, *([self.overall] if self.overall else [])]:
            if b.raw is None or b.adapted is None:
                lines.append(f"{b.label:<22}{b.count:>6}{'':>8}  {'–':>9}{'–':>8}  {'–':>9}{'–':>8}  {'–':>8}{'–':>8}")
                continue
            lines.append(f"{b.label:<22}{b.count:>6}{b.adapted_count:>8}  {b.raw.chrF:>9.2f}{b.adapted.chrF:>8.2f}"
                         f"  {b.raw.BLEU:>9.2f}{b.adapted.BLEU:>8.2f}  {b.raw.TER:>8.2f}{b.adapted.TER:>8.2f}")
        lines.append("TER: lower is better. Signatures (sacrebleu):")
        lines += [f"  {name}: {sig}" for name, sig in self.signatures.items()]
        return "\n".join(lines) + "\n"


def _score(report: BandReport, rows: list[dict[str, Any]], tgt: Lang) -> dict[str, str] | None:
    """Fill ``report`` with the raw and adapted scores of the rows that had a match; return the
    metrics' signatures (None when no row had one)."""
    scored = [r for r in rows if r["raw"] is not None]
    if not scored:
        return None
    refs = [r["reference"] for r in scored]
    report.raw = Scores.compute([r["raw"] for r in scored], refs, tgt)
    report.adapted = Scores.compute([r["adapted"] for r in scored], refs, tgt)
    report.adapted_count = sum(1 for r in scored if r["adapted"] != r["raw"])
    return report.raw.signatures


def _band_reports(rows: list[dict[str, Any]], tgt: Lang) -> tuple[list[BandReport], BandReport, dict[str, str]]:
    reports = []
    signatures: dict[str, str] = {}
    for key, label, _lo, _hi in BANDS:
        mine = [r for r in rows if r["band"] == key]
        br = BandReport(key, label, count=len(mine))
        signatures = _score(br, mine, tgt) or signatures
        reports.append(br)
    scored = [r for r in rows if r["raw"] is not None]
    overall = BandReport("matched", f"All ≥ {MIN_SCORE}%", count=len(scored))
    signatures = _score(overall, scored, tgt) or signatures
    if not signatures:  # nothing matched: the signatures still say how it would have been scored
        signatures = Scores.compute([""], [""], tgt).signatures
    return reports, overall, signatures


def _rows(tm, pairs: list[tuple[str, str, int | None]], src: Lang, tgt: Lang, min_score: int) -> list[dict[str, Any]]:
    """Look up every (source, reference, own id) and shape one row per unit."""
    queries: list[Query] = [(s, None, None) for s, _r, _i in pairs]
    exclude = [i for _s, _r, i in pairs]
    best = best_matches(tm, queries, src, tgt, min_score=min_score,
                        exclude=exclude if any(i is not None for i in exclude) else None)
    rows = []
    for (source, reference, own), b in zip(pairs, best, strict=True):
        m = b.match
        rows.append({
            "id": own, "source": source, "reference": reference, "score": b.score,
            "band": band_of(b.score) if m else "new",
            "match_id": m["id"] if m else None,
            "raw": m["target"] if m else None,
            "adapted": b.target if m else None,
        })
    return rows


def evaluate_tm(tm, *, source_lang: str | None = None, target_lang: str | None = None,
                min_score: int = MIN_SCORE, origin: str | None = None, max_units: int | None = None) -> EvalReport:
    """Leave-one-out over the TM's units in one direction (units stored the other way round
    are used reversed: an en → zh evaluation of a zh → en TM looks up the English sides).

    ``max_units`` evaluates an evenly spaced sample (every k-th unit in id order) of a large TM:
    each unit is a lookup at ``min_score``, and at 50 % that is a scan of the index."""
    src, tgt = languages(source_lang, target_lang)
    pairs = [(seg.source_text, seg.target_text, seg.id)
             for seg in tm.iter_segments(source_lang=src.base, target_lang=tgt.base, origin=origin)]
    pairs += [(seg.target_text, seg.source_text, seg.id)
              for seg in tm.iter_segments(source_lang=tgt.base, target_lang=src.base, origin=origin)]
    total = len(pairs)
    if max_units is not None and total > max_units:
        pairs = [pairs[i * total // max_units] for i in range(max_units)]  # evenly spaced, distinct
    rows = _rows(tm, pairs, src, tgt, min_score)
    bands, overall, sigs = _band_reports(rows, tgt)
    report = EvalReport("leave-one-out", src.tag, tgt.tag, bands, sigs, overall, rows)
    report.units_total = total
    return report


def reference_pairs(filename: str, data: bytes, source_lang: str | None,
                    target_lang: str | None) -> tuple[list[tuple[str, str]], str | None, str | None]:
    """(source, reference) pairs of a test file: TMX, or a translated XLIFF/PO (translated units)."""
    if filename.lower().endswith(".tmx"):
        units = list(iter_tmx(io.BytesIO(data)))
        sl = units[0].source_lang if units else source_lang
        tl = units[0].target_lang if units else target_lang
        return [(u.source, u.target) for u in units], source_lang or sl, target_lang or tl
    doc = open_document(filename, data, source_lang=source_lang, target_lang=target_lang)
    pairs = [(s.source, s.target) for s in doc.segments if s.translatable and s.translated]
    return pairs, doc.source_lang or source_lang, doc.target_lang or target_lang


def evaluate_heldout(tm, filename: str, data: bytes, *, source_lang: str | None = None,
                     target_lang: str | None = None, min_score: int = MIN_SCORE) -> EvalReport:
    """Held-out: the units of a test file against the TM, the file's targets as references."""
    pairs, sl, tl = reference_pairs(filename, data, source_lang, target_lang)
    if not pairs:
        raise ValidationError(f"{filename}: no translated units to evaluate", {"filename": filename})
    src, tgt = languages(sl, tl)
    rows = _rows(tm, [(s, r, None) for s, r in pairs], src, tgt, min_score)
    bands, overall, sigs = _band_reports(rows, tgt)
    return EvalReport("held-out", src.tag, tgt.tag, bands, sigs, overall, rows)


def _targets(filename: str, data: bytes, source_lang: str | None, target_lang: str | None) -> tuple[dict[str, str], list[str], str | None]:
    if filename.lower().endswith(".tmx"):
        units = list(iter_tmx(io.BytesIO(data)))
        return {u.source: u.target for u in units}, [u.target for u in units], (units[0].target_lang if units else None)
    if filename.lower().endswith((".xlf", ".xliff", ".po", ".pot")):
        doc = open_document(filename, data, source_lang=source_lang, target_lang=target_lang)
        segs = [s for s in doc.segments if s.translatable]
        return {s.source: s.target for s in segs}, [s.target for s in segs], doc.target_lang
    lines = data.decode("utf-8-sig").splitlines()
    return {}, [ln.strip() for ln in lines if ln.strip()], None


def score_files(hyp_name: str, hyp: bytes, ref_name: str, ref: bytes, *, target_lang: str | None = None) -> EvalReport:
    """A translated file against a reference: segments paired by source (bilingual files) or by
    line (plain text, one segment per line)."""
    hyp_by_src, hyp_list, hyp_tl = _targets(hyp_name, hyp, None, target_lang)
    ref_by_src, ref_list, ref_tl = _targets(ref_name, ref, None, target_lang)
    if hyp_by_src and ref_by_src:
        keys = [k for k, v in ref_by_src.items() if k in hyp_by_src and v.strip()]  # no reference, no score
        hyps, refs = [hyp_by_src[k] for k in keys], [ref_by_src[k] for k in keys]
    else:
        if len(hyp_list) != len(ref_list):
            raise ValidationError(f"{hyp_name} has {len(hyp_list)} segments and {ref_name} {len(ref_list)}; "
                                  "plain-text files are compared line by line",
                                  {"hypothesis": len(hyp_list), "reference": len(ref_list)})
        hyps, refs = hyp_list, ref_list
    if not refs:
        raise ValidationError("no segments in common between the hypothesis and the reference")
    _src, tgt = languages(None, target_lang or hyp_tl or ref_tl or "en")
    scores = Scores.compute(hyps, refs, tgt)
    band = BandReport("file", "file", count=len(refs), raw=scores, adapted=scores)
    return EvalReport("files", "?", tgt.tag, [], scores.signatures, band)
