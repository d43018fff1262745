"""HTTP benchmark through a real ``tmserver serve`` on PostgreSQL.

What a user of the server sees, end to end:

1. load N units (``bench/synth.py``'s generator by default, ``--generator module:function`` for
   another one returning ``(segments, editor)`` like :func:`bench.synth.generate`) straight into a
   fresh PostgreSQL database, with one change-log row per unit as an import writes;
2. start ``tmserver serve`` (its default workers unless ``--workers``) and time the first answered
   lookup; total memory of the server's processes (PSS from ``/proc/<pid>/smaps_rollup``, and RSS);
3. lookup latency p50/p99 and requests/s with 1, 4 and 16 concurrent clients (threads, one
   keep-alive connection each), on ``/api/v1/lookup`` and the amaGama route;
4. recall@5 of the HTTP answers against an exhaustive rapidfuzz scan of every unit;
5. writes during reads: ``--writes`` units added through ``POST /api/v1/import`` in batches of
   ``--batch`` while 4 readers run; reader p50/p99 during the writes, batch times, and for sampled
   new units the time from the batch's acknowledgement until ``--streak`` consecutive lookups (on
   fresh connections, so spread over the workers) all find it;
6. baselines: pg_trgm (GIN trigram index, rescored to the same τ) and brute force (rapidfuzz over
   every unit) on the same queries.

Usage: ``.venv/bin/python bench/bench_http.py --units 100000 --pg postgresql://postgres@127.0.0.1:5432/postgres``
Appends a section to ``bench/RESULTS.md`` with ``--append``. The database ``tm_feed_bench_<N>`` is
dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import http.client
import importlib
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_lookup import machine, normalise_all, pg_trgm, recall, truth_topk  # noqa: E402

LOOKUP = "/api/v1/lookup?source_lang=zh&target_lang=en&limit=5&min_score={score}&q={q}"
COMPAT = "/tmserver/zh/en/unit/{q}?min_similarity={score}&max_candidates=5"


# -- database --------------------------------------------------------------------------------------


def admin(pg: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(sql)


def load_db(pg: str, name: str, segs: list[str], norms: list[str]) -> tuple[str, float]:
    """A fresh database with ``segs`` as zh→en units and their change-log rows (COPY: fast)."""
    import psycopg

    from tmserver.store.db import make_engine, upgrade
    from tmserver.store.models import text_hash

    admin(pg, f'DROP DATABASE IF EXISTS "{name}"')
    admin(pg, f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0")
    url = pg.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    t = time.perf_counter()
    with psycopg.connect(url) as conn:
        cols = ("id, source_lang, target_lang, source_tag, target_tag, source_text, target_text, source_norm, "
                "source_hash, target_norm, origin, created_at, updated_at, version, extra")
        with conn.cursor().copy(f"COPY segments ({cols}) FROM STDIN") as cp:
            for i, (s, n) in enumerate(zip(segs, norms, strict=True), start=1):
                tgt = f"synthetic translation {i}"
                cp.write_row((i, "zh", "en", "zh", "en", s, tgt, n, text_hash(n), tgt, "bench", "now", "now",
                              1, "{}"))
        with conn.cursor().copy("COPY segment_changes (segment_id, op, changed_at) FROM STDIN") as cp:
            for i in range(1, len(segs) + 1):
                cp.write_row((i, "upsert", "now"))
        conn.execute("SELECT setval(pg_get_serial_sequence('segments', 'id'), %s)", (len(segs),))
        conn.commit()
        conn.execute("ANALYZE")
    return url, time.perf_counter() - t


# -- server ----------------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(url: str, workers: int | None, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [sys.executable, "-m", "tmserver", "serve", "--port", str(port), "--no-seed"]
    if workers:
        cmd += ["--workers", str(workers)]
    env = {**os.environ, "TMSERVER_DATABASE_URL": url, "TMSERVER_LOG_LEVEL": "WARNING"}
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, port


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


def first_lookup(port: int, query: str, started: float, timeout: float = 900) -> float:
    """Seconds from the start until a lookup answers 200."""
    path = LOOKUP.format(score=60, q=quote(query))
    while time.perf_counter() - started < timeout:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            status, _ = get(conn, path)
            conn.close()
            if status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("no lookup answered")


def tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return out


def memory(pid: int) -> dict[str, float]:
    """PSS and RSS (MB) of the server's processes, summed, and per process."""
    per = {}
    for p in tree(pid):
        try:
            rows = dict(line.split(":", 1) for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()[1:])
        except OSError:
            continue
        per[p] = {k: int(rows[k].split()[0]) / 1024 for k in ("Pss", "Rss")}
    return {"pss_mb": sum(v["Pss"] for v in per.values()), "rss_mb": sum(v["Rss"] for v in per.values()),
            "processes": len(per), "largest_rss_mb": max((v["Rss"] for v in per.values()), default=0)}


# -- load ------------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000 if s else float("nan")


def clients(port: int, paths: list[str], n: int, per_client: int) -> dict[str, float]:
    """``n`` threads, one keep-alive connection each, ``per_client`` requests each."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def run(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine = []
        for j in range(per_client):
            path = paths[(k * per_client + j) % len(paths)]
            t = time.perf_counter()
            status, _ = get(conn, path)
            mine.append(time.perf_counter() - t)
            if status != 200:
                errors[0] += 1
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"clients": n, "requests": len(times), "p50_ms": pct(times, 0.5), "p99_ms": pct(times, 0.99),
            "rps": len(times) / wall, "errors": errors[0]}


def http_recall(port: int, queries: list[str], truths: list[list[tuple[float, int]]], tau: float) -> float:
    """Mean recall@5 of the HTTP answers against the exhaustive scan's top 5."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    recalls = []
    for q, want in zip(queries, truths, strict=True):
        # limit 10: a unit whose sentence scores higher than the whole unit comes back once, as a
        # sub-segment match, and such matches also take places; the question is whether each true
        # top-5 unit is in the answer at all
        _, body = get(conn, LOOKUP.replace("limit=5", "limit=10").format(score=round(tau * 100), q=quote(q)))
        got = {m["id"] for m in json.loads(body)["matches"]}
        recalls.append(len(got & {i for _, i in want}) / len(want) if want else 1.0)
    return statistics.mean(recalls)


# -- writes during reads ---------------------------------------------------------------------------


def post_tsv(port: int, key: str, rows: list[tuple[str, str]]) -> float:
    body_tsv = "".join(f"{s}\t{t}\n" for s, t in rows).encode()
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"batch.tsv\"\r\n"
            f"Content-Type: text/tab-separated-values\r\n\r\n").encode() + body_tsv + f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t = time.perf_counter()
    conn.request("POST", "/api/v1/import?format=tsv", body=body,
                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": f"Bearer {key}"})
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        raise RuntimeError(f"import answered {r.status}: {data[:300]!r}")
    return time.perf_counter() - t


def found_everywhere(port: int, source: str, target: str, streak: int, timeout: float = 30) -> float:
    """Seconds until ``streak`` consecutive lookups on fresh connections all return the unit."""
    path = LOOKUP.format(score=100, q=quote(source))
    t0, run = time.perf_counter(), 0
    while time.perf_counter() - t0 < timeout:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        _, body = get(conn, path)
        conn.close()
        ok = any(m["target"] == target for m in json.loads(body)["matches"])
        run = run + 1 if ok else 0
        if run >= streak:
            return time.perf_counter() - t0
        time.sleep(0.01)
    return float("inf")


def writes_during_reads(port: int, key: str, paths: list[str], n: int, batch: int, streak: int, editor) -> dict:
    stop = threading.Event()
    times: list[float] = []

    def reader() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        j = 0
        while not stop.is_set():
            t = time.perf_counter()
            get(conn, paths[j % len(paths)])
            times.append(time.perf_counter() - t)
            j += 7

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for r in readers:
        r.start()
    batches, visible = [], []
    try:
        for b in range(0, n, batch):
            rows = [(f"写入{b + i}号：" + editor.edit("新增翻译记忆单元用于测试读写并发的可见性", 3), f"written unit {b + i}")
                    for i in range(min(batch, n - b))]
            batches.append(post_tsv(port, key, rows))
            for s, t in rows[:: max(1, len(rows) // 3)][:3]:  # three sampled units of each batch
                visible.append(found_everywhere(port, s, t, streak))
    finally:
        stop.set()
        for r in readers:
            r.join()
    return {"units": n, "batch": batch, "batch_p50_s": statistics.median(batches), "batch_max_s": max(batches),
            "reader_requests": len(times), "reader_p50_ms": pct(times, 0.5), "reader_p99_ms": pct(times, 0.99),
            "visible_p50_s": statistics.median(visible), "visible_max_s": max(visible), "sampled": len(visible)}


def api_key(url: str) -> str:
    from tmserver.auth import create_key
    from tmserver.tm import TM

    tm = TM.from_url(url)
    with tm.session() as s:
        _k, secret = create_key(s, "bench", "admin")  # import needs admin
    tm.engine.dispose()
    return secret


# -- driver ----------------------------------------------------------------------------------------


def load_generator(spec: str):
    module, _, func = spec.partition(":")
    return getattr(importlib.import_module(module), func or "generate")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin URL")
    ap.add_argument("--generator", default="bench.synth:generate")
    ap.add_argument("--workers", type=int, default=None, help="default: serve's own default")
    ap.add_argument("--clients", default="1,4,16")
    ap.add_argument("--requests", type=int, default=400, help="requests per concurrency level")
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--recall-queries", type=int, default=30)
    ap.add_argument("--tau", type=float, default=0.6)
    ap.add_argument("--writes", type=int, default=30_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--streak", type=int, default=4, help="consecutive fresh-connection lookups that must find a unit")
    ap.add_argument("--append", action="store_true", help="append a section to bench/RESULTS.md")
    ap.add_argument("--keep", action="store_true", help="keep the database")
    args = ap.parse_args()

    load_before = Path("/proc/loadavg").read_text().strip()
    gen = load_generator(args.generator)
    segs, editor = gen(args.units)
    norms = normalise_all(segs)
    qsets = importlib.import_module("bench.synth").queries(segs, editor, args.queries)
    queries = [q for qs in qsets.values() for q in qs][: args.queries]
    rq = queries[: args.recall_queries]
    scans = [truth_topk(n, norms, args.tau) for n in normalise_all(rq)]  # the exhaustive reference
    truths = [want for want, _ in scans]
    res_brute = statistics.median(dt for _, dt in scans)
    name = f"tm_feed_bench_{args.units}"
    url, load_s = load_db(args.pg, name, segs, norms)
    key = api_key(url)
    log = Path(f"/tmp/{name}.log")
    res: dict = {"brute_force_s": res_brute, "units": args.units, "load_s": load_s, "load_before": load_before, "machine": machine()}
    t0 = time.perf_counter()
    proc, port = start(url, args.workers, log)
    try:
        res["first_lookup_s"] = first_lookup(port, queries[0], t0)
        paths = [LOOKUP.format(score=round(args.tau * 100), q=quote(q)) for q in queries]
        clients(port, paths[:50], 4, 25)  # every worker answers once or more (warm)
        res["memory"] = memory(proc.pid)
        levels = [int(c) for c in args.clients.split(",")]
        res["lookup"] = [clients(port, paths, n, max(20, args.requests // n)) for n in levels]
        compat = [COMPAT.format(score=round(args.tau * 100), q=quote(q, safe="")) for q in queries]
        res["compat"] = [clients(port, compat, n, max(20, args.requests // n)) for n in levels]
        res["recall@5"] = http_recall(port, queries[: args.recall_queries], truths, args.tau)
        res["memory_after_reads"] = memory(proc.pid)
        res["load_during"] = Path("/proc/loadavg").read_text().strip()
        if args.writes:
            res["writes"] = writes_during_reads(port, key, paths, args.writes, args.batch, args.streak, editor)
            res["memory_after_writes"] = memory(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    trgm = pg_trgm(args.pg, norms, {"all": rq}, args.tau, 0.3)["all"]
    res["pg_trgm_p50_ms"] = pct(trgm["times"], 0.5)
    res["pg_trgm_recall@5"] = statistics.mean(recall(got, want) for got, want in zip(trgm["answers"], truths, strict=True))
    res["load_after"] = Path("/proc/loadavg").read_text().strip()
    if not args.keep:
        admin(args.pg, f'DROP DATABASE IF EXISTS "{name}"')
    print(json.dumps(res, indent=1, ensure_ascii=False))
    if args.append:
        append(res, args, " ".join(sys.argv[1:]))


def append(res: dict, args, argv: str) -> None:
    out = io.StringIO()
    w = out.write
    w(f"\n## HTTP through `tmserver serve` on PostgreSQL, {res['units']:,} units — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n")
    w(f"Command: `.venv/bin/python bench/bench_http.py {argv}`  \n")
    w(f"Machine: {res['machine']}; load before {res['load_before']}, during reads {res['load_during']}, "
      f"after {res['load_after']} (the box is shared: figures are pessimistic)  \n")
    w(f"Workers: {args.workers or 'serve default'}; τ {args.tau}; generator `{args.generator}`\n\n")
    m = res["memory"]
    w(f"- load {res['load_s']:.1f} s (COPY); **first answered lookup {res['first_lookup_s']:.1f} s after start**\n")
    w(f"- memory after warm-up: PSS {m['pss_mb']:.0f} MB, RSS {m['rss_mb']:.0f} MB over {m['processes']} processes "
      f"(largest {m['largest_rss_mb']:.0f} MB); after reads PSS {res['memory_after_reads']['pss_mb']:.0f} MB"
      + (f"; after writes PSS {res['memory_after_writes']['pss_mb']:.0f} MB" if "memory_after_writes" in res else "")
      + "\n")
    w(f"- recall@5 vs exhaustive scan (true top-5 units present among the answer's units, limit 10): "
      f"{res['recall@5']:.3f}; brute force (rapidfuzz, every unit) "
      f"{res['brute_force_s'] * 1000:.0f} ms/query (median); pg_trgm p50 {res['pg_trgm_p50_ms']:.1f} ms, "
      f"recall@5 {res['pg_trgm_recall@5']:.3f}\n\n")
    w("| route | clients | requests | p50 ms | p99 ms | requests/s | errors |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
    for route, rows in (("/api/v1/lookup", res["lookup"]), ("amaGama /tmserver/…", res["compat"])):
        for r in rows:
            w(f"| {route} | {r['clients']} | {r['requests']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
              f"{r['rps']:.0f} | {r['errors']} |\n")
    if "writes" in res:
        x = res["writes"]
        w(f"\nWrites during reads: {x['units']:,} units via `POST /api/v1/import` in batches of {x['batch']:,} "
          f"while 4 readers run: batch p50 {x['batch_p50_s']:.2f} s, max {x['batch_max_s']:.2f} s; readers "
          f"({x['reader_requests']} lookups) p50 {x['reader_p50_ms']:.1f} ms, **p99 {x['reader_p99_ms']:.1f} ms**; "
          f"a new unit found by {args.streak} consecutive fresh-connection lookups p50 {x['visible_p50_s']:.2f} s, "
          f"max {x['visible_max_s']:.2f} s after its batch was acknowledged ({x['sampled']} sampled).\n")
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
        fh.write(out.getvalue())


if __name__ == "__main__":
    main()
