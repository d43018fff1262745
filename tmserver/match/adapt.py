"""Placeable adaptation: reuse a match whose source differs from the query only in numbers/dates.

Query ``2025年中国网民规模达11亿`` against TM ``2024年中国网民规模达11亿`` → ``In 2024, China had
1.1 billion internet users`` becomes ``In 2025, China had 1.1 billion internet users``.

Rules (precision over recall — a wrong number in a translation is worse than no suggestion):

1. query and match source have the same number of placeables (:func:`tmserver.placeables.extract`)
   and are identical once each placeable is blanked out (compared on matching forms);
2. for every placeable whose value changed, the target holds exactly one unused placeable with
   the *old* value (same kind, or number/year which are interchangeable);
3. that target placeable is rewritten with :func:`tmserver.placeables.render` in the style the
   target already uses (``2.6 billion`` stays a scale word, ``December 16, 2015`` stays m-d-y).

Anything else returns ``None``.
"""

from __future__ import annotations

from tmserver.normalize import normalize_text
from tmserver.placeables import Placeable, extract, render


def _skeleton(text: str, ps: list[Placeable]) -> str:
    out, last = [], 0
    for p in ps:
        out.append(text[last : p.start])
        out.append("\ue000")  # private use: survives normalisation (OpenCC stops at NUL)
        last = p.end
    out.append(text[last:])
    return normalize_text("".join(out))


def _compatible(a: Placeable, b: Placeable) -> bool:
    return a.kind == b.kind or {a.kind, b.kind} <= {"number", "year"}


def adapt_target(query: str, source: str, target: str, src_lang: str, tgt_lang: str) -> str | None:
    """The target with the query's placeables put in, or ``None`` when that is not safe."""
    qp, sp = extract(query, src_lang), extract(source, src_lang)
    if not qp or len(qp) != len(sp):
        return None
    if _skeleton(query, qp) != _skeleton(source, sp):
        return None
    changed = [(q, s) for q, s in zip(qp, sp, strict=True) if q.value != s.value or q.kind != s.kind]
    if not changed:
        return None
    tp = extract(target, tgt_lang)
    used: set[int] = set()
    edits: list[tuple[int, int, str]] = []
    for q, s in changed:
        if not _compatible(q, s):
            return None
        hits = [i for i, t in enumerate(tp) if i not in used and t.value == s.value and _compatible(t, s)]
        if len(hits) != 1:
            return None
        t = tp[hits[0]]
        used.add(hits[0])
        edits.append((t.start, t.end, render(q, tgt_lang, like=t)))
    out = target
    for start, end, text in sorted(edits, reverse=True):
        out = out[:start] + text + out[end:]
    return out
