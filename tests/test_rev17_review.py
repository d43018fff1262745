"""Review of issue 17 (saved indexes + change-log compaction + bounded-cost search), combined.

"Acknowledged = kept; committed = findable": writes made while a background merge builds, and a
saved index opened after the log was compacted, on the test database (SQLite or PostgreSQL).
"""

from __future__ import annotations

import gc
import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, text

from tests.test_index_exact import answer, exhaustive
from tests.test_index_persist import EN, ZH, fill, found, other_engine, sentences
from tmserver.index import persist
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
