"""What a growing delta costs, in process: writes applied to a built index, then searches beside them.

A server applies every imported unit to its index's *delta* (``LangIndex.upsert``, under the
engine lock: a lookup that arrives meanwhile waits) and every lookup searches the base and the
delta together until a background merge folds the delta in. This measures both on one generator's
index, without a store or a server (HTTP figures: ``bench_http.py --phases writes``):

* ``upsert`` CPU per unit, applying ``--writes`` held-out units (another seed of the same
  generator) in chunks of 1,000;
* ``LangIndex.search`` CPU p50 / p90 / p99 per query set before the writes and after them;
* the size of the delta's posting lists (the dict, its keys and lists or arrays: ``sys.getsizeof``).

Run from the repository root (the base texts are cached by ``profile_search.py``'s loader)::

    .venv/bin/python bench/bench_delta.py --generator vocab --size 1000000 --writes 30000

Compare code versions by running it from two worktrees, alternately.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import synth_real  # noqa: E402
from bench.profile_search import load  # noqa: E402
from tmserver.index.postings import LangIndex  # noqa: E402
from tmserver.normalize import normalize_text  # noqa: E402


def held_out(gen: str, n: int) -> list[str]:
    """``n`` normalised units of ``gen``'s distribution that the base never held (another seed)."""
    if gen == "vocab":
        stream = (s for group in synth_real.iter_vocab(synth_real.Held(), seed=9191) for s, _t in group)
    elif gen == "templated":
        stream = (s for s, _t in synth_real.new_templated(seed=9292))
    else:
        raise SystemExit(f"--generator {gen}: vocab or templated")
    return [normalize_text(s) for s in itertools.islice(stream, n)]


def delta_mb(idx: LangIndex) -> float:
    """Bytes of the delta's dict, keys and posting lists (a tuple's int objects are shared with
    the other lists of the same document, so they are not counted; an array's buffer is: a
    numpy array that ``np.resize`` made does not count its buffer in ``sys.getsizeof``)."""
    total = sys.getsizeof(idx.delta)
    for key, lst in idx.delta.items():
        total += sys.getsizeof(key) + sys.getsizeof(lst)
        if isinstance(lst, np.ndarray) and lst.base is not None:
            total += lst.nbytes
    return total / 2**20


def searches(idx: LangIndex, sets: dict[str, list[str]], tau: float) -> dict[str, np.ndarray]:
    out = {}
    for name, qs in sets.items():
        cpu = []
        for q in qs:
            c = time.process_time()
            idx.search(q, 5, tau * 100)
            cpu.append(time.process_time() - c)
        out[name] = np.percentile(np.array(cpu) * 1000, [50, 90, 99])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--generator", default="vocab")
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--writes", type=int, default=30_000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--tau", type=float, default=0.6)
    ap.add_argument("--cache", default="/tmp/qry_bench")
    args = ap.parse_args()
    norms, sets = load(args.generator, args.size, args.queries, Path(args.cache))
    new = held_out(args.generator, args.writes)
    idx = LangIndex.build(np.arange(1, len(norms) + 1), norms, np.ones(len(norms), dtype=bool), consume=True)
    idx.auto_compact = False  # the engine merges in the background; here the delta just grows
    print(f"{args.generator} {len(idx):,} documents; load {Path('/proc/loadavg').read_text()[:15]}")
    before = searches(idx, sets, args.tau)
    chunk_cpu = []
    for lo in range(0, len(new), 1000):
        c = time.process_time()
        for i, text in enumerate(new[lo : lo + 1000], start=args.size + 1 + lo):
            idx.upsert(i, text, True)
        chunk_cpu.append((time.process_time() - c) / len(new[lo : lo + 1000]))
    after = searches(idx, sets, args.tau)
    per = np.array(chunk_cpu) * 1e6
    print(f"upsert of {len(new):,} units: CPU µs per unit, mean {per.mean():.1f}, first chunk {per[0]:.1f}, "
          f"last chunk {per[-1]:.1f}; delta lists {delta_mb(idx):.1f} MB ({len(idx.delta):,} bigram keys)")
    print("| set | search CPU p50 / p90 / p99 ms, no delta | with the delta |\n|---|---|---|")
    for name in sets:
        b, a = before[name], after[name]
        print(f"| {name} | {b[0]:.2f} / {b[1]:.2f} / {b[2]:.2f} | {a[0]:.2f} / {a[1]:.2f} / {a[2]:.2f} |")


if __name__ == "__main__":
    main()
