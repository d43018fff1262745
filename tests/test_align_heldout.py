"""Held-out check of the sentence aligner on a text it was never tuned on.

``tests/data/align_heldout/heldout.*`` is a popular-science piece on the history of printing
(framed by a museum exhibition), written for this check after the aligner was tuned on the seed
article and the product manual; the gold alignment was committed before the aligner was ever
run on it. Measured on first run, without changing the aligner:

    tmserver align heldout.zh.txt heldout.en.txt --gold heldout.gold.jsonl
    strict F1 0.9718, lax F1 1.0000   (--length-only baseline: strict 0.8333, lax 0.9583)

After the segmenter fix for "4 p.m. No ticket…" (see the second test) the same command gives
strict 0.9722, lax 1.0000 (length-only: strict 0.8356, lax 0.9589).

The measured strict F1 is above 0.95, so the test asserts the same 0.95 bar as the other texts.
Do not edit the text or the gold to make this pass: if it fails, the aligner regressed (or
overfits), and that is the finding.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tmserver.align.segment import segment_paragraphs, to_sent_file
from tmserver.cli import main

HELDOUT = Path(__file__).resolve().parent / "data" / "align_heldout" / "heldout"


def f1_from(output: str) -> tuple[float, float]:
    line = next(x for x in output.splitlines() if x.startswith("F1"))
    strict, lax = (float(v) for v in line.split()[1:3])
    return strict, lax


def test_heldout_text_strict_f1_at_least_095(tmp_path):
    out = tmp_path / "links.jsonl"
    r = CliRunner().invoke(
        main,
        ["align", f"{HELDOUT}.zh.txt", f"{HELDOUT}.en.txt", "--gold", f"{HELDOUT}.gold.jsonl", "-o", str(out)],
        catch_exceptions=False,
    )
    assert r.exit_code == 0, r.output
    strict, lax = f1_from(r.stderr)
    print(f"held-out: CLI strict F1 {strict}, lax F1 {lax}")
    assert strict >= 0.95, r.stderr
    links = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [i for lk in links for i in lk["zh"]] == list(range(80))
    assert [j for lk in links for j in lk["en"]] == list(range(94))


def test_heldout_gold_indices_match_the_segmenter():
    """The gold counts sentences as the segmenter cuts them (``heldout.*.sent.txt``).

    When this text was written the segmenter did not cut "...with last admission at 4 p.m. No
    ticket is needed: ..." after "p.m." and the gold had a 3-1 link there. The segmenter was then
    fixed (a pronoun, determiner or negation after a.m./p.m. starts a sentence), the .sent files
    regenerated and that link split into 2-1 (zh 76-77 ↔ en 91) + 1-1 (zh 78 ↔ en 92), as the
    translator had aligned it; nothing else changed.
    """
    for lang in ("zh", "en"):
        raw = Path(f"{HELDOUT}.{lang}.txt").read_text(encoding="utf-8")
        sent = Path(f"{HELDOUT}.{lang}.sent.txt").read_text(encoding="utf-8")
        assert to_sent_file(segment_paragraphs(raw, lang)) == sent, lang
    gold = [json.loads(line) for line in Path(f"{HELDOUT}.gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [i for lk in gold for i in lk["zh"]] == list(range(80))
    assert [j for lk in gold for j in lk["en"]] == list(range(94))
