"""Writes during reads through ``tmserver serve``: reader latency and write visibility.

A base TM of ``--units`` synthetic zh→en units (made once per size and database kind, then copied:
SQLite file copy, PostgreSQL ``CREATE DATABASE … TEMPLATE``) is served by ``tmserver serve``
(its default workers unless ``--workers``). ``--readers`` threads loop ``GET /api/v1/lookup``
while ``--writes`` units are added through ``POST /api/v1/import`` in TSV batches of ``--batch``;
after each batch three of its units are looked up on fresh connections until ``--streak``
consecutive lookups find them (visibility, from the batch's acknowledgement).

    .venv/bin/python -m bench.bench_writes --db sqlite --units 20000 --writes 10000
    .venv/bin/python -m bench.bench_writes --db pg --units 20000 --writes 10000

Prints one JSON line (with /proc/loadavg before and after). Extra environment for the server can
be given as ``--env KEY=VALUE`` (e.g. ``TMSERVER_LOG_LEVEL=INFO``).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_http import serve_command  # noqa: E402

LOOKUP = "/api/v1/lookup?source_lang=zh&target_lang=en&limit=5&min_score={score}&q={q}"
CACHE = Path(tempfile.gettempdir()) / "tmserver-bench-writes"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(1000 * s[min(len(s) - 1, int(q * len(s)))], 1)


def _admin(pg: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(sql)


def _fill(url: str, segs: list[str]) -> None:
    """The base units through the service layer (the same rows and change log as an import)."""
    from tmserver.app import create_app
    from tmserver.services.transfer import ImportOptions, import_file

    app = create_app({"DATABASE_URL": url, "INDEX_DIR": "off"})
    tm = app.extensions["tmserver"]
    tsv = "".join(f"{s}\tsynthetic translation {i}\n" for i, s in enumerate(segs)).encode()
    import_file(tm, io.BytesIO(tsv), "tsv", ImportOptions(source_lang="zh", target_lang="en", on_duplicate="keep"))
    tm.engine.dispose()


def database(kind: str, units: int, pg: str, segs: list[str]) -> str:
    """A fresh copy of the base TM; returns its URL."""
    CACHE.mkdir(exist_ok=True)
    if kind == "sqlite":
        base = CACHE / f"base-{units}.sqlite"
        if not base.exists():
            _fill(f"sqlite:///{base}.tmp", segs)
            os.replace(f"{base}.tmp", base)
        run = CACHE / f"run-{os.getpid()}.sqlite"
        shutil.copyfile(base, run)
        return f"sqlite:///{run}"
    prefix = pg.rsplit("/", 1)[0]
    base_name = f"tm_wrp_base_{units}"
    import psycopg

    with psycopg.connect(pg, autocommit=True) as conn:
        have = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (base_name,)).fetchone()
    if not have:
        _admin(pg, f"CREATE DATABASE {base_name}_tmp ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' "
                   "TEMPLATE template0")
        _fill(f"{prefix}/{base_name}_tmp", segs)
        _admin(pg, f"ALTER DATABASE {base_name}_tmp RENAME TO {base_name}")
    run = "tm_wrp_run"
    _admin(pg, f"DROP DATABASE IF EXISTS {run}")
    _admin(pg, f"CREATE DATABASE {run} TEMPLATE {base_name}")
    return f"{prefix}/{run}"


def api_key(url: str) -> str:
    from tmserver.auth import create_key
    from tmserver.tm import TM

    tm = TM.from_url(url)
    with tm.session() as s:
        _k, secret = create_key(s, "bench", "admin")
    tm.engine.dispose()
    return secret


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


def wait_ready(port: int, query: str, timeout: float = 600) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status, _ = get(conn, LOOKUP.format(score=60, q=quote(query)))
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server never answered a lookup")


def post_tsv(port: int, key: str, rows: list[tuple[str, str]]) -> float:
    body_tsv = "".join(f"{s}\t{t}\n" for s, t in rows).encode()
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"batch.tsv\"\r\n"
            "Content-Type: text/tab-separated-values\r\n\r\n").encode() + body_tsv + f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t = time.perf_counter()
    conn.request("POST", "/api/v1/import?format=tsv&source_lang=zh&target_lang=en", body=body,
                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": f"Bearer {key}"})
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        raise RuntimeError(f"import answered {r.status}: {data[:300]!r}")
    return time.perf_counter() - t


def found(port: int, source: str, target: str, streak: int, timeout: float = 30) -> float:
    path = LOOKUP.format(score=100, q=quote(source))
    t0, run = time.perf_counter(), 0
    while time.perf_counter() - t0 < timeout:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        _, body = get(conn, path)
        conn.close()
        run = run + 1 if any(m["target"] == target for m in json.loads(body)["matches"]) else 0
        if run >= streak:
            return time.perf_counter() - t0
        time.sleep(0.01)
    return float("inf")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin URL")
    ap.add_argument("--units", type=int, default=20_000)
    ap.add_argument("--writes", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--readers", type=int, default=4)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--streak", type=int, default=4)
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    ap.add_argument("--label", default="")
    args = ap.parse_args()

    from bench.synth import generate, queries

    segs, editor = generate(args.units)
    qs = [q for v in queries(segs, editor, 200).values() for q in v][:200]
    url = database(args.db, args.units, args.pg, segs)
    key = api_key(url)
    index_dir = Path(tempfile.mkdtemp(prefix="wrp-index-"))
    port = _free_port()
    cmd, env = serve_command(port, url, index_dir, args.workers)
    env.update(kv.split("=", 1) for kv in args.env)
    log_path = CACHE / f"server-{os.getpid()}.log"
    with log_path.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(port, qs[0])
        for q in qs[:20]:  # every worker warm
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            get(conn, LOOKUP.format(score=60, q=quote(q)))
            conn.close()
        load_before = Path("/proc/loadavg").read_text().strip()
        paths = [LOOKUP.format(score=60, q=quote(q)) for q in qs]
        stop = threading.Event()
        times: list[float] = []
        idle: list[float] = []

        def reader(k: int, sink: list[float]) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            j = k
            while not stop.is_set():
                t = time.perf_counter()
                get(conn, paths[j % len(paths)])
                sink.append(time.perf_counter() - t)
                j += 7

        # the same readers without writes first: the baseline
        threads = [threading.Thread(target=reader, args=(k, idle)) for k in range(args.readers)]
        for t in threads:
            t.start()
        time.sleep(5)
        stop.set()
        for t in threads:
            t.join()
        stop.clear()
        threads = [threading.Thread(target=reader, args=(k, times)) for k in range(args.readers)]
        for t in threads:
            t.start()
        batches, visible = [], []
        t_writes = time.perf_counter()
        try:
            for b in range(0, args.writes, args.batch):
                rows = [(f"写入{b + i}号：" + editor.edit("新增翻译记忆单元用于测试读写并发的可见性", 3), f"written unit {b + i}")
                        for i in range(min(args.batch, args.writes - b))]
                batches.append(post_tsv(port, key, rows))
                for s, tgt in rows[:: max(1, len(rows) // 3)][:3]:
                    visible.append(found(port, s, tgt, args.streak))
        finally:
            stop.set()
            for t in threads:
                t.join()
        elapsed = time.perf_counter() - t_writes
        res = {"label": args.label, "db": args.db, "units": args.units, "writes": args.writes, "batch": args.batch,
               "workers": args.workers or "default", "env": args.env,
               "idle_requests": len(idle), "idle_p50_ms": pct(idle, 0.5), "idle_p99_ms": pct(idle, 0.99),
               "reader_requests": len(times), "reader_p50_ms": pct(times, 0.5), "reader_p99_ms": pct(times, 0.99),
               "reader_max_ms": pct(times, 1.0),
               "batch_p50_s": round(statistics.median(batches), 3), "batch_max_s": round(max(batches), 3),
               "visible_p50_s": round(statistics.median(visible), 3), "visible_max_s": round(max(visible), 3),
               "elapsed_s": round(elapsed, 1), "load_before": load_before,
               "load_after": Path("/proc/loadavg").read_text().strip()}
        print(json.dumps(res, ensure_ascii=False))
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(index_dir, ignore_errors=True)
        if args.db == "sqlite":
            Path(url[len("sqlite:///"):]).unlink(missing_ok=True)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    main()
