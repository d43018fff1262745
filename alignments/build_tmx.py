"""Build ``alignments/article.tmx`` — the TM the service loads on first start — reproducibly.

The pairs come from the **hand-checked gold alignment** (``article.gold.jsonl``), never from
the automatic aligner, so the shipped TM is correct even where the aligner would err. What the
aligner contributes is each link's **confidence**: the posterior probability, under the
aligner's model (:mod:`tmserver.align.aligner`), that exactly this link is part of the
alignment. Each ``<tu>`` carries ``x-link-type``, ``x-position``, ``x-zh-sentences``,
``x-en-sentences``, ``x-alignment-confidence`` and ``x-alignment-method`` (``gold``) props; the
header records how the file was made.

Steps (each one checked, the script stops on the first mismatch):

1. segment ``article.zh.txt``/``article.en.txt`` with :mod:`tmserver.align.segment` and check the
   result is exactly ``article.zh.sent.txt``/``article.en.sent.txt`` (the translator's files);
2. check the gold links cover every sentence exactly once;
3. run the aligner on the raw files, print its strict/lax F1 against gold (for the record);
4. write the TMX from the gold links with the aligner's confidences.

Run from the repository root: ``.venv/bin/python alignments/build_tmx.py`` (deterministic: the
same inputs give the same bytes; no dates are written).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tmserver.align.evaluate import evaluate, read_links  # noqa: E402
from tmserver.align.segment import read_presegmented, segment_paragraphs  # noqa: E402
from tmserver.align.service import align_texts, gold_result, links_to_units  # noqa: E402
from tmserver.formats.tmx import write_tmx  # noqa: E402


def main() -> int:
    zh_raw = (HERE / "article.zh.txt").read_text(encoding="utf-8")
    en_raw = (HERE / "article.en.txt").read_text(encoding="utf-8")
    zh = segment_paragraphs(zh_raw, "zh")
    en = segment_paragraphs(en_raw, "en")
    for lang, got in (("zh", zh), ("en", en)):
        want = read_presegmented((HERE / f"article.{lang}.sent.txt").read_text(encoding="utf-8"))
        if got != want:
            print(f"segmenting article.{lang}.txt does not give article.{lang}.sent.txt", file=sys.stderr)
            return 1
    gold = read_links((HERE / "article.gold.jsonl").read_text(encoding="utf-8"), where="article.gold.jsonl")

    auto = align_texts(zh_raw, en_raw)
    scores = evaluate(auto.links, gold)
    print(f"aligner vs gold: strict F1 {scores.f1_strict:.4f}, lax F1 {scores.f1_lax:.4f}")

    result = gold_result(zh, en, gold)
    header = [
        {"attrs": {"type": "x-alignment"},
         "text": "pairs: hand-checked gold alignment (alignments/article.gold.jsonl); "
                 "x-alignment-confidence: posterior of each link under tmserver.align "
                 "(length + CC-CEDICT/glossary/anchor scorer); built by alignments/build_tmx.py"},
        {"attrs": {"type": "x-aligner-f1"},
         "text": f"strict {scores.f1_strict:.4f}, lax {scores.f1_lax:.4f} (automatic alignment of the raw files vs gold)"},
    ]
    units = links_to_units(result, origin="article")
    with (HERE / "article.tmx").open("wb") as fh:
        n = write_tmx(units, fh, srclang="zh-CN", header_props=header)
    low = result.below_threshold()
    print(f"wrote {n} <tu> to article.tmx; {len(low)} gold link(s) under confidence {result.threshold}: {low}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
