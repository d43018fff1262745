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
from typing import Any

from sqlalchemy import Engine, func, select, text
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

    def poll(self, apply: Apply, reset: Reset) -> None:
        with self.sessions() as s:
            hi = s.scalar(select(func.max(SegmentChange.seq))) or 0
            if hi == self.floor:
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

    # -- a saved index's stamp (:mod:`tmserver.index.persist`) ------------------------------------

    def position(self) -> dict[str, Any]:
        """Where this follower stands, as JSON: a saved index built after :meth:`mark` holds it."""
        return {"kind": "seq", "seq": self.floor}

    def seek(self, position: dict[str, Any]) -> None:
        """Continue from a saved ``position`` (the next :meth:`poll` replays what came after it)."""
        self.floor = int(position["seq"])

    def covers(self, position: dict[str, Any]) -> bool:
        """Does the log still hold every change after ``position``? False when it was emptied or
        compacted past it (then a saved index at ``position`` cannot be caught up)."""
        if position.get("kind") != "seq":
            return False
        seq = int(position["seq"])
        with self.sessions() as s:
            lo, hi = s.execute(select(func.min(SegmentChange.seq), func.max(SegmentChange.seq))).one()
        return (hi or 0) >= seq and (lo is None or lo <= seq + 1)


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

    def poll(self, apply: Apply, reset: Reset) -> None:
        if self.snapshot is None:
            self.mark()
            return
        with self.engine.connect() as conn:
            # the first statement fixes the transaction's snapshot; the second reads in it
            snapshot, hi = conn.execute(_SNAPSHOT).one()
            rows = conn.execute(_NEW_ROWS, {"prev": self.snapshot}).all() if snapshot != self.snapshot else []
            conn.rollback()
        if (hi or 0) < self.max_seq or any(op == "reset" for _, _, op in rows):
            reset()
            return
        if rows:
            apply(sorted({seg for _, seg, _ in rows}))
        self.snapshot, self.max_seq = snapshot, max(self.max_seq, hi or 0)

    # -- a saved index's stamp (:mod:`tmserver.index.persist`) ------------------------------------

    def position(self) -> dict[str, Any]:
        return {"kind": "snapshot", "snapshot": self.snapshot, "max_seq": self.max_seq}

    def seek(self, position: dict[str, Any]) -> None:
        self.snapshot, self.max_seq = position["snapshot"], int(position["max_seq"])

    def covers(self, position: dict[str, Any]) -> bool:
        """Like :meth:`SeqFollower.covers`: the log was not emptied (``max(seq)`` went down) nor
        compacted past the snapshot (rows of transactions after it would be gone)."""
        if position.get("kind") != "snapshot" or not position.get("snapshot"):
            return False
        with self.engine.connect() as conn:
            lo, hi = conn.execute(select(func.min(SegmentChange.seq), func.max(SegmentChange.seq))).one()
            conn.rollback()
        max_seq = int(position["max_seq"])
        return (hi or 0) >= max_seq and (lo is None or lo <= max_seq + 1)


def ChangeFollower(sessions: sessionmaker[Session]) -> SeqFollower | SnapshotFollower:  # noqa: N802
    """The follower that is correct for the database behind ``sessions``."""
    engine: Engine = sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        return SnapshotFollower(engine)
    return SeqFollower(sessions)
