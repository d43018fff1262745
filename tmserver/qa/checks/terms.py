"""Term checks: the glossary's own enforcement rules (:meth:`Glossary.check_pair`), as QA issues.

The glossary engine recognises terms in both languages (Chinese by longest match, English with
plural and inflected forms), so QA says exactly what the server enforces on writes.
"""

from __future__ import annotations

from tmserver.glossary.recognize import Hit
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


def _unprompted_forbidden(seg: QASegment, ctx: Context, reported: list[tuple[int, int]]) -> list[tuple[Hit, int, int]]:
    """Forbidden renderings in the target whose concept's source term is *not* in the source (the
    translator made "这一理念" explicit as "the community of shared future in cyberspace"):
    ``(hit, concept, term)``, skipping spans already reported and words that are merely part of
    a longer accepted rendering."""
    glossary = ctx.glossary
    hits = glossary.recognizer(seg.target_base).find_all(seg.target)
    accepted = [(h.start, h.end) for h in hits for r in h.refs if glossary.term(r.concept, r.term).accepted]
    out: list[tuple[Hit, int, int]] = []
    taken = list(reported)
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):  # longest first
        for r in h.refs:
            if not glossary.term(r.concept, r.term).forbidden:
                continue
            if any(s <= h.start and h.end <= e and e - s > h.end - h.start for s, e in accepted):
                continue
            if any(s < h.end and h.start < e for s, e in taken):
                continue
            taken.append((h.start, h.end))
            out.append((h, r.concept, r.term))
            break
    return sorted(out, key=lambda x: x[0].start)


@register
class TermForbidden(Check):
    id = "term_forbidden"
    severity = "error"
    description = ("The target uses a deprecated or superseded rendering of a glossary term (also when the "
                   "source does not contain the concept's term).")

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        found = [v for v in _violations(seg, ctx) if v.kind == "forbidden"]
        out = [
            self.issue(seg, v.message(), v.source_span, v.target_span, details={"expected": list(v.expected),
                                                                                "concept_id": v.concept_id})
            for v in found
        ]
        if ctx.glossary is None or not seg.target.strip() or seg.src_norm == seg.tgt_norm or not seg.target_base:
            return out
        reported = [v.target_span for v in found if v.target_span]
        for hit, ci, ti in _unprompted_forbidden(seg, ctx, reported):
            concept = ctx.glossary.concepts[ci]
            term = ctx.glossary.term(ci, ti)
            expected = [t.text for t in ctx.glossary.accepted(ci, seg.target_base)]
            text = seg.target[hit.start : hit.end]
            use = " or ".join(repr(e) for e in expected) or "another rendering"
            out.append(self.issue(
                seg, f"{text!r} is {term.status} (glossary concept {concept.id}); use {use}", None,
                (hit.start, hit.end), details={"expected": expected, "concept_id": concept.id, "source_term": None}))
        return out
