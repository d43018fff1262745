"""The lookup engine: per-language bigram indexes kept fresh, and match shaping."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
import uuid
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from tmserver.errors import IndexWarming, ValidationError
from tmserver.index import persist, spread
from tmserver.index.libc import M_MMAP_THRESHOLD, mallopt
from tmserver.index.parts import PartHit, PartIndex, PreparedParts, may_have_parts, target_part
from tmserver.index.postings import LangIndex, Prepared, SearchResult
from tmserver.index.sync import ChangeFollower
from tmserver.langs import Lang
from tmserver.match import PENALTIES, Score, adapt_target, diff, score, with_context
from tmserver.match.adapt import Adaptation, adapt
from tmserver.normalize import normalize
from tmserver.store.db import insert_if_absent
from tmserver.store.models import Segment, Setting, context_hash

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 20_000  # as long as a stored segment may be (tmserver.tm.MAX_SEGMENT_CHARS)
MAX_LIMIT = 1000  # the most matches one lookup returns
POLL_INTERVAL = 0.2  # seconds between change-log checks on lookup (freshness target: 1 s)
#: seconds between the background follower's change-log checks (:meth:`Engine.follow`; served
#: workers): an idle check is one O(1) read, and a unit another worker wrote is then found within
#: this plus its catch-up — well inside the 1 s freshness target
FOLLOW_INTERVAL = 0.1
#: units whose index entries a catch-up makes at a time (signatures, bigrams, sentence parts:
#: what depends on the texts alone), without the lock, before it takes the lock to append them
PREPARE_CHUNK = 200
#: how long a catch-up holds the engine lock at a time (seconds; at least one unit goes in per
#: hold), at least: it holds it as long as a lookup's search has lately (a moving average), up
#: to ``APPLY_HOLD_MAX``. Each handover waits for the lookups queued meanwhile, so with holds
#: much shorter than theirs a catch-up crawled: 25 units of one language a hold (4.2 ms p50,
#: their entries made under the lock) and lookups of 20–50 ms on templated 1e6 made another
#: worker see a 1,000-unit batch up to 4–6.5 s late. Its fair share by time: a lookup then waits
#: for about one more search, as if one more lookup were ahead of it.
APPLY_HOLD = 0.005
APPLY_HOLD_MAX = 0.05
#: weight of the newest search in the moving average of a lookup's hold of the lock
HOLD_EMA = 0.05
#: how long a catch-up lets lookups waiting for the lock go first between two chunks (seconds):
#: a released lock is not handed over, so without it the applying thread, still holding the GIL,
#: takes the lock straight back and the waiting lookups sit out the whole batch
YIELD_TO_READERS = 0.01
MERGE_RETRY = 60.0  # seconds before a failed background merge is tried again
#: the settings row holding the token that ties a saved index to this database
TOKEN_KEY = "index_token"
#: texts for the warm-up lookup: numbers, Chinese numerals, dates, Traditional script, punctuation
_PRIME = {"zh": "二〇二五年三月五日，網路用戶達十一億五千萬，增長百分之五。",
          "en": "On March 5, 2025, internet users reached 1.15 billion, up 5%."}


#: one statement object (an expanding IN), so SQLAlchemy's compiled cache is hit without
#: rebuilding and re-keying the expression on every lookup
_FETCH = select(Segment.id, Segment.source_text, Segment.target_text, Segment.source_tag, Segment.target_tag,
                Segment.source_norm, Segment.target_norm, Segment.context_prev, Segment.context_next, Segment.origin,
                Segment.updated_at).where(Segment.id.in_(bindparam("ids", expanding=True)))


def _pin_mmap_threshold() -> None:
    """Keep glibc serving every allocation of 128 KiB or more with its own mmap.

    glibc starts that way but raises the threshold (up to 32 MiB) each time such a block is
    freed, after which an index build's large numpy temporaries come from the heap, and what is
    freed there mostly stays resident: at 1e6 segments ~130 MB more after the build and ~80 MB
    more at peak. Pinning the threshold (which also stops the raising) gives it back. Query
    latency is unchanged (measured)."""
    global _PINNED
    if _PINNED:
        return
    _PINNED = True
    mallopt(M_MMAP_THRESHOLD, 128 * 1024)


_PINNED = False


def _configured_langs(value: Any) -> tuple[str, ...] | None:
    """``INDEX_LANGS``: a comma-separated list loaded at start, or ``auto`` (None: each language
    on its first lookup)."""
    if isinstance(value, str):
        if value.strip().lower() == "auto":
            return None
        value = value.split(",")
    return tuple(dict.fromkeys(v.strip().lower() for v in value if v.strip()))


def _database_token(tm) -> str:
    """The database's index token (made on first use; two processes racing agree on one)."""
    with tm.session() as s:
        row = s.get(Setting, TOKEN_KEY)
        if row is not None:
            return row.value
    with tm.write_session() as s:
        insert_if_absent(s, Setting, "key", key=TOKEN_KEY, value=uuid.uuid4().hex)
    with tm.session() as s:
        row = s.get(Setting, TOKEN_KEY)
        if row is None:
            raise RuntimeError("could not read or store the index token")
        return row.value


class _Slot:
    """One language's indexes and the change-log follower that keeps them fresh."""

    def __init__(self, index: LangIndex, parts: PartIndex, follower: Any, generation: int | None) -> None:
        self.index = index
        self.parts = parts
        self.follower = follower
        #: the saved generation the base was opened from (None: built in memory, not saved)
        self.generation = generation


@dataclass(slots=True)
class _Ranked:
    """A scored hit of one lookup, before its diff and adaptation are made."""

    score: Score
    seg: Any  # the fetched row (:data:`_FETCH`)
    on_source: bool
    part: PartHit | None  # a sub-segment hit, or None: the whole unit
    duplicates: list[int] = field(default_factory=list)  # ids of copies of the same pair

    @property
    def pair(self) -> tuple[str, str]:
        """The matching forms of the matched side and the other side (:mod:`tmserver.dedup`)."""
        seg = self.seg
        return (seg.source_norm, seg.target_norm) if self.on_source else (seg.target_norm, seg.source_norm)


def _collapsed(ranked: list[_Ranked]) -> list[_Ranked]:
    """The first (best-ranked) hit of each pair, the ids of the later copies listed on it."""
    kept: dict[tuple[str, str], _Ranked] = {}
    for r in ranked:
        first = kept.setdefault(r.pair, r)
        if first is not r:
            first.duplicates.append(r.seg.id)
    return list(kept.values())


def _next_page(ask: int, limit: int, distinct: int, strategy: str, capped: bool = False) -> int:
    """How many hits to ask for when copies left ``distinct`` pairs (fewer than ``limit``) on a
    page of ``ask``. A scan costs about the same for any page (templated 1e6, 3–9-character
    queries: 1.4 ms for 5 hits, 1.8 ms for 30): ask for many more — for the most at once when a
    text's copies were ``capped`` (only a page past them can show another translation of it). The
    count filter's cost grows with the page (30 hits cost 3× what 5 do, ~30 ms on this data): ask
    for what the copies' share on this page suggests, and two more."""
    if strategy == "scan" and capped:
        return MAX_LIMIT
    if strategy == "scan" or distinct == 0:
        return min(MAX_LIMIT, ask * 4 + 10)
    return min(MAX_LIMIT, max(ask + 2, -(-ask * limit // distinct) + 2))


def _after_page(res: SearchResult, ask: int, distinct: bool) -> tuple[bool, bool]:
    """After a page of ``ask`` units: whether the index may hold more than it showed (a full
    page, or a text whose copies were capped), and whether the next page is a distinct search
    (not once copies were capped: pages of every copy then, as before distinct searches)."""
    return len(res.firsts) == ask or res.capped, distinct and not res.capped


#: the lowest score of a match identical in matching form: 100 less every penalty at once
_EXACT_FLOOR = 100 - sum(p.points for p in PENALTIES)


def _parts_floor(hits: list[tuple[int, int, int]], limit: int, min_score: float) -> float:
    """The threshold to search the sentence parts at, given the whole-unit hits ``(doc, d, m)``
    (best first, the first of each different text): a part can enter the answer only by scoring
    at least its ``limit``-th match, and a unit at distance d of m characters scores at least
    ⌊100·(m − d)/m⌋ (capped at 99), or 100 less every exact-match penalty when identical in
    matching form. Searching at that floor instead of ``min_score`` lets the count filter prove
    far sooner; the caller checks that the answer's last match reached it (a unit can drop out:
    deleted since the search) and searches again at ``min_score`` when it did not
    (:func:`_parts_known`)."""
    if len(hits) < limit:
        return min_score
    _, d, m = hits[limit - 1]
    return max(min_score, _EXACT_FLOOR if d == 0 else min(99, 100 * (m - d) // m))


def _check_query(query: str) -> None:
    if len(query) > MAX_QUERY_CHARS:
        raise ValidationError(f"the query is longer than {MAX_QUERY_CHARS} characters",
                              {"field": "q", "maximum": MAX_QUERY_CHARS})


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}", {"field": "limit"})


def _parts_known(ranked: list[_Ranked], limit: int, floor: float, min_score: float) -> bool:
    """Whether the parts searched at ``floor`` are all the answer can hold: a part below the floor
    scores below it, so the answer holds when its last match reaches the floor."""
    return floor <= min_score or (len(ranked) >= limit and ranked[limit - 1].score.value >= floor)


class _Held:
    """Release an already acquired lock on leaving (``with`` after a separate ``acquire``)."""

    def __init__(self, lock: Any) -> None:
        self.lock = lock

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


class _ResetSeen(Exception):
    """The change log holds a ``reset`` (``TM.clear``) after the position being caught up from."""


class Engine:
    """Fuzzy lookup over one TM. Thread-safe; one per process (``TM.index``).

    Each language's index is opened from the saved one (:mod:`tmserver.index.persist`) or built,
    always in a background thread, then replayed from the change log; a request needing a
    language that is not loaded yet waits at most ``INDEX_WAIT`` seconds and otherwise gets
    :class:`~tmserver.errors.IndexWarming` (503). Writes go to the index's small delta; when it
    outgrows its threshold one process of the machine builds a new base in the background and
    every worker swaps to it — no request ever waits for a rebuild."""

    def __init__(self, tm) -> None:
        self.tm = tm
        self._lock = threading.RLock()
        self._slots: dict[str, _Slot] = {}
        #: languages being opened or built: the event is set when that attempt ends
        self._loading: dict[str, threading.Event] = {}
        self._merging: set[str] = set()
        self._merge_failed: dict[str, float] = {}
        self._errors: dict[str, str] = {}
        #: bumped by a reset: a load begun before it must not install what it read
        self._epoch = 0
        self._last_poll = 0.0
        self._due = False  #: a write of this process committed: the next lookup polls whatever the interval
        #: one catch-up at a time (the follower thread, a writer, a polling lookup); taken before
        #: ``_lock``, which a catch-up holds only chunk by chunk
        self._sync = threading.Lock()
        self._follow_pid = 0  #: the process whose background follower runs (0: lookups poll)
        self._waiting = 0  #: lookups waiting for ``_lock`` (a catch-up lets them go first)
        #: how long a lookup has held ``_lock`` lately (seconds, moving average): a catch-up's hold
        self._search_hold = APPLY_HOLD
        self._waiting_lock = threading.Lock()
        self._db_id: str | None = None
        #: every change-log follower this engine made, installed or still loading: close() closes
        #: them all (a load in progress has registered its position already)
        self._followers: weakref.WeakSet[Any] = weakref.WeakSet()
        self._closed = False
        cfg = tm.config
        root = cfg.get("INDEX_DIR")
        self.root: Path | None = None if root in (None, "", "off") else Path(root)
        self.wait_seconds = float(cfg.get("INDEX_WAIT", 30.0))
        self.langs = _configured_langs(cfg.get("INDEX_LANGS", "zh,en"))
        spread.configure(int(cfg.get("SCAN_THREADS", 0)))
        tm.on_change(self._on_change)

    # -- compatibility views (benchmarks read these) --------------------------------------------

    @property
    def _langs(self) -> dict[str, LangIndex]:
        return {lang: slot.index for lang, slot in self._slots.items()}

    @property
    def _parts(self) -> dict[str, PartIndex]:
        return {lang: slot.parts for lang, slot in self._slots.items()}

    # -- readiness ----------------------------------------------------------------------------

    def readiness(self) -> dict[str, Any]:
        """Which languages this worker can answer now. ``ready`` when every language of
        ``INDEX_LANGS`` is loaded (``auto``: when no language is being loaded). Asking starts
        loading them, so a server run without ``tmserver serve``'s warm-up still gets ready."""
        self.start()
        with self._lock:
            loaded = sorted(self._slots)
            loading = sorted(set(self._loading) - set(self._slots))
            merging = sorted(self._merging)
            wanted = self.langs if self.langs is not None else loading
            ready = all(lang in self._slots for lang in wanted)
            out: dict[str, Any] = {"ready": ready, "loaded": loaded, "loading": loading, "merging": merging,
                                   "langs": "auto" if self.langs is None else list(self.langs),
                                   "index_dir": str(self.root) if self.root else None}
            if self._errors:
                out["errors"] = dict(self._errors)
            return out

    def start(self, *langs: str) -> None:
        """Begin loading ``langs`` (default: ``INDEX_LANGS``) in the background; returns at once."""
        for lang in langs or (self.langs or ()):
            if lang not in self._slots:
                self._start_load(lang)

    # -- freshness ----------------------------------------------------------------------------

    def follow(self) -> None:
        """Keep the indexes following the change log from a background thread of this process
        (``tmserver serve`` workers call it): every ``FOLLOW_INTERVAL`` it replays what other
        processes wrote, and a write of this process is applied by the writing request itself
        before it answers. Lookups then never poll or catch up; they only wait for the lock, at
        most about as long as a search (see ``APPLY_HOLD``). Without it (tests, the CLI,
        embedding) each lookup polls in its own transaction as before."""
        if self._follow_pid == os.getpid():
            return
        self._follow_pid = os.getpid()
        threading.Thread(target=_follow, args=(weakref.ref(self), os.getpid()), daemon=True,
                         name="tmserver-follow").start()

    @property
    def following(self) -> bool:
        """A background follower runs in this process (see :meth:`follow`)."""
        return self._follow_pid == os.getpid()

    def _on_change(self, op: str, ids: list[int]) -> None:
        if op == "reset":
            self._reset()
            return
        if self.following:
            # the writing request pays its own catch-up before it answers (read-your-writes
            # without making the next reader pay it); if that fails, the next lookup polls. Never
            # raise here: the write has committed, and an error answer would make the client
            # retry a write that is kept
            try:
                self.refresh(force=True)
            except Exception:  # noqa: BLE001 - logged; the next lookup catches up instead
                log.warning("applying this process's write to the index failed; the next lookup polls",
                            exc_info=True)
                self._due = True
            return
        # no poll here (it would be a second transaction after every write): the next lookup
        # polls in its own transaction whatever the interval, so it still sees this write at once
        self._due = True

    def _reset(self) -> None:
        """The TM was emptied: drop every index and load them again (a saved base is older than
        the reset, so it is rebuilt)."""
        with self._lock:
            self._epoch += 1
            langs, dropped = list(self._slots), list(self._slots.values())
            self._slots.clear()
        _retire(*dropped)
        self.start(*langs)

    def close(self) -> None:
        """Stop following the change log and deregister this engine's consumers (an exiting worker,
        an app torn down): a consumer left registered holds the log back for
        ``CHANGE_CONSUMER_TIMEOUT``. For an engine that is done: a later lookup still loads and
        answers, but its followers register nothing (a compaction may then make it rebuild)."""
        with self._lock:
            self._closed = True  # a load in progress makes no more followers
            self._follow_pid = -1  # the background follower thread sees it and ends
            self._epoch += 1  # a load in progress does not install what it read
            followers = list(self._followers)  # (before the slots go: they hold the only references)
            self._slots.clear()
        for follower in followers:
            follower.close()

    def refresh(self, force: bool = False, session: Session | None = None) -> None:
        """Replay the change log if it is due (or ``force``); start a background merge for an
        index whose delta outgrew its base, and a re-open for one another process merged.
        ``session``: read the log in the caller's transaction (a lookup's, see
        :meth:`tmserver.tm.TM.read_session`).

        One catch-up at a time (``_sync``); it holds the engine lock about as long as a search
        at a time (``APPLY_HOLD``; the entries are made before it is taken), so lookups of other
        threads go on meanwhile (they may see part of another process's batch; a write of this
        process is applied whole before its request answers, or before this caller's lookup
        searches)."""
        if not self._slots or (not force and not self._due
                                and time.monotonic() - self._last_poll < POLL_INTERVAL):
            return
        with self._sync:
            if not force and not self._due and time.monotonic() - self._last_poll < POLL_INTERVAL:
                return  # another thread polled while this one waited
            self._last_poll = time.monotonic()
            due, self._due = self._due, False
            try:
                done = list(self._slots.values())
                self._catch_up(*done, session=session, lock=self._lock)
                # a slot swapped in meanwhile (a merge, a language loaded) caught up in _install
                # from a poll that may predate the write this call is applying: once more for it
                late = [slot for slot in self._slots.values() if all(slot is not d for d in done)]
                if late:
                    self._catch_up(*late, session=session, lock=self._lock)
            except _ResetSeen:
                reset = True
            except BaseException:
                self._due = self._due or due  # not applied: whoever comes next polls again
                raise
            else:
                reset = False
                with self._lock:
                    for lang, slot in list(self._slots.items()):
                        self._maybe_merge(lang, slot)
        if reset:
            self._reset()

    def _maybe_merge(self, lang: str, slot: _Slot) -> None:
        """Start a background rebuild of ``lang`` (index and parts, saved for every worker) when its
        delta or its part index's has outgrown its base, or re-open one another process saved."""
        if lang in self._merging or time.monotonic() - self._merge_failed.get(lang, -1e9) < MERGE_RETRY:
            return
        newer = self.root is not None and (persist.current(self.root, lang) or 0) > (slot.generation or 0)
        if newer or slot.index.merge_due or slot.parts.merge_due:
            self._merging.add(lang)
            threading.Thread(target=self._merge, args=(lang, self._epoch, slot.generation), daemon=True,
                             name=f"tmserver-merge-{lang}").start()

    def _catch_up(self, *slots: _Slot, session: Session | None = None, lock: Any = None) -> None:
        """Replay what the log holds after each slot's position into its indexes. Slots standing
        at the same position share one poll and one fetch of the changed segments (a write then
        costs one round of queries, not one per language); ``session``: the caller's transaction;
        ``lock``: held while each chunk of units is applied (slots that lookups use)."""

        def reset() -> None:
            raise _ResetSeen

        groups: dict[str, list[_Slot]] = {}
        for slot in slots:
            # the follower's own position (feed's position() is the log's end now: a query)
            groups.setdefault(json.dumps(slot.follower.stamp(), sort_keys=True), []).append(slot)
        for group in groups.values():
            lead = group[0]
            lead.follower.poll(lambda ids, group=group: self._apply(group, ids, session, lock), reset, session)
            for other in group[1:]:
                other.follower.follow(lead.follower)

    def _apply(self, slots: list[_Slot], seg_ids: list[int], session: Session | None = None,
               lock: Any = None) -> None:
        """Read the changed rows (no lock held), then apply them chunk by chunk under ``lock``."""
        if session is None:
            with self.tm.session() as s:
                rows = self._changed_rows(s, seg_ids)
        else:
            rows = self._changed_rows(session, seg_ids)
        held = False
        for slot in slots:
            # served: never compacted here, where the writing request or the lock would wait for it
            # (the background merge rebuilds it: :meth:`_maybe_merge`)
            slot.parts.auto_compact = lock is None
        for i in range(0, len(seg_ids), PREPARE_CHUNK):
            chunk = seg_ids[i : i + PREPARE_CHUNK]
            for slot in slots:  # (one language at a time: a lookup searches one language's index)
                # what depends on the texts alone is made first, without the lock: lookups go on
                prepared = self._prepare_rows(slot, chunk, rows)
                done = 0
                while done < len(chunk):
                    if lock is not None and held:
                        self._let_readers_go()
                    with lock if lock is not None else contextlib.nullcontext():
                        done += self._apply_rows(slot, chunk[done:], rows, prepared, None if lock is None
                                                 else min(APPLY_HOLD_MAX, max(APPLY_HOLD, self._search_hold)))
                    held = True

    def _let_readers_go(self) -> None:
        """Between two chunks of a catch-up: wait (at most ``YIELD_TO_READERS``) until the lookups
        that were waiting for the lock have had it."""
        deadline = time.monotonic() + YIELD_TO_READERS
        while self._waiting > 0 and time.monotonic() < deadline:
            time.sleep(0.0005)

    @staticmethod
    def _changed_rows(s: Session, seg_ids: list[int]) -> dict[int, Any]:
        rows: dict[int, Any] = {}
        for i in range(0, len(seg_ids), 500):
            chunk = seg_ids[i : i + 500]
            q = select(Segment.id, Segment.source_lang, Segment.target_lang, Segment.source_norm,
                       Segment.target_norm, Segment.source_text, Segment.target_text).where(Segment.id.in_(chunk))
            rows.update({r.id: r for r in s.execute(q)})
        return rows

    @staticmethod
    def _side(r: Any, lang: str) -> tuple[str, str, bool] | None:
        """``(text, matching form, on source side)`` of row ``r``'s side in ``lang``, if any."""
        if r is None:
            return None
        if r.source_lang == lang:
            return r.source_text, r.source_norm, True
        if r.target_lang == lang:
            return r.target_text, r.target_norm, False
        return None

    @classmethod
    def _prepare_rows(cls, slot: _Slot, seg_ids: list[int],
                      rows: dict[int, Any]) -> dict[int, tuple[Prepared, PreparedParts]]:
        """The index entries of the changed rows that depend on their texts alone (no lock)."""
        out = {}
        for seg in seg_ids:
            side = cls._side(rows.get(seg), slot.parts.lang)
            if side is not None:
                text, norm, _ = side
                out[seg] = (slot.index.prepare(norm), slot.parts.prepare(text, norm))
        return out

    @classmethod
    def _apply_rows(cls, slot: _Slot, seg_ids: list[int], rows: dict[int, Any],
                    prepared: dict[int, tuple[Prepared, PreparedParts]] | None = None,
                    hold: float | None = None) -> int:
        """Apply the changes of ``seg_ids`` in order, for at most ``hold`` seconds (at least one);
        returns how many were applied."""
        idx, parts, lang = slot.index, slot.parts, slot.parts.lang
        prepared = prepared or {}
        deadline = None if hold is None else time.perf_counter() + hold
        for n, seg in enumerate(seg_ids, 1):
            side = cls._side(rows.get(seg), lang)
            if side is None:
                idx.remove(seg)
                parts.update(seg, None, False)
            else:
                text, norm, on_source = side
                entries, part_entries = prepared.get(seg, (None, None))
                idx.upsert(seg, norm, on_source, entries)
                parts.update(seg, text, on_source, norm, part_entries)
            if deadline is not None and time.perf_counter() >= deadline:
                return n
        return len(seg_ids)

    # -- loading, building, merging (background threads) ----------------------------------------

    def _start_load(self, lang: str) -> threading.Event:
        with self._lock:
            ev = self._loading.get(lang)
            if ev is None:
                ev = self._loading[lang] = threading.Event()
                threading.Thread(target=self._load, args=(lang, ev, self._epoch), daemon=True,
                                 name=f"tmserver-index-{lang}").start()
            return ev

    def _load(self, lang: str, ev: threading.Event, epoch: int) -> None:
        try:
            slot = self._open_saved(lang) if self.root is not None else None
            if slot is None:
                slot = self._rebuild(lang, None)
            self._install(lang, slot, epoch)
            self._errors.pop(lang, None)
        except Exception as exc:  # noqa: BLE001 - reported by readiness; the next lookup tries again
            log.exception("loading the %s index failed", lang)
            self._errors[lang] = f"{type(exc).__name__}: {exc}"
        finally:
            with self._lock:
                if self._loading.get(lang) is ev:
                    del self._loading[lang]
            ev.set()

    def _merge(self, lang: str, epoch: int, generation: int | None) -> None:
        try:
            self._install(lang, self._rebuild(lang, generation), epoch)
            self._merge_failed.pop(lang, None)
        except Exception:  # noqa: BLE001 - the current index keeps serving; retried later
            log.exception("merging the %s index failed", lang)
            self._merge_failed[lang] = time.monotonic()
        finally:
            with self._lock:
                self._merging.discard(lang)

    def _rebuild(self, lang: str, generation: int | None) -> _Slot:
        """A new base: built from the database and saved, under the machine's build lock — or the
        one another process saved while this one waited for the lock (newer than ``generation``)."""
        if self.root is None:
            return self._fresh(lang, save=False)
        try:
            persist.lang_dir(self.root, lang).mkdir(parents=True, exist_ok=True)
        except OSError:  # unusable INDEX_DIR: serve from memory rather than not at all
            log.exception("the index directory %s is not usable; this worker builds its own copy", self.root)
            return self._fresh(lang, save=False)
        with persist.build_lock(self.root, lang):
            if (persist.current(self.root, lang) or 0) > (generation or 0):
                slot = self._open_saved(lang)
                if slot is not None:
                    return slot
            return self._fresh(lang, save=True)

    def _open_saved(self, lang: str) -> _Slot | None:
        """The saved index, caught up with the log; None when missing, unusable or stale."""
        assert self.root is not None
        saved = persist.load(self.root, lang, self._database_id())
        if saved is None:
            return None
        follower = self._new_follower()
        if not follower.covers(saved.stamp):
            log.info("saved %s index (generation %d) is older than the change log: rebuilding", lang,
                     saved.generation)
            return None
        follower.seek(saved.stamp)
        slot = _Slot(saved.index, saved.parts, follower, saved.generation)
        try:
            self._catch_up(slot)
        except _ResetSeen:
            _retire(slot)
            return None
        return slot

    def _fresh(self, lang: str, *, save: bool) -> _Slot:
        follower = self._new_follower()
        follower.mark()  # before reading: writes from now on are replayed
        index, parts = self._build(lang)
        generation = None
        if save:
            assert self.root is not None
            try:
                generation = persist.save(self.root, lang, index, parts, follower.stamp(), self._database_id())
            except OSError:  # a full or read-only disk: serve from memory rather than not at all
                log.exception("saving the %s index to %s failed; this worker keeps its own copy", lang, self.root)
            else:
                follower.hold = follower.stamp()["position"]  # later workers replay from it: keep its log
                saved = persist.load(self.root, lang, self._database_id())
                if saved is not None and saved.generation == generation:
                    index, parts = saved.index, saved.parts  # the shared mapping, not this private copy
        index.auto_compact = False
        slot = _Slot(index, parts, follower, generation)
        self._catch_up(slot)
        return slot

    def _new_follower(self) -> Any:
        """A change-log follower for a slot being loaded (closed with the engine, see close())."""
        follower = ChangeFollower(self.tm.sessions, self.tm.config)
        with self._lock:
            if self._closed:
                follower.close()  # registers nothing: the load ends without installing
            self._followers.add(follower)
        return follower

    def _install(self, lang: str, slot: _Slot, epoch: int) -> None:
        """Swap ``slot`` in after a last (short) catch-up, unless the TM was reset meanwhile."""
        with self._lock:
            if epoch != self._epoch:
                dropped = [slot]
            else:
                try:
                    self._catch_up(slot)
                except _ResetSeen:
                    dropped = [slot, *filter(None, [self._slots.pop(lang, None)])]
                else:
                    old = self._slots.get(lang)
                    dropped = [] if old is None or old is slot else [old]
                    self._slots[lang] = slot
        _retire(*dropped)  # (outside the lock: deregistering is a database write)

    def _database_id(self) -> str:
        """A token stored in the database itself, so a saved index is never opened against another
        database (or the same one emptied and re-created behind the server's back)."""
        if self._db_id is None:
            self._db_id = _database_token(self.tm)
        return self._db_id

    # -- waiting for an index -----------------------------------------------------------------

    @contextlib.contextmanager
    def _using(self, lang: str, *, poll: bool = True, session: Session | None = None) -> Iterator[_Slot]:
        """Hold the lock over ``lang``'s index (polled for changes unless ``poll`` is off),
        waiting at most ``INDEX_WAIT`` seconds for it to be loaded."""
        deadline = time.monotonic() + self.wait_seconds
        while True:
            if lang not in self._slots:
                ev = self._start_load(lang)
                if not ev.wait(max(0.0, deadline - time.monotonic())) or (
                        lang not in self._slots and lang in self._errors):
                    raise IndexWarming(lang, self._errors.get(lang))
            if poll and (self._due or not self.following):  # (a follower thread keeps it fresh)
                self.refresh(session=session)  # before taking the lock: it takes it chunk by chunk
            with self._waiting_lock:
                self._waiting += 1
            try:
                self._lock.acquire()
            finally:
                with self._waiting_lock:
                    self._waiting -= 1
            with _Held(self._lock):
                slot = self._slots.get(lang)
                if slot is not None:
                    t0 = time.perf_counter()
                    yield slot
                    self._search_hold += (time.perf_counter() - t0 - self._search_hold) * HOLD_EMA
                    return
            if time.monotonic() >= deadline:
                raise IndexWarming(lang, self._errors.get(lang))

    def _build(self, lang: str) -> tuple[LangIndex, PartIndex]:
        _pin_mmap_threshold()
        ids: list[int] = []
        texts: list[str] = []
        side: list[bool] = []
        originals: list[tuple[int, bool, str, str]] = []
        q = (
            select(Segment.id, Segment.source_lang, Segment.source_norm, Segment.target_norm,
                   Segment.source_text, Segment.target_text)
            .where(or_(Segment.source_lang == lang, Segment.target_lang == lang))
            .order_by(Segment.id)
            .execution_options(yield_per=20_000)
        )
        with self.tm.engine.connect() as conn:
            for seg_id, src_lang, src_norm, tgt_norm, src_text, tgt_text in conn.execute(q):
                ids.append(seg_id)
                on_source = src_lang == lang
                texts.append(src_norm if on_source else tgt_norm)
                side.append(on_source)
                original = src_text if on_source else tgt_text
                if may_have_parts(original, lang):  # keep only the few texts that may hold sentences
                    originals.append((seg_id, on_source, original, texts[-1]))
        seg_ids, on_source = np.asarray(ids, dtype=np.int64), np.asarray(side, dtype=np.bool_)
        del ids, side
        # the parts first, from the few texts that passed the regex (original texts are not kept)
        parts = PartIndex.build(lang, originals)
        del originals
        return LangIndex.build(seg_ids, texts, on_source, consume=True), parts

    def warm(self, *langs: str) -> None:
        """Load the indexes now (servers call this at start so the first lookup is fast), then
        run one throwaway lookup per language: the first lookup otherwise pays for one-time
        set-up on its own (OpenCC converters, the fetch statement's compilation, the Chinese
        numeral parser's import and regexes — ~150 ms)."""
        langs = langs or tuple(self.langs or ())
        self.start(*langs)
        for lang in langs:
            while lang not in self._slots and lang not in self._errors:  # however long a cold build takes
                self._start_load(lang).wait()
            other = "en" if lang == "zh" else "zh"
            sample = _PRIME.get(lang, _PRIME["en"])
            try:
                self.lookup(sample, Lang(lang, lang), Lang(other, other), limit=1, min_score=100)
                adapt_target(sample, sample.replace("5", "6"), _PRIME[other], lang, other)
                target_part(_PRIME["zh"] * 2, "zh", _PRIME["en"], "en", 0, 1)  # the aligner's matchers, once
            except Exception:  # noqa: BLE001 - priming is best effort, never a reason not to serve
                pass

    # -- lookup -------------------------------------------------------------------------------

    def lookup(
        self,
        query: str,
        src: Lang,
        tgt: Lang,
        *,
        limit: int = 5,
        min_score: float = 70,
        context_prev: str | None = None,
        context_next: str | None = None,
        subsegments: bool = True,
        session: Session | None = None,
    ) -> dict[str, Any]:
        """The best ``limit`` matches scoring at least ``min_score``: whole units (``exact``,
        ``context``, ``fuzzy``) and, with ``subsegments``, sentences inside longer units
        (``subsegment``, see :mod:`tmserver.index.parts`), at most one match per unit.

        One match per pair of matching forms (source and target; the copies' ids in the kept
        match's ``duplicate_ids``, see :mod:`tmserver.dedup`), still ``limit`` of them when the
        index holds that many distinct pairs. The index is asked for ``limit`` different texts
        with their copies (a distinct search), so copies do not leave the page short; when a page
        is short all the same (a row deleted since the search, a score lowered below
        ``min_score`` by a penalty, a text with more than ``COPIES_MAX`` copies that may hide
        another translation), it is asked again for more (pages of every copy after a text's
        copies were capped). Copies are dropped before the diffs and adaptations are made:
        those are made for the returned matches only.

        ``session``: the change-log poll and the fetch of the matched rows run in the caller's
        transaction (one transaction per lookup); without it each opens its own."""
        _check_query(query)
        _check_limit(limit)
        qn = normalize(query)
        ask, res, hits, part_hits = limit, SearchResult(), [], []
        distinct = True  # until a text's copies were capped: then pages of every copy, as they come
        units_more, parts_more = True, subsegments  # what may hold more hits than the last page
        floor, floored = min_score, False  # the threshold the parts were last searched at; raised once
        segs: dict[int, Any] = {}
        while True:
            with self._using(src.base, session=session) as slot:
                idx = slot.index
                if units_more:
                    res = idx.search(qn.text, ask, min_score, distinct=distinct)
                    hits = [(int(idx.seg_ids.a[doc]), bool(idx.is_source.a[doc]), d, m) for doc, d, m in res.hits]
                if parts_more:
                    floor = min_score if floored else _parts_floor(res.firsts, limit, min_score)
                    floored = True
                    part_hits = slot.parts.search(qn.text, ask, floor)
            units_more, distinct = _after_page(res, ask, distinct)
            parts_more = parts_more and (len(part_hits) == ask or floor > min_score)
            wanted = dict.fromkeys([h[0] for h in hits] + [p.seg_id for p in part_hits])
            segs.update(self._fetch([i for i in wanted if i not in segs], session))  # (a larger page: only the new)
            ranked = _collapsed(self._rank(query, hits, segs, min_score, context_prev, context_next, part_hits))
            full = len(ranked) >= limit
            if _parts_known(ranked, limit, floor, min_score) and (full or not (units_more or parts_more)
                                                                   or ask >= MAX_LIMIT):
                break
            if full or ask >= MAX_LIMIT:
                units_more = False  # only the parts below the floor are left to look at
            else:
                ask = _next_page(ask, limit, len(ranked), res.strategy, res.capped)
        return self._answer(query, qn, ranked[:limit], src, tgt, res)

    def lookup_many(
        self,
        queries: list[tuple[str, str | None, str | None]],
        src: Lang,
        tgt: Lang,
        *,
        limit: int = 5,
        min_score: float = 70,
    ) -> list[dict[str, Any]]:
        """:meth:`lookup` for many ``(query, context_prev, context_next)`` at once — what a
        whole-document pre-translation or analysis needs: one freshness poll, the index searched
        for every query, then ONE batched fetch of all the hit segments, instead of a poll and
        a database round trip per query. Each answer has the shape of :meth:`lookup`'s, with
        whole-unit matches only: analysis bands and pre-translation count and fill whole units
        (a sub-segment's target part is an alignment's guess, for a translator to look at)."""
        _check_limit(limit)
        searched = []
        with self._using(src.base):
            pass  # loaded and polled once for the batch, not once per query
        for query, _prev, _next in queries:
            _check_query(query)
            qn = normalize(query)
            with self._using(src.base, poll=False) as slot:  # per query: single lookups are never held up long
                idx = slot.index
                res = idx.search(qn.text, limit, min_score)
                hits = [(int(idx.seg_ids.a[doc]), bool(idx.is_source.a[doc]), d, m) for doc, d, m in res.hits]
            searched.append((qn, hits, res))
        wanted = sorted({h[0] for _qn, hits, _res in searched for h in hits})
        segs: dict[int, Any] = {}
        for i in range(0, len(wanted), 900):  # under SQLite's bound-parameter limit
            segs.update(self._fetch(wanted[i : i + 900]))
        return [self._shape(q, qn, hits, segs, src, tgt, min_score, prev, nxt, res)
                for (q, prev, nxt), (qn, hits, res) in zip(queries, searched, strict=True)]

    def best_fuzzy_scores(self, queries: list[str], src: Lang, *, floor: int = 50) -> list[int]:
        """The best fuzzy score (``⌊100·(1 − d/max(len))⌋`` on matching forms, as
        :func:`tmserver.match.score` computes it; 0 when below ``floor``) of each query against
        every live document of the ``src`` index, exactly.

        For bulk analysis at low thresholds (the 50–74 % band): there the bigram proof cannot
        prune and each :meth:`lookup` degenerates into a scan of every document in the length
        window; here the index's character-signature bound (a true lower bound on the distance)
        rules out most documents with a few vectorised operations, and only the rest are scored."""
        if not queries:
            return []
        with self._using(src.base):
            pass
        out: list[int] = []
        for query in queries:
            q = normalize(query).text
            with self._using(src.base, poll=False) as slot:  # per query: the index may change between queries
                idx = slot.index
                docs = np.flatnonzero(idx.alive.view)
                if not q or not len(docs):
                    out.append(0)
                    continue
                # two lower bounds on the distance prune every document that cannot reach the
                # floor (⌊100·(m − d)/m⌋ ≥ floor ⟺ (m − d)·100 ≥ floor·m); only the survivors get
                # a real edit distance
                keep = idx.screen(q, docs, floor, 100)
                texts = idx.texts.take(keep)
                mk = np.maximum(len(q), idx.lens.a[keep].astype(np.int64))
            if not len(keep):
                out.append(0)
                continue
            dist = process.cdist([q], texts, scorer=Levenshtein.distance, dtype=np.int32)[0]
            best = int(((100 * (mk - dist)) // mk).max())
            out.append(min(99, best) if best >= floor else 0)
        return out

    def _shape(self, query: str, qn, hits, segs, src: Lang, tgt: Lang, min_score: float,
               context_prev: str | None, context_next: str | None, res) -> dict[str, Any]:
        """The lookup answer for the whole-unit hits of one query (no collapsing)."""
        ranked = self._rank(query, hits, segs, min_score, context_prev, context_next, [])
        return self._answer(query, qn, ranked, src, tgt, res)

    @staticmethod
    def _rank(query: str, hits, segs, min_score: float, context_prev: str | None,
              context_next: str | None, part_hits: list[PartHit]) -> list[_Ranked]:
        """Score the hits of one query (whole units and sub-segments; cheap: the index found the
        distances) and order them best first, one per unit (the better one; on a tie the whole
        unit), dropping those below ``min_score``; rows deleted since the search are skipped."""
        prev_h, next_h = context_hash(context_prev), context_hash(context_next)
        best: dict[int, _Ranked] = {}
        for seg_id, on_source, d, m in hits:
            seg = segs.get(seg_id)
            if seg is None:
                continue  # deleted between search and fetch
            sc = score(query, seg.source_text if on_source else seg.target_text, d, m)
            if on_source:  # context hashes describe the source side's neighbours
                # a side counts only when both the query and the segment know it
                sc = with_context(
                    sc,
                    None if prev_h is None or seg.context_prev is None else prev_h == seg.context_prev,
                    None if next_h is None or seg.context_next is None else next_h == seg.context_next,
                )
            if sc.value >= min_score:
                best[seg_id] = _Ranked(sc, seg, on_source, None)
        for p in part_hits:
            seg = segs.get(p.seg_id)
            if seg is None:
                continue
            text = seg.source_text if p.on_source else seg.target_text
            sc = score(query, text[p.start : p.end], p.distance, p.max_len)
            whole = best.get(p.seg_id)
            if sc.value >= min_score and (whole is None or sc.value > whole.score.value):
                best[p.seg_id] = _Ranked(sc, seg, p.on_source, p)
        return sorted(best.values(), key=lambda r: (-r.score.value, r.part is not None,
                                                    -r.score.similarity, r.seg.id))

    def _answer(self, query: str, qn, ranked: list[_Ranked], src: Lang, tgt: Lang, res) -> dict[str, Any]:
        """The lookup answer: each ranked hit with its diff and adaptation."""
        matches = []
        for r in ranked:
            m = (self._whole_match(r, query, qn, src, tgt) if r.part is None
                 else self._subsegment_match(r.part, r.seg, query, qn, src, tgt, r.score))
            if r.duplicates:
                m["duplicate_ids"] = r.duplicates
            matches.append(m)
        return {
            "query": query,
            "source_lang": src.tag,
            "target_lang": tgt.tag,
            "matches": matches,
            "proven": res.proven,
            "strategy": res.strategy,
        }

    @staticmethod
    def _match(seg, on_source: bool, sc: Score, match_type: str, ops: list[dict[str, Any]],
               ad: Adaptation) -> dict[str, Any]:
        """One match of the answer: the unit (turned to the matched side), its score, diff and
        adaptation."""
        return {
            "id": seg.id,
            "source": seg.source_text if on_source else seg.target_text,
            "target": seg.target_text if on_source else seg.source_text,
            "source_lang": seg.source_tag if on_source else seg.target_tag,
            "target_lang": seg.target_tag if on_source else seg.source_tag,
            "score": sc.value,
            "similarity": round(sc.similarity, 4),
            "match_type": match_type,
            "penalties": [{"kind": k, "points": pts} for k, pts in sc.penalties],
            "diff": ops,
            "adapted_target": ad.target,
            "adapted": ad.target is not None,
            "adaptation": ad.to_dict(),
            "matched_side": "source" if on_source else "target",
            "origin": seg.origin,
            "updated_at": seg.updated_at.isoformat() if seg.updated_at else None,
        }

    @classmethod
    def _whole_match(cls, r: _Ranked, query: str, qn, src: Lang, tgt: Lang) -> dict[str, Any]:
        seg, sc = r.seg, r.score
        text = seg.source_text if r.on_source else seg.target_text
        other = seg.target_text if r.on_source else seg.source_text
        ad = adapt(query, text, other, src.base, tgt.base) if sc.match_type == "fuzzy" else Adaptation("not_needed")
        return cls._match(seg, r.on_source, sc, sc.match_type, diff(qn, normalize(text)), ad)

    @classmethod
    def _subsegment_match(cls, p: PartHit, seg, query: str, qn, src: Lang, tgt: Lang, sc: Score) -> dict[str, Any]:
        """A match on sentences ``p.first``…``p.last − 1`` of a longer unit: scored on that part, with
        its offsets, the target part when the alignment can tell, and adaptation on that part;
        ``sc``: its score (:meth:`_rank`'s)."""
        text = seg.source_text if p.on_source else seg.target_text
        other = seg.target_text if p.on_source else seg.source_text
        part = text[p.start : p.end]
        tp = target_part(text, src.base, other, tgt.base, p.first, p.last)
        if tp is None:
            ad = Adaptation("not_applicable", reason="the unit's target cannot be cut to match the part")
        elif sc.match_type == "fuzzy":
            ad = adapt(query, part, tp.text, src.base, tgt.base)
        else:
            ad = Adaptation("not_needed")
        ops = diff(qn, normalize(part))
        for op in ops:  # offsets into the whole unit's text, like the part's own span
            op["match"] = [op["match"][0] + p.start, op["match"][1] + p.start]
        m = cls._match(seg, p.on_source, sc, "subsegment", ops, ad)
        m["subsegment"] = {
            "source_span": [p.start, p.end],
            "source_text": part,
            "sentences": [p.first, p.last],
            "target_span": [tp.start, tp.end] if tp else None,
            "target_text": tp.text if tp else None,
            "target_alignment": tp.alignment if tp else None,
            "target_similarity": tp.similarity if tp else None,
            "adapted_unit_target": _shifted(other, tp.start, ad) if tp and ad.target is not None else None,
        }
        return m

    def _fetch(self, ids: list[int], session: Session | None = None) -> dict[int, Any]:
        """The columns a match needs, as plain rows (no ORM objects: ~5× cheaper per lookup)."""
        if not ids:
            return {}
        if session is not None:
            return {row.id: row for row in session.connection().execute(_FETCH, {"ids": ids})}
        with self.tm.engine.connect() as conn:
            return {row.id: row for row in conn.execute(_FETCH, {"ids": ids})}


def _retire(*slots: _Slot) -> None:
    """Deregister the change-log consumers of slots that are no longer served (replaced by a
    merge, dropped by a reset): otherwise each would hold the log back until it timed out."""
    for slot in slots:
        slot.follower.close()


def _follow(ref: weakref.ref[Engine], pid: int) -> None:
    """The background follower (:meth:`Engine.follow`): runs while its engine lives, in the
    process that started it."""
    while True:
        time.sleep(FOLLOW_INTERVAL)
        engine = ref()
        if engine is None or engine._follow_pid != pid:
            return
        try:
            engine.refresh(force=True)
        except Exception:  # noqa: BLE001 - a failed poll is retried next time; never kill the thread
            log.warning("following the change log failed", exc_info=True)
        del engine


def _shifted(target: str, offset: int, ad: Adaptation) -> str:
    """The whole unit's target with a target part's adaptation applied at the part's ``offset``."""
    out = target
    for c in sorted(ad.changes, key=lambda c: c.target.start, reverse=True):
        out = out[: offset + c.target.start] + c.text + out[offset + c.target.end :]
    return out
