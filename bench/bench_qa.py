"""Benchmark: QA of a 100,000-segment TMX (target: ≤ 60 s on the 2-core reference machine).

    .venv/bin/python bench/bench_qa.py [--segments 100000] [--no-append]

Builds a TMX from the QA test file (tests/data/qa/seeded.json: correct and seeded-error
segments, each copy given different numbers so consistency checks have real work), then times
reading it and running every check with the article glossary. Prints the figures and appends
them to bench/RESULTS.md with the command and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_tmx(path: Path, n: int) -> None:
    data = json.loads((ROOT / "tests/data/qa/seeded.json").read_text(encoding="utf-8"))
    base = [(s["source"], s["target"]) for s in data["segments"] if s["target"]]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="zh-CN" '
                 'datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="bench" creationtool="bench" '
                 'creationtoolversion="1"/><body>\n')
        for i in range(n):
            src, tgt = base[i % len(base)]
            k = i // len(base)
            # a per-copy tag keeps sources distinct, like a real file
            src, tgt = f"{src}(编号{k})", f"{tgt} (no. {k})"
            fh.write(f'<tu><tuv xml:lang="zh-CN"><seg>{escape(src)}</seg></tuv>'
                     f'<tuv xml:lang="en-US"><seg>{escape(tgt)}</seg></tuv></tu>\n')
        fh.write("</body></tmx>\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--segments", type=int, default=100_000)
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args()

    from tmserver.glossary import Glossary
    from tmserver.qa import run_checks
    from tmserver.qa.inputs import read_segments

    glossary = Glossary.from_tbx(ROOT / "glossary/article.tbx").compile()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.tmx"
        build_tmx(path, args.segments)
        size = path.stat().st_size
        t0 = time.perf_counter()
        with open(path, "rb") as fh:
            segs = read_segments(fh, "tmx")
        t1 = time.perf_counter()
        report = run_checks(segs, glossary=glossary)
        t2 = time.perf_counter()
    summ = report.summary()
    lines = [
        f"segments: {len(segs)} ({size / 1e6:.1f} MB TMX)",
        f"read TMX: {t1 - t0:.1f} s; checks: {t2 - t1:.1f} s; total: {t2 - t0:.1f} s (target ≤ 60 s)",
        f"issues: {summ['issues']} ({summ['by_severity']})",
    ]
    print("\n".join(lines))
    if not args.no_append:
        machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
        with open(ROOT / "bench/RESULTS.md", "a", encoding="utf-8") as fh:
            fh.write(f"\n## QA of a {len(segs):,}-segment TMX — {time.strftime('%Y-%m-%d %H:%M')}\n\n"
                     f"Command: `.venv/bin/python bench/bench_qa.py --segments {args.segments}`  \n"
                     f"Machine: {machine}\n\n" + "".join(f"- {ln}\n" for ln in lines))


if __name__ == "__main__":
    main()
