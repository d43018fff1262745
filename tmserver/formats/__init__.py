"""File formats in and out of the TM: TMX 1.4b, CSV/TSV (and XLIFF for QA input).

Readers yield :class:`Unit` objects lazily so a 1 GB file never sits in memory; the TM core
imports them in one transaction. Every reader names the place of an error (``<tu> #12 (line
340)`` or ``line 17``) so a user can fix the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Unit:
    """One bilingual unit read from a file."""

    source: str
    target: str
    source_lang: str
    target_lang: str
    origin: str | None = None
    context_prev: str | None = None
    context_next: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    where: str = ""
    creator: str | None = None  #: who wrote it, when the file says (TMX ``creationid``)


def with_context(units: Iterable[Unit]) -> Iterator[Unit]:
    """Fill each unit's missing context from its neighbours in file order (one-unit lookahead).

    The neighbouring *source* texts become the context hashes that make 101 % matches possible.
    """
    prev: Unit | None = None
    cur: Unit | None = None
    for nxt in units:
        if cur is not None:
            if cur.context_next is None:
                cur.context_next = nxt.source
            yield cur
            prev = cur
        cur = nxt
        if cur.context_prev is None and prev is not None:
            cur.context_prev = prev.source
    if cur is not None:
        yield cur


def detect_format(filename: str | None, head: bytes = b"") -> str:
    """Guess ``tmx``, ``csv`` or ``tsv`` from a file name, falling back to the content."""
    name = (filename or "").lower()
    for ext in ("tmx", "tsv", "csv", "tbx", "xlf", "xliff", "json"):
        if name.endswith("." + ext):
            return "xliff" if ext == "xlf" else ext
    stripped = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped.startswith(b"<"):
        return "tmx"
    if b"\t" in head.split(b"\n", 1)[0]:
        return "tsv"
    return "csv"
