"""Streaming TMX import: does memory stay flat as the file grows?

Generates TMX files of increasing size, imports each into a fresh SQLite database in a child
process (``tmserver import``), and reports wall time, units per second and the child's peak RSS.
A streaming importer shows roughly the same peak RSS for every size.

    .venv/bin/python bench/bench_import.py --sizes 50,200,1000   # MB; writes bench/RESULTS.md

Glossary enforcement is switched off here (policy ``off``) to measure the format and store layers.
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
ZH = "网络空间命运共同体数字经济发展中国家人工智能治理倡议安全合作互联网大会乌镇峰会规则平台基础设施"
EN = "cyberspace community shared future digital economy developing countries governance initiative".split()


def write_tmx(path: Path, megabytes: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    target = megabytes * 1024 * 1024
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="zh" '
                 'creationtool="bench" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" '
                 'datatype="plaintext"/>\n<body>\n')
        while fh.tell() < target:
            zh = "".join(rng.choice(ZH) for _ in range(rng.randint(15, 60))) + "。"
            en = " ".join(rng.choice(EN) for _ in range(rng.randint(8, 30))).capitalize() + "."
            fh.write(f'<tu tuid="{n}" creationdate="20250101T000000Z"><prop type="x-n">{n}</prop>'
                     f'<tuv xml:lang="zh-CN"><seg>{escape(zh)}</seg></tuv>'
                     f'<tuv xml:lang="en-US"><seg>{escape(en)}</seg></tuv></tu>\n')
            n += 1
        fh.write("</body></tmx>\n")
    return n


def run_import(tmx: Path, workdir: Path) -> tuple[float, int]:
    db = f"sqlite:///{workdir / 'bench.sqlite'}"
    exe = [sys.executable, "-m", "tmserver", "--database", db]
    subprocess.run([*exe, "policy", "off"], check=True, capture_output=True, cwd=ROOT)
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([*exe, "import", str(tmx), "--quiet"], check=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak_kb, before)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="50,200", help="TMX sizes in MB, comma-separated")
    ap.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = ap.parse_args()
    rows = []
    for mb in (int(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            tmx = work / f"bench_{mb}.tmx"
            units = write_tmx(tmx, mb)
            # each size in its own child; ru_maxrss of children is the max over all of them so far,
            # so run every size in a fresh interpreter to read its own peak
            out = subprocess.run([sys.executable, "-c", (
                f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.bench_import import run_import; "
                f"from pathlib import Path; e, p = run_import(Path({str(tmx)!r}), Path({str(work)!r})); print(e, p)"
            )], check=True, capture_output=True, text=True, cwd=ROOT)
            elapsed, peak_kb = out.stdout.split()[-2:]
            elapsed_f, peak_mb = float(elapsed), int(peak_kb) / 1024
            rows.append((mb, units, elapsed_f, units / elapsed_f, peak_mb))
            print(f"{mb:>6} MB  {units:>9} units  {elapsed_f:7.1f} s  {units / elapsed_f:8.0f} units/s  "
                  f"peak RSS {peak_mb:7.1f} MB", flush=True)
    if args.no_write:
        return
    cmd = "python bench/bench_import.py --sizes " + args.sizes
    lines = [
        f"\n## TMX import, streaming ({date.today().isoformat()})\n",
        f"Command: `{cmd}` · machine: {platform.machine()}, {_cores()} cores, Python {platform.python_version()},"
        " SQLite, glossary policy off\n",
        "| TMX size | units | import time | units/s | peak RSS of `tmserver import` |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [f"| {mb} MB | {u:,} | {e:.1f} s | {r:,.0f} | {p:.0f} MB |" for mb, u, e, r, p in rows]
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def _cores() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    main()
