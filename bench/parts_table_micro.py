"""Opening a 3·10⁶-part table: the list-and-dict form main had against the mapped arrays (issue 17).

    python bench/parts_table_micro.py make   # writes /tmp/parts_micro_*.npy (~220 MB)
    python bench/parts_table_micro.py old    # what persist._load_parts did before: tuples + dict
    python bench/parts_table_micro.py new    # PartTable + PartsBySegment over the mapped files

Each prints the load time, the growth of private memory (RssAnon) and the time of 100k table
reads plus 100k segment lookups. ~3 parts per segment, as the templated TM's units give.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmserver.index.parts import PartsBySegment, PartTable  # noqa: E402  (imported before measuring)

N = 3_000_000
TABLE, KEYS, ORDER = (Path(f"/tmp/parts_micro_{name}.npy") for name in ("table", "keys", "order"))


def anon() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    mode = sys.argv[1]
    if mode == "make":
        rng = np.random.default_rng(1)
        seg = np.sort(rng.integers(1, N // 3, N))
        zero, one = np.zeros(N, dtype=np.int64), np.ones(N, dtype=np.int64)
        np.save(TABLE, np.stack([seg, one, zero, np.full(N, 9), zero, one], axis=1))
        keys, order = PartsBySegment.sort(np.load(TABLE))
        np.save(KEYS, keys)
        np.save(ORDER, order)
        return
    a0, t0 = anon(), time.perf_counter()
    parts: list | PartTable
    by_seg: dict | PartsBySegment
    if mode == "old":
        table = np.load(TABLE, allow_pickle=False)
        parts = [(s, bool(o), a, b, i, j) for s, o, a, b, i, j in table.tolist()]
        by_seg = {}
        for pid, row in enumerate(parts):
            by_seg.setdefault(row[0], []).append(pid)
        del table
    else:
        parts = PartTable(np.load(TABLE, mmap_mode="r").view(np.ndarray))
        by_seg = PartsBySegment(np.load(KEYS, mmap_mode="r").view(np.ndarray),
                                np.load(ORDER, mmap_mode="r").view(np.ndarray))
    took, grew = time.perf_counter() - t0, anon() - a0
    t1 = time.perf_counter()
    for pid in range(0, N, 30):
        parts[pid]
    for seg in range(1, N // 3, 10):
        by_seg.get(seg)
    print(f"{mode}: load {took:.2f} s, RssAnon +{grew:.0f} MB, "
          f"100k table reads + 100k segment lookups {time.perf_counter() - t1:.2f} s")


if __name__ == "__main__":
    main()
