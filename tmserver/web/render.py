"""Presentation helpers: cut a text into pieces to mark, from spans the core already computed.

Nothing here decides anything about matching or terminology: the spans come from the lookup's
``diff``, the glossary's term spans, the concordance's hit offsets. These functions only turn
``[start, end)`` offsets into a list of ``Piece`` for the templates, which escape every piece
(Jinja autoescape) and wrap marked ones in ``<mark>``. The version diff of the history page
uses :mod:`difflib`, as it is only a way to *show* two stored texts side by side.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tmserver.normalize import is_cjk


@dataclass(frozen=True)
class Piece:
    """A run of text, marked (``kind`` is a CSS class suffix) or plain (``kind`` empty)."""

    text: str
    kind: str = ""
    title: str = ""


def pieces(text: str, spans: Iterable[tuple[int, int, str, str]]) -> list[Piece]:
    """Cut ``text`` at non-overlapping ``(start, end, kind, title)`` spans (overlaps: first wins)."""
    out: list[Piece] = []
    pos = 0
    for start, end, kind, title in sorted(spans, key=lambda s: (s[0], -s[1])):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        if start > pos:
            out.append(Piece(text[pos:start]))
        out.append(Piece(text[start:end], kind, title))
        pos = end
    if pos < len(text):
        out.append(Piece(text[pos:]))
    return out


def diff_pieces(text: str, diff: Sequence[dict[str, Any]], side: str) -> list[Piece]:
    """Mark what differs between the query and a match on one ``side`` ("query" or "match")."""
    spans = []
    for d in diff:
        if d.get("op") == "equal":
            continue
        s, e = d.get(side) or (0, 0)
        spans.append((s, e, "diff-" + str(d.get("op")), _DIFF_TITLE.get(str(d.get("op")), "")))
    return pieces(text, spans)


_DIFF_TITLE = {
    "replace": "differs from the other text",
    "insert": "not in the match",
    "delete": "not in the query",
}


def term_pieces(text: str, terms: Sequence[dict[str, Any]]) -> list[Piece]:
    """Mark the glossary terms found in ``text``; the title says how to render each one."""
    spans = []
    for t in terms:
        s, e = t["span"]
        rend = [r for r in t.get("renderings") or [] if r.get("status") in ("preferred", "admitted")]
        say = "; ".join(f"{r['text']} ({r['status']})" for r in rend) or "no accepted rendering"
        spans.append((s, e, "term", f"{t['matched']} ({t['status']}) → {say}"))
    return pieces(text, spans)


def hit_pieces(text: str, spans: Sequence[Sequence[int]]) -> list[Piece]:
    """Mark concordance hits."""
    return pieces(text, [(s, e, "hit", "") for s, e in spans])


def _tokens(text: str) -> list[str]:
    """Characters for Chinese, words (with their trailing space) for everything else."""
    out: list[str] = []
    word = ""
    for ch in text:
        if is_cjk(ch):
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        elif ch.isspace():
            out.append(word + ch)
            word = ""
        else:
            word += ch
    if word:
        out.append(word)
    return out


def version_diff(old: str, new: str) -> list[Piece]:
    """One line showing what changed from ``old`` to ``new``: deletions and insertions marked."""
    a, b = _tokens(old), _tokens(new)
    out: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(Piece("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(Piece("".join(a[i1:i2]), "del", "removed"))
        if j2 > j1:
            out.append(Piece("".join(b[j1:j2]), "ins", "added"))
    return out
