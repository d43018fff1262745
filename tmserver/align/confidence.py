"""A link's confidence: the posterior, recalibrated so that "held for review" catches wrong links.

The forward–backward posterior (:mod:`tmserver.align.aligner`) says how much of the probability
mass of all alignments goes through a link. It is a good *ranking* of links, but as a review
flag at 0.5 it caught only a third of the wrong links on long texts: a wrong cut between two
plausible links often still gets 0.6–0.8. A logistic model over a few things we know about
each link turns it into the score users see:

* ``logit(posterior)`` — the model's own belief;
* ``similarity`` — the lexical coverage F of the link (0 for a null link): a link whose words
  do not match is suspect however the lengths fit;
* whether it is a null link, a 1-1 link, or a wide one (four sentences or more): wide links
  are wrong far more often than their posterior admits.

The coefficients are fitted by ``bench/calibrate_align.py`` (Newton's method, small L2) on the
development texts — the article, the manual and the short held-out text, as they are, with
paragraph breaks removed, with sentences deleted, all three concatenated, and the long fiction
text — never on the held-out essay. Right and wrong links are weighted equally in the fit, and
the bias is then moved so that a score under 0.5 catches 80 % of the wrong development links
while flagging as few as possible: on those texts it flags 10 % of links and catches 80 % of
the wrong ones (precision 0.40); the raw posterior at 0.5 flagged 3 % and caught 38 %. Left out
of the fit, the fiction text's wrong links are still caught at 0.87. The score is a ranking
with a meaningful threshold, not the frequency of right links among links of that score.
"""

from __future__ import annotations

import math

__all__ = ["FEATURES", "COEFFICIENTS", "features", "calibrated"]

FEATURES = ("bias", "logit_posterior", "similarity", "null", "one_to_one", "wide")
#: fitted by bench/calibrate_align.py (see its output in bench/RESULTS.md); refit after changing the model
COEFFICIENTS = (-3.467, 2.148, 3.792, 0.154, 0.215, -1.175)


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def features(posterior: float, similarity: float, n_zh: int, n_en: int) -> tuple[float, ...]:
    """The calibration features of a link with ``n_zh`` Chinese and ``n_en`` English sentences."""
    null = not (n_zh and n_en)
    return (1.0, _logit(posterior), 0.0 if null else similarity, float(null), float(n_zh == 1 and n_en == 1),
            float(n_zh + n_en >= 4))


def calibrated(posterior: float, similarity: float, n_zh: int, n_en: int,
               coefficients: tuple[float, ...] = COEFFICIENTS) -> float:
    """The user-facing confidence of a link (see the module docstring)."""
    z = sum(c * f for c, f in zip(coefficients, features(posterior, similarity, n_zh, n_en), strict=True))
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
