"""``kill -9`` keeps the promise: an import is all or nothing, an acknowledged write survives."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from tmserver.store.db import normalize_url

from . import workload
from .harness import ROOT, get, request, tmx, unit_text

pytestmark = pytest.mark.slow


def _writer_active(database_url: str) -> bool:
    """Whether another connection holds an open write transaction on the segments table."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()
    engine = create_engine(normalize_url(database_url))
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND mode = 'RowExclusiveLock' "
                "AND relation = 'segments'::regclass AND pid <> pg_backend_pid()")).scalar())
    finally:
        engine.dispose()


def test_kill9_during_an_import_leaves_nothing_half_done(served, keys, database_url, tmp_path):
    srv = served()
    path = tmp_path / "big.tmx"
    path.write_bytes(tmx([unit_text("中断导入", i) for i in range(60_000)]))
    proc = subprocess.Popen([sys.executable, "-m", "tmserver", "import", str(path), "--quiet", "--origin", "killed"],
                            cwd=ROOT, env={**os.environ, "TMSERVER_DATABASE_URL": database_url},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while not _writer_active(database_url) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.5)  # well into the transaction: batches are flushed
    assert proc.poll() is None, "the import finished before it could be killed: make the file bigger"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert get(srv.base, "/api/v1/segments", {"origin": "killed"})[2]["total"] == 0
    # and the database is not left locked: a write goes through at once
    t0 = time.monotonic()
    status, _h, body = request("POST", srv.base + "/api/v1/segments", {"source": "中断之后", "target": "after"},
                               key=keys["translator"])
    assert status == 201 and time.monotonic() - t0 < 3, body


def test_kill9_of_the_server_loses_no_acknowledged_write(served, keys, database_url):
    srv = served()
    stats = workload.Stats()
    _s, _h, hot = request("POST", srv.base + "/api/v1/segments", {"source": "服务器被杀", "target": "hot"},
                          key=keys["translator"])
    stats.acked.append((hot["segment"]["id"], 1, "hot"))
    stop = threading.Event()
    workload.stop_on_disconnect.set()
    try:
        threads = [threading.Thread(target=workload.writer,
                                    args=(srv.base, keys["translator"], hot["segment"]["id"], stop, stats, i))
                   for i in range(6)]
        for t in threads:
            t.start()
        # kill once enough writes are acknowledged to mean something, not after a fixed time: on a
        # loaded machine 3 s gave fewer than 20 (the check below then failed on speed, not safety)
        deadline = time.monotonic() + 120
        while len(stats.acked) <= 20 and time.monotonic() < deadline:
            time.sleep(0.1)
        srv.kill9()  # mid-stream: requests are in flight
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(60)
    finally:
        workload.stop_on_disconnect.clear()
    assert len(stats.acked) > 20, "too few writes before the kill to mean anything"
    again = served()
    result = workload.audit(again.base, stats)
    assert result["lost"] == 0 and result["wrong_text"] == 0, result
    assert result["duplicated_versions_stored"] == 0 and result["duplicated_versions_acknowledged"] == 0, result
