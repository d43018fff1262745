"""Profile ``LangIndex.search`` on one generator's query sets, in-process and without a store.

Run (from the repository root)::

    .venv/bin/python bench/profile_search.py --generator templated --size 100000 --sets neardup,long

Builds the index straight from the normalised generated texts (pickled in ``--cache`` so a second
run starts in seconds), prints CPU-time p50 / p99 per query set (process time: the box is
shared), the strategy counts, and the top of a cProfile of the slowest set. ``--check`` also
compares every answer with the exhaustive scan (slow at 1e6).
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_lookup import make_data, normalise_all  # noqa: E402
from tmserver.index import postings  # noqa: E402
from tmserver.index.postings import LangIndex  # noqa: E402
from tmserver.normalize import normalize_text  # noqa: E402


def load(gen: str, n: int, nq: int, cache: Path) -> tuple[list[str], dict[str, list[str]]]:
    path = cache / f"profile_{gen}_{n}_{nq}.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())
    segs, _targets, sets = make_data(gen, n, nq)
    data = (normalise_all(segs), {k: [normalize_text(q) for q in qs] for k, qs in sets.items()})
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(data))
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--generator", default="templated")
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--sets", default="", help="comma-separated query sets (default: all)")
    ap.add_argument("--tau", type=float, default=0.6)
    ap.add_argument("--cache", default="/tmp/qry_bench")
    ap.add_argument("--check", action="store_true", help="compare with brute_force")
    ap.add_argument("--profile", type=int, default=25, help="cProfile lines (0: none)")
    ap.add_argument("--paired", default="", metavar="NAME=V1,V2",
                    help="compare values of a tmserver.index.postings constant side by side instead: "
                         "each set runs with each value in turn, --reps times; the fastest run is reported")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    norms, sets = load(args.generator, args.size, args.queries, Path(args.cache))
    t = time.perf_counter()
    idx = LangIndex.build(np.arange(1, len(norms) + 1), norms, np.ones(len(norms), dtype=bool), consume=True)
    print(f"built {len(idx):,} docs in {time.perf_counter() - t:.1f}s; load {Path('/proc/loadavg').read_text()[:15]}")
    names = args.sets.split(",") if args.sets else list(sets)
    if args.paired:
        paired(idx, sets, names, args)
        return
    worst, worst_t = names[0], 0.0
    for name in names:
        cpu, strat, wrong = [], {}, 0
        for q in sets[name]:
            c = time.process_time()
            r = idx.search(q, 5, args.tau * 100)
            cpu.append(time.process_time() - c)
            strat[r.strategy] = strat.get(r.strategy, 0) + 1
            if args.check:
                want = idx.brute_force(q, 5, args.tau * 100)
                wrong += [(d, dd) for d, dd, _ in r.hits] != [(d, dd) for d, dd, _ in want.hits]
        p50, p99 = np.percentile(np.array(cpu) * 1000, [50, 99])
        print(f"{name:10s} CPU p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  {strat}" + (f"  wrong {wrong}" if args.check else ""))
        if p50 > worst_t:
            worst, worst_t = name, p50
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for q in sets[worst]:
            idx.search(q, 5, args.tau * 100)
        prof.disable()
        print(f"\nprofile of {worst}:")
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.profile)


def paired(idx: LangIndex, sets: dict[str, list[str]], names: list[str], args: argparse.Namespace) -> None:
    """CPU p50 / p90 / p99 per set for each value of one constant, runs interleaved (the box
    drifts): the fastest of ``--reps`` runs of each."""
    name, _, values = args.paired.partition("=")
    before = getattr(postings, name)
    best: dict[tuple[str, str], np.ndarray] = {}
    for _ in range(args.reps):
        for value in values.split(","):
            setattr(postings, name, type(before)(float(value)) if isinstance(before, float) else int(value))
            for s in names:
                cpu = []
                for q in sets[s]:
                    c = time.process_time()
                    idx.search(q, 5, args.tau * 100)
                    cpu.append(time.process_time() - c)
                got = np.percentile(np.array(cpu) * 1000, [50, 90, 99])
                key = (s, value)
                best[key] = got if key not in best else np.minimum(best[key], got)
    setattr(postings, name, before)
    print(f"| set | {name} | CPU p50 | p90 | p99 |\n|---|---|---|---|---|")
    for (s, value), (p50, p90, p99) in sorted(best.items()):
        print(f"| {s} | {value} | {p50:.2f} | {p90:.2f} | {p99:.2f} |")


if __name__ == "__main__":
    main()
