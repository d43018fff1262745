"""What ``/api/v1/health`` costs on a large PostgreSQL TM: an exact ``COUNT(*)`` against the
planner's estimate (:meth:`tmserver.tm.TM.size`).

Usage: ``.venv/bin/python bench/bench_health.py 10000000 [postgresql://postgres@127.0.0.1:5432/health_bench]``
(the database must exist and be empty or hold a previous run's units; minimal units are inserted
with ``generate_series``, then ``VACUUM ANALYZE``).
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

import tmserver.tm as tm_module  # noqa: E402
from tmserver.app import create_app  # noqa: E402

n = int(sys.argv[1])
url = sys.argv[2] if len(sys.argv) > 2 else "postgresql://postgres@127.0.0.1:5432/health_bench"
# INDEX_LANGS auto: health must not start building a 1e7-unit lookup index in this process
app = create_app({"DATABASE_URL": url, "SEED_DIRS": [], "INDEX_DIR": "off", "INDEX_LANGS": "auto"})
tm = app.extensions["tmserver"]
with tm.engine.begin() as c:
    if not c.scalar(text("SELECT count(*) FROM segments")):
        c.execute(text("""INSERT INTO segments (source_lang, target_lang, source_tag, target_tag, source_text, target_text,
            source_norm, source_hash, target_norm, version, extra, origin, created_at, updated_at)
            SELECT 'zh','en','zh','en', '测试句子' || g, 'test sentence ' || g, '测试句子' || g, md5(g::text), 'test sentence ' || g,
                   1, '{}', 'bench', now(), now() FROM generate_series(1, :n) g"""), {"n": n})
with tm.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
    c.execute(text("VACUUM ANALYZE segments"))
client = app.test_client()


def timed(f, r=5):
    """Median milliseconds of ``r`` calls after one warm-up call."""
    f()
    ts = []
    for _ in range(r):
        t = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t) * 1000)
    return sorted(ts)[len(ts) // 2]


print(f"{n:,} units: TM.count() {timed(tm.count):.1f} ms; TM.size() {timed(tm.size):.2f} ms -> {tm.size()}; "
      f"GET /api/v1/health {timed(lambda: client.get('/api/v1/health')):.1f} ms")
tm_module.EXACT_COUNT_MAX = 10**12
print(f"  health with counting: {timed(lambda: client.get('/api/v1/health')):.1f} ms")
