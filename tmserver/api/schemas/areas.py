"""Glossary, QA, alignment, documents, files and the CAT-tool protocols: bodies and answers.

Reports whose inner structure belongs to their own module (QA summaries, analysis bands, eval
scores) are :class:`OpenOut`: their stable fields are typed here, the rest is allowed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, RootModel

from tmserver.api.schemas.base import Body, OpenOut, Out, Span
from tmserver.api.schemas.lookup import TermInText
from tmserver.api.schemas.segments import TermViolation

TermStatus = Literal["preferred", "admitted", "deprecated", "superseded"]
OnViolation = Literal["refuse", "skip", "accept"]
OnDuplicate = Literal["skip", "update", "keep"]

# -- glossary ---------------------------------------------------------------------------------


class TermIn(Body):
    text: str = Field(examples=["数字鸿沟"])
    lang: str = Field(description="zh, en or a variant tag (zh-Hans, en-GB)", examples=["zh"])
    status: TermStatus | None = Field(None, description="default preferred")
    case_sensitive: bool | None = Field(None, description="default: true for abbreviations and proper nouns")
    pos: str | None = Field(None, description="noun, verb, adjective, adverb, properNoun or other")
    term_type: str | None = None
    note: str | None = None
    source: str | None = None
    meta: dict[str, Any] | None = None


class ConceptIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "c001", "subject": "internet governance",
        "terms": [{"text": "数字鸿沟", "lang": "zh"}, {"text": "digital divide", "lang": "en"},
                  {"text": "digital gap", "lang": "en", "status": "deprecated"}]}]})
    id: str | None = Field(None, description="stable id (TBX conceptEntry/@id): 1–64 letters, digits, '-', '_', "
                                             "'.'; generated when absent")
    subject: str | None = None
    definition: str | None = None
    definition_lang: str | None = None
    note: str | None = None
    source: str | None = None
    meta: dict[str, Any] | None = None
    terms: list[TermIn] = Field(min_length=1)


class TermOut(OpenOut):
    text: str
    lang: str
    status: TermStatus
    case_sensitive: bool


class ConceptOut(OpenOut):
    id: str
    terms: list[TermOut]


class ConceptPage(Out):
    items: list[ConceptOut]
    total: int
    page: int
    per_page: int


class GlossarySummary(Out):
    concepts: int
    version: str | int | None = Field(description="changes whenever the glossary does (a cache key)")
    policy: Literal["strict", "warn", "off"]
    formats: list[str]


class GlossaryCheckRequest(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"source": "数字鸿沟正在扩大", "target":
                                                               "The digital gap is widening", "source_lang": "zh",
                                                               "target_lang": "en"}]})
    source: str
    target: str
    source_lang: str | None = Field(None, description="default zh")
    target_lang: str | None = Field(None, description="default en")


class GlossaryCheck(Out):
    ok: bool
    violations: list[TermViolation]


class TermsRequest(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"text": "弥合数字鸿沟", "source_lang": "zh",
                                                               "target_lang": "en"}]})
    text: str | None = Field(None, description="one segment (or use texts)")
    texts: list[str] | None = Field(None, max_length=1000, description="a batch of segments")
    source_lang: str | None = None
    target_lang: str | None = None


class TextTerms(Out):
    text: str
    terms: list[TermInText]


class TermsAnswer(Out):
    """One text: ``text`` and ``terms``; a batch (``texts``): ``results``."""

    source_lang: str
    target_lang: str
    text: str | None = None
    terms: list[TermInText] | None = None
    results: list[TextTerms] | None = None


class GlossaryImportReport(OpenOut):
    pass


# -- QA ---------------------------------------------------------------------------------------


class QASegmentIn(Body):
    id: str | int | None = None
    source: str
    target: str
    source_lang: str | None = None
    target_lang: str | None = None


class QARequest(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "source_lang": "zh", "target_lang": "en",
        "segments": [{"id": "1", "source": "增长了15%", "target": "grew by 51%"}]}]})
    segments: list[QASegmentIn]
    source_lang: str | None = None
    target_lang: str | None = None


class QAIssue(OpenOut):
    check: str
    severity: Literal["error", "warning", "info"]
    segment_id: str
    message: str
    source_span: Span | None = None
    target_span: Span | None = None
    signature: str


class QAReport(OpenOut):
    summary: dict[str, Any]
    issues: list[QAIssue]


class SuppressionCreate(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"signature": "3f2a9c0d1e4b5a6c", "check": "numbers",
                                                               "note": "the 51% is right"}]})
    signature: str = Field(description="the issue's signature from a QA report (hex)")
    check: str | None = None
    note: str | None = None


class Suppression(OpenOut):
    signature: str
    check: str | None
    note: str | None


class SuppressionList(Out):
    items: list[Suppression]
    total: int


# -- alignment --------------------------------------------------------------------------------

_ZH = "星火PS-1000便携式储能电源用户手册\n使用前请仔细阅读本手册。"
_EN = "Xinghuo PS-1000 Portable Power Station User Manual\nPlease read this manual carefully before use."


class AlignRequest(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"zh": _ZH, "en": _EN}]})
    zh: str = Field(description="Chinese text: one paragraph per line (or one sentence per line)")
    en: str = Field(description="English text, same layout")
    presegmented: bool = Field(False, description="one sentence per non-blank line, blank lines between paragraphs")
    threshold: float = Field(0.5, ge=0, le=1, description="links under it are held for review")


class AlignImportRequest(AlignRequest):
    model_config = ConfigDict(json_schema_extra={"examples": [{"zh": _ZH, "en": _EN, "origin": "manual"}]})
    origin: str | None = Field(None, min_length=1, description="collection name for the imported pairs")
    on_violation: OnViolation = "refuse"
    accept_low: bool = Field(False, description="also import links under the threshold")
    on_duplicate: OnDuplicate | None = Field(None, description="pairs already stored in the same origin (skip)")


class AlignLink(OpenOut):
    zh: list[int]
    en: list[int]
    score: float


class AlignAnswer(Out):
    links: list[AlignLink]
    review: list[int] = Field(description="positions of links under the threshold")
    summary: dict[str, Any]


class AlignImportReport(OpenOut):
    imported: int
    summary: dict[str, Any]


# -- files and documents ----------------------------------------------------------------------


class FileImportReport(OpenOut):
    """A TMX, CSV or TSV import: counts, and the first glossary violations."""

    format: str
    origin: str | None
    imported: int
    skipped: int
    flagged: int
    total: int
    violations: list[dict[str, Any]]


class BringBackReport(OpenOut):
    """The final units of a translated XLIFF or PO file brought back into the TM."""

    format: str
    origin: str | None
    segments: int
    final: int
    added: int
    updated: int
    skipped: dict[str, int]
    violations: list[dict[str, Any]]


class ImportReport(RootModel[FileImportReport | BringBackReport]):
    """What ``POST /api/v1/import`` did: a file import, or a translated document brought back."""

    model_config = ConfigDict(defer_build=True)


class Report(OpenOut):
    """A document report (analysis, evaluation, pre-translation); see the tmserver.docloop module."""


class PretranslateJSON(Out):
    filename: str
    media_type: str
    report: dict[str, Any]
    content: str


# -- CAT-tool protocols -----------------------------------------------------------------------


class CompatLanguages(Out):
    sourceLanguages: list[str]
    targetLanguages: list[str]


class CompatResult(Out):
    source: str
    target: str
    quality: int = Field(ge=0, le=100)
    rank: int = Field(ge=1)


class CompatResults(RootModel[list[CompatResult]]):
    """amaGama's answer: the matches, best first (an unsupported language pair is [])."""

    model_config = ConfigDict(defer_build=True, json_schema_extra={"examples": [[{
        "source": "网络空间命运共同体", "target": "a community with a shared future in cyberspace", "quality": 100,
        "rank": 1}]]})


class CompatLookupRequest(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"source": "网络空间命运共同体",
                                                               "min_similarity": 70, "max_candidates": 5}]})
    source: str
    min_similarity: float | str | None = Field(None, description="capped to 0–100 (default 70)")
    max_candidates: float | str | None = Field(None, description="capped to 1–30 (default 5)")


class CompatWrite(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"source": "数字鸿沟", "target": "digital divide"}]})
    source: str | None = Field(None, description="default: the text in the path or ?source=")
    target: str


class MyMemoryData(Out):
    translatedText: str
    match: float


class MyMemoryMatch(Out):
    id: str
    segment: str
    translation: str
    source: str
    target: str
    quality: str = Field(description="integer CAT score 0–100, as a string")
    match: float = Field(ge=0, le=1)
    reference: str | None
    usage_count: int = Field(alias="usage-count")
    subject: str
    created_by: str | None = Field(alias="created-by")
    last_updated_by: str | None = Field(alias="last-updated-by")
    create_date: str | None = Field(alias="create-date")
    last_update_date: str | None = Field(alias="last-update-date")


class MyMemoryErrorInfo(Out):
    code: str
    message: str
    details: Any = None


class MyMemoryAnswer(Out):
    responseData: MyMemoryData
    responseStatus: int
    responseDetails: str
    quotaFinished: bool
    responderId: None = None
    exception_code: None = None
    mtLangSupported: None = None
    matches: list[MyMemoryMatch]
    error: MyMemoryErrorInfo | None = Field(None, description="on a 400: the reason, in the API's error shape")
