"""Memory and time of opening a saved index whose sub-segment parts table is large (issue 17).

Two steps, each in its own process (the second must start fresh, as a gunicorn worker does)::

    python bench/bench_parts_load.py build --size 100000 --dir /tmp/parts-idx
    python bench/bench_parts_load.py load --dir /tmp/parts-idx

``build`` generates the templated TM of :mod:`bench.synth_real` (multi-sentence units: many
parts), builds the main and the part index of its Chinese side and saves them. ``load`` times
``persist.load`` and reports the process's resident memory before and after it: ``VmRSS`` and
``RssAnon`` (private memory: what every worker pays on its own; mapped file pages are shared).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def status() -> dict[str, int]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            out[key] = int(value.split()[0])  # kB
    return out


def build(size: int, folder: Path) -> None:
    from bench.synth_real import generate_templated
    from tmserver.index import persist
    from tmserver.index.parts import PartIndex
    from tmserver.index.postings import LangIndex
    from tmserver.normalize import normalize_text

    src, _, _ = generate_templated(size)
    ids = np.arange(1, size + 1, dtype=np.int64)
    t0 = time.perf_counter()
    norms = [normalize_text(t) for t in src]
    parts = PartIndex.build("zh", [(i, True, t, n) for i, t, n in zip(ids.tolist(), src, norms, strict=True)])
    idx = LangIndex.build(ids, norms, np.ones(size, dtype=np.bool_), consume=True)
    persist.save(folder, "zh", idx, parts, {"kind": "bench", "seq": 0}, "bench-db")
    print(f"built and saved {size} units, {len(parts)} parts in {time.perf_counter() - t0:.1f} s")


def load(folder: Path) -> None:
    from tmserver.index import persist
    from tmserver.normalize import normalize_text

    normalize_text("预热")  # load OpenCC etc. before measuring
    before = status()
    t0 = time.perf_counter()
    saved = persist.load(folder, "zh", "bench-db")
    took = time.perf_counter() - t0
    after = status()
    assert saved is not None
    print(f"persist.load: {took:.3f} s, {len(saved.parts)} parts; growth (MB): "
          + ", ".join(f"{k} {(after[k] - before[k]) / 1024:.1f}" for k in after))
    q = saved.parts._text(len(saved.parts) // 2) or ""  # a stored part: the lookup has hits
    t0 = time.perf_counter()
    hits = saved.parts.search(q, 5, 60)
    print(f"one sub-segment lookup: {1000 * (time.perf_counter() - t0):.1f} ms, {len(hits)} hits; "
          f"RssAnon after it {status()['RssAnon'] / 1024:.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["build", "load"])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/parts-idx"))
    a = ap.parse_args()
    build(a.size, a.dir) if a.step == "build" else load(a.dir)


if __name__ == "__main__":
    main()
