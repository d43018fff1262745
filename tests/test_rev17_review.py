"""Review of issue 17 (saved indexes + change-log compaction + bounded-cost search), combined.

"Acknowledged = kept; committed = findable": writes made while a background merge builds, and a
saved index opened after the log was compacted, on the test database (SQLite or PostgreSQL).
"""

from __future__ import annotations

import gc
import json
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, event, text
from sqlalchemy.orm import Session

from tests.test_index_exact import answer, exhaustive
from tests.test_index_persist import EN, ZH, fill, found, other_engine, sentences
from tmserver.index import persist
from tmserver.index.parts import PartIndex
from tmserver.index.postings import LangIndex
from tmserver.store.models import UTCDateTime, utcnow
from tmserver.tm import SegmentInput


@pytest.fixture()
def index_dir(tm, tmp_path):
    """A private index directory, and no change-log consumer left over from earlier tests."""
    gc.collect()
    with tm.session() as s:
        s.execute(text("DELETE FROM change_consumers"))
    root = tmp_path / "index"
    tm.index.root = root
    return root


def _only_live(tm, engines) -> None:
    """Every consumer row is stale except the followers of ``engines`` (reported now)."""
    with tm.session() as s:
        s.execute(text("UPDATE change_consumers SET heartbeat_at = :t").bindparams(bindparam("t", type_=UTCDateTime())),
                  {"t": utcnow() - timedelta(days=30)})
    for engine in engines:
        for slot in engine._slots.values():
            slot.follower.flush(compact=False)


def test_compaction_keeps_the_log_a_saved_index_needs(tm, index_dir):
    """A running worker applies the log past the saved generation's stamp and compacts it; a
    worker started afterwards must still open the saved generation (start-up "serves at once from
    the saved index"), not find its stamp pruned and rebuild the whole index from the database."""
    fill(tm, sentences(300))
    assert tm.index.lookup("网络空间", ZH, EN) is not None
    assert persist.current(index_dir, "zh") == 1
    fill(tm, ["网络空间命运共同体的新成员"])  # after the save: only in the change log
    assert found(tm.index.lookup("网络空间命运共同体的新成员", ZH, EN))[0][1] >= 100  # applied here
    _only_live(tm, [tm.index])
    assert tm.index._slots["zh"].follower.compact() > 0
    second = other_engine(tm, index_dir)
    assert found(second.lookup("网络空间命运共同体的新成员", ZH, EN))[0][1] >= 100
    assert second._slots["zh"].generation == 1, "the saved index was thrown away and rebuilt"


def _merge_now(engine, lang: str = "zh") -> None:
    """Run the background merge synchronously (what the merge thread runs)."""
    slot = engine._slots[lang]
    engine._merging.add(lang)
    engine._merge(lang, engine._epoch, slot.generation)


def test_writes_committed_while_the_merge_builds_are_found_after_the_swap(tm, index_dir, monkeypatch):
    """Units added, changed and deleted after the merge read the database (and before it saved)
    are in neither the new base nor, unless replayed, the delta: after the swap every one of them
    must be as the database says, in this worker and in a worker opening the new generation."""
    texts = sentences(200)
    fill(tm, texts)
    tm.index.lookup(texts[0], ZH, EN)
    victim = found(tm.index.lookup(texts[3], ZH, EN))[0][0]
    changed = found(tm.index.lookup(texts[4], ZH, EN))[0][0]
    build = type(tm.index)._build
    made: list[int] = []

    def build_then_write(self, lang):
        out = build(self, lang)
        if not made:  # the merge's read is done: these commits are after its snapshot
            made.append(tm.create_segment(SegmentInput("合并期间写入的新句子网络空间", "written during merge")).segment["id"])
            tm.delete_segment(victim)
            tm.update_segment(changed, {"source": "合并期间修改过的句子数字经济"})
        return out

    monkeypatch.setattr(type(tm.index), "_build", build_then_write)
    _merge_now(tm.index)
    assert tm.index._slots["zh"].generation == 2
    for engine in (tm.index, other_engine(tm, index_dir)):
        assert found(engine.lookup("合并期间写入的新句子网络空间", ZH, EN))[0] == (made[0], 100)
        assert victim not in [m for m, _ in found(engine.lookup(texts[3], ZH, EN))]
        assert found(engine.lookup("合并期间修改过的句子数字经济", ZH, EN))[0] == (changed, 100)


# -- exactness of search on templated, long and boundary data ----------------------------------------

TEMPLATES = ["第{}条 用户{}已添加到项目{}中，请在{}天内确认。", "根据《{}法》第{}条的规定，{}应当在{}日内提交{}。",
             "我们将进一步加强{}，我们将进一步完善{}，我们将进一步推进{}。", "{}{}{}{}"]
FILLERS = ["网络安全", "数据治理", "1", "23", "张三", "合同", "甲方", "乙方", "三十", "", "数字经济发展"]


@st.composite
def templated(draw) -> str:
    tpl = draw(st.sampled_from(TEMPLATES))
    return tpl.format(*[draw(st.sampled_from(FILLERS)) for _ in range(tpl.count("{}"))])


@st.composite
def near(draw, base: str) -> str:
    """``base`` with a few edits: queries that sit at or next to a τ boundary of some document."""
    s = list(base)
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.integers(0, 2))
        pos = draw(st.integers(0, max(0, len(s) - 1)))
        ch = draw(st.sampled_from("网络数据安全的，1"))
        if op == 0 and s:
            s[pos] = ch
        elif op == 1:
            s.insert(pos, ch)
        elif s:
            del s[pos]
    return "".join(s)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), docs=st.lists(templated(), min_size=1, max_size=60),
       k=st.integers(1, 5), min_score=st.sampled_from([50, 60, 66, 70, 75, 80, 90]), repeat=st.integers(1, 4))
def test_templated_topk_equals_exhaustive_scan(data, docs, k, min_score, repeat):
    """Templated units (many exact duplicates: ties broken by the lower id), long repeated
    queries, and queries a few edits from a unit (exactly-τ pairs among them)."""
    docs = [d * repeat if i % 3 == 0 else d for i, d in enumerate(docs)]
    idx = LangIndex.build(range(1, len(docs) + 1), docs, [True] * len(docs))
    query = data.draw(near(data.draw(st.sampled_from(docs))))
    if not query:
        return
    got, proven = answer(idx, query, k, min_score)
    want = exhaustive(dict(enumerate(docs, 1)), query, k, min_score)
    assert got == want, f"proven={proven}"


def test_exactly_tau_pairs_are_kept_and_ties_go_to_the_lower_id():
    """Each document is exactly at τ=0.6 from the query (10 chars, distance 4), duplicated so the
    tie order is visible."""
    rng = random.Random(5)
    query = "网络空间命运共同体发展"[:10]
    docs = []
    for _ in range(30):
        s = list(query)
        for pos in rng.sample(range(10), 4):
            s[pos] = "甲乙丙丁"[pos % 4]
        docs.append("".join(s))
    docs = docs + docs[::-1]
    idx = LangIndex.build(range(1, len(docs) + 1), docs, [True] * len(docs))
    for k in (1, 5, 40):
        got, _ = answer(idx, query, k, 60)
        assert got == exhaustive(dict(enumerate(docs, 1)), query, k, 60)


def test_a_saved_and_reopened_base_with_writes_answers_like_the_exhaustive_scan(tmp_path):
    """The mapped base (copy-on-write per-document arrays, texts as UTF-8 bytes) after upserts and
    deletes, searched through every path — the index, the probe, and the scan fallback (short
    queries, low τ) — against the exhaustive scan; a deleted unit never comes back."""
    rng = random.Random(11)
    docs = [t * rng.randint(1, 3) if rng.random() < 0.2 else t for t in sentences(1200, seed=5)]
    truth = dict(enumerate(docs, 1))
    built = LangIndex.build(list(truth), list(docs), [True] * len(docs))
    parts = PartIndex("zh")
    persist.save(tmp_path, "zh", built, parts, {"kind": "test", "position": "0"}, "db")
    saved = persist.load(tmp_path, "zh", "db")
    assert saved is not None
    idx = saved.index
    for _ in range(300):
        seg = rng.randint(1, 1400)
        if rng.random() < 0.4 and seg in truth:
            idx.remove(seg)
            del truth[seg]
        else:
            truth[seg] = rng.choice(docs)[: rng.randint(1, 30)] + rng.choice(["", "网络", "数据安全"])
            idx.upsert(seg, truth[seg], True)
    queries = [rng.choice(docs)[: rng.randint(1, 40)] for _ in range(60)] + list(truth.values())[:20]
    for q in queries:
        for k, min_score in ((1, 50), (5, 60), (10, 75)):
            got, proven = answer(idx, q, k, min_score)
            assert got == exhaustive(truth, q, k, min_score), (q, k, min_score, proven)
    again = persist.load(tmp_path, "zh", "db")  # the file itself was never written through
    assert again is not None and len(again.index) == len(docs)


def test_pg_a_transaction_running_at_the_stamp_is_replayed_from_the_saved_index(tm, index_dir):
    """PostgreSQL: a write whose transaction took its xid before the saved index's stamp and
    commits after it (a lower xid than later commits) is found by a worker that opens the saved
    index — also after the running worker applied it and compacted the log."""
    if tm.engine.dialect.name != "postgresql":
        pytest.skip("xid snapshots are PostgreSQL's")
    fill(tm, sentences(200))
    root = index_dir.parent / "index-pg"  # built here, after the writer took its xid (tm.index may have loaded already)
    entered, gate = threading.Event(), threading.Event()

    def hold(session) -> None:
        if threading.current_thread().name != "slow-writer" or entered.is_set():
            return
        session.flush()
        if session.execute(text("SELECT pg_current_xact_id_if_assigned()")).scalar() is not None:
            entered.set()  # the transaction that wrote (an xid), not an earlier read-only one
            gate.wait(60)

    event.listen(Session, "before_commit", hold)
    out: list[int] = []
    try:
        writer = threading.Thread(name="slow-writer", target=lambda: out.append(
            tm.create_segment(SegmentInput("长事务中写入的句子数据治理", "slow")).segment["id"]))
        writer.start()
        assert entered.wait(30)
        builder = other_engine(tm, root)
        builder.lookup("网络空间", ZH, EN)  # cold build + save while the writer's xid is running
        assert persist.current(root, "zh") == 1
        stamp = json.loads((root / "zh" / "g00000001" / "manifest.json").read_text())["stamp"]
        assert stamp["position"].split("/")[0].split(":")[2], "the writer's xid is in the stamp's xip list"
        gate.set()
        writer.join(30)
    finally:
        gate.set()
        event.remove(Session, "before_commit", hold)
    assert out, "the slow writer did not commit"
    builder.refresh(force=True)  # another TM object's write: this engine sees it by polling the log
    assert found(builder.lookup("长事务中写入的句子数据治理", ZH, EN))[0] == (out[0], 100)
    assert found(other_engine(tm, root).lookup("长事务中写入的句子数据治理", ZH, EN))[0] == (out[0], 100)
    _only_live(tm, [builder])
    builder._slots["zh"].follower.compact()
    third = other_engine(tm, root)
    assert found(third.lookup("长事务中写入的句子数据治理", ZH, EN))[0] == (out[0], 100)
    assert third._slots["zh"].generation == 1


def test_a_killed_builder_leaves_no_stale_lock_and_its_partial_generation_is_ignored(tmp_path):
    """A process killed while holding the build lock and writing a generation: the lock is free at
    once (flock dies with its holder), the half-written directory is never opened, and the next
    save takes a new number and cleans it up."""
    code = ("import sys, time; from pathlib import Path; from tmserver.index import persist\n"
            "root = Path(sys.argv[1])\n"
            "with persist.build_lock(root, 'zh'):\n"
            "    (root / 'zh' / f'tmp-{__import__(\"os\").getpid()}-dead').mkdir()\n"
            "    print('locked', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with persist.build_lock(tmp_path, "zh", wait=False) as got:
            assert got is False  # held by the live builder
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 5
    while True:
        with persist.build_lock(tmp_path, "zh", wait=False) as got:
            if got or time.monotonic() > deadline:
                break
    assert got is True
    assert persist.load(tmp_path, "zh", "db") is None  # nothing current: the partial one is not opened
    texts = sentences(50)
    built = LangIndex.build(range(1, 51), texts, [True] * 50)
    assert persist.save(tmp_path, "zh", built, PartIndex("zh"), {"kind": "t", "position": "0"}, "db") == 1
    assert not list((tmp_path / "zh").glob("tmp-*"))  # the dead builder's directory was removed
