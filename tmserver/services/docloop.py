"""The translator's document loop, for ``/api/v1/documents…``, ``tmserver analyze|pretranslate|
evaluate`` and the workbench's Files page: analysis, pre-translation, evaluation.

These read the TM through the index engine's batched lookups (:mod:`tmserver.docloop.matching`);
they are the domain's functions, exposed here so that the faces have one way in. They read but
never write; bringing a translated document back (a write) is
:func:`tmserver.services.transfer.bring_back`.
"""

from __future__ import annotations

from tmserver.docloop import (
    AnalysisReport,
    EvalReport,
    PretranslateResult,
    analyze,
    evaluate_heldout,
    evaluate_tm,
    pretranslate,
    score_files,
)

__all__ = ["AnalysisReport", "EvalReport", "PretranslateResult", "analyze", "evaluate_heldout", "evaluate_tm",
           "pretranslate", "score_files"]
