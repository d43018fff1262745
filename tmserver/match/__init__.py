"""Scoring, diffs and placeable adaptation for fuzzy matches.

* :mod:`tmserver.match.score` — CAT-style 0–101 scores (why characters, also for English);
* :mod:`tmserver.match.penalties` — the penalty table for differences normalisation erases;
* :mod:`tmserver.match.diff` — the edit script in original offsets;
* :mod:`tmserver.match.adapt` — ``adapted_target`` when only numbers/dates differ.

The index (:mod:`tmserver.index`) finds the candidates; this package turns each into what a CAT
tool shows.
"""

from tmserver.match.adapt import adapt_target
from tmserver.match.diff import diff
from tmserver.match.penalties import PENALTIES, penalties
from tmserver.match.score import Score, score, with_context

__all__ = ["PENALTIES", "Score", "adapt_target", "diff", "penalties", "score", "with_context"]
