"""The QA check contract: segments in, issues out, one small class per check.

Every check subclasses :class:`Check` and registers itself with :func:`register` (like the
metrics of sacrebleu, each check is a small class with an ``id``, a default ``severity``, a
``description`` and a :meth:`Check.check` method). The engine (:mod:`tmserver.qa.engine`) gives
each check every segment with a shared :class:`Context`; checks that need the whole file first
(consistency, length calibration) do their counting in :meth:`Check.prepare`.

Spans are half-open ``[start, end)`` offsets into the *original* source and target strings, so
a report can highlight exactly what the reviewer must look at.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

from tmserver.langs import Lang, try_parse_lang
from tmserver.normalize import normalize_text

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@lru_cache(maxsize=256)
def lang_of(tag: str) -> Lang | None:
    """A segment's language tag parsed by :mod:`tmserver.langs` (None when it is not zh or en)."""
    return try_parse_lang(tag)


@dataclass
class QASegment:
    """One bilingual segment to check. ``id`` is what the report calls it (tu number, trans-unit id…)."""

    id: str
    source: str
    target: str
    source_lang: str = "zh"
    target_lang: str = "en"
    where: str = ""
    #: spans of the target set in italics by inline markup (XLIFF); the book_title check counts them
    target_italic: tuple[tuple[int, int], ...] = ()
    #: per-segment scratch space shared by checks (e.g. the placeables, computed once)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def source_base(self) -> str:
        """``zh`` or ``en`` (``""`` for a language this TM does not hold)."""
        lang = lang_of(self.source_lang)
        return lang.base if lang else ""

    @property
    def target_base(self) -> str:
        lang = lang_of(self.target_lang)
        return lang.base if lang else ""

    @property
    def src_norm(self) -> str:
        if "src_norm" not in self.cache:
            self.cache["src_norm"] = normalize_text(self.source)
        return self.cache["src_norm"]

    @property
    def tgt_norm(self) -> str:
        if "tgt_norm" not in self.cache:
            self.cache["tgt_norm"] = normalize_text(self.target)
        return self.cache["tgt_norm"]


@dataclass
class Issue:
    check: str
    severity: str
    segment_id: str
    message: str
    source_span: tuple[int, int] | None = None
    target_span: tuple[int, int] | None = None
    signature: str = ""
    suppressed: bool = False
    details: dict[str, Any] | None = None
    #: the segment it was found in (reports show its text; ids need not be unique across files)
    segment: QASegment | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "check": self.check,
            "severity": self.severity,
            "segment_id": self.segment_id,
            "message": self.message,
            "source_span": list(self.source_span) if self.source_span else None,
            "target_span": list(self.target_span) if self.target_span else None,
            "signature": self.signature,
        }
        if self.details:
            out["details"] = self.details
        return out


def signature(check: str, seg: QASegment, issue: Issue) -> str:
    """Stable id of an issue: check, normalised source and target, and the offending text.

    It survives re-checks, reordering of the file and whitespace/case edits elsewhere, so an
    accepted false positive stays suppressed; it changes when the flagged text changes.
    """
    if issue.target_span:
        span_text = seg.target[issue.target_span[0] : issue.target_span[1]]
    elif issue.source_span:
        span_text = seg.source[issue.source_span[0] : issue.source_span[1]]
    else:
        span_text = ""
    raw = "\x1f".join((check, seg.src_norm, seg.tgt_norm, normalize_text(span_text)))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]


@dataclass
class Context:
    """What checks may consult besides the segment: the glossary, the TM, the whole file."""

    glossary: Any = None  #: a :class:`tmserver.glossary.glossary.Glossary` or None
    tm_targets: dict[str, set[str]] | None = None  #: normalised source → normalised targets in the TM
    tm_sources: dict[str, set[str]] | None = None  #: normalised target → normalised sources in the TM
    state: dict[str, Any] = field(default_factory=dict)  #: per-check data from prepare()


class Check:
    """Base class. Subclasses set ``id``, ``severity``, ``description`` and implement :meth:`check`."""

    id: ClassVar[str] = ""
    severity: ClassVar[str] = "warning"
    description: ClassVar[str] = ""

    def prepare(self, segments: list[QASegment], ctx: Context) -> None:
        """Called once with every segment before :meth:`check` (whole-file checks count here)."""

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        raise NotImplementedError

    def issue(self, seg: QASegment, message: str, source_span=None, target_span=None,
              severity: str | None = None, details: dict[str, Any] | None = None) -> Issue:
        return Issue(
            check=self.id,
            severity=severity or self.severity,
            segment_id=seg.id,
            segment=seg,
            message=message,
            source_span=tuple(source_span) if source_span else None,
            target_span=tuple(target_span) if target_span else None,
            details=details,
        )


REGISTRY: dict[str, type[Check]] = {}


def register(cls: type[Check]) -> type[Check]:
    """Class decorator: make a check available by its ``id``."""
    if not cls.id or cls.id in REGISTRY:
        raise ValueError(f"check id {cls.id!r} is empty or taken")
    if cls.severity not in SEVERITIES:
        raise ValueError(f"check {cls.id!r}: unknown severity {cls.severity!r}")
    REGISTRY[cls.id] = cls
    return cls
