"""Benchmark: time and peak memory of the sentence aligner from 500 to 5,000 sentences per side.

    .venv/bin/python bench/bench_align.py [--sizes 500,1000,2000,5000] [--no-append]

Target (issue 14): a 5,000 × 6,000-sentence pair aligns in ≤ 120 s and ≤ 1 GB peak RSS on the
2-core reference machine. The long pair is built from the test texts with gold — every text in
``tests/data/align_long`` that is not held out, plus the three short texts with their
paragraph breaks removed — concatenated in copies until the Chinese side has the wanted number
of sentences. Copies vary: copy k deletes a different every-17th Chinese and every-23rd English
sentence (the gold is rewritten to match), so no two copies are the same and there are null
links throughout. Each size runs in a fresh subprocess so its peak RSS is its own; the
run also scores the alignment against the synthetic gold (a sanity check, not the accuracy
figure: the copies repeat text the aligner has seen).

Prints a table and appends it, with ``uptime`` (the machine is shared), to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval_align import HELD_OUT, TEXTS, deleted, joined, load  # noqa: E402
from tmserver.align.aligner import Aligner  # noqa: E402
from tmserver.align.evaluate import evaluate  # noqa: E402


def sources() -> list[tuple[list[str], list[str], list[dict]]]:
    docs = [joined(load(base)) for base in TEXTS.values()]
    for gold in sorted((ROOT / "tests" / "data" / "align_long").glob("*.gold.jsonl")):
        base = Path(str(gold)[: -len(".gold.jsonl")])
        if base.name not in HELD_OUT:
            docs.append(joined(load(base)))
    return [(zh[0], en[0], gold) for zh, en, gold in docs]


def build(n_zh: int) -> tuple[list[str], list[str], list[dict]]:
    """At least ``n_zh`` Chinese sentences: varied copies of the sources, cut at a link boundary."""
    zs: list[str] = []
    es: list[str] = []
    gold: list[dict] = []
    copy = 0
    while len(zs) < n_zh:
        for zh, en, g in sources():
            zr, er, gr = deleted(([zh], [en], g), 17 + copy % 5, 23 + copy % 7)
            oz, oe = len(zs), len(es)
            for link in gr:
                if len(zs) >= n_zh:
                    break
                zs += [zr[0][k] for k in link["zh"]]
                es += [er[0][k] for k in link["en"]]
                gold.append({"zh": [k - link["zh"][0] + oz for k in link["zh"]] if link["zh"] else [],
                             "en": [k - link["en"][0] + oe for k in link["en"]] if link["en"] else []})
                oz, oe = len(zs), len(es)
            copy += 1
    return zs, es, gold


def run_one(n_zh: int) -> dict:
    zs, es, gold = build(n_zh)
    al = Aligner()
    t0, c0 = time.perf_counter(), time.process_time()
    links = al.align([zs], [es])
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    s = evaluate(links, gold)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"zh": len(zs), "en": len(es), "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "peak_rss_mb": round(rss), "cells": al.cells, "strict_f1": round(s.f1_strict, 4),
            "lax_f1": round(s.f1_lax, 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,1000,2000,5000")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        row["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        rows.append(row)
        print(json.dumps(row), flush=True)
    table = ["| zh × en sentences | wall s | CPU s | peak RSS MB | lattice cells | cells per zh sentence | strict F1 (sanity) | load (uptime) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        load_avg = r["uptime"].split("load average:")[-1].strip()
        table.append(f"| {r['zh']:,} × {r['en']:,} | {r['wall_s']} | {r['cpu_s']} | {r['peak_rss_mb']} | {r['cells']:,} | "
                     f"{r['cells'] / r['zh']:.0f} | {r['strict_f1']} | {load_avg} |")
    text = "\n".join(table)
    print(text)
    if not args.no_append:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as fh:
            fh.write(f"\n## Sentence alignment scaling — {stamp}\n\nCommand: `python bench/bench_align.py --sizes {args.sizes}`  \n"
                     f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}  \n"
                     "Target: 5,000 × 6,000 sentences in ≤ 120 s and ≤ 1 GB peak RSS. Cells = lattice cells visited "
                     "over both passes (the DP's time and memory are proportional to it).\n\n" + text + "\n")


if __name__ == "__main__":
    main()
