"""QA checks against this server's glossary, stored suppressions and (optionally) the TM.

``POST /api/v1/qa``, ``GET /api/v1/qa/tm``, ``tmserver check --use-db/--use-tm`` and the
workbench's QA page call :func:`check_segments` / :func:`check_tm`: what the checks read from the
database (the compiled glossary, the suppressions, the TM's consistency maps) is read in ONE
transaction, so a report never mixes two states of the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tmserver.glossary import Glossary
from tmserver.glossary.enforce import current_glossary
from tmserver.qa import suppress
from tmserver.qa.base import QASegment
from tmserver.qa.engine import Report, run_checks, tm_as_segments, tm_maps
from tmserver.qa.suppress import parse_file as parse_suppressions
from tmserver.tm import TM

__all__ = ["QAOptions", "add_suppression", "parse_suppressions", "check_segments", "check_tm", "list_suppressions", "remove_suppression"]


@dataclass(frozen=True)
class QAOptions:
    """Which checks, from which severity; ``with_tm``: also consistency against the TM;
    ``glossary``: use this one (a file) instead of the server's; ``suppressed``: signatures to
    suppress besides the stored ones (a suppression file)."""

    checks: str | Iterable[str] | None = None
    min_severity: str | None = None
    with_tm: bool = False
    with_glossary: bool = True
    glossary: Glossary | None = None
    suppressed: frozenset[str] = field(default_factory=frozenset)
    source_lang: str | None = None
    target_lang: str | None = None


def check_segments(tm: TM, segments: list[QASegment], options: QAOptions = QAOptions()) -> Report:
    """Run the checks on ``segments`` with the server's glossary and suppressions (one transaction)."""
    with tm.session() as s:
        glossary = options.glossary or (current_glossary(s) if options.with_glossary else None)
        suppressed = suppress.stored_in(s) | set(options.suppressed)
        maps = tm_maps(tm, session=s) if options.with_tm else (None, None)
    return run_checks(segments, checks=options.checks, glossary=glossary, tm_targets=maps[0], tm_sources=maps[1],
                      suppressed=suppressed, min_severity=options.min_severity)


def check_tm(tm: TM, options: QAOptions) -> Report:
    """The TM's own consistency report (one transaction for its segments, glossary and suppressions)."""
    with tm.session() as s:
        segments = tm_as_segments(tm, options.source_lang, options.target_lang, session=s)
        glossary = current_glossary(s) if options.with_glossary else None
        suppressed = suppress.stored_in(s)
    return run_checks(segments, checks=options.checks, glossary=glossary, suppressed=suppressed,
                      min_severity=options.min_severity)


def list_suppressions(tm: TM) -> list[dict[str, Any]]:
    return suppress.list_stored(tm)


def add_suppression(tm: TM, signature: Any, *, check: Any = None, note: Any = None,
                    user: str | None = None) -> dict[str, Any]:
    return suppress.add(tm, signature, check=check, note=note, user=user)


def remove_suppression(tm: TM, signature: str) -> None:
    suppress.remove(tm, signature)
