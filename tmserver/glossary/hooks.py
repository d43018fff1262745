"""The glossary's hooks into the TM core, installed by :func:`tmserver.services.core.wire`.

The core (:mod:`tmserver.tm`) knows nothing of the glossary: it calls a *term check* inside every
write's transaction (``TM.set_term_check``) and *lookup hooks* inside every lookup's transaction
(``TM.on_lookup``). These are the glossary's: enforcement (:mod:`tmserver.glossary.enforce`) and
annotation (:mod:`tmserver.glossary.annotate`). Wiring them from outside is what keeps the import
graph one-way (``services → tm`` and ``services → glossary``, never ``tm ⇄ glossary``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tmserver.glossary.annotate import annotate_lookup
from tmserver.glossary.enforce import check_pair


def check_terms(session: Session, source: str, target: str, source_lang: str, target_lang: str) -> list[dict[str, Any]]:
    """The enforced glossary rules ``target`` breaks as a translation of ``source`` (base codes)."""
    return [v.to_dict() for v in check_pair(session, source, target, source_lang, target_lang)]


def annotate_result(session: Session, result: dict[str, Any]) -> None:
    """Add ``terms`` to a lookup answer and ``term_problems`` (and fixes) to each of its matches."""
    result.update(annotate_lookup(session, result["query"], result["source_lang"], result["target_lang"],
                                  result["matches"]))
