"""QA for Chinese→English translations: checks, engine, inputs, reports, suppressions.

    from tmserver.qa import read_segments, run_checks
    segs = read_segments(open("job.xlf", "rb"), "xliff")
    report = run_checks(segs, glossary=glossary, min_severity="warning")

Checks live in :mod:`tmserver.qa.checks`, one small class each over :class:`tmserver.qa.base.Check`.
"""

from tmserver.qa.base import REGISTRY, SEVERITIES, Check, Issue, QASegment
from tmserver.qa.engine import Report, run_checks, select_checks
from tmserver.qa.inputs import read_segments

__all__ = ["REGISTRY", "SEVERITIES", "Check", "Issue", "QASegment", "Report", "run_checks", "select_checks",
           "read_segments"]
