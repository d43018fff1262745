"""``tmserver align`` through the real CLI group (as registered by tmserver.cli)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tmserver.cli import main

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "alignments" / "article"
MANUAL = ROOT / "tests" / "data" / "align" / "manual"
HELDOUT = ROOT / "tests" / "data" / "align_heldout" / "heldout"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def f1_from(output: str) -> tuple[float, float]:
    line = next(x for x in output.splitlines() if x.startswith("F1"))
    strict, lax = (float(v) for v in line.split()[1:3])
    return strict, lax


def test_cli_gold_prints_strict_and_lax_scores_for_both_texts(tmp_path):
    for base in (ARTICLE, MANUAL):
        out = tmp_path / "links.jsonl"
        r = run("align", f"{base}.zh.txt", f"{base}.en.txt", "--gold", f"{base}.gold.jsonl", "-o", str(out))
        assert r.exit_code == 0, r.output
        strict, lax = f1_from(r.stderr)
        print(f"{base.name}: CLI strict F1 {strict}, lax F1 {lax}")
        assert strict >= 0.95 and lax >= 0.95
        links = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert {k for lk in links for k in lk["zh"]} == set(range(sum(len(lk["zh"]) for lk in links)))


def test_cli_length_only_baseline_prints_its_scores():
    """``--length-only`` really drops the lexical evidence: on the held-out text (where length
    alone is not enough; on the article and the manual it scores 1.0 too) it scores below the
    full aligner."""
    strict = {}
    for extra in ((), ("--length-only",)):
        r = run("align", f"{HELDOUT}.zh.txt", f"{HELDOUT}.en.txt", "--gold", f"{HELDOUT}.gold.jsonl",
                "-o", "/dev/null", *extra)
        assert r.exit_code == 0, r.output
        strict[extra] = f1_from(r.stderr)[0]
    print(f"held-out strict F1: full {strict[()]}, length-only {strict[('--length-only',)]}")
    assert 0.0 < strict[("--length-only",)] < strict[()]


def test_cli_presegmented_uses_line_indices(tmp_path):
    r = run("align", f"{MANUAL}.zh.sent.txt", f"{MANUAL}.en.sent.txt", "--presegmented", "--gold", f"{MANUAL}.gold.jsonl")
    assert r.exit_code == 0, r.output
    assert f1_from(r.stderr)[0] >= 0.95
    first = json.loads(r.stdout.splitlines()[0])
    assert first["zh"] == [0] and first["en"] == [0]


def test_cli_tsv_and_tmx_outputs(tmp_path):
    from tmserver.formats.tmx import iter_tmx

    tsv = tmp_path / "a.tsv"
    r = run("align", f"{MANUAL}.zh.txt", f"{MANUAL}.en.txt", "--format", "tsv", "-o", str(tsv))
    assert r.exit_code == 0, r.output
    rows = tsv.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "score\tzh\ten\tzh_text\ten_text" and len(rows[1].split("\t")) == 5
    tmx = tmp_path / "a.tmx"
    r = run("align", f"{MANUAL}.zh.txt", f"{MANUAL}.en.txt", "--format", "tmx", "-o", str(tmx))
    assert r.exit_code == 0, r.output
    with tmx.open("rb") as fh:
        units = list(iter_tmx(fh))
    assert len(units) == len(rows) - 1  # the manual has no insertions or deletions
    props = {p["attrs"]["type"] for p in units[0].extra["tu"]["props"]}
    assert {"x-link-type", "x-position", "x-alignment-confidence"} <= props


def test_cli_bad_gold_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"zh": [0]}\n', encoding="utf-8")
    r = run("align", f"{MANUAL}.zh.txt", f"{MANUAL}.en.txt", "--gold", str(bad))
    assert r.exit_code == 2
    assert "line 1" in r.stderr


def test_cli_import_holds_low_links_and_imports_the_rest(app, tm, database_url):
    r = run("--database", database_url, "align", f"{MANUAL}.zh.txt", f"{MANUAL}.en.txt", "--import",
            "--origin", "manual", "--threshold", "0.9", "-o", "/dev/null")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stderr.strip().splitlines()[-1])
    assert report["imported"] == tm.count() > 0
    assert report["held_for_review"] and report["imported"] + len(report["held_for_review"]) == 61
