"""The TM core: every face (JSON API, CLI, CAT-tool routes, HTML) calls this and nothing lower.

One :class:`TM` per process holds the database engine, the session factory and the fuzzy
lookup engine. Writes go through :meth:`TM.create_segment`, :meth:`TM.update_segment`,
:meth:`TM.delete_segment` and :meth:`TM.import_units`; each of them

1. validates and normalises the input (language codes, matching form, context hashes),
2. asks the glossary whether the pair breaks an enforced term (policy ``strict|warn|off``),
3. writes the segment, its previous version into ``segment_history`` and a row into the
   ``segment_changes`` log, in **one transaction**,
4. after commit, tells the in-process index so the next lookup sees the write at once (other
   processes replay ``segment_changes``).
"""

from __future__ import annotations

import logging
import re
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, delete, func, insert, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from tmserver import dedup
from tmserver.errors import (
    Conflict,
    GlossaryViolation,
    ImportFailed,
    NotFound,
    TMError,
    UnknownLanguageError,
    ValidationError,
)
from tmserver.formats import Unit, punct, with_context
from tmserver.formats.tabular import iter_tabular, write_tabular
from tmserver.formats.tmx import iter_tmx, tmx_date, write_tmx
from tmserver.index import Engine as IndexEngine
from tmserver.langs import Lang, UnknownLanguage, parse_lang
from tmserver.logs import audit
from tmserver.normalize import normalize, normalize_text
from tmserver.store.db import make_engine, make_sessionmaker, read_transaction, transaction, write_transaction
from tmserver.store.models import (
    Segment,
    SegmentChange,
    SegmentHistory,
    Setting,
    context_hash,
    text_hash,
    utcnow,
)

_INDEX_LOCK = threading.Lock()
#: :meth:`TM.size` reports PostgreSQL's estimate beyond this many units instead of counting them
EXACT_COUNT_MAX = 1_000_000
#: the planner's row estimate for segments (-1 before the table was first analysed)
_ESTIMATE = text("SELECT reltuples::bigint FROM pg_class WHERE oid = 'segments'::regclass")
log = logging.getLogger(__name__)

POLICIES = ("strict", "warn", "off")
ON_VIOLATION = ("refuse", "skip", "accept")
MAX_SEGMENT_CHARS = 20_000
MAX_REPORTED = 1000  #: violations listed in an import report
#: Characters XML 1.0 cannot carry (so TMX could not export them), PostgreSQL refuses (NUL) or
#: no encoder can write (lone surrogates, which JSON's \\ud800 escapes can smuggle in).
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORBIDDEN_CHARS = _FORBIDDEN_CHARS  #: the public name (the API refuses these in every text field)


#: ``check(session, source, target, source_base, target_base)`` → the glossary rules a pair
#: breaks, as dicts (see :meth:`TM.set_term_check`; the glossary installs one)
TermCheck = Callable[[Session, str, str, str, str], list[dict[str, Any]]]
#: ``annotate(session, result)`` adds facts to a lookup answer in place, inside the lookup's
#: transaction (see :meth:`TM.on_lookup`; the glossary adds ``terms`` and ``term_problems``)
LookupHook = Callable[[Session, dict[str, Any]], None]


def check_text(text: str, field: str) -> None:
    """Refuse control characters with a 400 naming the field and the position."""
    bad = _FORBIDDEN_CHARS.search(text)
    if bad:
        raise ValidationError(
            f"field {field!r} contains U+{ord(bad.group()):04X} at position {bad.start()}, a control or "
            "surrogate character that cannot be stored or exported",
            {"field": field, "position": bad.start()},
        )


def lang_or_400(code: str | None, what: str = "language") -> Lang:
    try:
        return parse_lang(code)
    except UnknownLanguage as exc:
        raise UnknownLanguageError(f"{what}: {exc}", {"field": what, "value": code}) from exc


@dataclass
class SegmentInput:
    """What a client sends to create or replace a segment (before validation)."""

    source: str
    target: str
    source_lang: str = "zh"
    target_lang: str = "en"
    origin: str | None = None
    context_prev: str | None = None  # neighbouring *source text*; hashed on write
    context_next: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, defaults: SegmentInput | None = None) -> SegmentInput:
        if not isinstance(data, dict):
            raise ValidationError("expected a JSON object")
        base = defaults or cls(source="", target="")
        allowed = {"source", "target", "source_lang", "target_lang", "origin", "context_prev", "context_next", "extra"}
        unknown = set(data) - allowed - {"force", "reason"}
        if unknown:
            raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}", {"fields": sorted(unknown)})
        values = {k: data.get(k, getattr(base, k)) for k in allowed}
        for key in ("source", "target", "source_lang", "target_lang"):
            if not isinstance(values[key], str):
                raise ValidationError(f"field {key!r} must be a string", {"field": key})
        for key in ("origin", "context_prev", "context_next"):
            if values[key] is not None and not isinstance(values[key], str):
                raise ValidationError(f"field {key!r} must be a string or null", {"field": key})
        if not isinstance(values["extra"], dict):
            raise ValidationError("field 'extra' must be an object", {"field": "extra"})
        return cls(**values)


@dataclass
class WriteResult:
    segment: dict[str, Any]
    warnings: list[dict[str, Any]] = field(default_factory=list)
    #: set when the pair was already stored: "skipped" or "updated" (see :mod:`tmserver.dedup`)
    duplicate: str | None = None


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    flagged: int = 0
    total: int = 0
    violating: int = 0  #: units that break the glossary; only the first MAX_REPORTED are listed
    violations: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0  #: units already stored (or repeated in the file): skipped or updated

    def to_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "skipped": self.skipped,
            "flagged": self.flagged,
            "total": self.total,
            "violating": self.violating,
            "violations": self.violations,
            "duplicates": self.duplicates,
        }


def segment_to_dict(seg: Segment) -> dict[str, Any]:
    return {
        "id": seg.id,
        "source_lang": seg.source_tag,
        "target_lang": seg.target_tag,
        "source": seg.source_text,
        "target": seg.target_text,
        "origin": seg.origin,
        "creator": seg.creator,
        "context_prev": seg.context_prev,
        "context_next": seg.context_next,
        "version": seg.version,
        "created_at": seg.created_at.isoformat() if seg.created_at else None,
        "updated_at": seg.updated_at.isoformat() if seg.updated_at else None,
        "extra": seg.extra or {},
    }


def history_to_dict(h: SegmentHistory) -> dict[str, Any]:
    return {
        "version": h.version,
        "action": h.action,
        "changed_by": h.changed_by,
        "changed_at": h.changed_at.isoformat() if h.changed_at else None,
        "reason": h.reason,
        "segment": h.data,
    }


class TM:
    """The service core. Create one per process with :meth:`from_url` or in ``create_app``."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session], config: dict[str, Any] | None = None):
        self.engine = engine
        self.sessions = sessions
        self.config = config or {}
        self._listeners: list[Callable[[str, Sequence[int]], None]] = []
        self._term_check: TermCheck | None = None
        self._lookup_hooks: list[LookupHook] = []
        self._index: IndexEngine | None = None

    # -- plumbing ---------------------------------------------------------------------------

    @classmethod
    def from_url(cls, url: str, config: dict[str, Any] | None = None) -> TM:
        """A bare core (no glossary hooks): :func:`tmserver.services.open_tm` wires them."""
        engine = make_engine(url)
        return cls(engine, make_sessionmaker(engine), config)

    def session(self):
        """A transaction context: ``with tm.session() as s: ...`` commits or rolls back.

        For reads, and writes that do not depend on what they read. On SQLite it is a deferred
        snapshot that never waits for (or blocks) a writer."""
        return transaction(self.sessions)

    def read_session(self):
        """A read transaction that sees one snapshot from its first statement to its end (SQLite:
        a deferred WAL transaction; PostgreSQL: REPEATABLE READ). A lookup runs in one: the index's
        change-log poll, the fetch of the matches and the glossary annotation all see the same
        database state."""
        return read_transaction(self.sessions)

    def write_session(self):
        """A transaction that holds the write lock from its start on SQLite (``BEGIN IMMEDIATE``):
        use it for every read-modify-write, so nothing read can change before the commit. Waits
        at most ``SQLITE_BUSY_TIMEOUT`` seconds for the lock, then raises
        :class:`~tmserver.errors.Busy` (503)."""
        return write_transaction(self.sessions)

    def close(self) -> None:
        """Deregister this TM's change-log consumers and close its pooled connections (an app torn
        down, a server worker exiting): a consumer left registered holds the log back until it
        times out. For a TM that is done (see :meth:`tmserver.index.Engine.close`)."""
        if self._index is not None:
            self._index.close()
        self.engine.dispose()

    def on_change(self, listener: Callable[[str, Sequence[int]], None]) -> None:
        """Register ``listener(op, segment_ids)``, called after each committed write."""
        self._listeners.append(listener)

    def set_term_check(self, check: TermCheck | None) -> None:
        """Install the glossary's pair check, run inside every write's transaction (policy
        ``strict|warn|off`` is applied here). Without one, writes check nothing."""
        self._term_check = check

    def on_lookup(self, hook: LookupHook) -> None:
        """Register ``hook(session, result)``, run on every annotated lookup in its transaction."""
        self._lookup_hooks.append(hook)

    def _notify(self, op: str, ids: Sequence[int]) -> None:
        for listener in self._listeners:
            try:
                listener(op, ids)
            except Exception:  # an index failure must not turn a committed write into an error
                log.exception("change listener failed")

    @property
    def index(self) -> IndexEngine:
        """The fuzzy lookup engine (made on first use; one per TM even when a server's warm-up
        thread and its first requests ask at once — two would each follow the log and load)."""
        if self._index is None:
            with _INDEX_LOCK:
                if self._index is None:
                    self._index = IndexEngine(self)
        return self._index

    # -- settings ---------------------------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None, *, session: Session | None = None) -> str | None:
        """A stored setting; ``session``: read in the caller's transaction."""
        if session is not None:
            row = session.get(Setting, key)
            return row.value if row else default
        with self.session() as s:
            return self.get_setting(key, default, session=s)

    def set_setting(self, key: str, value: str, *, session: Session | None = None) -> None:
        """Store a setting; ``session``: in the caller's (write) transaction."""
        if session is None:
            with self.write_session() as s:
                self.set_setting(key, value, session=s)
            return
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value

    def glossary_policy(self, origin: str | None = None, *, session: Session | None = None) -> str:
        """Policy for writes into ``origin`` (a per-collection override), else the TM's policy.
        ``session``: read in the caller's transaction (a write checks it inside its own)."""
        if origin:
            per = self.get_setting(f"glossary_policy:{origin}", session=session)
            if per:
                return per
        return self.get_setting("glossary_policy", session=session) or self.config.get("GLOSSARY_POLICY", "strict")

    def set_glossary_policy(self, policy: str, origin: str | None = None, *, session: Session | None = None) -> None:
        if policy not in POLICIES:
            raise ValidationError(f"unknown policy {policy!r}; choose one of {', '.join(POLICIES)}")
        self.set_setting(f"glossary_policy:{origin}" if origin else "glossary_policy", policy, session=session)
        audit("policy.set", policy=policy, origin=origin)

    # -- glossary enforcement -------------------------------------------------------------

    def _violations(self, session: Session, src: Lang, tgt: Lang, source: str, target: str) -> list[dict[str, Any]]:
        if self._term_check is None:
            return []
        return self._term_check(session, source, target, src.base, tgt.base)

    def _enforce(
        self,
        session: Session,
        src: Lang,
        tgt: Lang,
        inp: SegmentInput,
        *,
        force: bool,
        reason: str | None,
    ) -> list[dict[str, Any]]:
        """Return warnings to store with the segment, or raise GlossaryViolation (strict)."""
        policy = self.glossary_policy(inp.origin, session=session)
        if policy == "off":
            return []
        violations = self._violations(session, src, tgt, inp.source, inp.target)
        if not violations:
            return []
        if force:
            if not reason or not reason.strip():
                raise ValidationError("'force' needs a 'reason' (it is kept in the segment history)")
            return violations
        if policy == "strict":
            raise GlossaryViolation(
                f"the translation breaks {len(violations)} glossary rule(s)", {"violations": violations}
            )
        return violations

    # -- segments -------------------------------------------------------------------------

    def _validate(self, inp: SegmentInput) -> tuple[Lang, Lang]:
        src = lang_or_400(inp.source_lang, "source_lang")
        tgt = lang_or_400(inp.target_lang, "target_lang")
        if src.base == tgt.base:
            raise ValidationError("source and target language must differ", {"source_lang": src.tag, "target_lang": tgt.tag})
        for name in ("source", "target"):
            text = getattr(inp, name)
            if not text.strip():
                raise ValidationError(f"field {name!r} must not be empty", {"field": name})
            if len(text) > MAX_SEGMENT_CHARS:
                raise ValidationError(f"field {name!r} is longer than {MAX_SEGMENT_CHARS} characters", {"field": name})
            check_text(text, name)
        if inp.origin is not None and len(inp.origin) > 255:
            raise ValidationError("field 'origin' is longer than 255 characters", {"field": "origin"})
        for name in ("origin", "context_prev", "context_next"):
            if getattr(inp, name) is not None:
                check_text(getattr(inp, name), name)
        return src, tgt

    @staticmethod
    def _columns(inp: SegmentInput, src: Lang, tgt: Lang) -> dict[str, Any]:
        """The stored columns for an input: languages, texts, matching forms, hashes."""
        source_norm = normalize_text(inp.source)
        return {
            "source_lang": src.base,
            "target_lang": tgt.base,
            "source_tag": src.tag,
            "target_tag": tgt.tag,
            "source_text": inp.source,
            "target_text": inp.target,
            "source_norm": source_norm,
            "target_norm": normalize_text(inp.target),
            "source_hash": text_hash(source_norm),
            "context_prev": context_hash(inp.context_prev),
            "context_next": context_hash(inp.context_next),
            "origin": inp.origin,
        }

    @classmethod
    def _fill(cls, seg: Segment, inp: SegmentInput, src: Lang, tgt: Lang) -> None:
        for key, value in cls._columns(inp, src, tgt).items():
            setattr(seg, key, value)

    @staticmethod
    def _with_flags(extra: dict[str, Any], warnings: list[dict[str, Any]], force: bool, reason: str | None) -> dict[str, Any]:
        extra = {k: v for k, v in (extra or {}).items() if k not in ("glossary_warnings", "forced")}
        if warnings:
            extra["glossary_warnings"] = warnings
        if force and warnings:
            extra["forced"] = {"reason": reason}
        return extra

    def create_segment(
        self, inp: SegmentInput, *, user: str | None = None, force: bool = False, reason: str | None = None,
        on_duplicate: str = dedup.DEFAULT,
    ) -> WriteResult:
        src, tgt = self._validate(inp)
        on_duplicate = dedup.check_policy(on_duplicate)
        with self.write_session() as s:
            warnings = self._enforce(s, src, tgt, inp, force=force, reason=reason)
            if on_duplicate != "keep":
                extra = self._with_flags(inp.extra, warnings, force, reason)
                existing = dedup.single_write(s, self._columns(inp, src, tgt), on_duplicate, extra=extra, user=user)
                if existing is not None:  # no index update needed: a duplicate has the stored texts
                    return WriteResult(segment_to_dict(existing), warnings, duplicate=dedup.OUTCOME[on_duplicate])
            seg = Segment(creator=user, version=1)
            self._fill(seg, inp, src, tgt)
            seg.extra = self._with_flags(inp.extra, warnings, force, reason)
            s.add(seg)
            s.flush()
            if force and warnings:
                # the override is part of the record even for a new segment
                s.add(SegmentHistory(segment_id=seg.id, original_segment_id=seg.id, version=0, action="force",
                                     changed_by=user, reason=reason, data={"violations": warnings}))
            s.add(SegmentChange(segment_id=seg.id, op="upsert"))
            out = segment_to_dict(seg)
        self._notify("upsert", [out["id"]])
        return WriteResult(out, warnings)

    def get_segment(self, seg_id: int) -> dict[str, Any]:
        with self.session() as s:
            seg = s.get(Segment, seg_id)
            if seg is None:
                raise NotFound(f"segment {seg_id} does not exist", {"id": seg_id})
            return segment_to_dict(seg)

    def update_segment(
        self,
        seg_id: int,
        changes: dict[str, Any],
        *,
        user: str | None = None,
        force: bool = False,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Apply ``changes`` on top of the current version; the old version goes to the history.

        Concurrent updates of one segment are serialised (SQLite: the write lock is taken before
        the read; PostgreSQL: ``SELECT … FOR UPDATE``), so each applies to the version the previous
        one produced and every version is in the history. ``expected_version`` (the API's
        ``version`` field or ``If-Match``) makes it optimistic: if the segment has moved on, nothing
        is written and :class:`~tmserver.errors.Conflict` carries the current segment."""
        with self.write_session() as s:
            seg = s.get(Segment, seg_id, with_for_update=True)
            if seg is None:
                raise NotFound(f"segment {seg_id} does not exist", {"id": seg_id})
            self._check_version(seg, expected_version)
            current = SegmentInput(
                source=seg.source_text,
                target=seg.target_text,
                source_lang=seg.source_tag,
                target_lang=seg.target_tag,
                origin=seg.origin,
                extra={k: v for k, v in (seg.extra or {}).items() if k not in ("glossary_warnings", "forced")},
            )
            inp = SegmentInput.from_dict(changes, defaults=current)
            src, tgt = self._validate(inp)
            warnings = self._enforce(s, src, tgt, inp, force=force, reason=reason)
            s.add(SegmentHistory(segment_id=seg.id, original_segment_id=seg.id, version=seg.version,
                                 action="update", changed_by=user, reason=reason, data=seg.snapshot()))
            keep_ctx = (seg.context_prev, seg.context_next)
            self._fill(seg, inp, src, tgt)
            if "context_prev" not in changes:
                seg.context_prev = keep_ctx[0]
            if "context_next" not in changes:
                seg.context_next = keep_ctx[1]
            seg.extra = self._with_flags(inp.extra, warnings, force, reason)
            seg.version += 1
            s.add(SegmentChange(segment_id=seg.id, op="upsert"))
            s.flush()
            out = segment_to_dict(seg)
        self._notify("upsert", [seg_id])
        return WriteResult(out, warnings)

    @staticmethod
    def _check_version(seg: Segment, expected: int | None) -> None:
        if expected is not None and expected != seg.version:
            raise Conflict(
                f"segment {seg.id} is at version {seg.version}, not {expected}: it was changed since you read it",
                {"expected": expected, "current": segment_to_dict(seg)},
            )

    def delete_segment(
        self, seg_id: int, *, user: str | None = None, reason: str | None = None, expected_version: int | None = None
    ) -> None:
        with self.write_session() as s:
            # locked like an update: the history must hold the version that is really deleted
            seg = s.get(Segment, seg_id, with_for_update=True)
            if seg is None:
                raise NotFound(f"segment {seg_id} does not exist", {"id": seg_id})
            self._check_version(seg, expected_version)
            s.add(SegmentHistory(segment_id=None, original_segment_id=seg.id, version=seg.version,
                                 action="delete", changed_by=user, reason=reason, data=seg.snapshot()))
            s.execute(
                SegmentHistory.__table__.update()
                .where(SegmentHistory.segment_id == seg.id)
                .values(segment_id=None)
            )
            s.delete(seg)
            s.add(SegmentChange(segment_id=seg_id, op="delete"))
        audit("segment.delete", segment_id=seg_id, user=user)
        self._notify("delete", [seg_id])

    def history(self, seg_id: int) -> dict[str, Any]:
        with self.session() as s:
            rows = list(
                s.scalars(
                    select(SegmentHistory)
                    .where(SegmentHistory.original_segment_id == seg_id)
                    .order_by(SegmentHistory.id)
                )
            )
            seg = s.get(Segment, seg_id)
            if seg is None and not rows:
                raise NotFound(f"segment {seg_id} does not exist and has no history", {"id": seg_id})
            return {
                "id": seg_id,
                "current": segment_to_dict(seg) if seg else None,
                "deleted": seg is None,
                "history": [history_to_dict(h) for h in rows],
            }

    def list_segments(
        self,
        *,
        source_lang: str | None = None,
        target_lang: str | None = None,
        origin: str | None = None,
        contains: str | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> dict[str, Any]:
        if page < 1 or not 1 <= per_page <= 1000:
            raise ValidationError("page must be ≥ 1 and per_page between 1 and 1000")
        q = select(Segment)
        if source_lang:
            q = q.where(Segment.source_lang == lang_or_400(source_lang, "source_lang").base)
        if target_lang:
            q = q.where(Segment.target_lang == lang_or_400(target_lang, "target_lang").base)
        for name, value in (("origin", origin), ("q", contains)):
            if value:
                check_text(value, name)
        if origin:
            q = q.where(Segment.origin == origin)
        if contains:
            pat = "%" + contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            q = q.where(or_(Segment.source_text.like(pat, escape="\\"), Segment.target_text.like(pat, escape="\\")))
        with self.session() as s:
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            rows = s.scalars(q.order_by(Segment.id).offset((page - 1) * per_page).limit(per_page))
            items = [segment_to_dict(r) for r in rows]
        return {"items": items, "page": page, "per_page": per_page, "total": total}

    def count(self) -> int:
        with self.session() as s:
            return s.scalar(select(func.count(Segment.id))) or 0

    def size(self) -> tuple[int, bool]:
        """``(units, estimated)``: :meth:`count`, or on PostgreSQL the planner's estimate
        (``pg_class.reltuples``, kept by autovacuum's ANALYZE) once that passes
        :data:`EXACT_COUNT_MAX` — a count reads every row, and health checks come every few
        seconds. Below it, or without statistics yet, the exact count."""
        if self.engine.dialect.name == "postgresql":
            with self.session() as s:
                guess = s.scalar(_ESTIMATE)
            if guess is not None and guess >= EXACT_COUNT_MAX:
                return int(guess), True
        return self.count(), False

    def is_empty(self) -> bool:
        """No unit at all: one index probe, where :meth:`count` reads every row (1.7 s at 1e7 on
        PostgreSQL, paid by every ``serve`` start before it answered)."""
        with self.session() as s:
            return s.scalar(select(Segment.id).limit(1)) is None

    def languages(self) -> dict[str, list[str]]:
        """Languages present in the TM, as tags users sent (for the CAT-tool /languages/ route)."""
        with self.session() as s:
            srcs = set(s.scalars(select(Segment.source_tag).distinct()))
            tgts = set(s.scalars(select(Segment.target_tag).distinct()))
        return {"source": sorted(srcs), "target": sorted(tgts)}

    def header_srclang(self, session: Session | None = None, **filters: str | None) -> str:
        """The TMX header ``srclang`` for an export: the one source tag every unit shares, else ``*all*``.

        TMX readers (translate-toolkit, Okapi) take the header's srclang as the language of every
        unit's source ``<tuv>``; a header ``zh`` over ``zh-CN`` units leaves them with no source.
        """
        tags = {seg_tag for seg_tag, _ in self._source_tags(session, **filters)}
        return tags.pop() if len(tags) == 1 else ("*all*" if tags else "zh")

    def _source_tags(self, session: Session | None = None, *, source_lang: str | None = None,
                     target_lang: str | None = None, origin: str | None = None) -> list[tuple[str, str]]:
        q = _filtered(select(Segment.source_tag, Segment.source_lang).distinct(), source_lang, target_lang, origin)
        if session is not None:
            return [(t, b) for t, b in session.execute(q)]
        with self.session() as s:
            return [(t, b) for t, b in s.execute(q)]

    # -- lookup and concordance ---------------------------------------------------------------

    def lookup(self, query: str, source_lang: str, target_lang: str, *, annotate: bool = True,
               session: Session | None = None, **kwargs: Any) -> dict[str, Any]:
        """Fuzzy lookup through the index engine (see :mod:`tmserver.index`), annotated by the
        :meth:`on_lookup` hooks (the glossary's: the terms of the query, and per match its term
        problems and a one-to-one terminology fix in ``adapted_target``).

        ONE transaction (:meth:`read_session`, or ``session`` when the caller holds one): the
        index's change-log poll, the fetch of the matched rows and the annotation. The one lookup
        document of every face. ``annotate=False`` is for the CAT-tool protocols (amaGama,
        MyMemory), whose answers have no place for terms."""
        src = lang_or_400(source_lang, "source_lang")
        tgt = lang_or_400(target_lang, "target_lang")
        if src.base == tgt.base:
            raise ValidationError("source and target language must differ")
        if not query or not query.strip():
            raise ValidationError("the query 'q' must not be empty", {"field": "q"})
        check_text(query, "q")
        if session is None:
            with self.read_session() as s:
                return self._lookup_in(s, query, src, tgt, annotate, kwargs)
        return self._lookup_in(session, query, src, tgt, annotate, kwargs)

    def _lookup_in(self, s: Session, query: str, src: Lang, tgt: Lang, annotate: bool,
                   kwargs: dict[str, Any]) -> dict[str, Any]:
        result = self.index.lookup(query, src, tgt, session=s, **kwargs)
        if annotate:
            for hook in self._lookup_hooks:
                hook(s, result)
        return result

    def concordance(self, q: str, lang: str, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """Substring search on the ``lang`` side of every segment, with match offsets.

        Matching is on the matching form (so 網路 finds 网络, and case is ignored); offsets are
        reported in the original text.
        """
        lg = lang_or_400(lang, "lang")
        if not q or not q.strip():
            raise ValidationError("the query 'q' must not be empty", {"field": "q"})
        if not 1 <= limit <= 500 or offset < 0:
            raise ValidationError("limit must be between 1 and 500 and offset ≥ 0")
        check_text(q, "q")
        needle = normalize_text(q)
        pat = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        results: list[dict[str, Any]] = []
        with self.session() as s:
            side_src = (Segment.source_lang == lg.base) & Segment.source_norm.like(pat, escape="\\")
            side_tgt = (Segment.target_lang == lg.base) & Segment.target_norm.like(pat, escape="\\")
            where = or_(side_src, side_tgt)
            # one scan: the page and, beside each row, the count of all matches (a LIKE '%…%'
            # reads every row, so a separate count(*) doubled the time); a second query only when
            # the page is past the end and so has no row to carry the count
            rows = s.execute(select(Segment, func.count().over()).where(where)
                             .order_by(Segment.id).offset(offset).limit(limit)).all()
            total = rows[0][1] if rows else (
                s.scalar(select(func.count()).select_from(Segment).where(where)) or 0 if offset else 0)
            for seg, _total in rows:
                on_source = seg.source_lang == lg.base
                text = seg.source_text if on_source else seg.target_text
                other = seg.target_text if on_source else seg.source_text
                norm = normalize(text)
                spans = []
                start = norm.text.find(needle)
                while start != -1:
                    spans.append(list(norm.to_original(start, start + len(needle))))
                    start = norm.text.find(needle, start + max(1, len(needle)))
                results.append(
                    {
                        "id": seg.id,
                        "lang": seg.source_tag if on_source else seg.target_tag,
                        "text": text,
                        "translation": other,
                        "side": "source" if on_source else "target",
                        "spans": spans,
                    }
                )
        return {"query": q, "lang": lg.tag, "total": total, "results": results}

    # -- bulk import / export ---------------------------------------------------------------

    def import_units(
        self,
        units: Iterable[Any],
        *,
        origin: str | None = None,
        user: str | None = None,
        on_violation: str = "refuse",
        progress: Callable[[int], None] | None = None,
        batch_size: int = 2000,
        on_duplicate: str = dedup.DEFAULT,
    ) -> ImportReport:
        """Import format units (:class:`tmserver.formats.Unit`) in ONE transaction.

        Any parse or validation error rolls back everything and raises :class:`ImportFailed`
        naming the unit (``<tu>`` number / CSV line). Glossary enforcement: with the ``strict``
        policy and ``on_violation='refuse'`` one violating unit refuses the whole file with a
        per-segment report; ``skip`` imports the clean units; ``accept`` imports all, flagged.
        """
        if on_violation not in ON_VIOLATION:
            raise ValidationError(f"on_violation must be one of {', '.join(ON_VIOLATION)}")
        on_duplicate = dedup.check_policy(on_duplicate)
        report = ImportReport()
        new_ids = array("q")  # 8 bytes an id: a multi-million-unit import keeps memory flat
        with self.write_session() as s:
            policy_cache: dict[str | None, str] = {}
            pending: list[dict[str, Any]] = []
            refuse = False
            now = utcnow()
            for unit in with_context(units):
                report.total += 1
                where = unit.where or f"unit {report.total}"
                inp, src, tgt = self._unit_input(unit, origin, where)
                if inp.origin not in policy_cache:
                    policy_cache[inp.origin] = self.glossary_policy(inp.origin, session=s)
                policy = policy_cache[inp.origin]
                warnings = self._violations(s, src, tgt, inp.source, inp.target) if policy != "off" else []
                verdict = _import_verdict(report, where, inp, warnings, policy, on_violation)
                refuse = refuse or verdict == "refuse"
                if verdict != "import" or refuse:
                    continue  # (after a refusal: keep scanning only to report every violation)
                row = self._columns(inp, src, tgt)
                row.update(creator=getattr(unit, "creator", None) or user, version=1, created_at=now, updated_at=now,
                           extra=self._with_flags(inp.extra, warnings, False, None))
                pending.append(row)
                report.imported += 1
                if len(pending) >= batch_size:
                    new_ids.extend(self._flush_batch(s, self._dedup_batch(s, pending, on_duplicate, report, user)))
                    pending = []
                    if progress:
                        progress(report.total)
            if refuse:
                raise GlossaryViolation(
                    f"{report.violating} unit(s) break the glossary; nothing was imported "
                    "(use on_violation=skip to import the clean units, or accept to import all flagged)",
                    {"violations": report.violations, "violating": report.violating, "total": report.total},
                )
            if pending:
                new_ids.extend(self._flush_batch(s, self._dedup_batch(s, pending, on_duplicate, report, user)))
            if progress:
                progress(report.total)
        if new_ids:
            self._notify("upsert", new_ids)
        return report

    def _unit_input(self, unit: Any, origin: str | None, where: str) -> tuple[SegmentInput, Lang, Lang]:
        """One format unit as a validated segment input (its languages parsed); a bad unit fails
        the whole import naming where it is."""
        inp = SegmentInput(
            source=unit.source,
            target=unit.target,
            source_lang=unit.source_lang,
            target_lang=unit.target_lang,
            origin=unit.origin or origin,
            context_prev=unit.context_prev,
            context_next=unit.context_next,
            extra=unit.extra or {},
        )
        try:
            src, tgt = self._validate(inp)
        except TMError as exc:
            raise ImportFailed(f"{where}: {exc.message}", {"where": where, **(exc.details or {})}) from exc
        return inp, src, tgt

    @staticmethod
    def _dedup_batch(s: Session, rows: list[dict[str, Any]], policy: str, report: ImportReport,
                     user: str | None) -> list[dict[str, Any]]:
        """The rows of an import batch that are not duplicates (see :mod:`tmserver.dedup`)."""
        outcome = dedup.filter_batch(s, rows, policy, user=user)
        report.duplicates += outcome.duplicates
        report.imported -= outcome.duplicates
        return outcome.insert

    @staticmethod
    def _flush_batch(s: Session, rows: list[dict[str, Any]]) -> list[int]:
        """Insert a batch with Core (executemany + RETURNING): no ORM bookkeeping per row."""
        if not rows:
            return []
        ids = list(s.scalars(insert(Segment).returning(Segment.id, sort_by_parameter_order=True), rows))
        s.execute(insert(SegmentChange), [{"segment_id": i, "op": "upsert", "changed_at": utcnow()} for i in ids])
        return ids

    def iter_segments(
        self, *, source_lang: str | None = None, target_lang: str | None = None, origin: str | None = None,
        chunk: int = 5000, session: Session | None = None,
    ) -> Iterator[Segment]:
        """Stream segments in id order without holding them all in memory (a short transaction per
        chunk, or every chunk in the caller's ``session``)."""
        last = 0
        while True:
            q = _filtered(select(Segment).where(Segment.id > last), source_lang, target_lang, origin)
            q = q.order_by(Segment.id).limit(chunk)
            if session is not None:
                rows = list(session.scalars(q))
            else:
                with self.session() as s:
                    rows = list(s.scalars(q))
                    for r in rows:
                        s.expunge(r)
            if not rows:
                return
            yield from rows
            if session is not None:
                for r in rows:
                    session.expunge(r)  # keep memory flat: the chunk is not held by the session
            last = rows[-1].id

    def dedupe(self, *, merge: bool = False, across_origins: bool = False, user: str | None = None) -> dict[str, Any]:
        """Report (and with ``merge`` merge, in one transaction) duplicates already stored."""
        deleted: list[int] = []
        with self.write_session() if merge else self.session() as s:
            groups = dedup.find_groups(s, across_origins=across_origins)
            report = [dedup.group_to_dict(g) for g in groups]
            if merge:
                for g in groups:
                    deleted.extend(dedup.merge_group(s, g, user=user)[1])
        if deleted:
            self._notify("delete", deleted)
        return {"groups": len(report), "duplicates": sum(len(g["duplicates"]) for g in report),
                "merged": merge, "details": report}

    def clear(self) -> None:
        """Delete every segment and its history (tests and `import --replace`).

        The change log is not emptied but told: a ``reset`` row makes every process rebuild its
        index (emptying the log would let SQLite reuse its seqs, which followers could mistake
        for ones they had already handled)."""
        with self.write_session() as s:
            s.execute(delete(SegmentHistory))
            s.execute(delete(Segment))
            s.add(SegmentChange(segment_id=0, op="reset"))
        self._notify("reset", [])


# -- files ------------------------------------------------------------------------------------

IMPORT_FORMATS = ("tmx", "csv", "tsv")
EXPORT_FORMATS = ("tmx", "csv", "tsv")


def segment_to_unit(seg: Segment) -> Any:
    """The format-neutral unit for a stored segment (keeps TMX details for a lossless export)."""
    extra = dict(seg.extra or {})
    tu = dict(extra.get("tu") or {})
    attrs = dict(tu.get("attrs") or {})
    attrs.setdefault("tuid", str(seg.id))
    attrs.setdefault("creationdate", tmx_date(seg.created_at))
    if seg.creator:
        attrs.setdefault("creationid", seg.creator)
    if seg.version > 1:
        attrs["changedate"] = tmx_date(seg.updated_at)
    tu["attrs"] = attrs
    extra["tu"] = tu
    for private in ("glossary_warnings", "forced"):
        extra.pop(private, None)
    return Unit(
        source=seg.source_text,
        target=seg.target_text,
        source_lang=seg.source_tag,
        target_lang=seg.target_tag,
        origin=seg.origin,
        extra=extra,
    )


def _filtered(q: Any, source_lang: str | None, target_lang: str | None, origin: str | None) -> Any:
    """``q`` restricted to one language pair and/or origin (the export and iteration filters)."""
    if source_lang:
        q = q.where(Segment.source_lang == lang_or_400(source_lang, "source_lang").base)
    if target_lang:
        q = q.where(Segment.target_lang == lang_or_400(target_lang, "target_lang").base)
    if origin:
        q = q.where(Segment.origin == origin)
    return q


def import_file(
    tm: TM,
    fh: Any,
    fmt: str,
    *,
    origin: str | None = None,
    user: str | None = None,
    on_violation: str = "refuse",
    source_lang: str | None = None,
    target_lang: str | None = None,
    progress: Callable[[int], None] | None = None,
    on_duplicate: str = dedup.DEFAULT,
    punctuation: str | None = None,
) -> ImportReport:
    """Import a TMX/CSV/TSV binary stream into ``tm`` — all or nothing."""
    if fmt not in IMPORT_FORMATS:
        raise ValidationError(f"unknown import format {fmt!r}; use one of {', '.join(IMPORT_FORMATS)}")
    if source_lang:
        lang_or_400(source_lang, "source_lang")
    if target_lang:
        lang_or_400(target_lang, "target_lang")
    units: Iterable[Unit]
    if fmt == "tmx":
        units = iter_tmx(fh, origin=origin)
    else:
        units = iter_tabular(fh, fmt, source_lang=source_lang, target_lang=target_lang, origin=origin)
    units = punct.import_units_hook(units, punctuation)
    report = tm.import_units(units, origin=origin, user=user, on_violation=on_violation, progress=progress,
                             on_duplicate=on_duplicate)
    audit("import", format=fmt, origin=origin, user=user, imported=report.imported)
    return report


def export_file(
    tm: TM,
    fh: Any,
    fmt: str,
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    origin: str | None = None,
    punctuation: str | None = None,
    session: Session | None = None,
) -> int:
    """Stream the TM (or a filtered part) to a binary file as TMX/CSV/TSV; return the count.

    CSV/TSV hold one direction (default zh → en); TMX holds every segment, marking a unit
    whose source language differs from the header's with its own ``srclang``. ``session``: read
    everything in the caller's transaction (one snapshot: :func:`tmserver.services.transfer.export_file`).
    """
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    mode = punct.check_mode(punctuation)
    if fmt == "tmx":
        units = (segment_to_unit(s) for s in tm.iter_segments(source_lang=source_lang, target_lang=target_lang,
                                                                origin=origin, session=session))
        if mode == "fullwidth":
            units = (punct.apply_to_unit(u) for u in units)
        header_src = tm.header_srclang(session, source_lang=source_lang, target_lang=target_lang, origin=origin)
        return write_tmx(units, fh, srclang=header_src)
    src = lang_or_400(source_lang or "zh", "source_lang")
    tgt = lang_or_400(target_lang or ("en" if src.base == "zh" else "zh"), "target_lang")
    units = (segment_to_unit(s) for s in tm.iter_segments(source_lang=src.base, target_lang=tgt.base, origin=origin,
                                                            session=session))
    if mode == "fullwidth":
        units = (punct.apply_to_unit(u) for u in units)
    return write_tabular(units, fh, fmt, source_lang=source_lang or src.tag, target_lang=target_lang or tgt.tag)


def _import_verdict(report: ImportReport, where: str, inp: SegmentInput, warnings: list[dict[str, Any]],
                    policy: str, on_violation: str) -> str:
    """What an import does with one unit and its glossary ``warnings``: ``import`` (flagged when
    it has warnings), ``skip`` or ``refuse`` (the strict policy's two answers); counts it."""
    if not warnings:
        return "import"
    report.violating += 1
    if len(report.violations) < MAX_REPORTED:  # a report, not a copy of the file
        report.violations.append({"where": where, "source": inp.source, "violations": warnings})
    if policy == "strict" and on_violation == "refuse":
        return "refuse"
    if policy == "strict" and on_violation == "skip":
        report.skipped += 1
        return "skip"
    report.flagged += 1
    return "import"
