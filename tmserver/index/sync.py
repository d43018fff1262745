"""Follow the ``segment_changes`` log so a process sees every committed write, its own and others'.

Every write appends ``(seq, segment_id, op)`` rows in the same transaction as the write itself
(``op`` is ``upsert``, ``delete`` or ``reset``). A follower must hand each committed row to the
index exactly once, however long the transaction that wrote it ran and whatever else committed
meanwhile. Skipping a row is a unit that lookups never find; the design below never guesses.

The interface (what an index needs, and all it needs):

* ``position() -> str`` — the current end of the log, an opaque string (store it beside a saved
  index as its stamp). Take it *before* reading segments for a build: the changes after it are
  then replayed, at worst applied twice (upserts are idempotent).
* ``changes(since) -> Changes`` — everything committed after ``since``: the distinct segment ids
  to re-read (a missing segment is a delete), the new position, and ``reset`` when the index must
  be rebuilt from the segments (``TM.clear()``, a log emptied behind our back, or ``since``
  pruned away).
* ``register() -> str`` — ``position()`` and this consumer's registration at it, in one
  transaction that compaction cannot interleave with (SQLite's write lock; a PostgreSQL advisory
  lock that :meth:`compact` takes too). Start a consumer with it, not with ``position()``: between
  a bare ``position()`` and the registration, another process's compaction could delete rows after
  that position, and the first ``changes()`` would then answer ``reset`` (never a miss, but a
  rebuild).
* ``applied(position)`` — this process has applied the log up to ``position``: a background
  thread records it (``change_consumers``: horizon + heartbeat) and compacts the log below the
  smallest position of the live consumers.
* ``close()`` — this consumer is done: its heartbeat stops and its row is deleted, so a worker
  that exits (or an index that was replaced) does not hold the log back for
  ``CHANGE_CONSUMER_TIMEOUT``.

``mark()`` / ``poll(apply, reset)`` are the same thing for a caller that keeps no position itself.

**SQLite** serialises writers: a transaction holds the database's write lock from its first write
to its commit, and ``seq`` (an ``INTEGER PRIMARY KEY``) is ``max(seq) + 1`` taken under that lock.
So the committed seqs are always a prefix ``1..n`` in commit order, and "every seq above the last
one handled" is exactly the set of new rows (:class:`SeqFollower`). ``max(seq)`` of a rowid is one
b-tree descent (O(1) in the log's size; ``tests/test_change_log.py`` checks the query plan), so an
idle poll costs one such read. Compaction never deletes the newest row, so a seq is never reused.

**PostgreSQL** allocates ``seq`` at insert time, not at commit: a 60-second import holds seqs
100–50,000 while short writes commit 50,001, 50,002… A seq-based follower sees a gap it cannot
interpret — "still running" and "rolled back" look the same — and the old code's timeout (treat
a 5-second-old gap as rolled back) lost a third of a long import. Instead each row records the
writing transaction's id (``xid``, migration ``0005``) and the follower remembers the *snapshot*
of its last poll (:class:`SnapshotFollower`). A transaction that was still running at that
snapshot (in its ``xip`` list, or at/after its ``xmax``) may have committed since; every other
transaction's rows were already visible then and were handled. Each poll reads, in one
REPEATABLE READ snapshot, the current snapshot and the rows of those possibly-new transactions
that this snapshot shows — and then remembers it. Snapshots only grow, so every committed row is
returned by exactly one poll; a transaction still running is simply asked about again next time.
Rows of a still-running import are filtered out by the xid list itself (never scanned), so a long
import costs the pollers nothing until it commits.

**Compaction.** A consumer's *horizon* is the first log position it may still need: SQLite the
seq after its position; PostgreSQL its snapshot's ``xmin`` (every transaction below it had ended
when the snapshot was taken, so its rows were handled). :meth:`compact` deletes the rows below
the smallest horizon of the consumers heard from within ``CHANGE_CONSUMER_TIMEOUT`` and raises
``change_log_state.pruned_below`` in the same transaction. A PostgreSQL poll reads ``pruned_below``
in its own snapshot: a position below it means rows it needed may be gone, and it answers
``reset`` (rebuild) rather than miss them. A SQLite poll needs no state: its seqs are contiguous,
so the first row after its position is either ``position + 1`` or proof that rows were pruned. A consumer that starts after a prune is unaffected (its
position is taken after it).

``TM.clear()`` appends a ``reset`` row (rebuild everything); a log whose ``max(seq)`` went down
(emptied behind our back) also means reset.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.orm import Session, sessionmaker

from tmserver.errors import Busy
from tmserver.store.db import write_transaction
from tmserver.store.models import UTCDateTime, utcnow

log = logging.getLogger(__name__)

Apply = Callable[[list[int]], None]
Reset = Callable[[], None]

#: defaults of the settings of the same names (seconds)
CHANGE_LOG_HEARTBEAT = 5.0
CHANGE_CONSUMER_TIMEOUT = 600.0
CHANGE_LOG_COMPACT_INTERVAL = 60.0
#: a consumer not heard from for this many timeouts is forgotten (its row deleted)
_FORGET_AFTER = 10


@dataclass(frozen=True)
class Changes:
    """What :meth:`Follower.changes` found after a position."""

    position: str  # the new position: pass it to the next changes() call
    segment_ids: list[int]  # sorted, distinct: re-read each (a missing segment was deleted)
    reset: bool  # rebuild the whole index from the segments instead


_PRUNED = text("SELECT pruned_below FROM change_log_state WHERE id = 1")
#: timestamps bound through the column's type, so SQLite compares them in the one stored format
_T, _CUTOFF = bindparam("t", type_=UTCDateTime()), bindparam("cutoff", type_=UTCDateTime())
_UPDATE_CONSUMER = text("UPDATE change_consumers SET horizon = :h, position = :p, heartbeat_at = :t WHERE name = :n"
                        ).bindparams(_T)
_INSERT_CONSUMER = text("INSERT INTO change_consumers (name, horizon, position, heartbeat_at) VALUES (:n, :h, :p, :t)"
                        ).bindparams(_T)
_LIVE_HORIZON = text("SELECT min(horizon) FROM change_consumers WHERE heartbeat_at >= :cutoff").bindparams(_CUTOFF)
_FORGET = text("DELETE FROM change_consumers WHERE heartbeat_at < :cutoff").bindparams(_CUTOFF)
_DELETE_CONSUMER = text("DELETE FROM change_consumers WHERE name = :n")
_INSERT_PRUNED = text("INSERT INTO change_log_state (id, pruned_below) VALUES (1, :b)")
_RAISE_PRUNED = text("UPDATE change_log_state SET pruned_below = :b WHERE id = 1 AND pruned_below < :b")


class Follower:
    """What both followers share: the consumer registration, heartbeat and compaction."""

    def __init__(self, sessions: sessionmaker[Session], config: Mapping[str, Any] | None = None) -> None:
        config = config or {}
        self.sessions = sessions
        self.heartbeat = float(config.get("CHANGE_LOG_HEARTBEAT", CHANGE_LOG_HEARTBEAT))
        self.timeout = float(config.get("CHANGE_CONSUMER_TIMEOUT", CHANGE_CONSUMER_TIMEOUT))
        self.compact_every = float(config.get("CHANGE_LOG_COMPACT_INTERVAL", CHANGE_LOG_COMPACT_INTERVAL))
        self._applied: str | None = None
        self._last_compact = 0.0
        self._beat_lock = threading.Lock()
        self._pid = 0  # the process that named this consumer and started its thread
        self._closed = False  # close() was called: no more beats, the row stays deleted
        self.name = ""
        self._pos: str | None = None  # for mark()/poll()
        #: a position whose log rows must be kept though this process applied them: the stamp of
        #: the saved index it has open, which a worker starting later replays from
        self.hold: str | None = None

    # -- the interface ------------------------------------------------------------------------

    def position(self) -> str:
        raise NotImplementedError

    def register(self) -> str:
        """The log's current end, with this consumer registered at it in the same transaction (see
        the module doc): what follows the returned position is kept until this consumer applies
        it. Raises :class:`~tmserver.errors.Busy` when SQLite's write lock is held too long."""
        with self._beat_lock:
            with write_transaction(self.sessions) as s:
                self._exclude_compaction(s)
                position = self._position_in(s)
                self.applied(position)  # names this consumer (and starts its heartbeat)
                if not self._closed:  # (closed: its owner is shutting down; hold nothing back)
                    self._record(s, position)
        return position

    def close(self) -> None:
        """Stop this consumer's heartbeat and delete its row, so it no longer holds the log back.
        Best effort: a row left behind (database unreachable) expires after the consumer timeout."""
        with self._beat_lock:
            if self._closed:
                return
            self._closed = True
            if not self.name:
                return
            try:
                with write_transaction(self.sessions) as s:
                    s.execute(_DELETE_CONSUMER, {"n": self.name})
            except Exception as exc:  # noqa: BLE001 - expires by itself; closing must not fail a shutdown
                log.warning("change-log consumer %s not deregistered (%s); it expires after %.0f s",
                            self.name, exc, self.timeout)
            else:
                log.info("change-log consumer %s deregistered", self.name)

    def changes(self, since: str, session: Session | None = None) -> Changes | None:
        """What the log holds after ``since``. ``session``: read in the caller's transaction (a
        lookup's, so that a lookup is one transaction); ``None`` when that transaction's snapshot
        is older than ``since`` (another thread polled after it began): the caller reads afresh,
        because an older snapshot would step the index back or read a shorter log as a reset."""
        raise NotImplementedError

    def horizon(self, position: str) -> int:
        """The first log position (seq or xid) that a consumer at ``position`` may still need."""
        raise NotImplementedError

    def applied(self, position: str) -> None:
        """This process has applied the log up to ``position``; a background thread reports it."""
        self._applied = position
        if self._pid != os.getpid():  # first call, or a forked child: its own name and thread
            self._pid = os.getpid()
            self.name = f"{socket.gethostname()[:80]}:{self._pid}:{uuid.uuid4().hex[:12]}"
            threading.Thread(target=_beat, args=(weakref.ref(self), self.heartbeat), daemon=True,
                             name="change-log-heartbeat").start()

    # -- mark/poll: a position kept here ------------------------------------------------------

    def mark(self) -> None:
        """Start following from the current end of the log (call *before* reading segments)."""
        try:
            self._pos = self.register()  # so no compaction removes what the build needs
        except Busy:  # a long write holds SQLite's lock: the heartbeat thread registers us shortly
            # (a compaction before that may prune past this position: changes() then answers reset)
            log.info("change-log consumer not registered yet (database busy)")
            self._pos = self.position()
            self.applied(self._pos)

    def poll(self, apply: Apply, reset: Reset, session: Session | None = None) -> None:
        """Hand what changed since the last poll to ``apply`` (or call ``reset``); ``session``:
        in the caller's transaction when its snapshot is not older than this position."""
        if self._pos is None:
            self.mark()
            return
        found = self.changes(self._pos, session) if session is not None else None
        if found is None:
            found = self.changes(self._pos)
        assert found is not None  # (without a caller's session there is always an answer)
        if found.reset:
            self._pos = None
            reset()
            return
        if found.segment_ids:
            apply(found.segment_ids)
        self._pos = found.position
        self.applied(found.position)

    # -- a saved index's stamp (:mod:`tmserver.index.persist`) ------------------------------------

    def stamp(self) -> dict[str, Any]:
        """The position taken by :meth:`mark` (not the log's end now: writes committed while the
        index was built must be replayed by whoever opens it), as JSON for a manifest."""
        return {"kind": type(self).__name__, "position": self._pos}

    def covers(self, stamp: dict[str, Any]) -> bool:
        """Can this follower continue from ``stamp``? A pruned or emptied log is caught by
        :meth:`changes` (it answers ``reset``), so only the stamp's kind is checked here."""
        return stamp.get("kind") == type(self).__name__ and isinstance(stamp.get("position"), str)

    def seek(self, stamp: dict[str, Any]) -> None:
        """Continue from a saved ``stamp`` (the next :meth:`poll` replays what came after it)."""
        self._pos = self.hold = str(stamp["position"])
        self.applied(self._pos)

    def follow(self, lead: Follower) -> None:
        """Stand where ``lead`` stands after a poll whose changes were applied for both (not
        :meth:`seek`: that would also move :attr:`hold`, the saved stamp this follower keeps)."""
        if lead._pos is None:
            return
        self._pos = lead._pos
        self.applied(lead._pos)

    # -- heartbeat and compaction -------------------------------------------------------------

    def flush(self, compact: bool = True) -> None:
        """Write this consumer's applied position and heartbeat now; compact the log if due."""
        with self._beat_lock:
            position = self._applied
            if position is None or self._closed:
                return
            with write_transaction(self.sessions) as s:
                self._record(s, position)
            if compact and time.monotonic() - self._last_compact >= self.compact_every:
                self._last_compact = time.monotonic()
                self.compact()

    def _record(self, s: Session, position: str) -> None:
        """Write this consumer's row: its horizon (kept back to :attr:`hold`) and heartbeat."""
        horizon = self.horizon(position)
        if self.hold is not None:
            horizon = min(horizon, self.horizon(self.hold))
        values = {"n": self.name, "h": horizon, "p": position, "t": utcnow()}
        if s.execute(_UPDATE_CONSUMER, values).rowcount == 0:  # type: ignore[attr-defined]
            s.execute(_INSERT_CONSUMER, values)

    def _exclude_compaction(self, s: Session) -> None:
        """Make ``s`` exclusive with :meth:`compact` and :meth:`register` until it ends. SQLite:
        nothing to do (``BEGIN IMMEDIATE`` already holds the one write lock)."""

    def _position_in(self, s: Session) -> str:
        """:meth:`position`, read in ``s``."""
        raise NotImplementedError

    def compact(self) -> int:
        """Delete the log rows every live consumer has applied; returns how many were deleted."""
        now = utcnow()
        with write_transaction(self.sessions) as s:
            self._exclude_compaction(s)  # a consumer registering now is counted (see register())
            lowest = s.scalar(_LIVE_HORIZON, {"cutoff": now - timedelta(seconds=self.timeout)})
            if lowest is None:
                return 0
            deleted = self._prune(s, int(lowest))
            if s.scalar(_PRUNED) is None:  # the state row was deleted (a wiped database): recreate it
                s.execute(_INSERT_PRUNED, {"b": int(lowest)})
            s.execute(_RAISE_PRUNED, {"b": int(lowest)})
            s.execute(_FORGET, {"cutoff": now - timedelta(seconds=self.timeout * _FORGET_AFTER)})
        if deleted:
            log.info("change log compacted: %d rows below %d deleted", deleted, lowest)
        return deleted

    def _prune(self, s: Session, below: int) -> int:
        raise NotImplementedError


def _beat(ref: weakref.ref[Follower], interval: float) -> None:
    """The heartbeat thread: runs while its follower lives (and in the process that started it)."""
    pid = os.getpid()
    while True:
        time.sleep(interval)
        follower = ref()
        if follower is None or follower._pid != pid or follower._closed:
            return
        try:
            follower.flush()
        except Exception:  # noqa: BLE001 - a missed beat only delays compaction; never kill the thread
            log.debug("change-log heartbeat failed", exc_info=True)
        del follower


_MAX_SEQ = text("SELECT max(seq) FROM segment_changes")  # a rowid's max: one b-tree descent
_ROWS_AFTER = text("SELECT seq, segment_id, op FROM segment_changes WHERE seq > :floor ORDER BY seq")
#: never the newest row: an emptied log would let SQLite hand out its seqs again
_PRUNE_SEQ = text("DELETE FROM segment_changes WHERE seq < :below AND seq < (SELECT max(seq) FROM segment_changes)")


class SeqFollower(Follower):
    """SQLite: committed seqs form a prefix in commit order, so a floor is enough.

    A position is the last seq handled, as a decimal string."""

    def position(self) -> str:
        with self.sessions() as s:
            return self._position_in(s)

    def _position_in(self, s: Session) -> str:
        return str(s.scalar(_MAX_SEQ) or 0)

    def horizon(self, position: str) -> int:
        return int(position) + 1

    def changes(self, since: str, session: Session | None = None) -> Changes | None:
        floor = int(since)
        # one deferred BEGIN (ours or the caller's): every read below sees one WAL snapshot
        own: AbstractContextManager[Session] = nullcontext(session) if session is not None else self.sessions()
        with own as s:
            hi = s.scalar(_MAX_SEQ) or 0
            if hi == floor:  # the idle poll: one O(1) read (a prune never removes the newest row)
                return Changes(since, [], False)
            if hi < floor and session is not None:
                return None  # the caller's snapshot predates our position: decide in a fresh one
            if hi < floor:
                return Changes(str(hi), [], True)
            rows = s.execute(_ROWS_AFTER, {"floor": floor}).all()
        # seqs are contiguous (max + 1 under the write lock; the newest row is never pruned), so a
        # first row other than floor + 1 means rows we needed were pruned: rebuild, never skip
        if not rows or rows[0][0] != floor + 1 or any(op == "reset" for _, _, op in rows):
            return Changes(str(hi), [], True)
        return Changes(str(rows[-1][0]), sorted({seg for _, seg, _ in rows}), False)

    def _prune(self, s: Session, below: int) -> int:
        return s.execute(_PRUNE_SEQ, {"below": below}).rowcount  # type: ignore[attr-defined]


#: rows of the transactions that may have committed since snapshot :prev and that the current
#: (REPEATABLE READ) snapshot shows. Committed-since = running at :prev (its xip list, filtered to
#: the ones no longer running, so a long import's rows are not even scanned) or started at/after
#: its xmax (and before the current xmax).
_NEW_ROWS = text("""
    SELECT seq, segment_id, op FROM segment_changes
    WHERE xid = ANY(ARRAY(SELECT x FROM pg_snapshot_xip(CAST(:prev AS pg_snapshot)) AS x
                          WHERE pg_visible_in_snapshot(x, pg_current_snapshot())))
    UNION ALL
    SELECT seq, segment_id, op FROM segment_changes
    WHERE xid >= pg_snapshot_xmax(CAST(:prev AS pg_snapshot)) AND xid < pg_snapshot_xmax(pg_current_snapshot())
    ORDER BY seq
""")  # two index range scans on ix_segment_changes_xid (the xip list and the xmax window are disjoint)
#: the snapshot, the newest seq (the pkey's last entry) and the pruned horizon: three O(1) reads
_SNAPSHOT = text("SELECT pg_current_snapshot()::text, (SELECT max(seq) FROM segment_changes),"
                 " (SELECT pruned_below FROM change_log_state WHERE id = 1)")
#: registration and compaction, one at a time (an arbitrary key: "tmsc" as a number)
_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(1953330019)")
_PRUNE_XID = text("DELETE FROM segment_changes WHERE xid < CAST(CAST(:below AS text) AS xid8)"
                  " AND seq < (SELECT max(seq) FROM segment_changes)")


class SnapshotFollower(Follower):
    """PostgreSQL: follow committed *transactions* between two snapshots (see the module doc).

    A position is ``<snapshot>/<max seq>``: the snapshot of the last poll and the newest seq it
    saw (a log whose newest seq went down was emptied behind our back)."""

    def __init__(self, sessions: sessionmaker[Session], config: Mapping[str, Any] | None = None) -> None:
        super().__init__(sessions, config)
        engine: Engine = sessions.kw["bind"]
        self.engine = engine.execution_options(isolation_level="REPEATABLE READ")

    def position(self) -> str:
        with self.engine.connect() as conn:
            snapshot, hi, _ = conn.execute(_SNAPSHOT).one()
            conn.rollback()
        return f"{snapshot}/{hi or 0}"

    def _position_in(self, s: Session) -> str:
        # READ COMMITTED: the statement's snapshot, taken after _exclude_compaction's lock
        snapshot, hi, _ = s.execute(_SNAPSHOT).one()
        return f"{snapshot}/{hi or 0}"

    def _exclude_compaction(self, s: Session) -> None:
        # held to the end of the transaction: compact() reads the live horizons after a
        # registration commits, or the registration reads its position after compaction committed
        s.execute(_EXCLUSIVE)

    def horizon(self, position: str) -> int:
        return int(position.split(":", 1)[0])  # the snapshot's xmin

    def changes(self, since: str, session: Session | None = None) -> Changes | None:
        """``session`` must be REPEATABLE READ (a lookup's :meth:`tmserver.tm.TM.read_session`):
        its snapshot is the one the rows are read in."""
        prev, _, seen = since.partition("/")
        if session is not None:
            conn = session.connection()
            snapshot, hi, pruned = conn.execute(_SNAPSHOT).one()
            if _xmax(snapshot) < _xmax(prev) or (hi or 0) < int(seen or 0):
                return None  # the caller's snapshot predates our position: decide in a fresh one
            return self._read(conn, since, snapshot, hi, pruned)
        with self.engine.connect() as conn:
            # the first statement fixes the transaction's snapshot; the second reads in it
            snapshot, hi, pruned = conn.execute(_SNAPSHOT).one()
            found = self._read(conn, since, snapshot, hi, pruned)
            conn.rollback()
        return found

    def _read(self, conn: Connection, since: str, snapshot: str, hi: int | None, pruned: int | None) -> Changes:
        prev, _, seen = since.partition("/")
        if (pruned or 0) > self.horizon(since) or (hi or 0) < int(seen or 0):
            return Changes(f"{snapshot}/{hi or 0}", [], True)
        rows = conn.execute(_NEW_ROWS, {"prev": prev}).all() if snapshot != prev else []
        position = f"{snapshot}/{max(hi or 0, int(seen or 0))}"
        return Changes(position, sorted({seg for _, seg, _ in rows}), any(op == "reset" for _, _, op in rows))

    def _prune(self, s: Session, below: int) -> int:
        return s.execute(_PRUNE_XID, {"below": below}).rowcount  # type: ignore[attr-defined]


def _xmax(snapshot: str) -> int:
    """The ``xmax`` of a ``pg_snapshot`` text (``xmin:xmax:xip,…``)."""
    return int(snapshot.split(":")[1])


def ChangeFollower(  # noqa: N802
    sessions: sessionmaker[Session], config: Mapping[str, Any] | None = None
) -> SeqFollower | SnapshotFollower:
    """The follower that is correct for the database behind ``sessions``; ``config`` may set
    ``CHANGE_LOG_HEARTBEAT``, ``CHANGE_CONSUMER_TIMEOUT``, ``CHANGE_LOG_COMPACT_INTERVAL``."""
    engine: Engine = sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        return SnapshotFollower(sessions, config)
    return SeqFollower(sessions, config)
