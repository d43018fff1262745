"""Length-ratio outliers, calibrated on the file itself.

zh→en text typically grows ~3× in characters, but the ratio depends on the domain, the
translator and the segmentation, so no fixed ratio is right. We take the log of target/source
length for every segment long enough to be meaningful, and flag segments whose log-ratio lies
more than ``Z`` robust standard deviations (median absolute deviation × 1.4826) from the median.
A truncated translation ("Cyberspace.") or a target that swallowed the next sentence stands out;
ordinary variation does not.
"""

from __future__ import annotations

import math
import statistics

from tmserver.qa.base import Check, Context, Issue, QASegment, register

MIN_SOURCE_CHARS = 12
MIN_SEGMENTS = 20
Z = 4.0
#: a file too small to calibrate on falls back to a wide zh→en prior: ~3.5 English characters per Chinese
#: one (the article TMX: 4.4), log-sd 0.35, so only a target under ~0.9× or over ~14× the source is flagged
PRIOR = (math.log(3.5), 0.35)


def _log_ratio(seg: QASegment) -> float | None:
    s, t = len(seg.source.strip()), len(seg.target.strip())
    if s < MIN_SOURCE_CHARS or t == 0:
        return None
    return math.log(t / s)


@register
class LengthRatio(Check):
    id = "length_ratio"
    severity = "warning"
    description = "Target much shorter or longer than the file's usual ratio (robust z-score)."

    def prepare(self, segments: list[QASegment], ctx: Context) -> None:
        values = [r for r in map(_log_ratio, segments) if r is not None]
        if len(values) < MIN_SEGMENTS:
            zh_en = all(s.source_base == "zh" and s.target_base == "en" for s in segments)
            ctx.state[self.id] = (*PRIOR, "prior") if zh_en else None
            return
        med = statistics.median(values)
        mad = statistics.median(abs(v - med) for v in values) * 1.4826
        ctx.state[self.id] = (med, max(mad, 0.15), "file")  # a floor: a very uniform file must not flag 10 % drift

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        calib = ctx.state.get(self.id)
        r = _log_ratio(seg)
        if calib is None or r is None:
            return []
        med, sd, basis = calib
        z = (r - med) / sd
        if abs(z) <= Z:
            return []
        usual = math.exp(med)
        actual = math.exp(r)
        word = "short" if z < 0 else "long"
        where = "this file" if basis == "file" else "usual zh→en; too few segments to calibrate on the file"
        return [self.issue(seg, f"target unusually {word}: {actual:.2f}× the source length ({where}: {usual:.2f}×)",
                           None, (0, len(seg.target)), details={"ratio": round(actual, 3), "file_ratio": round(usual, 3),
                                                                "z": round(z, 2), "calibration": basis})]
