"""Fit the aligner's confidence calibration (:mod:`tmserver.align.confidence`) on the dev texts.

    .venv/bin/python -m bench.calibrate_align [--append]     # --append: record in bench/RESULTS.md

Aligns every development text and variant of :mod:`bench.eval_align` (never the held-out
essay), labels each output link right (exactly a gold link) or wrong, and fits a logistic
regression of "right" on the features of :func:`tmserver.align.confidence.features`, with right
and wrong links weighted equally (Newton's method, L2 = 1); then moves the bias so that a score
under 0.5 catches :data:`TARGET_RECALL` of the wrong links while flagging as few as possible. Prints the coefficients to paste
into ``COEFFICIENTS`` and the review flag's precision/recall at 0.5, over all texts and with the
fiction text left out of the fit (how well it carries to a text it was not fitted on).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import numpy as np

from bench.eval_align import ROOT, docs_for
from tmserver.align.aligner import Aligner
from tmserver.align.confidence import FEATURES, features


def collect():
    rows, labels, names = [], [], []
    for name, (zh, en, gold) in docs_for(["article", "manual", "heldout", "concat", "align_long"]).items():
        links = Aligner().align(zh, en)
        gs = {(tuple(g["zh"]), tuple(g["en"])) for g in gold}
        for link in links:
            rows.append(features(link.details["posterior"], link.similarity, len(link.zh), len(link.en)))
            labels.append(float((tuple(link.zh), tuple(link.en)) in gs))
            names.append(name)
    return np.array(rows), np.array(labels), np.array(names)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    w = np.where(y == 0, (y == 1).sum() / max(1, (y == 0).sum()), 1.0)
    b = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ b))
        h = x.T @ (x * (w * p * (1 - p))[:, None]) + l2 * np.eye(len(b))
        b += np.linalg.solve(h, x.T @ (w * (y - p)) - l2 * b)
    return b


#: the review flag at 0.5 should catch at least this share of the wrong dev links
TARGET_RECALL = 0.8


def shift_for_recall(b: np.ndarray, x: np.ndarray, y: np.ndarray, target: float = TARGET_RECALL) -> np.ndarray:
    """Move the bias so that "score < 0.5" flags as few links as possible while still catching
    ``target`` of the wrong ones (the balanced fit alone flags ~15 % of links to catch 90 %)."""
    z = x @ b
    wrong = np.sort(z[y == 0])
    k = int(np.ceil(target * len(wrong))) - 1  # the k-th lowest wrong link must be flagged
    out = b.copy()
    out[0] -= wrong[k] + 1e-6
    return out


def flag_scores(b: np.ndarray, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    flagged = 1 / (1 + np.exp(-x @ b)) < 0.5
    wrong = y == 0
    tp = int((flagged & wrong).sum())
    return {"links": len(y), "flagged": int(flagged.sum()), "wrong": int(wrong.sum()),
            "precision": round(tp / max(1, flagged.sum()), 3), "recall": round(tp / max(1, wrong.sum()), 3)}


def main() -> None:
    x, y, names = collect()
    b = shift_for_recall(fit(x, y), x, y)
    fic = names == "align_long/fiction"
    b_out = shift_for_recall(fit(x[~fic], y[~fic]), x[~fic], y[~fic])
    coef = tuple(round(float(v), 3) for v in b)
    scores = {"all dev texts": flag_scores(b, x, y), "fiction (in the fit)": flag_scores(b, x[fic], y[fic]),
              "fiction (left out of the fit)": flag_scores(b_out, x[fic], y[fic]),
              "raw posterior < 0.5, all dev texts": flag_scores(np.array([0.0, 1.0, 0, 0, 0, 0]), x, y)}
    print("COEFFICIENTS =", coef)
    print(json.dumps(scores))
    if "--append" in sys.argv:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        rows = "\n".join(f"| {k} | {v['links']} | {v['flagged']} | {v['wrong']} | {v['precision']} | {v['recall']} |"
                         for k, v in scores.items())
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as fh:
            fh.write(f"\n## Aligner confidence calibration — {stamp}\n\nCommand: `python -m bench.calibrate_align --append`  \n"
                     f"Fitted: `COEFFICIENTS = {coef}` (features {', '.join(FEATURES)}); the review flag is "
                     "score < 0.5; a link is wrong when it is not exactly a gold link. The held-out essay is not "
                     "used.\n\n| texts | links | flagged | wrong | precision | recall |\n| --- | ---: | ---: | ---: | ---: | ---: |\n"
                     + rows + "\n")


if __name__ == "__main__":
    main()
