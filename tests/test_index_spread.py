"""An exhaustive scan spread over threads (:mod:`tmserver.index.spread`): the pipeline gives each
item's result in order whoever computed it, takes back what a busy helper has not started, works
in a forked child whose parent had a pool, stays in the calling thread when no CPU is idle, and a
scan cut into many chunks and spread over two threads answers exactly as the exhaustive scan, on
English and on Chinese sources."""

from __future__ import annotations

import multiprocessing as mp
import threading

import numpy as np
import pytest

from bench import synth_real
from tests.index_support import apply
from tests.index_support import check as check_taus
from tmserver.config import ConfigError, load_settings
from tmserver.index import postings, spread
from tmserver.index.postings import LangIndex
from tmserver.normalize import normalize_text

IDLE_CPU = spread.idle_cpu


@pytest.fixture(autouse=True)
def _idle_box(monkeypatch):
    """Spread whatever else runs on the box (the tests run in parallel): see test_idle_cpu."""
    monkeypatch.setattr(spread, "idle_cpu", lambda: True)
    yield
    spread.configure(0)


@pytest.mark.parametrize(("line", "cpus", "idle"), [
    (b"0.50 0.40 0.30 1/120 999\n", 2, True),  # this thread alone is runnable
    (b"3.10 2.00 1.00 2/120 999\n", 2, False),  # another task has the other CPU
    (b"3.10 2.00 1.00 3/120 999\n", 4, True),
    (b"garbled", 2, True),  # the kernel does not say: spread
])
def test_idle_cpu(tmp_path, monkeypatch, line, cpus, idle):
    (tmp_path / "loadavg").write_bytes(line)
    monkeypatch.setattr(spread, "LOADAVG", str(tmp_path / "loadavg"))
    monkeypatch.setattr(spread, "cpus", lambda: cpus)
    assert IDLE_CPU() is idle
    monkeypatch.setattr(spread, "LOADAVG", str(tmp_path / "missing"))
    assert IDLE_CPU() is True


def test_a_busy_box_scans_in_the_calling_thread(monkeypatch):
    monkeypatch.setattr(spread, "idle_cpu", lambda: False)
    spread.configure(2)
    out = spread.pipeline(list(range(20)), lambda i: i, _who)
    assert {name for _, name in out} == {threading.current_thread().name}


def _who(x: int) -> tuple[int, str]:
    return x * x, threading.current_thread().name


def test_one_thread_computes_everything_in_the_calling_thread():
    spread.configure(1)
    out = spread.pipeline(list(range(20)), lambda i: i + 1, _who)
    assert [v for v, _ in out] == [(i + 1) ** 2 for i in range(20)]
    assert {name for _, name in out} == {threading.current_thread().name}


def test_results_come_back_in_order_from_the_helpers():
    spread.configure(2)
    started, release = threading.Event(), threading.Event()

    def produce(i: int) -> int:
        if i == 1:  # the helper has item 0 before anything else is produced
            assert started.wait(10)
        return i

    def consume(x: int) -> tuple[int, str]:
        if x == 0:  # the first item, taken by the helper, waits until the calling thread is done
            started.set()
            assert release.wait(10)
        elif x == 1:  # taken back last (9, 8, …, 1): nothing is left in the queue for the helper
            release.set()
        return _who(x)

    out = spread.pipeline(list(range(10)), produce, consume)
    assert [v for v, _ in out] == [i * i for i in range(10)]
    names = [name for _, name in out]
    assert names[0].startswith("tmserver-scan")  # computed by the helper
    # the helper was held on item 0 until the calling thread had taken back everything after it
    assert all(name == threading.current_thread().name for name in names[1:]), names


def _child(q) -> None:
    q.put(spread.pipeline(list(range(6)), lambda i: i, lambda x: x + 100))


def test_a_forked_child_makes_its_own_pool():
    spread.configure(2)
    assert spread.pipeline(list(range(6)), lambda i: i, lambda x: x + 1) == [1, 2, 3, 4, 5, 6]  # a pool here
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(q,))
    p.start()
    try:
        assert q.get(timeout=30) == [100, 101, 102, 103, 104, 105]  # (a parent's pool would hang)
    finally:
        p.join(30)
    assert p.exitcode == 0


@pytest.mark.parametrize("pair", ["en_zh", "zh_en"])
def test_a_scan_in_chunks_over_two_threads_is_exact(pair, monkeypatch):
    """Every search scans (the count filter declared useless), in chunks of 37 documents spread
    over two threads, with and without the LCS screen: the answers are the exhaustive scan's,
    before and after delta writes (dead documents, delta documents in the window)."""
    n = 1500
    src, _tgt, held = synth_real.generate_vocab(n, seed=41, pair=getattr(synth_real, pair))
    texts = [normalize_text(t) for t in src]
    queries = [normalize_text(q) for qs in synth_real.queries_vocab(held, 5, seed=4141,
                                                                     english=pair == "en_zh").values() for q in qs]
    queries += texts[::300]
    extra, _, _ = synth_real.generate_vocab(200, seed=42, pair=getattr(synth_real, pair))
    writes = [(n + 1 + j, normalize_text(t)) for j, t in enumerate(extra)]
    writes += [(seg, "") for seg in range(5, n, 47)]
    monkeypatch.setattr(postings, "SCAN_UNION", 0.0)
    monkeypatch.setattr(postings, "SCAN_PASS", 0.0)
    monkeypatch.setattr(postings, "SCAN_CHUNK", 37)
    monkeypatch.setattr(postings, "LCS_MIN", 0)
    chunks = []
    real = spread.pipeline

    def counted(items, produce, consume):
        chunks.append(len(items))
        return real(items, produce, consume)

    monkeypatch.setattr(spread, "pipeline", counted)
    spread.configure(2)
    idx = LangIndex.build(np.arange(1, n + 1), list(texts), np.ones(n, dtype=np.bool_))
    for lcs_pass in (1.0, 0.0):  # the LCS screen on every scan, or never
        monkeypatch.setattr(postings, "LCS_PASS", lcs_pass)
        assert check_taus(idx, queries, (60, 80)) > 0
    apply(idx, writes)
    assert idx.delta_docs > 0 and idx.n_dead > 0
    assert check_taus(idx, queries, (60, 80)) > 0
    assert max(chunks) >= 5  # the scans were cut into several chunks


def test_scan_threads_is_a_setting():
    assert load_settings({"SCAN_THREADS": "1"}, None)[0]["SCAN_THREADS"] == 1
    with pytest.raises(ConfigError, match="SCAN_THREADS"):
        load_settings({"SCAN_THREADS": "-1"}, None)


def test_a_spread_scan_has_a_helper_give_free_memory_back(monkeypatch):
    """After a spread scan a helper calls ``malloc_trim`` (the free memory the scan left in the
    heaps), at most once per ``TRIM_INTERVAL``; a scan in the calling thread alone (busy box) never."""
    calls = []
    trimmed = threading.Event()

    def trim() -> None:
        calls.append(threading.current_thread().name)
        trimmed.set()

    monkeypatch.setattr(spread, "malloc_trim", trim)
    monkeypatch.setattr(spread, "_trimmed_at", float("-inf"))
    spread.configure(2)
    monkeypatch.setattr(spread, "idle_cpu", lambda: False)
    spread.pipeline(list(range(8)), lambda i: i, lambda x: x)
    assert not calls
    monkeypatch.setattr(spread, "idle_cpu", lambda: True)
    spread.pipeline(list(range(8)), lambda i: i, lambda x: x)
    assert trimmed.wait(10)
    spread.pipeline(list(range(8)), lambda i: i, lambda x: x)  # within TRIM_INTERVAL: no second trim
    spread._executor(1).submit(lambda: None).result()  # (the one helper has run what was queued before)
    assert len(calls) == 1 and calls[0].startswith("tmserver-scan")
