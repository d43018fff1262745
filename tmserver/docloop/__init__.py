"""The translator's document loop: analyse → pre-translate → (translate, check) → bring back.

Entry points (the CLI, the JSON API and the browser workbench call these and nothing lower):

* :func:`analyze` — match-band analysis of one or more files against the TM
  (:class:`~tmserver.docloop.analysis.AnalysisReport`: ``to_dict``, ``to_csv``, ``to_html``,
  ``to_text``);
* :func:`pretranslate` — a file with its empty targets filled from the TM
  (:class:`~tmserver.docloop.pretranslate.PretranslateResult`: ``data``, ``filename``,
  ``media_type``, ``report``);
* :func:`bring_back` — the final units of a translated XLIFF/PO imported into the TM through the
  core's import path;
* :func:`evaluate_tm`, :func:`evaluate_heldout`, :func:`score_files` — what suggestions are
  worth, in chrF/BLEU/TER per match band (sacrebleu).

Formats: XLIFF 1.2 and 2.0, gettext PO, Markdown and plain text (:mod:`tmserver.formats.doc`).
``tm`` is the :class:`tmserver.tm.TM` core.
"""

from __future__ import annotations

from tmserver.docloop.analysis import BANDS, COUNTING_RULE, AnalysisReport, analyze_documents
from tmserver.docloop.bringback import BRING_BACK_FORMATS, bring_back
from tmserver.docloop.evaluate import EvalReport, evaluate_heldout, evaluate_tm, score_files
from tmserver.docloop.pretranslate import PretranslateResult, pretranslate_document
from tmserver.errors import ValidationError
from tmserver.formats.documents import open_document
from tmserver.tm import TM

__all__ = [
    "BANDS",
    "BRING_BACK_FORMATS",
    "COUNTING_RULE",
    "AnalysisReport",
    "EvalReport",
    "PretranslateResult",
    "analyze",
    "bring_back",
    "evaluate_heldout",
    "evaluate_tm",
    "pretranslate",
    "score_files",
]


def analyze(tm: TM, files: list[tuple[str, bytes]], *, source_lang: str | None = None,
            target_lang: str | None = None) -> AnalysisReport:
    """Analyse ``files`` (name, content) against the TM; repetitions count across the files."""
    if not files:
        raise ValidationError("send at least one file to analyse")
    docs = [open_document(name, data, source_lang=source_lang, target_lang=target_lang) for name, data in files]
    return analyze_documents(tm, docs, source_lang=source_lang, target_lang=target_lang)


def pretranslate(tm: TM, filename: str, data: bytes, *, threshold: int = 75, source_lang: str | None = None,
                 target_lang: str | None = None, overwrite: bool = False, alternatives: int = 0,
                 term_notes: bool = False, notes: bool = True, fmt: str | None = None) -> PretranslateResult:
    """Fill the empty targets of one file from the TM (best match ≥ ``threshold``, adapted).

    ``alternatives`` adds up to that many matches as ``alt-trans`` / ``<mtc:matches>``;
    ``term_notes`` writes each segment's glossary terms as notes; ``overwrite`` also refills
    segments that are already translated (never done otherwise)."""
    doc = open_document(filename, data, source_lang=source_lang, target_lang=target_lang, fmt=fmt)
    return pretranslate_document(tm, doc, threshold=threshold, source_lang=source_lang, target_lang=target_lang,
                                 overwrite=overwrite, alternatives=alternatives, term_notes=term_notes, notes=notes)
