"""The change log under real servers: writers run while the log is compacted, and no change is
missed — by the served workers (every acknowledged unit is found, updated and deleted ones as
they now are) nor by a follower in this process that reports its position like any other.

Also two servers on two ports sharing one database: additions, updates and deletes made through
one are seen through the other within a second (each worker polls the log every 200 ms).
"""

from __future__ import annotations

import gc
import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from served_support import within
from sqlalchemy import text

from tmserver.index.sync import ChangeFollower

pytestmark = pytest.mark.slow

#: compaction every few hundred milliseconds, so it runs many times during the writes
#: no saved index: a worker holding one keeps the log back to its stamp (rows after it are the
#: saved base's delta, replayed by workers that open it), so compaction would wait for a merge
FAST_LOG = {"TMSERVER_CHANGE_LOG_HEARTBEAT": "0.1", "TMSERVER_CHANGE_LOG_COMPACT_INTERVAL": "0.2",
            "TMSERVER_INDEX_DIR": "off"}
WRITERS, PER_WRITER = 4, 30


def _call(method: str, url: str, body: dict | None = None, key: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    for attempt in range(20):  # SQLite may answer 503 (busy) to one of many concurrent writers: retry
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            if exc.code != 503 or attempt == 19:
                raise
            time.sleep(0.2)
    return None


def _top(base: str, q: str) -> dict | None:
    found = _call("GET", f"{base}/api/v1/lookup?q={quote(q)}&source_lang=zh&target_lang=en&limit=1")["matches"]
    return found[0] if found else None


def _source(w: int, i: int) -> str:
    return f"并发写入者{w}号提交的第{i}条翻译记忆单元"


def _writer(base: str, key: str, w: int, out: dict[int, dict], errors: list[BaseException]) -> None:
    """Add units; update every 5th, delete every 7th — each acknowledged before the next."""
    try:
        for i in range(PER_WRITER):
            seg = _call("POST", f"{base}/api/v1/segments", {"source": _source(w, i), "target": f"unit {w}-{i}"},
                        key)["segment"]
            state = {"id": seg["id"], "target": f"unit {w}-{i}", "deleted": False}
            if i % 5 == 0:
                _call("PATCH", f"{base}/api/v1/segments/{seg['id']}", {"target": f"updated {w}-{i}"}, key)
                state["target"] = f"updated {w}-{i}"
            if i % 7 == 3:
                _call("DELETE", f"{base}/api/v1/segments/{seg['id']}", None, key)
                state["deleted"] = True
            out[w * 1000 + i] = state
    except BaseException as exc:  # noqa: BLE001 - re-raised by the test
        errors.append(exc)


def _reader(base: str, stop: threading.Event) -> None:
    """Lookups keep both workers polling, so their positions advance and the log is compacted."""
    while not stop.is_set():
        _top(base, _source(0, 1))


def _follow(follower, pos: str, stop: threading.Event, seen: set[int], resets: list[str]) -> None:
    """A consumer in this process, registered at ``pos`` before the writes began: collects every
    segment id the log hands it."""
    while not stop.is_set():
        found = follower.changes(pos)
        if found.reset:
            resets.append(pos)
        seen.update(found.segment_ids)
        pos = found.position
        follower.applied(pos)
        time.sleep(0.05)
    seen.update(follower.changes(pos).segment_ids)


def _check(base: str, units: dict[int, dict]) -> None:
    for key, unit in units.items():
        w, i = divmod(key, 1000)
        top = _top(base, _source(w, i))
        if unit["deleted"]:
            assert top is None or top["id"] != unit["id"], (base, unit)
        else:
            assert top is not None and top["id"] == unit["id"] and top["target"] == unit["target"], (base, unit, top)


def test_no_change_missed_while_the_log_is_compacted(live_server, keys, tm):
    gc.collect()  # earlier tests' engines end their heartbeats, which would hold the log back...
    with tm.session() as s:  # ...and the rows they wrote after this test's wipe go
        s.execute(text("DELETE FROM change_consumers"))
    base = live_server(workers=2, extra_env=FAST_LOG)
    _top(base, "预热"), _top(base, "预热")  # build the indexes (both workers, most likely)
    units: dict[int, dict] = {}
    errors: list[BaseException] = []
    stop, seen, resets = threading.Event(), set(), []
    # registered before any write (register() waits for SQLite's write lock: started beside the
    # writers, it could read its position after their first unit, which it then rightly skips)
    follower = ChangeFollower(tm.sessions, {"CHANGE_LOG_HEARTBEAT": 0.1, "CHANGE_LOG_COMPACT_INTERVAL": 0.2})
    pos = follower.register()
    helpers = [threading.Thread(target=_reader, args=(base, stop)),
               threading.Thread(target=_follow, args=(follower, pos, stop, seen, resets))]
    writers = [threading.Thread(target=_writer, args=(base, keys["translator"], w, units, errors))
               for w in range(WRITERS)]
    for t in helpers + writers:
        t.start()
    for t in writers:
        t.join()
    time.sleep(1.0)  # the freshness target: every worker has polled since the last write
    stop.set()
    for t in helpers:
        t.join()
    assert not errors, errors
    assert len(units) == WRITERS * PER_WRITER
    with tm.session() as s:
        logged = s.scalar(text("SELECT count(*) FROM segment_changes"))
        pruned = s.scalar(text("SELECT pruned_below FROM change_log_state WHERE id = 1"))
    writes = sum(1 + (k % 1000 % 5 == 0) + (k % 1000 % 7 == 3) for k in units)
    assert pruned and logged < writes, (logged, writes)  # compaction really ran during the writes
    assert not resets, resets  # a live consumer is never pruned past
    assert {u["id"] for u in units.values()} <= seen
    for _ in range(3):  # each pass may land on either worker
        _check(base, units)


def test_two_servers_see_additions_updates_and_deletes(live_server, keys):
    a, b = live_server(), live_server()
    q = "两台服务器共享一个数据库"
    assert _top(a, q) is None and _top(b, q) is None  # both indexes built
    key = keys["translator"]
    seg = _call("POST", f"{a}/api/v1/segments", {"source": q, "target": "two servers, one database"}, key)["segment"]
    lag = within(lambda: (_top(b, q) or {}).get("id") == seg["id"])
    assert lag is not None and lag <= 1.0, lag
    _call("PATCH", f"{a}/api/v1/segments/{seg['id']}", {"target": "shared database"}, key)
    lag = within(lambda: (_top(b, q) or {}).get("target") == "shared database")
    assert lag is not None and lag <= 1.0, lag
    _call("DELETE", f"{b}/api/v1/segments/{seg['id']}", None, key)
    lag = within(lambda: _top(a, q) is None)
    assert lag is not None and lag <= 1.0, lag


def test_a_stopped_server_leaves_no_consumer_holding_the_log_back(live_server, tm):
    """gunicorn's worker_exit deregisters each worker's change-log consumers: a stopped (or
    restarted) server must not keep the log from being compacted for the consumer timeout."""
    base = live_server(workers=2, extra_env=FAST_LOG)
    proc = live_server.procs[-1]
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    # (the server answers once one worker is up; the other may still be forking)
    assert within(lambda: len(children.read_text().split()) == 2, 10) is not None
    workers = children.read_text().split()
    for _ in range(4):
        _top(base, "预热")

    def theirs() -> list[str]:  # this server's consumers (a consumer is named host:pid:random)
        with tm.session() as s:
            names = s.scalars(text("SELECT name FROM change_consumers")).all()
        return [n for n in names if n.split(":")[1] in workers]

    assert within(lambda: len(theirs()) >= 2, 5) is not None  # its workers' indexes follow the log
    proc.terminate()
    assert proc.wait(timeout=30) == 0
    log = live_server.logs[-1].read_text(errors="replace")
    assert theirs() == [], log
    assert log.count("deregistered") >= 2
