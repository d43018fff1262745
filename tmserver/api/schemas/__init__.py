"""Pydantic models of every JSON request body and JSON answer of the API.

The same class validates a request (:func:`tmserver.api.common.json_body`), documents it
(``@doc(body=..., responses={200: ...})`` → :mod:`tmserver.api.openapi`) and, in tests, checks
each answer: the OpenAPI document is generated from these, so it cannot drift from the code.
"""

from __future__ import annotations

from tmserver.api.schemas.areas import (
    AlignAnswer,
    AlignImportReport,
    AlignImportRequest,
    AlignRequest,
    CompatLanguages,
    CompatLookupRequest,
    CompatResult,
    CompatResults,
    CompatWrite,
    ConceptIn,
    ConceptOut,
    ConceptPage,
    GlossaryCheck,
    GlossaryCheckRequest,
    GlossaryImportReport,
    GlossarySummary,
    ImportReport,
    MyMemoryAnswer,
    PretranslateJSON,
    QAReport,
    QARequest,
    Report,
    Suppression,
    SuppressionCreate,
    SuppressionList,
    TermsAnswer,
    TermsRequest,
)
from tmserver.api.schemas.base import Body, Error, OpenOut, Out
from tmserver.api.schemas.lookup import (
    MAX_BATCH,
    MAX_LIMIT,
    Lookup,
    LookupBatch,
    LookupBatchRequest,
    LookupMatch,
)
from tmserver.api.schemas.segments import (
    Concordance,
    Conflict,
    Health,
    History,
    KeyCreate,
    KeyCreated,
    KeyList,
    KeyRevoked,
    Policy,
    PolicyUpdate,
    Readiness,
    Segment,
    SegmentCreate,
    SegmentPage,
    SegmentUpdate,
    WriteResult,
)

__all__ = [
    "MAX_BATCH", "MAX_LIMIT",
    "AlignAnswer", "AlignImportReport", "AlignImportRequest", "AlignRequest", "Body", "CompatLanguages",
    "CompatLookupRequest", "CompatResult", "CompatResults", "CompatWrite", "ConceptIn", "ConceptOut", "ConceptPage", "Concordance",
    "Conflict", "Error", "GlossaryCheck", "GlossaryCheckRequest", "GlossaryImportReport", "GlossarySummary",
    "Health", "History", "ImportReport", "Readiness", "KeyCreate", "KeyCreated", "KeyList", "KeyRevoked", "Lookup",
    "LookupBatch", "LookupBatchRequest", "LookupMatch", "MyMemoryAnswer", "OpenOut", "Out", "Policy",
    "PolicyUpdate", "PretranslateJSON", "QAReport", "QARequest", "Report", "Segment", "SegmentCreate",
    "SegmentPage", "SegmentUpdate", "Suppression", "SuppressionCreate", "SuppressionList", "TermsAnswer",
    "TermsRequest", "WriteResult",
]
