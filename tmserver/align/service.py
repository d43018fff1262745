"""What the CLI, the JSON API and the TMX build script share: text in, links out, TM units.

* :func:`align_texts` — two texts (paragraph per line, or presegmented) → :class:`AlignResult`;
* :func:`links_to_units` — links → :class:`tmserver.formats.Unit` objects whose ``extra``
  carries the TMX ``<prop>``s (link type, position, confidence, how it was made);
* :func:`import_links` — the "align and import into the TM" path: links at or above the
  confidence threshold go through :meth:`tmserver.tm.TM.import_units` (one transaction,
  glossary enforcement applies); the others are **held for review** and returned, never
  imported silently, unless the caller explicitly accepts low-confidence links.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tmserver.align.aligner import Aligner, Link
from tmserver.align.segment import read_presegmented, segment_paragraphs
from tmserver.errors import ValidationError
from tmserver.formats import Unit

__all__ = ["AlignResult", "align_texts", "links_to_units", "import_links", "render_links", "DEFAULT_THRESHOLD",
           "MAX_CHARS_BY_LANG"]

#: links whose posterior confidence is below this are reported for review
DEFAULT_THRESHOLD = 0.5
#: the largest text (characters) the API aligns in one request, per language. Set from the
#: measured cost (bench/bench_align.py, bench/RESULTS.md): 5,002 × 6,322 sentences (≈ 200,000
#: Chinese and 810,000 English characters) took 19 s of CPU on the idle machine, 28 s when it
#: was loaded six times over, and 630 MB peak RSS, all linear in the number of sentences (a
#: process with the lexicons loaded is ≈ 320 MB). These limits, ≈ 4,000 sentences a side, keep
#: one request under ≈ 23 s of CPU and ≈ 560 MB — inside gunicorn's 120 s timeout even on a
#: loaded machine. Longer books: the CLI has no limit.
MAX_CHARS_BY_LANG = {"zh": 160_000, "en": 640_000}


@dataclass
class AlignResult:
    zh: list[list[str]]
    en: list[list[str]]
    links: list[Link]
    threshold: float
    method: str = "aligner"
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def zh_sentences(self) -> list[str]:
        return [s for p in self.zh for s in p]

    @property
    def en_sentences(self) -> list[str]:
        return [s for p in self.en for s in p]

    def below_threshold(self) -> list[int]:
        """Positions (in :attr:`links`) of links a human should check."""
        return [k for k, link in enumerate(self.links) if link.score < self.threshold]

    def summary(self) -> dict[str, Any]:
        types: dict[str, int] = {}
        for link in self.links:
            types[link.type] = types.get(link.type, 0) + 1
        return {
            "zh_sentences": len(self.zh_sentences),
            "en_sentences": len(self.en_sentences),
            "zh_paragraphs": len(self.zh),
            "en_paragraphs": len(self.en),
            "links": len(self.links),
            "link_types": dict(sorted(types.items())),
            "threshold": self.threshold,
            "below_threshold": len(self.below_threshold()),
            **self.stats,
        }


def _split(text: str, lang: str, presegmented: bool) -> list[list[str]]:
    if presegmented:
        return read_presegmented(text)
    return segment_paragraphs(text, lang)


def align_texts(
    zh_text: str,
    en_text: str,
    *,
    presegmented: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    aligner: Aligner | None = None,
) -> AlignResult:
    """Segment (unless ``presegmented``) and align; raise ValidationError on unusable input."""
    for name, value in (("zh", zh_text), ("en", en_text)):
        if not isinstance(value, str):
            raise ValidationError(f"'{name}' must be a string of text", {"field": name})
        if not value.strip():
            raise ValidationError(f"'{name}' is empty: nothing to align", {"field": name})
    if not 0.0 <= threshold <= 1.0:
        raise ValidationError(f"threshold must be between 0 and 1, got {threshold}", {"field": "threshold"})
    zh = _split(zh_text, "zh", presegmented)
    en = _split(en_text, "en", presegmented)
    al = aligner or Aligner(threshold=threshold)
    links = al.align(zh, en)
    return AlignResult(zh, en, links, threshold, stats=al.length_stats())


def gold_result(zh: list[list[str]], en: list[list[str]], gold: Sequence[dict], *, threshold: float = DEFAULT_THRESHOLD) -> AlignResult:
    """Links taken from a hand-checked gold alignment, each scored with the aligner's posterior.

    Used to build the shipped ``alignments/article.tmx``: the pairs are the human ones, the
    confidence is what the model thinks of each of them.
    """
    zs = [s for p in zh for s in p]
    es = [s for p in en for s in p]
    check_links(gold, len(zs), len(es), where="gold")
    al = Aligner(threshold=threshold)
    al.align(zh, en)
    links = []
    for g in gold:
        z, e = list(g["zh"]), list(g["en"])
        link = Link(z, e, al.confidence(z, e))
        link.zh_text = "".join(zs[k] for k in z)
        link.en_text = " ".join(es[k] for k in e)
        links.append(link)
    return AlignResult(zh, en, links, threshold, method="gold", stats=al.length_stats())


def check_links(links: Sequence[dict], n_zh: int, n_en: int, *, where: str) -> None:
    """Every sentence in exactly one link, indices in range and consecutive."""
    seen_z: list[int] = []
    seen_e: list[int] = []
    for n, link in enumerate(links, 1):
        for side, idx, limit in (("zh", link["zh"], n_zh), ("en", link["en"], n_en)):
            if any(i >= limit for i in idx):
                raise ValidationError(f"{where} link {n}: {side} index out of range (the text has {limit} sentences)",
                                      {"link": n, "side": side})
            if idx and list(idx) != list(range(idx[0], idx[0] + len(idx))):
                raise ValidationError(f"{where} link {n}: {side} indices must be consecutive", {"link": n})
        seen_z += link["zh"]
        seen_e += link["en"]
    if sorted(seen_z) != list(range(n_zh)) or sorted(seen_e) != list(range(n_en)):
        raise ValidationError(f"{where}: every sentence must appear in exactly one link",
                              {"zh_sentences": n_zh, "en_sentences": n_en})


# -- output -------------------------------------------------------------------------------------


def links_to_units(result: AlignResult, *, origin: str | None = None, include_empty: bool = False,
                   extra_props: Iterable[dict[str, Any]] = ()) -> list[Unit]:
    """One unit per link with both sides non-empty (insertions/deletions are no TM pair).

    The ``<tu>`` props say where the pair came from: ``x-link-type`` (``1-2``), ``x-position``
    (the link's 0-based position in the document), ``x-zh-sentences``/``x-en-sentences``
    (sentence indices), ``x-alignment-confidence`` (posterior, 4 decimals) and
    ``x-alignment-method`` (``gold``: hand-checked link; ``aligner``: automatic).
    """
    units = []
    extra_props = list(extra_props)
    for k, link in enumerate(result.links):
        if not (link.zh and link.en) and not include_empty:
            continue
        pos = link.details.get("position", k)
        props = [
            {"attrs": {"type": "x-link-type"}, "text": link.type},
            {"attrs": {"type": "x-position"}, "text": str(pos)},
            {"attrs": {"type": "x-zh-sentences"}, "text": ",".join(map(str, link.zh))},
            {"attrs": {"type": "x-en-sentences"}, "text": ",".join(map(str, link.en))},
            {"attrs": {"type": "x-alignment-confidence"}, "text": f"{link.score:.4f}"},
            {"attrs": {"type": "x-alignment-method"}, "text": result.method},
            *extra_props,
        ]
        units.append(
            Unit(
                source=link.zh_text,
                target=link.en_text,
                source_lang="zh-CN",
                target_lang="en",
                origin=origin,
                extra={"tu": {"attrs": {}, "props": props}},
                where=f"link {pos} ({link.type}, zh {link.zh}, en {link.en})",
            )
        )
    return units


def render_links(result: AlignResult, fmt: str) -> str:
    """``jsonl`` (one link a line) or ``tsv`` (score, zh indices, en indices, zh text, en text)."""
    if fmt == "jsonl":
        return "".join(json.dumps(link.to_dict(), ensure_ascii=False) + "\n" for link in result.links)
    if fmt == "tsv":
        lines = ["score\tzh\ten\tzh_text\ten_text"]
        for link in result.links:
            lines.append("\t".join([
                f"{link.score:.4f}",
                ",".join(map(str, link.zh)),
                ",".join(map(str, link.en)),
                link.zh_text.replace("\t", " "),
                link.en_text.replace("\t", " "),
            ]))
        return "\n".join(lines) + "\n"
    raise ValidationError(f"unknown output format {fmt!r}; use jsonl, tsv or tmx")


# -- import into the TM ------------------------------------------------------------------------


def import_links(tm, result: AlignResult, *, origin: str | None, user: str | None,
                 on_violation: str = "refuse", accept_low: bool = False,
                 on_duplicate: str = "skip") -> dict[str, Any]:
    """Import the pairs into the TM; links under the threshold are held back unless ``accept_low``.

    Returns the TM's import report plus ``held_for_review`` (the links not imported because of
    their confidence) and ``not_pairs`` (insertions/deletions, which are never TM units).
    """
    keep = AlignResult(result.zh, result.en, [], result.threshold, result.method, result.stats)
    held, not_pairs = [], []
    for pos, link in enumerate(result.links):
        if not (link.zh and link.en):
            not_pairs.append({"position": pos, **link.to_dict()})
        elif link.score < result.threshold and not accept_low:
            held.append({"position": pos, **link.to_dict()})
        else:
            link.details["position"] = pos
            keep.links.append(link)
    units = links_to_units(keep, origin=origin)
    report = tm.import_units(units, origin=origin, user=user, on_violation=on_violation, on_duplicate=on_duplicate)
    return {
        **report.to_dict(),
        "held_for_review": held,
        "not_pairs": not_pairs,
        "threshold": result.threshold,
        "accept_low": accept_low,
    }
