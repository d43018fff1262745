"""Run checks over segments and collect a :class:`Report`.

    report = run_checks(segments, glossary=Glossary.from_tbx("glossary/article.tbx"))
    report.to_dict()   # {"summary": {...}, "issues": [...]}

Whole-file checks (consistency, length calibration) see every segment in ``prepare`` first; then
every check looks at every segment. Issues get a stable signature; those in ``suppressed`` are
kept aside and counted separately, so an accepted false positive stays quiet on re-check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tmserver.errors import ValidationError
from tmserver.qa import checks as _checks  # noqa: F401 - registers the checks
from tmserver.qa.base import REGISTRY, SEVERITIES, SEVERITY_RANK, Check, Context, Issue, QASegment, signature
from tmserver.qa.checks.consistency import match_key


def select_checks(names: Iterable[str] | str | None) -> list[Check]:
    """Instances of the named checks (all when ``names`` is empty); unknown names are a 400."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    names = list(names or [])
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise ValidationError(f"unknown check(s): {', '.join(unknown)}; available: {', '.join(REGISTRY)}",
                              {"unknown": unknown, "available": list(REGISTRY)})
    return [REGISTRY[n]() for n in (names or REGISTRY)]


def check_severity(level: str | None) -> str:
    level = (level or "info").lower()
    if level not in SEVERITY_RANK:
        raise ValidationError(f"unknown severity {level!r}; use one of {', '.join(SEVERITIES)}",
                              {"min_severity": level})
    return level


@dataclass
class Report:
    segments: list[QASegment]
    issues: list[Issue]
    suppressed: list[Issue]
    checks: list[str]
    min_severity: str = "info"
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        by_check: dict[str, dict[str, int]] = {}
        for i in self.issues:
            by_check.setdefault(i.check, Counter())[i.severity] += 1
        sev = Counter(i.severity for i in self.issues)
        return {
            "segments": len(self.segments),
            "issues": len(self.issues),
            "suppressed": len(self.suppressed),
            "by_severity": {s: sev.get(s, 0) for s in reversed(SEVERITIES)},
            "by_check": {k: dict(v) for k, v in sorted(by_check.items())},
            "suppressed_by_check": dict(Counter(i.check for i in self.suppressed)),
            "checks": self.checks,
            "min_severity": self.min_severity,
            **self.meta,
        }

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary(), "issues": [i.to_dict() for i in self.issues]}

    def count_at_least(self, level: str) -> int:
        return sum(1 for i in self.issues if SEVERITY_RANK[i.severity] >= SEVERITY_RANK[level])


def run_checks(
    segments: list[QASegment],
    *,
    checks: Iterable[str] | str | None = None,
    glossary: Any = None,
    tm_targets: dict[str, set[str]] | None = None,
    tm_sources: dict[str, set[str]] | None = None,
    suppressed: set[str] | None = None,
    min_severity: str | None = "info",
) -> Report:
    instances = select_checks(checks)
    min_severity = check_severity(min_severity)
    level = SEVERITY_RANK[min_severity]
    ctx = Context(glossary=glossary, tm_targets=tm_targets, tm_sources=tm_sources)
    for c in instances:
        c.prepare(segments, ctx)
    suppressed = suppressed or set()
    kept: list[Issue] = []
    quiet: list[Issue] = []
    for seg in segments:
        for c in instances:
            for issue in c.check(seg, ctx):
                if SEVERITY_RANK[issue.severity] < level:
                    continue
                issue.signature = signature(issue.check, seg, issue)
                if issue.signature in suppressed:
                    issue.suppressed = True
                    quiet.append(issue)
                else:
                    kept.append(issue)
        seg.cache.clear()  # keep memory flat on 100k-segment files
    return Report(segments, kept, quiet, [c.id for c in instances], min_severity)


def tm_maps(tm, source_lang: str | None = None, target_lang: str | None = None, session: Any = None):
    """Normalised source → targets and target → sources over the whole TM (one streaming pass;
    ``session``: in the caller's transaction)."""
    targets: dict[str, set[str]] = {}
    sources: dict[str, set[str]] = {}
    for seg in tm.iter_segments(source_lang=source_lang, target_lang=target_lang, session=session):
        s, t = match_key(seg.source_norm), match_key(seg.target_norm)
        targets.setdefault(s, set()).add(t)
        sources.setdefault(t, set()).add(s)
    return targets, sources


def tm_as_segments(tm, source_lang: str | None = None, target_lang: str | None = None,
                   session: Any = None) -> list[QASegment]:
    return [
        QASegment(id=str(s.id), source=s.source_text, target=s.target_text, source_lang=s.source_tag,
                  target_lang=s.target_tag, where=f"segment {s.id}")
        for s in tm.iter_segments(source_lang=source_lang, target_lang=target_lang, session=session)
    ]
