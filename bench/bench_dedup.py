"""What the duplicate policy costs an import: the same TMX imported with ``on_duplicate=keep``
(no duplicate check), ``skip`` into an empty TM, and ``skip`` again (every unit a duplicate).

    .venv/bin/python bench/bench_dedup.py --mb 5          # prints a table; add --write for RESULTS.md

Each run uses a fresh SQLite database with glossary enforcement off, in this process.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_import import write_tmx  # noqa: E402

from tmserver.store.db import upgrade  # noqa: E402
from tmserver.tm import TM, import_file  # noqa: E402


def _import(tm: TM, path: Path, policy: str) -> tuple[float, int, int]:
    t = time.perf_counter()
    with path.open("rb") as fh:
        r = import_file(tm, fh, "tmx", on_duplicate=policy)
    return time.perf_counter() - t, r.imported, r.duplicates


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=5)
    ap.add_argument("--write", action="store_true", help="append the table to bench/RESULTS.md")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp())
    tmx = folder / "bench.tmx"
    units = write_tmx(tmx, args.mb)
    rows = []
    for label, policy, again in (("keep (no check)", "keep", False), ("skip, empty TM", "skip", False),
                                 ("skip, all duplicates", "skip", True)):
        tm = TM.from_url(f"sqlite:///{folder}/{policy}{int(again)}.sqlite")
        upgrade(tm.engine)
        tm.set_glossary_policy("off")
        if again:
            _import(tm, tmx, "skip")
        secs, imported, dups = _import(tm, tmx, policy)
        rows.append(f"| {label} | {units:,} | {imported:,} | {dups:,} | {secs:.1f} s | {units / secs:,.0f} |")
    load = os.getloadavg()[0]
    table = "\n".join(["| run | units | imported | duplicates | time | units/s |", "| --- | --- | --- | --- | --- | --- |",
                       *rows])
    print(table)
    print(f"load average {load:.1f}")
    if args.write:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write(f"\n## Duplicate policy on import ({date.today()})\n\nCommand: `python bench/bench_dedup.py "
                     f"--mb {args.mb} --write` · SQLite, glossary off · load average {load:.1f} on 2 cores "
                     "(shared with other engineers' runs)\n\n" + table + "\n")


if __name__ == "__main__":
    main()
