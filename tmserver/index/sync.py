"""Follow the ``segment_changes`` log so a process sees other processes' writes.

Every write appends ``(seq, segment_id, op)`` in its own transaction. A follower remembers a
*floor* (every ``seq`` ≤ floor is handled) and the handled seqs above it. PostgreSQL hands out
sequence values before commit, so seq 10 may become visible after seq 11: a hole above the floor
is kept open (and re-read on every poll) for :data:`GAP_TIMEOUT` seconds before we assume its
transaction rolled back. ``TM.clear()`` empties the log: a log whose ``max(seq)`` went below the
floor (or whose ``min(seq)`` went down) means "rebuild everything".
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func, select

from tmserver.store.models import SegmentChange

GAP_TIMEOUT = 5.0


class ChangeFollower:
    def __init__(self, sessions) -> None:
        self.sessions = sessions
        self.floor = 0
        self.min_seq: int | None = None
        self.handled: set[int] = set()
        self._gap_since: float | None = None

    def mark(self) -> None:
        """Start following from the current end of the log (call *before* reading segments)."""
        with self.sessions() as s:
            lo, hi = s.execute(select(func.min(SegmentChange.seq), func.max(SegmentChange.seq))).one()
        self.floor, self.min_seq, self.handled, self._gap_since = hi or 0, lo, set(), None

    def poll(self, apply: Callable[[list[int]], None], reset: Callable[[], None]) -> None:
        with self.sessions() as s:
            lo, hi = s.execute(select(func.min(SegmentChange.seq), func.max(SegmentChange.seq))).one()
            restarted = (hi or 0) < self.floor or (
                lo is not None and self.min_seq is not None and lo < self.min_seq
            )
            if restarted:
                rows = None
            elif hi is None or (hi == self.floor or hi in self.handled) and self._gap_since is None:
                return
            else:
                rows = s.execute(
                    select(SegmentChange.seq, SegmentChange.segment_id)
                    .where(SegmentChange.seq > self.floor)
                    .order_by(SegmentChange.seq)
                ).all()
        if rows is None:
            reset()
            self.mark()
            return
        if self.min_seq is None:
            self.min_seq = lo
        fresh = [(seq, seg) for seq, seg in rows if seq not in self.handled]
        if fresh:
            apply(sorted({seg for _, seg in fresh}))
            self.handled.update(seq for seq, _ in fresh)
        self._advance()

    def _advance(self) -> None:
        while self.handled:
            if self.floor + 1 in self.handled:
                self.floor += 1
                self.handled.discard(self.floor)
                continue
            now = time.monotonic()
            if self._gap_since is None:
                self._gap_since = now
            if now - self._gap_since < GAP_TIMEOUT:
                return
            self.floor = min(self.handled) - 1  # the hole's transaction rolled back
            self._gap_since = None
        self._gap_since = None
