"""Paired CPU-time comparison of two versions of ``LangIndex.search`` on the same data.

Run (from the repository root; the old version from another checkout, e.g.
``git worktree add --detach /tmp/old <commit>``)::

    .venv/bin/python bench/compare_search.py --old /tmp/old/tmserver/index/postings.py \\
        --generator vocab --size 200000

Both indexes are built from the same normalised texts (:mod:`bench.profile_search`'s cache) and
every query runs on the old and then the new one, so a shared, drifting machine load hits both
alike. Prints one Markdown row per query set: old and new CPU p50 / p99 (ms), how many queries
fell back to the scan, and how many answers differ (both must be the exact top-k: 0).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.profile_search import load  # noqa: E402
from tmserver.index import postings as new  # noqa: E402


def load_old(path: str):
    spec = importlib.util.spec_from_file_location("old_postings", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_postings"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True, help="path of the old tmserver/index/postings.py")
    ap.add_argument("--generator", default="vocab")
    ap.add_argument("--size", type=int, default=200_000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--tau", type=float, default=0.6)
    ap.add_argument("--cache", default="/tmp/qry_bench")
    args = ap.parse_args()
    old = load_old(args.old)
    norms, sets = load(args.generator, args.size, args.queries, Path(args.cache))
    ids, src = np.arange(1, len(norms) + 1), np.ones(len(norms), dtype=bool)
    engines = (old.LangIndex.build(ids, list(norms), src), new.LangIndex.build(ids, list(norms), src))
    # as a serve worker does after warming: the long-lived objects (here the million generated
    # texts) leave the cyclic GC, whose full passes otherwise land on one query of either engine
    # (seen: 14–29 ms on one query of a set, p99 of 50 queries)
    gc.collect()
    gc.freeze()
    print("| data | set | old CPU p50 / p99 | old scans | new CPU p50 / p99 | new scans | answers differing |")
    print("|---|---|---|---|---|---|---|")
    for name, qs in sets.items():
        cpu: tuple[list[float], list[float]] = ([], [])
        scans, differ = [0, 0], 0
        for q in qs:
            answers = []
            for j, idx in enumerate(engines):
                c = time.process_time()
                r = idx.search(q, 5, args.tau * 100)
                cpu[j].append(time.process_time() - c)
                scans[j] += r.strategy == "scan"
                answers.append([(d, m, int(idx.seg_ids.a[doc])) for doc, d, m in r.hits])
            differ += answers[0] != answers[1]
        (a50, a99), (b50, b99) = (np.percentile(np.array(x) * 1000, [50, 99]) for x in cpu)
        print(f"| {args.generator} {args.size:,} | {name} | {a50:.2f} / {a99:.2f} | {scans[0]} | "
              f"{b50:.2f} / {b99:.2f} | {scans[1]} | {differ} |", flush=True)
    print(f"\nload average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
