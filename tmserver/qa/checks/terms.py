"""Term checks: the glossary's own enforcement rules (:meth:`Glossary.check_pair`), as QA issues.

The glossary engine recognises terms in both languages (Chinese by longest match, English with
plural and inflected forms), so QA says exactly what the server enforces on writes.
"""

from __future__ import annotations

from tmserver.qa.base import Check, Context, Issue, QASegment, register


def _violations(seg: QASegment, ctx: Context):
    if ctx.glossary is None:
        return []
    # an empty or copied target is one `untranslated` error, not one more error per term in it
    if not seg.target.strip() or seg.src_norm == seg.tgt_norm:
        return []
    if "terms" not in seg.cache:
        seg.cache["terms"] = ctx.glossary.check_pair(seg.source, seg.target, seg.source_base, seg.target_base)
    return seg.cache["terms"]


@register
class TermMissing(Check):
    id = "term_missing"
    severity = "error"
    description = "A glossary term in the source is not rendered by any accepted translation."

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        return [
            self.issue(seg, v.message(), v.source_span, None, details={"expected": list(v.expected),
                                                                      "concept_id": v.concept_id})
            for v in _violations(seg, ctx)
            if v.kind == "missing"
        ]


@register
class TermForbidden(Check):
    id = "term_forbidden"
    severity = "error"
    description = "The target uses a deprecated or superseded rendering of a glossary term."

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        return [
            self.issue(seg, v.message(), v.source_span, v.target_span, details={"expected": list(v.expected),
                                                                                "concept_id": v.concept_id})
            for v in _violations(seg, ctx)
            if v.kind == "forbidden"
        ]
