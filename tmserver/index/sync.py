"""Follow the ``segment_changes`` log so a process sees every committed write, its own and others'.

Every write appends ``(seq, segment_id, op)`` rows in the same transaction as the write itself
(``op`` is ``upsert``, ``delete`` or ``reset``). A follower must hand each committed row to the
index exactly once, however long the transaction that wrote it ran and whatever else committed
meanwhile. Skipping a row is a unit that lookups never find; the design below never guesses.

**SQLite** serialises writers: a transaction holds the database's write lock from its first write
to its commit, and ``seq`` (an ``INTEGER PRIMARY KEY``) is ``max(seq) + 1`` taken under that lock.
So the committed seqs are always a prefix ``1..n`` in commit order, and "every seq above the last
one handled" is exactly the set of new rows (:class:`SeqFollower`).

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

``TM.clear()`` appends a ``reset`` row (rebuild everything); a log whose ``max(seq)`` went down
(emptied behind our back) also means reset.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tmserver.store.models import SegmentChange

Apply = Callable[[list[int]], None]
Reset = Callable[[], None]


class SeqFollower:
    """SQLite: committed seqs form a prefix in commit order, so a floor is enough."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.floor = 0

    def mark(self) -> None:
        """Start following from the current end of the log (call *before* reading segments)."""
        with self.sessions() as s:
            self.floor = s.scalar(select(func.max(SegmentChange.seq))) or 0

    def poll(self, apply: Apply, reset: Reset, session: Session | None = None) -> None:
        """``session``: read in the caller's transaction (a lookup's) instead of a new one."""
        own: AbstractContextManager[Session] = nullcontext(session) if session is not None else self.sessions()
        with own as s:
            hi = s.scalar(select(func.max(SegmentChange.seq))) or 0
            if hi == self.floor:
                return
            if hi < self.floor and session is not None:
                # the caller's snapshot may predate another thread's poll: decide in a fresh one
                # (a shrunken log means reset only when the newest state says so)
                self.poll(apply, reset)
                return
            rows = [] if hi < self.floor else s.execute(
                select(SegmentChange.seq, SegmentChange.segment_id, SegmentChange.op)
                .where(SegmentChange.seq > self.floor)
                .order_by(SegmentChange.seq)
            ).all()
        if hi < self.floor or any(op == "reset" for _, _, op in rows):
            reset()
            return
        apply(sorted({seg for _, seg, op in rows}))
        self.floor = rows[-1][0] if rows else hi


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
_SNAPSHOT = text("SELECT pg_current_snapshot()::text, (SELECT max(seq) FROM segment_changes)")


class SnapshotFollower:
    """PostgreSQL: follow committed *transactions* between two snapshots (see the module doc)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine.execution_options(isolation_level="REPEATABLE READ")
        self.snapshot: str | None = None
        self.max_seq = 0

    def mark(self) -> None:
        with self.engine.connect() as conn:
            self.snapshot, hi = conn.execute(_SNAPSHOT).one()
            conn.rollback()
        self.max_seq = hi or 0

    def poll(self, apply: Apply, reset: Reset, session: Session | None = None) -> None:
        """``session``: read in the caller's transaction, which must be REPEATABLE READ (a
        lookup's :meth:`tmserver.tm.TM.read_session`), instead of a connection of its own."""
        if self.snapshot is None:
            self.mark()
            return
        if session is not None:
            snapshot, hi, rows = self._read(session.connection())
            if _xmax(snapshot) < _xmax(self.snapshot) or (hi or 0) < self.max_seq:
                # the caller's snapshot predates another thread's poll: never step back (that
                # would hand rows over twice, or read a shorter log as a reset); poll afresh
                self.poll(apply, reset)
                return
        else:
            with self.engine.connect() as conn:
                snapshot, hi, rows = self._read(conn)
                conn.rollback()
        if (hi or 0) < self.max_seq or any(op == "reset" for _, _, op in rows):
            reset()
            return
        if rows:
            apply(sorted({seg for _, seg, _ in rows}))
        self.snapshot, self.max_seq = snapshot, max(self.max_seq, hi or 0)

    def _read(self, conn: Connection) -> tuple[str, int | None, list]:
        # REPEATABLE READ: the first statement fixes the transaction's snapshot; the second reads in it
        snapshot, hi = conn.execute(_SNAPSHOT).one()
        rows = conn.execute(_NEW_ROWS, {"prev": self.snapshot}).all() if snapshot != self.snapshot else []
        return snapshot, hi, list(rows)


def _xmax(snapshot: str) -> int:
    """The ``xmax`` of a ``pg_snapshot`` text (``xmin:xmax:xip,…``)."""
    return int(snapshot.split(":")[1])


def ChangeFollower(sessions: sessionmaker[Session]) -> SeqFollower | SnapshotFollower:  # noqa: N802
    """The follower that is correct for the database behind ``sessions``."""
    engine: Engine = sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        return SnapshotFollower(engine)
    return SeqFollower(sessions)
