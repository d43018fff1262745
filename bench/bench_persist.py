"""Start-up and memory of ``tmserver serve`` with and without a saved index (issue 17).

Fills a PostgreSQL database with ``--size`` synthetic zh→en units (``bench/synth.py``), then
starts ``tmserver serve`` twice on it: first with an empty index directory (a cold build, saved
as it finishes), then again with the saved index present. For each start it records the time to
``/api/v1/health`` answering, to the first lookup answered with matches (a lookup during a cold
build waits ``INDEX_WAIT`` and then gets 503; it is retried), and to ``/api/v1/ready`` answering
200; then the memory of every gunicorn process: RSS and PSS (``/proc/<pid>/smaps_rollup``; PSS
divides each shared page among the processes mapping it, so the sum of PSS is the real total),
and the index directory's size on disk. Both starts answer the same query set; the answers must
be identical.

    python bench/bench_persist.py --size 1000000 --workers 1,2
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_lookup import normalise_all  # noqa: E402
from bench.synth import generate  # noqa: E402
from bench.synth import queries as make_queries  # noqa: E402


def ensure_db(admin: str, name: str, size: int) -> str:
    """``name`` on the server ``admin`` points at, holding ``size`` synthetic units (reused when it does)."""
    import psycopg
    from sqlalchemy import func, select

    from tmserver.store.db import make_engine, upgrade
    from tmserver.store.models import Segment, text_hash

    url = f"{admin.rstrip('/')}/{name}"
    with psycopg.connect(f"{admin.rstrip('/')}/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            c.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' "
                      "TEMPLATE template0")
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        have = conn.scalar(select(func.count()).select_from(Segment))
    if have == size:
        engine.dispose()
        return url
    if have:
        raise SystemExit(f"{url} holds {have} units, not {size}: drop it or pick another --db")
    t = time.perf_counter()
    segs, _editor = generate(size)
    norms = normalise_all(segs)
    print(f"generated and normalised {size} units in {time.perf_counter() - t:.0f} s", flush=True)
    t = time.perf_counter()
    engine.dispose()
    now = time.strftime("%Y-%m-%d %H:%M:%S+00")
    cols = ("id, source_lang, target_lang, source_tag, target_tag, source_text, target_text, source_norm, "
            "source_hash, target_norm, created_at, updated_at, version, extra")
    with psycopg.connect(url) as c, c.cursor() as cur:  # COPY: ~20× faster than INSERTs at 1e6
        with cur.copy(f"COPY segments ({cols}) FROM STDIN") as copy:
            for i in range(size):
                copy.write_row((i + 1, "zh", "en", "zh", "en", segs[i], f"synthetic translation {i + 1}", norms[i],
                                text_hash(norms[i]), f"synthetic translation {i + 1}", now, now, 1, "{}"))
        cur.execute(f"SELECT setval(pg_get_serial_sequence('segments', 'id'), {size})")
        cur.execute("ANALYZE segments")
    print(f"inserted in {time.perf_counter() - t:.0f} s", flush=True)
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, dict | list]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"null")
    finally:
        conn.close()


def tree(pid: int) -> list[int]:
    out = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            out += tree(int(child))
    return out


def memory(pids: list[int]) -> dict[str, float]:
    rss = pss = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss"):
                kb = int(rest.split()[0])
                rss += kb if key == "Rss" else 0
                pss += kb if key == "Pss" else 0
    return {"rss_mb": rss / 1024, "pss_mb": pss / 1024}


def du(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def one_start(url: str, index_dir: Path, workers: int, qs: list[str]) -> dict:
    """Start ``tmserver serve``; time health, first answered lookup and readiness; then memory."""
    port = free_port()
    env = {**os.environ, "TMSERVER_DATABASE_URL": url, "TMSERVER_INDEX_DIR": str(index_dir)}
    log = index_dir.parent / f"serve-{port}.log"
    t0, wall0 = time.perf_counter(), time.time()
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tmserver", "serve", "--port", str(port), "--workers",
                                 str(workers), "--no-seed"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    res: dict = {"workers": workers, "wall0": wall0}
    lookup = "/api/v1/lookup?source_lang=zh&target_lang=en&min_score=60&q="
    try:
        while "health_s" not in res:
            try:
                get(port, "/api/v1/health")
                res["health_s"] = time.perf_counter() - t0
            except OSError:
                time.sleep(0.1)
        while "first_lookup_s" not in res:
            status, body = get(port, lookup + quote(qs[0]))
            if status == 200:
                res["first_lookup_s"] = time.perf_counter() - t0
            else:
                res.setdefault("lookup_503s", 0)
                res["lookup_503s"] += 1
        streak = 0
        while streak < 4 * workers:  # several 200s in a row: every worker is ready
            streak = streak + 1 if get(port, "/api/v1/ready")[0] == 200 else 0
            time.sleep(0.05 if streak else 0.2)
        res["ready_s"] = time.perf_counter() - t0
        answers = []
        times = []
        for q in qs:
            t = time.perf_counter()
            status, body = get(port, lookup + quote(q))
            times.append(time.perf_counter() - t)
            answers.append([(m["id"], m["score"]) for m in body["matches"]])  # type: ignore[index]
        times.sort()
        res["lookup_p50_ms"] = 1000 * times[len(times) // 2]
        res["lookup_p99_ms"] = 1000 * times[min(len(times) - 1, int(len(times) * 0.99))]
        time.sleep(2)
        res.update(memory(tree(proc.pid)))
        res["processes"] = len(tree(proc.pid))
        res["answers"] = answers
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--db", default="tm_pidx_bench")
    ap.add_argument("--workers", default="1,2", help="worker counts to start (default workers: 1)")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--dir", default="/tmp/tm_pidx_bench_index")
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    ap.add_argument("--prepare", action="store_true", help="only fill the database")
    args = ap.parse_args()
    url = ensure_db(args.pg, f"{args.db}_{args.size}", args.size)
    if args.prepare:
        return
    segs, editor = generate(min(args.size, 200_000))
    qs = make_queries(segs, editor, args.queries)["easy"]
    index_dir = Path(args.dir) / "index"
    rows = []
    for workers in [int(w) for w in args.workers.split(",")]:
        shutil.rmtree(index_dir, ignore_errors=True)
        index_dir.mkdir(parents=True)
        load_before = open("/proc/loadavg").read().split()[:3]
        cold = one_start(url, index_dir, workers, qs)
        cold["disk_mb"] = du(index_dir)
        manifests = [json.loads(p.read_text()) for p in index_dir.glob("*/g*/manifest.json")]
        cold["generations"] = {m["lang"]: m["generation"] for m in manifests}
        cold["built_s"] = {m["lang"]: round(m["created"] - cold["wall0"], 1) for m in manifests}
        warm = one_start(url, index_dir, workers, qs)
        load_after = open("/proc/loadavg").read().split()[:3]
        same = cold.pop("answers") == warm.pop("answers")
        rows.append((workers, cold, warm, same, load_before, load_after))
        print(json.dumps({"workers": workers, "cold": cold, "warm": warm, "same_answers": same,
                          "load": [load_before, load_after]}), flush=True)
    report(args, rows)


def _built(r: dict) -> str:
    return ", ".join(f"{lang} {s:.0f} s" for lang, s in sorted(r.get("built_s", {}).items(), reverse=True))


def report(args, rows) -> None:
    lines = [
        "",
        f"## Saved index: start-up and memory of `tmserver serve` at {args.size:,} units, PostgreSQL "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"`python bench/bench_persist.py --size {args.size} --workers {args.workers}` — synthetic zh→en units "
        "(bench/synth.py; English side `synthetic translation N`), indexes zh and en (INDEX_LANGS default), "
        "4 threads per worker. *cold*: empty index directory (built in the background, saved); *saved*: "
        "the next start on the saved index. Times from process start; memory of the whole process tree "
        "(master + workers) after the query run; PSS counts shared pages once. The box is shared by up to "
        "8 helpers: load averages before/after are given.",
        "",
        "| workers | start | health | first lookup answered | ready | saved (zh, en) | lookup p50 / p99 (1 client) | RSS total | "
        "PSS total | index on disk | same answers | load (1/5/15 min) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for workers, cold, warm, same, lb, la in rows:
        for name, r in (("cold", cold), ("saved", warm)):
            lines.append(
                f"| {workers} | {name} | {r['health_s']:.1f} s | {r['first_lookup_s']:.1f} s"
                f"{' (' + str(r['lookup_503s']) + '× 503 first)' if r.get('lookup_503s') else ''} | "
                f"{r['ready_s']:.1f} s | {_built(r) if name == 'cold' else '—'} | {r['lookup_p50_ms']:.1f} / {r['lookup_p99_ms']:.1f} ms | "
                f"{r['rss_mb']:.0f} MB | {r['pss_mb']:.0f} MB | {cold['disk_mb']:.0f} MB | "
                f"{'yes' if same else 'NO'} | {' '.join(lb)} → {' '.join(la)} |")
    with open(args.out, "a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
