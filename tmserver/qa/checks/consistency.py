"""Consistency: one source, one translation — across the file and against the TM.

Sources and targets are compared in their matching form (:func:`tmserver.normalize.normalize_text`:
case, width, Traditional/Simplified and punctuation differences do not count), and a final
full stop is ignored, so only real wording differences are reported.
"""

from __future__ import annotations

from collections import defaultdict

from tmserver.qa.base import Check, Context, Issue, QASegment, register


def match_key(norm: str) -> str:
    """The form two sources (or targets) are compared in: the matching form without a final full stop."""
    return norm.rstrip(" .。!?")


def _words(text: str) -> int:
    return len(text.split())


@register
class InconsistentTarget(Check):
    id = "inconsistent_target"
    severity = "warning"
    description = "The same source is translated differently in this file or in the TM."

    def prepare(self, segments: list[QASegment], ctx: Context) -> None:
        groups: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for s in segments:
            if s.source.strip() and s.target.strip():
                groups[match_key(s.src_norm)][match_key(s.tgt_norm)].append(s.id)
        ctx.state[self.id] = {k: v for k, v in groups.items() if len(v) > 1}

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        if not seg.target.strip():
            return []
        out = []
        variants = ctx.state.get(self.id, {}).get(match_key(seg.src_norm))
        if variants:
            others = [ids[0] for t, ids in variants.items() if t != match_key(seg.tgt_norm)]
            out.append(self.issue(seg, f"the same source is translated differently in segment(s) {', '.join(others[:5])}",
                                  (0, len(seg.source)), (0, len(seg.target)), details={"other_segments": others[:20]}))
        if ctx.tm_targets is not None:
            tm = ctx.tm_targets.get(match_key(seg.src_norm))
            if tm and match_key(seg.tgt_norm) not in tm:
                out.append(self.issue(seg, f"the TM translates this source differently ({len(tm)} variant(s))",
                                      (0, len(seg.source)), (0, len(seg.target)),
                                      details={"tm_targets": sorted(tm)[:5]}))
        return out


@register
class InconsistentSource(Check):
    id = "inconsistent_source"
    severity = "warning"
    description = "The same translation is used for different sources (in this file or the TM)."
    #: short targets ("Abstract", "Conclusion") legitimately translate several sources
    MIN_WORDS = 4

    def prepare(self, segments: list[QASegment], ctx: Context) -> None:
        groups: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for s in segments:
            if s.source.strip() and _words(s.target) >= self.MIN_WORDS:
                groups[match_key(s.tgt_norm)][match_key(s.src_norm)].append(s.id)
        ctx.state[self.id] = {k: v for k, v in groups.items() if len(v) > 1}

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        if _words(seg.target) < self.MIN_WORDS:
            return []
        out = []
        variants = ctx.state.get(self.id, {}).get(match_key(seg.tgt_norm))
        if variants:
            others = [ids[0] for s, ids in variants.items() if s != match_key(seg.src_norm)]
            out.append(self.issue(seg, f"the same translation is given for a different source in segment(s) {', '.join(others[:5])}",
                                  (0, len(seg.source)), (0, len(seg.target)), details={"other_segments": others[:20]}))
        if ctx.tm_sources is not None:
            tm = ctx.tm_sources.get(match_key(seg.tgt_norm))
            if tm and match_key(seg.src_norm) not in tm:
                out.append(self.issue(seg, "the TM uses this translation for a different source",
                                      (0, len(seg.source)), (0, len(seg.target)),
                                      details={"tm_sources": sorted(tm)[:5]}))
        return out
