"""Saved, memory-mapped indexes (:mod:`tmserver.index.persist`) on real files and both databases.

A saved generation opened again — by this process, another process, or two gunicorn workers —
must answer exactly like a fresh build (checked against the exhaustive scan), find writes made
after the save, and be ignored and rebuilt when it is stale, corrupted, partial or another
database's.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from sqlalchemy import delete, func, select, text

from tmserver.formats import Unit
from tmserver.index import persist, postings
from tmserver.index.parts import PartIndex
from tmserver.index.postings import LangIndex
from tmserver.langs import parse_lang
from tmserver.store.models import ChangeLogState, SegmentChange

ROOT = Path(__file__).resolve().parent.parent
ZH, EN = parse_lang("zh"), parse_lang("en")
ALPHABET = "网络空间命运共同体的发展合作治理数字经济安全数据平台服务"


def sentences(n: int, seed: int = 7) -> list[str]:
    """Families of near-duplicates (so fuzzy matches exist), some with two sentences (parts)."""
    rnd = random.Random(seed)
    out = []
    while len(out) < n:
        base = "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(6, 24)))
        for _ in range(rnd.randint(1, 4)):
            s = list(base)
            for _ in range(rnd.randint(0, 3)):
                s[rnd.randrange(len(s))] = rnd.choice(ALPHABET)
            text = "".join(s)
            out.append(text + "。" + base[:8] + "。" if rnd.random() < 0.1 else text)
    return out[:n]


def queries(texts: list[str], n: int = 40, seed: int = 3) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for t in rnd.sample(texts, n):
        s = list(t)
        s[rnd.randrange(len(s))] = rnd.choice(ALPHABET)
        out.append("".join(s))
    return out


def hits(idx: LangIndex, q: str, brute: bool = False) -> list[tuple[int, int]]:
    res = (idx.brute_force if brute else idx.search)(q, 5, 60)
    return [(int(idx.seg_ids.a[doc]), d) for doc, d, _m in res.hits]


# -- the on-disk form itself --------------------------------------------------------------------------


def test_saved_base_answers_like_the_build(tmp_path, monkeypatch):
    texts = sentences(3000)
    monkeypatch.setattr(postings, "HIST_MIN_LEN", 20)  # the longer of these short texts get a histogram
    ids = np.arange(1, len(texts) + 1, dtype=np.int64)
    built = LangIndex.build(ids, list(texts), np.ones(len(texts), dtype=np.bool_))
    parts = PartIndex.build("zh", [(i, True, t, t) for i, t in zip(ids.tolist(), texts, strict=True)])
    gen = persist.save(tmp_path, "zh", built, parts, {"kind": "seq", "seq": 42}, "db-1")
    saved = persist.load(tmp_path, "zh", "db-1")
    assert saved is not None and saved.generation == gen and saved.stamp == {"kind": "seq", "seq": 42}
    idx = saved.index
    assert not idx.postings.flags.writeable and isinstance(idx.postings.base, type(idx.vocab.base))
    assert [idx.texts[i] for i in range(0, 3000, 97)] == [built.texts[i] for i in range(0, 3000, 97)]
    for q in queries(texts):
        assert hits(idx, q) == hits(built, q) == hits(built, q, brute=True)
    # the character histograms come back from where they began, and give the same bounds
    assert 0 < idx.hist_from == built.hist_from < len(texts)
    every = np.arange(len(texts))
    for q in queries(texts)[:5]:
        assert idx.char_bound(q, every).tolist() == built.char_bound(q, every).tolist()
    assert len(saved.parts) == len(parts) > 0
    assert [p.seg_id for p in saved.parts.search(texts[0][:8], 5, 60)] == \
        [p.seg_id for p in parts.search(texts[0][:8], 5, 60)]
    # writes on the mapped base: the delta and the dead marks are this process's own
    idx.upsert(10_001, "网络空间命运共同体新增", True)
    idx.remove(int(idx.seg_ids.a[0]))
    assert hits(idx, "网络空间命运共同体新增")[0] == (10_001, 0)
    assert hits(idx, "网络空间命运共同体新增") == hits(idx, "网络空间命运共同体新增", brute=True)
    again = persist.load(tmp_path, "zh", "db-1")
    assert again is not None and again.index.doc_of(10_001) is None and again.index.alive.a[0]


def test_histogram_width_is_saved_with_the_index(tmp_path, monkeypatch):
    """English long units take 64-byte histogram rows on disk (128 buckets), and a generation
    saved with round 10's 512 buckets for every index still opens with them and answers alike."""
    rnd = random.Random(5)
    words = ["network", "security", "cooperation", "digital", "economy", "governance", "platform"]
    texts = [" ".join(rnd.choice(words) for _ in range(rnd.randint(3, 30))) for _ in range(600)]
    ids = np.arange(1, len(texts) + 1, dtype=np.int64)
    monkeypatch.setattr(postings, "HIST_MIN_LEN", 64)
    for sizes, width in (((512,), 256), (postings.HIST_SIZES, 64)):
        monkeypatch.setattr(postings, "HIST_SIZES", sizes)
        built = LangIndex.build(ids, list(texts), np.ones(len(texts), dtype=np.bool_))
        monkeypatch.undo()
        monkeypatch.setattr(postings, "HIST_MIN_LEN", 64)
        root = tmp_path / str(width)
        persist.save(root, "en", built, PartIndex.build("en", []), {"kind": "seq", "seq": 1}, "db-1")
        manifest = json.loads(next(root.glob("en/g*/manifest.json")).read_text())
        assert manifest["main"]["arrays"]["hist"]["dtype"] == f"|V{width}"
        saved = persist.load(root, "en", "db-1")
        assert saved is not None and saved.index.hist_buckets == built.hist_buckets == 2 * width
        idx = saved.index
        assert 0 < idx.hist_from < len(texts)
        for q in rnd.sample(texts, 20):
            q = q.replace("network", "networks", 1)
            assert hits(idx, q) == hits(built, q) == hits(built, q, brute=True)
        idx.upsert(9_999, texts[-1] + " platform", True)
        assert hits(idx, texts[-1] + " platform")[0] == (9_999, 0)


def test_another_database_format_or_a_damaged_generation_is_not_opened(tmp_path):
    texts = sentences(500)
    ids = np.arange(1, 501, dtype=np.int64)
    idx = LangIndex.build(ids, list(texts), np.ones(500, dtype=np.bool_))
    persist.save(tmp_path, "zh", idx, PartIndex.build("zh", []), {"kind": "seq", "seq": 1}, "db-1")
    assert persist.load(tmp_path, "zh", "db-2") is None
    folder = tmp_path / "zh" / "g00000001"
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "format": 999}))
    assert persist.load(tmp_path, "zh", "db-1") is None
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert persist.load(tmp_path, "zh", "db-1") is not None
    with (folder / "main.postings.npy").open("r+b") as f:  # a truncated array
        f.truncate(1000)
    assert persist.load(tmp_path, "zh", "db-1") is None
    (folder / "manifest.json").unlink()  # a directory the writer never finished
    assert persist.load(tmp_path, "zh", "db-1") is None


# -- the engine on the test database --------------------------------------------------------------------


def fill(tm, texts: list[str]) -> None:
    units = [Unit(source=t, target=f"unit {i}", source_lang="zh", target_lang="en") for i, t in enumerate(texts)]
    tm.import_units(units, on_violation="accept", on_duplicate="keep")


def found(result) -> list[tuple[int, int]]:
    return [(m["id"], m["score"]) for m in result["matches"]]


@pytest.fixture()
def index_dir(tm, tmp_path) -> Path:
    """A private index directory for ``tm``'s engine (the default one is shared by the session)."""
    root = tmp_path / "index"
    tm.index.root = root
    return root


def other_engine(tm, root: Path):
    """A second engine on the same database and index directory, as a second worker has."""
    from tmserver.index import Engine
    from tmserver.tm import TM

    other = TM(tm.engine, tm.sessions, {**tm.config, "INDEX_DIR": str(root)})
    return Engine(other)


def test_a_second_engine_opens_the_saved_index_and_catches_up(tm, index_dir):
    texts = sentences(1500)
    fill(tm, texts)
    qs = queries(texts, 25)
    first = [found(tm.index.lookup(q, ZH, EN, subsegments=False)) for q in qs]
    gen = persist.current(index_dir, "zh")
    assert gen == 1 and tm.index._slots["zh"].generation == 1
    fill(tm, ["数字经济安全治理平台的新服务"])  # after the save: in the change log only
    second = other_engine(tm, index_dir)
    answers = [found(second.lookup(q, ZH, EN, subsegments=False)) for q in qs]
    assert answers == first
    assert second._slots["zh"].generation == 1 and persist.current(index_dir, "zh") == 1  # opened, not rebuilt
    assert second.lookup("数字经济安全治理平台的新服务", ZH, EN)["matches"][0]["score"] >= 100
    idx = second._slots["zh"].index
    for q in qs:
        assert hits(idx, q) == hits(idx, q, brute=True)


def test_a_compacted_log_makes_the_saved_index_stale(tm, index_dir):
    fill(tm, sentences(300))
    tm.index.lookup("网络空间", ZH, EN)
    fill(tm, ["网络空间命运共同体的新成员"])
    fill(tm, ["数字经济发展的新平台"])
    with tm.session() as s:  # the log loses a change made after the stamp (compacted past it)
        hi = s.scalar(select(func.max(SegmentChange.seq)))
        s.execute(delete(SegmentChange).where(SegmentChange.seq < hi))
        # ... recorded as compaction records it, in the same transaction: below the newest seq on
        # SQLite, below the newest transaction id on PostgreSQL (whose log is ordered by xid)
        if tm.engine.dialect.name == "postgresql":
            below = s.scalar(text("SELECT pg_current_xact_id()::text::bigint"))
        else:
            below = hi
        s.execute(delete(ChangeLogState))
        s.add(ChangeLogState(id=1, pruned_below=below))
    second = other_engine(tm, index_dir)
    assert second.lookup("网络空间命运共同体的新成员", ZH, EN)["matches"][0]["score"] >= 100
    assert second.lookup("数字经济发展的新平台", ZH, EN)["matches"][0]["score"] >= 100
    assert second._slots["zh"].generation == 2  # rebuilt and saved again


def test_a_damaged_saved_index_is_rebuilt(tm, index_dir):
    texts = sentences(400)
    fill(tm, texts)
    want = found(tm.index.lookup(texts[5], ZH, EN))
    with (index_dir / "zh" / "g00000001" / "main.vocab.npy").open("r+b") as f:
        f.truncate(64)
    second = other_engine(tm, index_dir)
    assert found(second.lookup(texts[5], ZH, EN)) == want
    assert second._slots["zh"].generation == 2


def test_clear_rebuilds_instead_of_reopening(tm, index_dir):
    fill(tm, ["网络空间命运共同体"])
    assert tm.index.lookup("网络空间命运共同体", ZH, EN)["matches"]
    tm.clear()
    assert tm.index.lookup("网络空间命运共同体", ZH, EN)["matches"] == []
    assert other_engine(tm, index_dir).lookup("网络空间命运共同体", ZH, EN)["matches"] == []


def test_a_grown_delta_is_merged_in_the_background(tm, index_dir, monkeypatch):
    monkeypatch.setattr(postings, "COMPACT_MIN", 20)
    fill(tm, sentences(100))
    tm.index.lookup("网络空间", ZH, EN)
    first = tm.index._slots["zh"].follower
    extra = sentences(60, seed=11)
    for i in range(0, 60, 5):
        fill(tm, extra[i : i + 5])
        tm.index.lookup(extra[i], ZH, EN)  # lookups keep answering while the merge runs
    deadline = time.monotonic() + 60

    def settled() -> bool:  # merged, and no further merge due or running
        slot = tm.index._slots["zh"]
        return not tm.index._merging and slot.generation >= 2 and not slot.index.merge_due

    while time.monotonic() < deadline and not settled():
        time.sleep(0.1)
        tm.index.refresh(force=True)  # (starts the next merge when the delta is past the threshold again)
    slot = tm.index._slots["zh"]
    # merged (a new generation), and what is left in the delta is what was written while the merge
    # ran: at most the threshold. More than the threshold can arrive during a merge (the writes above
    # do not wait for it); the refresh after it then merges again, which the loop waits for.
    assert slot.generation >= 2 and not slot.index.merge_due and slot.index.delta_docs <= 20
    with tm.session() as s:  # the replaced index's consumer was deregistered; the new one reports
        consumers = set(s.scalars(text("SELECT name FROM change_consumers")))
    assert first.name not in consumers and slot.follower.name in consumers
    for q in extra[::7]:
        assert found(tm.index.lookup(q, ZH, EN))[0][1] >= 100
        assert hits(slot.index, q) == hits(slot.index, q, brute=True)


def test_readiness_goes_from_503_to_200(client, tm, index_dir):
    fill(tm, sentences(200))
    r = client.get("/api/v1/ready")
    assert r.status_code == 503 and r.get_json()["ready"] is False  # nothing loaded yet (loading starts)
    # (health answers 200 while loading; its ready flag may already have turned, so only its type is checked here)
    h = client.get("/api/v1/health")
    assert h.status_code == 200 and isinstance(h.get_json()["ready"], bool)
    deadline = time.monotonic() + 60
    while client.get("/api/v1/ready").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    r = client.get("/api/v1/ready")
    assert r.status_code == 200 and r.get_json()["loaded"] == ["en", "zh"]
    assert client.get("/api/v1/health").get_json()["ready"] is True


def test_index_settings_are_validated():
    from tmserver.config import ConfigError, load_config

    assert load_config({"INDEX_LANGS": " ZH "})["INDEX_LANGS"] == "zh"
    assert load_config({"INDEX_LANGS": "auto"})["INDEX_LANGS"] == "auto"
    with pytest.raises(ConfigError, match="INDEX_LANGS"):
        load_config({"INDEX_LANGS": "fr"})


# -- processes ---------------------------------------------------------------------------------------------

_CHILD = """
import json, sys
from tmserver.app import create_app
from tmserver.langs import parse_lang
tm = create_app({"DATABASE_URL": sys.argv[1], "INDEX_DIR": sys.argv[2], "SEED_DIRS": []}).extensions["tmserver"]
out = [[(m["id"], m["score"]) for m in tm.index.lookup(q, parse_lang("zh"), parse_lang("en"), subsegments=False)["matches"]]
       for q in json.loads(sys.argv[3])]
print(json.dumps({"answers": out, "generation": tm.index._slots["zh"].generation}))
"""


def test_another_process_reopens_the_saved_index(tm, database_url, tmp_path):
    texts = sentences(2000, seed=5)
    fill(tm, texts)
    qs = queries(texts, 20)
    root = tmp_path / "shared-index"

    def child() -> dict:
        run = subprocess.run([sys.executable, "-c", _CHILD, database_url, str(root), json.dumps(qs)],
                             cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
        return json.loads(run.stdout.strip().splitlines()[-1])

    cold = child()  # builds and saves
    warm = child()  # opens what the first saved
    assert cold["generation"] == warm["generation"] == 1
    assert [[tuple(h) for h in a] for a in warm["answers"]] == [[tuple(h) for h in a] for a in cold["answers"]]
    tm.index.root = root
    assert [found(tm.index.lookup(q, ZH, EN, subsegments=False)) for q in qs] == \
        [[tuple(h) for h in a] for a in warm["answers"]]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, json.loads(r.read())


def _worker_pids(master: int) -> list[int]:
    pids = []
    for task in Path(f"/proc/{master}/task").iterdir():
        children = (task / "children").read_text().split()
        pids += [int(p) for p in children]
    return pids


@pytest.mark.slow
def test_two_workers_share_one_saved_index(live_server, tm, keys, tmp_path):
    fill(tm, sentences(1000, seed=9))
    root = tmp_path / "served-index"
    base = live_server(workers=2, extra_env={"TMSERVER_INDEX_DIR": str(root), "TMSERVER_INDEX_LANGS": "zh"})
    deadline = time.monotonic() + 120
    ready = 0
    while ready < 6 and time.monotonic() < deadline:  # several 200s in a row: both workers are ready
        try:
            ready = ready + 1 if _get(base + "/api/v1/ready")[0] == 200 else 0
        except urllib.error.HTTPError:
            ready = 0
            time.sleep(0.2)
    assert ready == 6
    assert persist.generations(root / "zh") == [1]  # one build for the machine, not one per worker
    # both workers map the same generation's files (shared pages), none holds a private build
    server = next(p for p in Path("/proc").iterdir() if p.name.isdigit() and _serves(p, root))
    workers = _worker_pids(int(server.name))
    assert len(workers) == 2
    for pid in workers:
        maps = Path(f"/proc/{pid}/maps").read_text()
        assert str(root / "zh" / "g00000001" / "main.postings.npy") in maps
    # a write through the API is found by every lookup within a second, whichever worker answers
    q = "数字鸿沟正在扩大的新问题"
    req = urllib.request.Request(base + "/api/v1/segments", method="POST",
                                 data=json.dumps({"source": q, "target": "the digital divide"}).encode(),
                                 headers={"Content-Type": "application/json",
                                          "Authorization": f"Bearer {keys['translator']}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        seg = json.loads(r.read())["segment"]["id"]
    time.sleep(1.0)
    url = f"{base}/api/v1/lookup?q={quote(q)}&source_lang=zh&target_lang=en"
    for _ in range(12):
        assert _get(url)[1]["matches"][0]["id"] == seg


def _serves(proc: Path, root: Path) -> bool:
    """Is ``proc`` the ``tmserver serve`` started with index directory ``root``? (The server binds
    a port the kernel picks, ``--port 0``, so its command line cannot name it; its environment does
    name the test's own index directory.)"""
    try:
        cmd = (proc / "cmdline").read_bytes().split(b"\0")
        env = (proc / "environ").read_bytes().split(b"\0")
    except OSError:
        return False
    wanted = b"TMSERVER_INDEX_DIR=" + str(root).encode()
    return b"serve" in cmd and wanted in env and os.getpid() != int(proc.name)


def test_a_cold_build_answers_503_natively_and_no_suggestions_on_cat_routes(app, client, tm, index_dir):
    fill(tm, ["网络空间命运共同体"])
    tm.index.wait_seconds = 0.2
    release = threading.Event()
    build = tm.index._build

    def slow_build(lang):  # a long cold build, held until the test lets it finish
        release.wait(30)
        return build(lang)

    tm.index._build = slow_build
    q = quote("网络空间命运共同体", safe="")
    r = client.get(f"/api/v1/lookup?q={q}&source_lang=zh&target_lang=en")
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "index_warming"
    assert r.headers["Retry-After"] == "5"
    r = client.get(f"/tmserver/zh/en/unit/{q}")
    assert r.status_code == 200 and r.get_json() == [] and "max-age" not in r.headers.get("Cache-Control", "")
    r = client.get(f"/get?q={q}&langpair=zh|en")
    assert r.status_code == 200 and r.get_json()["matches"] == []
    assert client.get("/api/v1/ready").status_code == 503
    release.set()
    tm.index.wait_seconds = 30
    assert client.get(f"/tmserver/zh/en/unit/{q}").get_json()[0]["target"] == "unit 0"


def test_an_unusable_index_directory_still_serves(tm, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    tm.index.root = blocker
    fill(tm, ["网络空间命运共同体"])
    assert tm.index.lookup("网络空间命运共同体", ZH, EN)["matches"][0]["score"] >= 100
    assert tm.index._slots["zh"].generation is None  # this worker's own copy, in memory


def test_auto_languages_load_on_first_lookup_only(client, tm, index_dir):
    tm.index.langs = None  # INDEX_LANGS=auto
    fill(tm, ["网络空间命运共同体"])
    r = client.get("/api/v1/ready")
    assert r.status_code == 200 and r.get_json()["loaded"] == [] and r.get_json()["langs"] == "auto"
    assert tm.index.lookup("网络空间命运共同体", ZH, EN)["matches"]
    assert client.get("/api/v1/ready").get_json()["loaded"] == ["zh"]  # the English index was never built
    assert not (index_dir / "en").exists()
