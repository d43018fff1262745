"""Writes never stall reads: a served worker's index follows the change log from a background
thread (``Engine.follow``), a writing request applies its own write before it answers, and a
catch-up lets waiting lookups in between its chunks. Lookups then neither poll nor replay.

Runs on the test database (SQLite by default, PostgreSQL with ``TMSERVER_TEST_DATABASE_URL``).
"""

from __future__ import annotations

import threading
import time

from tests.test_index_persist import EN, ZH, fill, found, sentences
from tmserver.index import engine as engine_mod
from tmserver.index import parts as parts_mod
from tmserver.index import postings as postings_mod
from tmserver.index.parts import PartIndex
from tmserver.tm import TM


def _appliers(engine, monkeypatch) -> list[str]:
    """The names of the threads that apply changes to ``engine``'s indexes, in order."""
    names: list[str] = []
    real = engine._apply

    def apply(*args, **kwargs):
        names.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "_apply", apply)
    return names


def test_another_process_write_is_found_within_a_second_and_no_lookup_replays_it(tm, database_url, monkeypatch):
    fill(tm, sentences(50))
    reader = TM.from_url(database_url, tm.config)
    try:
        assert reader.index.lookup("网络空间", ZH, EN) is not None  # built
        reader.index.follow()
        appliers = _appliers(reader.index, monkeypatch)
        new = "后台跟随线程应用的新翻译单元"
        fill(tm, [new])  # another TM object: another process's write
        t0 = time.monotonic()
        while not found(reader.index.lookup(new, ZH, EN)) and time.monotonic() - t0 < 5:
            time.sleep(0.01)
        assert time.monotonic() - t0 < 1.0
        assert found(reader.index.lookup(new, ZH, EN))[0][1] >= 100
        assert appliers and set(appliers) == {"tmserver-follow"}, appliers  # never the lookup's thread
    finally:
        reader.index._follow_pid = -1  # ends the follower thread
        reader.close()


def test_a_following_engine_applies_its_own_write_before_the_write_returns(tm, monkeypatch):
    fill(tm, sentences(50))
    assert tm.index.lookup("网络空间", ZH, EN) is not None
    monkeypatch.setattr(engine_mod, "FOLLOW_INTERVAL", 3600.0)  # the follower thread stays asleep
    tm.index.follow()
    try:
        appliers = _appliers(tm.index, monkeypatch)
        new = sentences(3, seed=99)
        fill(tm, new)
        assert appliers == [threading.current_thread().name]  # the write itself, before it returned
        before = list(appliers)
        for text in new:
            assert found(tm.index.lookup(text, ZH, EN))[0][1] >= 100
        assert appliers == before  # the lookups replayed nothing
    finally:
        tm.index._follow_pid = -1


def test_a_long_catch_up_lets_a_waiting_lookup_in_at_the_next_gap(tm, monkeypatch):
    """A released lock is not handed over: without yielding, the applying thread (holding the GIL)
    may take it straight back, chunk after chunk, while a lookup waits."""
    fill(tm, sentences(50))
    assert tm.index.lookup("网络空间", ZH, EN) is not None
    monkeypatch.setattr(engine_mod, "FOLLOW_INTERVAL", 3600.0)
    monkeypatch.setattr(engine_mod, "APPLY_HOLD_MAX", 0.0)  # one unit a hold
    monkeypatch.setattr(engine_mod, "YIELD_TO_READERS", 5.0)  # generous: a loaded machine is slow to wake a thread
    tm.index.follow()
    try:
        slot = tm.index._slots["zh"]
        searched = threading.Event()
        real_search = slot.index.search

        def search(*args, **kwargs):
            searched.set()
            return real_search(*args, **kwargs)

        monkeypatch.setattr(slot.index, "search", search)
        seen: list[bool] = []  # per chunk after the first: had the waiting lookup searched?
        real = tm.index._apply_rows
        lookups: list[threading.Thread] = []

        def apply_rows(s, seg_ids, rows, prepared=None, hold=None):
            if s is slot and not lookups:  # first chunk: a lookup arrives and waits for the lock
                t = threading.Thread(target=tm.index.lookup, args=("网络空间", ZH, EN))
                lookups.append(t)
                t.start()
                deadline = time.monotonic() + 5
                while tm.index._waiting == 0 and time.monotonic() < deadline:
                    time.sleep(0.001)
            elif s is slot:
                seen.append(searched.is_set())
            busy = time.perf_counter() + 0.002  # each chunk takes a while, holding the GIL
            while time.perf_counter() < busy:
                pass
            return real(s, seg_ids, rows, prepared, hold)

        monkeypatch.setattr(tm.index, "_apply_rows", apply_rows)
        fill(tm, sentences(30, seed=5))  # its own write: applied in 30 holds by this thread
        lookups[0].join(10)
        assert seen and seen[0], f"the lookup waited behind {seen.count(False)} more chunks"
    finally:
        tm.index._follow_pid = -1


def test_a_catch_up_holds_the_lock_about_as_long_as_lookups_do(tm, monkeypatch):
    """Fair turns by time: while lookups hold the lock ~30 ms each, a catch-up's holds take many
    units at a time (short holds made it wait for the queued lookups once per few units); while
    they hold it briefly, so does the catch-up, one unit a hold at a minimum of 0."""
    fill(tm, sentences(50))
    assert tm.index.lookup("网络空间", ZH, EN) is not None
    monkeypatch.setattr(engine_mod, "APPLY_HOLD", 0.0)
    monkeypatch.setattr(engine_mod, "APPLY_HOLD_MAX", 1.0)
    slot = tm.index._slots["zh"]
    real_search = slot.index.search
    holds: list[int] = []
    real_apply = tm.index._apply_rows

    def apply_rows(s, seg_ids, rows, prepared=None, hold=None):
        n = real_apply(s, seg_ids, rows, prepared, hold)
        if s is slot:
            holds.append(n)
        return n

    monkeypatch.setattr(tm.index, "_apply_rows", apply_rows)

    def slow_search(*args, **kwargs):
        busy = time.perf_counter() + 0.03
        while time.perf_counter() < busy:
            pass
        return real_search(*args, **kwargs)

    monkeypatch.setattr(slot.index, "search", slow_search)
    for _ in range(60):
        tm.index.lookup("网络空间", ZH, EN)
    assert tm.index._search_hold > 0.02
    fill(tm, sentences(30, seed=7))
    tm.index.lookup("网络空间", ZH, EN)  # (no follower here: a lookup catches up)
    assert sum(holds) == 30 and len(holds) <= 3, holds
    holds.clear()
    monkeypatch.setattr(slot.index, "search", real_search)
    tm.index._search_hold = 0.0
    fill(tm, sentences(30, seed=8))
    tm.index.refresh(force=True)
    assert holds == [1] * 30


def test_a_served_part_index_is_rebuilt_by_the_background_merge_not_by_the_writer(tm, monkeypatch):
    """A write that takes a served slot's part index past its threshold is applied to the parts'
    delta and answered; the part index is not compacted by the catch-up (in the writing request:
    templated 1e6 acknowledgements waited up to 11.9 s for it), and a background merge rebuilds
    the language, after which the written parts are in the new base."""
    monkeypatch.setattr(parts_mod, "COMPACT_MIN", 2)
    monkeypatch.setattr(postings_mod, "COMPACT_MIN", 4)  # (what made a catch-up compact the parts)
    monkeypatch.setattr(parts_mod, "MERGE_MIN", 4)  # the part index's delta is due past 4
    fill(tm, sentences(50))
    assert tm.index.lookup("网络空间", ZH, EN) is not None
    monkeypatch.setattr(engine_mod, "FOLLOW_INTERVAL", 3600.0)
    tm.index.follow()
    try:
        slot = tm.index._slots["zh"]
        compacted: list[str] = []
        real = PartIndex._compact
        monkeypatch.setattr(PartIndex, "_compact",
                            lambda self: (compacted.append(threading.current_thread().name), real(self))[1])
        new = [f"第{i}条数字经济安全平台服务。合作治理{i}。" for i in range(12)]
        fill(tm, new)  # its own write: applied by this thread, then a merge is started
        assert compacted == [], "the writer compacted the part index"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (tm.index._slots["zh"] is slot or tm.index._merging):
            time.sleep(0.05)
        merged = tm.index._slots["zh"]
        assert merged is not slot and not merged.parts.merge_due and merged.parts.index.delta_docs == 0
        assert compacted == []  # rebuilt from the database, not compacted
        hit = tm.index.lookup("合作治理7。", ZH, EN)["matches"][0]
        assert hit["match_type"] == "subsegment" and hit["score"] == 100, hit
    finally:
        tm.index._follow_pid = -1


def test_a_part_index_alone_past_its_threshold_starts_the_merge(tm, monkeypatch):
    """The language's own delta is far from due; its part index's is: that alone starts the merge."""
    monkeypatch.setattr(parts_mod, "MERGE_MIN", 4)
    fill(tm, sentences(50))
    assert tm.index.lookup("网络空间", ZH, EN) is not None
    slot = tm.index._slots["zh"]
    fill(tm, [f"第{i}条数字经济安全平台服务。合作治理{i}。" for i in range(6)])
    tm.index.refresh(force=True)  # applies the writes, then starts the merge
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (tm.index._slots["zh"] is slot or tm.index._merging):
        time.sleep(0.05)
    assert slot.parts.merge_due and not slot.index.merge_due  # (the replaced slot, as it was)
    assert tm.index._slots["zh"] is not slot and tm.index._slots["zh"].parts.index.delta_docs == 0


def test_a_write_whose_own_catch_up_fails_still_succeeds_and_the_next_lookup_polls(tm, monkeypatch):
    """The write has committed when its catch-up runs: failing it must not turn the write into an
    error (the client would retry a write that is kept). The next lookup polls instead."""
    fill(tm, sentences(50))
    assert tm.index.lookup("网络空间", ZH, EN) is not None
    monkeypatch.setattr(engine_mod, "FOLLOW_INTERVAL", 3600.0)  # the follower thread stays asleep
    tm.index.follow()
    try:
        real = tm.index.refresh
        calls: list[bool] = []

        def failing(force=False, session=None):
            if force and not calls:
                calls.append(True)
                raise RuntimeError("the database went away for a moment")
            return real(force=force, session=session)

        monkeypatch.setattr(tm.index, "refresh", failing)
        new = sentences(1, seed=7)
        fill(tm, new)  # no exception: the write stands
        assert calls and tm.index._due
        assert found(tm.index.lookup(new[0], ZH, EN))[0][1] >= 100  # the lookup caught up itself
    finally:
        tm.index._follow_pid = -1
