"""What sub-segment recall costs a lookup: ``Engine.lookup`` with and without the part index.

Run (from the repository root)::

    .venv/bin/python bench/bench_subsegment.py --sizes 10000,100000

The synthetic TM of :mod:`bench.synth` holds one sentence per segment, which would leave the part
index empty and the figure meaningless. So here a fraction (``--joined``, default 30 %) of
neighbouring segment pairs are joined into two-sentence units (``a。b。``) — more than real TMs
hold (the article: 28 of 91 units, ~31 %, is the worst case we know). For each size the script
stores that TM through the real schema, builds the engine in this process (build time and part
count reported), and times the same queries through ``Engine.lookup`` with ``subsegments=False``
(the whole-unit path as before) and ``True``. Query sets: ``easy`` and ``hard`` of
:func:`bench.synth.queries` (whole-unit neighbours), and ``sentence`` — one sentence of a joined
unit with 0–15 % of its characters edited, which only the part index answers well (its recall of
the unit as top match is reported for both modes).

Figures are printed and appended to ``bench/RESULTS.md`` with the command, the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_lookup import make_db, normalise_all, pct  # noqa: E402
from bench.synth import generate, queries  # noqa: E402

K = 5


def join_units(segs: list[str], fraction: float, seed: int = 11) -> tuple[list[str], list[tuple[int, str]]]:
    """Join ``fraction`` of neighbouring pairs into ``a。b。`` units; return the units and, for each
    joined one, (unit index, its second sentence)."""
    rng = np.random.default_rng(seed)
    out: list[str] = []
    joined: list[tuple[int, str]] = []
    i = 0
    while i < len(segs):
        if i + 1 < len(segs) and rng.random() < fraction:
            a, b = segs[i].rstrip("。") + "。", segs[i + 1].rstrip("。") + "。"
            joined.append((len(out), b))
            out.append(a + b)
            i += 2
        else:
            out.append(segs[i])
            i += 1
    return out, joined


def run(n: int, fraction: float, nq: int, tau: float) -> dict:
    from tmserver.langs import parse_lang
    from tmserver.tm import TM

    segs, editor = generate(n)
    units, joined = join_units(segs, fraction)
    sets = {k: v for k, v in queries(units, editor, nq).items() if k in ("easy", "hard")}
    rng = np.random.default_rng(5)
    picks = [joined[int(rng.integers(len(joined)))] for _ in range(nq)]
    sets["sentence"] = [editor.edit_ratio(b, 0.0, 0.15) for _, b in picks]
    want = [u + 1 for u, _ in picks]  # segment ids are 1-based unit indices
    with tempfile.TemporaryDirectory() as tmp:
        url = make_db(Path(tmp) / "tm.sqlite", units, normalise_all(units))
        tm = TM.from_url(url)
        t = time.perf_counter()
        tm.index.warm("zh")
        build = time.perf_counter() - t
        parts = len(tm.index._parts["zh"])
        zh, en = parse_lang("zh"), parse_lang("en")
        res: dict = {"units": len(units), "joined": len(joined), "parts": parts, "build_s": build, "sets": {}}
        for name, qs in sets.items():
            for sub in (False, True):
                times, tops = [], []
                for q in qs:
                    t = time.perf_counter()
                    r = tm.index.lookup(q, zh, en, limit=K, min_score=tau * 100, subsegments=sub)
                    times.append(time.perf_counter() - t)
                    tops.append(r["matches"][0]["id"] if r["matches"] else None)
                hit = sum(a == b for a, b in zip(tops, want, strict=True)) / len(qs) if name == "sentence" else None
                res["sets"][(name, sub)] = (times, hit)
        tm.engine.dispose()
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--joined", type=float, default=0.30)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--tau", type=float, default=0.6)
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = ap.parse_args()
    load = os.getloadavg()
    lines = [
        f"\n## Sub-segment recall — run of {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC\n",
        f"Command: `.venv/bin/python bench/bench_subsegment.py --sizes {args.sizes} --joined {args.joined} "
        f"--queries {args.queries} --tau {args.tau}`  ",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
        f"load average at start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (shared with other engineers)  ",
        f"`Engine.lookup`, k = {K}, τ = {args.tau}; latencies p50 / p95 / p99 in ms.\n",
    ]
    for n in [int(s) for s in args.sizes.split(",")]:
        r = run(n, args.joined, args.queries, args.tau)
        lines.append(f"### {n:,} synthetic segments → {r['units']:,} units, {r['joined']:,} of them two-sentence\n")
        lines.append(f"Engine build (whole-unit index + part index): {r['build_s']:.1f} s; {r['parts']:,} parts indexed.\n")
        lines.append("| set | queries | whole units only | with sub-segments | unit found as top match (whole / with parts) |")
        lines.append("|---|---|---|---|---|")
        for name in ("easy", "hard", "sentence"):
            (t0, h0), (t1, h1) = r["sets"][(name, False)], r["sets"][(name, True)]
            found = f"{h0:.2f} / {h1:.2f}" if h0 is not None else "–"
            lines.append(f"| {name} | {len(t0)} | {pct(t0)} | {pct(t1)} | {found} |")
        lines.append("")
        print("\n".join(lines[-8:]), flush=True)
    with open(args.out, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
