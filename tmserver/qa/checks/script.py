"""Traditional characters in a Simplified Chinese source (or target), found with OpenCC."""

from __future__ import annotations

from functools import lru_cache

import opencc

from tmserver.normalize import is_cjk
from tmserver.qa.base import Check, Context, Issue, QASegment, lang_of, register


@lru_cache(maxsize=1)
def _t2s():
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def _is_traditional(ch: str) -> bool:
    """Character-level: OpenCC's t2s changes it (phrase-level Taiwan wording is not a script error)."""
    return _t2s().convert(ch) != ch


def _runs(text: str) -> list[tuple[int, int]]:
    """Runs of Traditional characters. OpenCC converts the whole text first, with its phrase tables, so
    characters that are Simplified in context (乾隆, 乾坤; 著名, 干部) are left alone; when the phrase-level
    output does not line up character for character, fall back to one character at a time."""
    spans: list[tuple[int, int]] = []
    if not any(is_cjk(ch) and _is_traditional(ch) for ch in text):
        return spans
    conv = _t2s().convert(text)
    aligned = len(conv) == len(text)
    for i, ch in enumerate(text):
        changed = conv[i] != ch if aligned else _is_traditional(ch)
        if is_cjk(ch) and changed:
            if spans and spans[-1][1] == i:
                spans[-1] = (spans[-1][0], i + 1)
            else:
                spans.append((i, i + 1))
    return spans


@register
class ScriptMix(Check):
    id = "script_mix"
    severity = "warning"
    description = "Traditional characters in Simplified Chinese text (OpenCC t2s)."

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        out = []
        for side, text, tag in (("source", seg.source, seg.source_lang), ("target", seg.target, seg.target_lang)):
            lang = lang_of(tag)
            if lang is None or lang.base != "zh" or lang.traditional:
                continue
            for s, e in _runs(text):
                span = (s, e)
                out.append(self.issue(seg, f"Traditional character(s) {text[s:e]!r} in Simplified Chinese {side} "
                                           f"(Simplified: {_t2s().convert(text[s:e])!r})",
                                      span if side == "source" else None, span if side == "target" else None))
        return out
