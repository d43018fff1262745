"""Fuzzy lookup benchmark: our engine vs a brute-force rapidfuzz scan vs PostgreSQL pg_trgm.

Run (from the repository root)::

    .venv/bin/python bench/bench_lookup.py --sizes 10000,100000,1000000 \\
        --pg postgresql://postgres@127.0.0.1:5432 --http-size 10000

For each size it generates the synthetic TM of :mod:`bench.synth` (seeded), stores it in a fresh
SQLite database through the real schema, and then, side by side on the same queries:

a. **engine** — a fresh child process builds :class:`tmserver.index.Engine` from the store (build
   time, peak RSS and resident size once built are reported; after the build it freezes the GC as
   a ``tmserver serve`` worker does) and answers every query twice: the index search alone and
   the full ``Engine.lookup`` (normalise, search, fetch, score, diff, adapt);
b. **brute force** — ``rapidfuzz.process.extract`` over every normalised text with
   ``Levenshtein.normalized_similarity`` (the exhaustive reference for recall@5);
c. **pg_trgm** — a scratch PostgreSQL database (UTF-8 ctype, else pg_trgm sees no trigrams in
   Chinese), GIN ``gin_trgm_ops`` index, ``%`` candidates ordered by ``similarity()``, top 50
   re-scored with rapidfuzz Levenshtein (Weblate's approach); dropped afterwards.

HTTP latency goes through a real ``tmserver serve`` (gunicorn) on the ``--http-size`` database.
Figures are printed and appended to ``bench/RESULTS.md`` with the command and the machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

K = 5


def pct(values: list[float]) -> str:
    a = np.asarray(values) * 1000
    p50, p95, p99 = np.percentile(a, [50, 95, 99])
    return f"{p50:.2f} / {p95:.2f} / {p99:.2f}"


def _norm_chunk(texts: list[str]) -> list[str]:
    from tmserver.normalize import normalize_text

    return [normalize_text(t) for t in texts]


def normalise_all(texts: list[str]) -> list[str]:
    chunks = [texts[i : i + 20_000] for i in range(0, len(texts), 20_000)]
    with mp.get_context("fork").Pool(2) as pool:
        return [t for part in pool.map(_norm_chunk, chunks) for t in part]


def make_db(path: Path, segs: list[str], norms: list[str], targets: list[str] | None = None,
            langs: tuple[str, str] = ("zh", "en")) -> str:
    from sqlalchemy import insert

    from tmserver.store.db import make_engine, upgrade
    from tmserver.store.models import Segment, text_hash

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    tgt = targets or [f"synthetic translation {i + 1}" for i in range(len(segs))]
    with engine.begin() as conn:
        for lo in range(0, len(segs), 50_000):
            conn.execute(insert(Segment), [
                {"id": i + 1, "source_lang": langs[0], "target_lang": langs[1], "source_tag": langs[0],
                 "target_tag": langs[1],
                 "source_text": segs[i], "target_text": tgt[i], "source_norm": norms[i],
                 "source_hash": text_hash(norms[i]), "target_norm": tgt[i].lower(),
                 "version": 1, "extra": {}}
                for i in range(lo, min(lo + 50_000, len(segs)))
            ])
    engine.dispose()
    return url


def truth_topk(query: str, texts: list[str], tau: float) -> tuple[list[tuple[float, int]], float]:
    """Exhaustive reference: every text scored by rapidfuzz; returns top-k (sim, seg id) and time."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    t = time.perf_counter()
    found = process.extract(query, texts, scorer=Levenshtein.normalized_similarity,
                            score_cutoff=max(0.0, tau - 1e-6), limit=None)
    dt = time.perf_counter() - t
    scored = []
    for text, _s, i in found:
        m = max(len(query), len(text))
        d = Levenshtein.distance(query, text)
        if (m - d) / m >= tau - 1e-12 and 100 * (m - d) >= round(tau * 100) * m:
            scored.append(((m - d) / m, i + 1))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return scored[:K], dt


def recall(got: list[tuple[float, int]], want: list[tuple[float, int]]) -> float:
    if not want:
        return 1.0 if not got else 0.0  # nothing reaches τ: any answer would be wrong
    return len(set(got) & set(want)) / len(want)


# -- child: the engine in a fresh process -------------------------------------------------------


def child_engine(url: str, qfile: str, out: str, src: str, taus: list[float]) -> None:
    from tmserver.langs import parse_lang
    from tmserver.normalize import normalize_text
    from tmserver.tm import TM

    tm = TM.from_url(url)
    t = time.perf_counter()
    tm.index.warm(src)
    build = time.perf_counter() - t
    rss_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # as a `tmserver serve` worker does after warming (tmserver.wsgi._warm_worker): the
    # long-lived objects leave the cyclic GC, whose full passes would otherwise be tail latency
    gc.collect()
    gc.freeze()
    rss_now = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    idx = tm.index._langs[src]
    sets = json.loads(Path(qfile).read_text())
    source, target = parse_lang(src), parse_lang(other(src))
    res: dict = {"load": load(), "build_s": build, "rss_mb_after_build": rss_build, "rss_mb_resident": rss_now, "docs": len(idx),
                 "sets": {}}
    for tau in taus:
        for name, qs in sets.items():
            search_t, search_cpu, lookup_t, answers, proven = [], [], [], [], 0
            for q in qs:
                qn = normalize_text(q)
                c, t = time.process_time(), time.perf_counter()
                r = idx.search(qn, K, tau * 100)
                search_t.append(time.perf_counter() - t)
                search_cpu.append(time.process_time() - c)
                proven += r.proven
                answers.append([((m - d) / m, int(idx.seg_ids.a[doc])) for doc, d, m in r.hits])
                t = time.perf_counter()
                tm.index.lookup(q, source, target, limit=K, min_score=tau * 100)
                lookup_t.append(time.perf_counter() - t)
            res["sets"][f"{name}@{tau}"] = {"search": search_t, "search_cpu": search_cpu, "lookup": lookup_t,
                                            "answers": answers, "proven": proven}
    res["rss_mb_peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out).write_text(json.dumps(res))


# -- pg_trgm ------------------------------------------------------------------------------------


def pg_trgm(pg: str, norms: list[str], sets: dict[str, list[str]], tau: float, threshold: float):
    import psycopg
    from rapidfuzz.distance import Levenshtein

    from tmserver.normalize import normalize_text

    name = f"tms_bench_trgm_{os.getpid()}"
    host = pg.rsplit("/", 1)[0] if pg.count("/") > 2 else pg

    def admin(sql: str) -> None:  # on the server --pg names (dropdb/createdb went to 127.0.0.1 as postgres)
        with psycopg.connect(pg, autocommit=True) as conn:
            conn.execute(sql)

    admin(f"DROP DATABASE IF EXISTS {name}")
    admin(f"CREATE DATABASE {name} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0")
    out: dict = {}
    try:
        with psycopg.connect(f"{host}/{name}", autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_trgm")
            conn.execute("CREATE TABLE tm (id integer PRIMARY KEY, norm text NOT NULL)")
            t = time.perf_counter()
            with conn.cursor().copy("COPY tm (id, norm) FROM STDIN") as cp:
                for i, n in enumerate(norms, start=1):
                    cp.write_row((i, n))
            conn.execute("CREATE INDEX tm_trgm ON tm USING gin (norm gin_trgm_ops)")
            conn.execute("ANALYZE tm")
            out["build_s"] = time.perf_counter() - t
            conn.execute(f"SET pg_trgm.similarity_threshold = {threshold}")
            for sname, qs in sets.items():
                times, answers = [], []
                for q in qs:
                    qn = normalize_text(q)
                    t = time.perf_counter()
                    rows = conn.execute(
                        "SELECT id, norm FROM tm WHERE norm %% %s ORDER BY similarity(norm, %s) DESC LIMIT 50",
                        (qn, qn)).fetchall()
                    scored = []
                    for i, text in rows:
                        m = max(len(qn), len(text))
                        d = Levenshtein.distance(qn, text)
                        if 100 * (m - d) >= round(tau * 100) * m:
                            scored.append(((m - d) / m, i))
                    scored.sort(key=lambda x: (-x[0], x[1]))
                    times.append(time.perf_counter() - t)
                    answers.append(scored[:K])
                out[sname] = {"times": times, "answers": answers}
    finally:
        admin(f"DROP DATABASE IF EXISTS {name}")
    return out


# -- HTTP ---------------------------------------------------------------------------------------


def http_bench(url: str, queries: list[str], src: str = "zh", workers: int = 2) -> dict:
    import http.client
    import socket
    from urllib.parse import quote

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "TMSERVER_DATABASE_URL": url}
    proc = subprocess.Popen([sys.executable, "-m", "tmserver", "serve", "--port", str(port), "--workers",
                             str(workers), "--no-seed"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/api/v1/health")
                conn.getresponse().read()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        path = f"/api/v1/lookup?source_lang={src}&target_lang={other(src)}&q="
        for q in queries[:50]:  # warm every worker's index
            conn.request("GET", path + quote(q))
            conn.getresponse().read()
        times = []
        for q in queries:
            t = time.perf_counter()
            conn.request("GET", path + quote(q))
            r = conn.getresponse()
            r.read()
            times.append(time.perf_counter() - t)
            assert r.status == 200
        compat = []
        for q in queries[:200]:
            t = time.perf_counter()
            conn.request("GET", f"/tmserver/{src}/{other(src)}/unit/" + quote(q, safe=""))
            conn.getresponse().read()
            compat.append(time.perf_counter() - t)
        return {"lookup": times, "compat": compat, "workers": workers}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# -- driver -------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def source_lang(gen: str) -> str:
    """The source language of a generator's TM: ``vocab-en`` is English → Chinese."""
    return "en" if gen == "vocab-en" else "zh"


def other(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


def make_data(gen: str, n: int, nq: int) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """Sources, targets and query sets of one generator (all seeded)."""
    if gen == "synth":
        from bench.synth import generate, queries

        segs, editor = generate(n)
        return segs, [f"synthetic translation {i + 1}" for i in range(n)], queries(segs, editor, nq)
    from bench import synth_real

    segs, targets, state = synth_real.generate(gen, n)
    return segs, targets, synth_real.queries(gen, state, nq)


def prepare(gen: str, n: int, nq: int, taus: list[float], where: Path) -> tuple[str, dict, dict, dict]:
    """The TM database, query sets and exhaustive truths (with brute-force times) in ``where``;
    reused when ``where`` already holds them (``--cache``: the engine is re-measured on the same
    data without regenerating it or re-running the brute force)."""
    db, qfile, tfile = where / "tm.sqlite", where / "q.json", where / "truth.json"
    if db.exists() and qfile.exists() and tfile.exists():
        done = json.loads(tfile.read_text())
        print(f"[{gen} {n}] reusing {where}", flush=True)
        return f"sqlite:///{db}", json.loads(qfile.read_text()), done["truth"], done["brute"]
    where.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    segs, targets, sets = make_data(gen, n, nq)
    norms = normalise_all(segs)
    gen_s = time.perf_counter() - t
    t = time.perf_counter()
    db.unlink(missing_ok=True)
    url = make_db(db, segs, norms, targets, (source_lang(gen), other(source_lang(gen))))
    print(f"[{gen} {n}] generated in {gen_s:.1f}s, stored in {time.perf_counter() - t:.1f}s", flush=True)
    del segs, targets
    from tmserver.normalize import normalize_text

    truth: dict[str, list] = {}
    brute: dict[str, list[float]] = {}
    for tau in taus:
        for name, qs in sets.items():
            key = f"{name}@{tau}"
            truth[key], brute[key] = [], []
            for q in qs:
                ans, dt = truth_topk(normalize_text(q), norms, tau)
                truth[key].append([list(x) for x in ans])
                brute[key].append(dt)
    print(f"[{gen} {n}] brute force done", flush=True)
    qfile.write_text(json.dumps(sets, ensure_ascii=False))
    tfile.write_text(json.dumps({"truth": truth, "brute": brute}))
    return url, sets, truth, brute


def run_one(gen: str, n: int, args, taus: list[float], where: Path) -> list[str]:
    nq = args.queries if n <= 100_000 else args.queries_large
    url, sets, truth, brute = prepare(gen, n, nq, taus, where)
    qfile, efile = where / "q.json", where / "e.json"
    subprocess.run([sys.executable, __file__, "--taus", args.taus, "--child", url, str(qfile), str(efile),
                    source_lang(gen)],
                   check=True, cwd=ROOT)
    eng = json.loads(efile.read_text())
    print(f"[{gen} {n}] engine built in {eng['build_s']:.1f}s, RSS {eng['rss_mb_peak']:.0f} MB", flush=True)
    trgm = {}
    if args.pg:
        from sqlalchemy import text as sql

        from tmserver.normalize import normalize_text
        from tmserver.store.db import make_engine

        with make_engine(url).connect() as conn:
            norms = [normalize_text(r[0]) for r in conn.execute(sql("SELECT source_text FROM segments ORDER BY id"))]
        trgm = pg_trgm(args.pg, norms, sets, taus[0], args.trgm_threshold)
        print(f"[{gen} {n}] pg_trgm built in {trgm['build_s']:.1f}s", flush=True)
    lines = [f"\n### {gen}: {n:,} segments (load before: {eng.get('load', '?')}, after: {load()})\n"]
    lines.append(f"Engine: index build from the store {eng['build_s']:.1f} s, peak RSS of the engine process "
                 f"{eng['rss_mb_peak']:.0f} MB, resident once built {eng['rss_mb_resident']:.0f} MB "
                 f"({eng['docs']:,} {source_lang(gen)} documents). "
                 + (f"pg_trgm: COPY + GIN build {trgm['build_s']:.1f} s, similarity_threshold "
                    f"{args.trgm_threshold}, 50 candidates re-scored." if trgm else "") + "\n")
    lines.append("| set@τ | queries | engine search | search CPU | engine lookup (full) | proven | recall@5 engine "
                 "| brute force | speed-up (p50) | pg_trgm | recall@5 pg_trgm |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for key, e in eng["sets"].items():
        got = [[tuple(x) for x in a] for a in e["answers"]]
        want = [[tuple(x) for x in w] for w in truth[key]]
        r_eng = np.mean([recall(g, w) for g, w in zip(got, want, strict=True)])
        tr = trgm.get(key.split("@")[0]) if key.endswith(f"@{taus[0]}") else None
        r_pg = (np.mean([recall([tuple(x) for x in g], w) for g, w in zip(tr["answers"], want, strict=True)])
                if tr else None)
        speed = np.median(brute[key]) / np.median(e["search"])
        lines.append(
            f"| {key} | {len(e['search'])} | {pct(e['search'])} | {pct(e['search_cpu'])} | {pct(e['lookup'])} | "
            f"{e['proven']}/{len(e['search'])} | {r_eng:.3f} | {pct(brute[key])} | {speed:,.0f}× | "
            + (f"{pct(tr['times'])} | {r_pg:.3f} |" if tr else "– | – |"))
    print("\n".join(lines), flush=True)
    if n == args.http_size:
        allq = [q for qs in sets.values() for q in qs]
        h = http_bench(url, allq, source_lang(gen))
        lines.append(f"\nHTTP through `tmserver serve` (gunicorn, {h['workers']} workers, one keep-alive client, "
                     f"{len(h['lookup'])} requests): `GET /api/v1/lookup` {pct(h['lookup'])} ms; "
                     f"`GET /tmserver/zh/en/unit/…` {pct(h['compat'])} ms.\n")
        print(lines[-1], flush=True)
    return lines


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--generator", default="synth",
                    help="comma-separated: synth (bench/synth.py), vocab, vocab-en, templated (bench/synth_real.py)")
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--templated-sizes", default="100000", help="sizes for the templated generator")
    ap.add_argument("--queries", type=int, default=100, help="queries per set (sizes ≤ 1e5)")
    ap.add_argument("--queries-large", type=int, default=50, help="queries per set at 1e6 (brute force is slow)")
    ap.add_argument("--taus", default="0.6,0.7")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432", help="'' to skip pg_trgm")
    ap.add_argument("--trgm-threshold", type=float, default=0.3)
    ap.add_argument("--http-size", type=int, default=10000)
    ap.add_argument("--cache", default="", help="keep (and reuse) databases, queries and truths here")
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    taus = [float(x) for x in args.taus.split(",")]
    if args.child:
        child_engine(*args.child, taus)
        return
    lines = [f"\n## Run of {time.strftime('%Y-%m-%d %H:%M')}\n",
             f"Command: `.venv/bin/python bench/bench_lookup.py {' '.join(sys.argv[1:])}`  ",
             f"Machine: {machine()}; load average at start {load()}  ",
             f"k = {K}; latencies p50 / p95 / p99 in ms (search CPU: process time of the search, unpolluted "
             f"by other processes on the box); recall@5 against the exhaustive rapidfuzz scan.\n"]
    base = Path(args.cache) if args.cache else Path(tempfile.mkdtemp(prefix="tmbench-"))
    for gen in args.generator.split(","):
        sizes = args.templated_sizes if gen == "templated" else args.sizes
        for n in [int(x) for x in sizes.split(",")]:
            where = base / f"{gen}_{n}"
            lines += run_one(gen, n, args, taus, where)
            if not args.cache:
                (where / "tm.sqlite").unlink(missing_ok=True)
    with open(args.out, "a", encoding="utf-8") as f:
        if f.tell() == 0:
            f.write("# Lookup benchmark results\n\nAppended by `bench/bench_lookup.py`; newest run last.\n")
        f.write("\n".join(lines) + "\n")
    print(f"appended to {args.out}")


if __name__ == "__main__":
    main()
