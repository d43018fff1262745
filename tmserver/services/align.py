"""Sentence alignment of a Chinese text with its English translation, for ``/api/v1/align``,
``tmserver align`` and their ``--import``: aligning needs no database; importing the links above
the confidence threshold is one write transaction (:func:`import_links`, through
``TM.import_units``)."""

from __future__ import annotations

from tmserver.align.service import (
    DEFAULT_THRESHOLD,
    MAX_CHARS_BY_LANG,
    align_texts,
    import_links,
    links_to_units,
    render_links,
)
from tmserver.dedup import check_policy as check_duplicate_policy

__all__ = ["DEFAULT_THRESHOLD", "MAX_CHARS_BY_LANG", "align_texts", "check_duplicate_policy", "import_links",
           "links_to_units", "render_links"]
