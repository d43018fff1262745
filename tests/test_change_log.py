"""The change log: its position is read in O(1), followers get every committed change, and
compaction removes only what every live consumer has applied (a consumer left behind rebuilds).

Runs on the test database (SQLite by default, PostgreSQL with ``TMSERVER_TEST_DATABASE_URL``).
"""

from __future__ import annotations

import gc
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import bindparam, event, text

from tmserver.index.sync import ChangeFollower
from tmserver.langs import Lang
from tmserver.store.models import UTCDateTime, utcnow
from tmserver.tm import TM, SegmentInput

#: no heartbeat thread writes during a test (the tests call flush() themselves)
QUIET = {"CHANGE_LOG_HEARTBEAT": 3600, "CHANGE_CONSUMER_TIMEOUT": 60, "CHANGE_LOG_COMPACT_INTERVAL": 0}


@pytest.fixture()
def quiet_log(tm: TM) -> TM:
    """No consumer left behind by earlier tests' apps (their heartbeat threads end with them)."""
    gc.collect()
    with tm.session() as s:
        s.execute(text("DELETE FROM change_consumers"))
    return tm


def _add(tm: TM, n: int, tag: str) -> list[int]:
    return [tm.create_segment(SegmentInput(f"{tag}第{i}条测试句子用于变更日志", f"{tag} sentence {i}")).segment["id"]
            for i in range(n)]


def _log_rows(tm: TM) -> int:
    with tm.session() as s:
        return s.scalar(text("SELECT count(*) FROM segment_changes"))


def test_position_is_one_index_descent(tm: TM) -> None:
    """max(seq) alone reads the end of the primary key; min and max together would scan the log
    (SQLite), which is what cost 100–135 ms a poll at 1e6 rows."""
    with tm.engine.connect() as conn:
        if tm.engine.dialect.name == "sqlite":
            plan = " ".join(r[3] for r in conn.execute(text("EXPLAIN QUERY PLAN SELECT max(seq) FROM segment_changes")))
            assert plan.startswith("SEARCH") and "SCAN" not in plan, plan
        else:
            plan = " ".join(r[0] for r in conn.execute(text("EXPLAIN SELECT max(seq) FROM segment_changes")))
            assert "Index Only Scan Backward" in plan and "Seq Scan" not in plan, plan


def test_changes_since_a_position(quiet_log: TM) -> None:
    tm = quiet_log
    follower = ChangeFollower(tm.sessions, QUIET)
    start = follower.position()
    assert follower.changes(start).segment_ids == [] and not follower.changes(start).reset
    ids = _add(tm, 3, "甲")
    tm.update_segment(ids[0], {"target": "changed"})
    tm.delete_segment(ids[1])
    found = follower.changes(start)
    assert found.segment_ids == sorted(ids) and not found.reset
    assert follower.changes(found.position).segment_ids == []  # nothing twice
    tm.clear()
    assert follower.changes(found.position).reset


def test_compaction_keeps_what_a_live_consumer_still_needs(quiet_log: TM) -> None:
    tm = quiet_log
    ahead, behind = ChangeFollower(tm.sessions, QUIET), ChangeFollower(tm.sessions, QUIET)
    behind.mark()  # registered at the start of the log
    early = _add(tm, 4, "乙")
    ahead.mark()
    later = _add(tm, 4, "丙")
    ahead.applied(ahead.changes(ahead.position()).position)
    ahead.flush(compact=False)
    assert ahead.compact() == 0  # behind still needs every row
    assert behind.changes(behind._pos or "").segment_ids == sorted(early + later)

    # behind catches up half way: the rows before its new position go, the rest stay
    half = behind.changes(behind._pos or "")
    behind.poll(lambda ids: None, lambda: None)
    assert behind._pos == half.position
    more = _add(tm, 2, "丁")
    behind.flush(compact=False)
    deleted = ahead.compact()
    assert deleted > 0 and _log_rows(tm) <= 3  # the newest row is always kept
    assert behind.changes(behind._pos).segment_ids == sorted(more)


def test_a_consumer_whose_position_was_pruned_rebuilds(quiet_log: TM) -> None:
    tm = quiet_log
    live, gone = ChangeFollower(tm.sessions, QUIET), ChangeFollower(tm.sessions, QUIET)
    gone.mark()
    stale_at = gone._pos or ""
    _add(tm, 5, "戊")
    live.mark()
    with tm.session() as s:  # `gone` has not reported for longer than the consumer timeout
        s.execute(text("UPDATE change_consumers SET heartbeat_at = :t WHERE name = :n")
                  .bindparams(bindparam("t", type_=UTCDateTime())),
                  {"t": utcnow() - timedelta(seconds=120), "n": gone.name})
    assert live.compact() > 0
    assert gone.changes(stale_at).reset  # rows it needed are gone: it must rebuild, not skip them
    assert not live.changes(live._pos or "").reset


def test_sqlite_never_reuses_a_seq_after_compaction(quiet_log: TM) -> None:
    tm = quiet_log
    follower = ChangeFollower(tm.sessions, QUIET)
    _add(tm, 3, "己")
    follower.mark()
    follower.compact()
    assert _log_rows(tm) == 1  # everything but the newest row
    before = follower._pos or ""
    new = _add(tm, 1, "庚")
    assert follower.changes(before).segment_ids == new


def test_engine_finds_units_written_after_its_position_was_pruned(quiet_log: TM, database_url: str) -> None:
    """Two processes' engines on one database; the reader's position is pruned while it is away,
    and its next lookup still finds the writer's units (it rebuilt instead of skipping them)."""
    writer = quiet_log
    reader = TM.from_url(database_url, QUIET)
    try:
        zh, en = Lang("zh", "zh"), Lang("en", "en")
        assert reader.index.lookup("辛第0条测试句子用于变更日志", zh, en)["matches"] == []  # built, marked
        ids = _add(writer, 3, "辛")
        writer.index.lookup("辛", zh, en)  # the writer's engine follows too
        with writer.session() as s:
            s.execute(text("UPDATE change_consumers SET heartbeat_at = :t").bindparams(bindparam("t", type_=UTCDateTime())), {"t": utcnow() - timedelta(days=30)})
        follower = writer.index._slots["zh"].follower  # the zh index's follower (one per loaded language)
        for slot in writer.index._slots.values():
            slot.follower.flush(compact=False)  # only the writer is live now
        assert follower.compact() > 0
        reader.index.refresh(force=True)
        found = reader.index.lookup("辛第2条测试句子用于变更日志", zh, en)["matches"]
        assert found and found[0]["id"] == ids[2]
    finally:
        reader.close()



def test_a_lookup_whose_poll_resets_the_index_answers_from_the_rebuilt_one(quiet_log: TM, database_url: str) -> None:
    """The poll inside a lookup may reset the index (another process's TM.clear(), or a pruned
    position): the lookup then searches the rebuilt index, not the dropped one."""
    writer = quiet_log
    reader = TM.from_url(database_url, QUIET)
    try:
        zh, en = Lang("zh", "zh"), Lang("en", "en")
        _add(writer, 2, "壬")
        assert reader.index.lookup("壬第1条测试句子用于变更日志", zh, en)["matches"]
        writer.clear()
        (new,) = _add(writer, 1, "癸")
        reader.index._last_poll = 0.0  # the poll is due
        found = reader.index.lookup("癸第0条测试句子用于变更日志", zh, en)["matches"]
        assert found and found[0]["id"] == new
    finally:
        reader.close()


def _consumers(tm: TM) -> set[str]:
    with tm.session() as s:
        return set(s.scalars(text("SELECT name FROM change_consumers")))


def test_a_consumer_registering_while_others_write_and_compact_is_never_pruned_past(quiet_log: TM) -> None:
    """register() reads the position and records the consumer in one transaction that compaction
    waits for. Here, right after the newcomer has read its position, another consumer writes,
    applies what it wrote and compacts: had the newcomer's row not been counted, the rows it still
    needs would be deleted and its first changes() would answer reset."""
    tm = quiet_log
    other, newcomer = ChangeFollower(tm.sessions, QUIET), ChangeFollower(tm.sessions, QUIET)
    other.mark()
    _add(tm, 3, "子")
    meanwhile: dict[str, object] = {}

    def write_apply_compact() -> None:
        try:
            meanwhile["ids"] = _add(tm, 4, "丑")  # (SQLite: waits for the newcomer's write lock)
            other.applied(other.changes(other._pos or "").position)
            other.flush(compact=False)
            meanwhile["deleted"] = other.compact()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            meanwhile["error"] = exc

    position_sql = "pg_current_snapshot" if tm.engine.dialect.name == "postgresql" else "max(seq)"
    main, started = threading.current_thread(), threading.Thread(target=write_apply_compact)

    def after_position_read(conn, cursor, statement, *args) -> None:
        if threading.current_thread() is main and position_sql in statement and not started.is_alive():
            started.start()
            time.sleep(0.5)  # long enough for the writes and the compaction, were they not held back

    event.listen(tm.engine, "after_cursor_execute", after_position_read)
    try:
        position = newcomer.register()
    finally:
        event.remove(tm.engine, "after_cursor_execute", after_position_read)
    started.join(30)
    assert "error" not in meanwhile, meanwhile
    found = newcomer.changes(position)
    assert not found.reset and found.segment_ids == sorted(meanwhile["ids"])  # type: ignore[arg-type]
    assert 0 < meanwhile["deleted"] <= 3  # type: ignore[operator]  # compaction ran: the rows before its position


def test_a_closed_consumer_no_longer_holds_the_log_back(quiet_log: TM) -> None:
    tm = quiet_log
    live, leaving = ChangeFollower(tm.sessions, QUIET), ChangeFollower(tm.sessions, QUIET)
    leaving.mark()
    _add(tm, 5, "寅")
    live.mark()
    assert live.compact() == 0  # leaving still needs every row
    leaving.close()
    assert leaving.name not in _consumers(tm)
    leaving.flush()  # a heartbeat after close() writes nothing back
    assert _consumers(tm) == {live.name}
    assert live.compact() > 0


def test_closing_a_tm_deregisters_its_index_consumers(quiet_log: TM, database_url: str) -> None:
    """An app torn down or a server worker leaving (gunicorn's worker_exit calls TM.close()) must not
    hold the log back for the consumer timeout; neither must an index the TM replaced after a reset."""
    tm = quiet_log
    _add(tm, 2, "卯")
    other = TM.from_url(database_url, QUIET)
    zh, en = Lang("zh", "zh"), Lang("en", "en")
    other.index.lookup("卯第0条测试句子用于变更日志", zh, en)
    first = {slot.follower.name for slot in other.index._slots.values()}
    assert first and first <= _consumers(tm)
    tm.clear()  # a reset: `other` drops its indexes and loads new ones
    other.index._last_poll = 0.0  # the poll is due
    other.index.lookup("卯", zh, en)
    assert other.index._slots and not first & _consumers(tm)
    second = {slot.follower.name for slot in other.index._slots.values()}
    loading = other.index._new_follower()  # a load in progress registers before it reads
    loading.mark()
    assert loading.name in _consumers(tm)
    other.close()
    assert not (second | {loading.name}) & _consumers(tm)
    late = other.index._new_follower()  # a load that gets this far after close() registers nothing
    late.mark()
    assert late.name not in _consumers(tm)
