"""The change log's read cost at 1e6 rows: what every lookup's freshness poll pays.

Fills ``segment_changes`` with ``--rows`` rows (SQLite file, or PostgreSQL with ``--pg``), then
times the follower's idle poll (``changes(position)`` with nothing new: one ``max(seq)`` read),
``position()``, the old ``SELECT min(seq), max(seq)`` for comparison, a poll that finds 100 new
rows, and one compaction of the whole log.

Usage: ``.venv/bin/python bench/bench_changelog.py --rows 1000000 [--pg postgresql://…/postgres]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmserver.index.sync import ChangeFollower  # noqa: E402
from tmserver.store.db import make_engine, make_sessionmaker, upgrade  # noqa: E402


def timed(fn, repeat: int) -> float:
    """Median milliseconds of ``fn()``."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def fill(engine, rows: int) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("INSERT INTO segment_changes (segment_id, op, changed_at) "
                              "SELECT g, 'upsert', now() FROM generate_series(1, :n) g"), {"n": rows})
        else:
            conn.execute(text("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < :n) "
                              "INSERT INTO segment_changes (segment_id, op, changed_at) "
                              "SELECT i, 'upsert', CURRENT_TIMESTAMP FROM g"), {"n": rows})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--pg", help="admin URL: a database tm_feed_bench_changelog is created there")
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    if args.pg:
        import psycopg

        name = "tm_feed_bench_changelog"
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' "
                         "TEMPLATE template0")
        url = args.pg.rsplit("/", 1)[0] + "/" + name
    else:
        url = "sqlite:///" + str(Path(tempfile.mkdtemp()) / "changelog.sqlite")
    engine = make_engine(url)
    upgrade(engine)
    fill(engine, args.rows)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE segment_changes"))
    follower = ChangeFollower(make_sessionmaker(engine), {"CHANGE_LOG_HEARTBEAT": 3600})
    print(f"{engine.dialect.name}, {args.rows:,} log rows; load {Path('/proc/loadavg').read_text().strip()}")
    pos = follower.position()

    def old_read() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT min(seq), max(seq) FROM segment_changes")).one()

    print(f"idle poll changes(position): {timed(lambda: follower.changes(pos), args.repeat):.3f} ms")
    print(f"position(): {timed(follower.position, args.repeat):.3f} ms")
    print(f"old SELECT min(seq), max(seq): {timed(old_read, max(5, args.repeat // 20)):.3f} ms")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO segment_changes (segment_id, op, changed_at) "
                          "SELECT segment_id, op, changed_at FROM segment_changes ORDER BY seq LIMIT 100"))
    print(f"poll finding 100 new rows: {timed(lambda: follower.changes(pos), 20):.3f} ms")
    follower.mark()
    t = time.perf_counter()
    deleted = follower.compact()
    print(f"compaction: {deleted:,} rows deleted in {time.perf_counter() - t:.2f} s; "
          f"idle poll after: {timed(lambda: follower.changes(follower._pos or ''), args.repeat):.3f} ms")
    engine.dispose()
    if args.pg:
        import psycopg

        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "tm_feed_bench_changelog"')


if __name__ == "__main__":
    main()
