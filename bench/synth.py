"""Reproducible synthetic Chinese TM and query sets for ``bench_lookup.py``.

Segments are drawn, with a fixed seed, from three sources:

* **dictionary sentences** (~80 %): 6–22 words sampled from jieba's dictionary by frequency, so
  character and bigram frequencies follow real Chinese (的, 发展, 网络… are common, most bigrams rare),
  with a comma now and then;
* **article sentences with edits** (~10 %): a sentence of ``alignments/article.zh.sent.txt`` with
  5–30 % of its characters substituted, inserted or deleted;
* **near-duplicates** (~10 %): an earlier segment with 1–3 character edits — what real TMs are full
  of, and what makes a top-5 crowded.

Query sets (each query made from a random segment, so it has true neighbours in the TM):
``easy`` (10–40 % edits), ``hard`` (40–55 %), ``splice`` (first half of one segment + second half of
another) and ``traditional`` (a segment with ≤10 % edits converted to Taiwan Traditional by OpenCC
``s2twp``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def _dictionary() -> tuple[np.ndarray, np.ndarray]:
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    words, freqs = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in parts[0]):
            words.append(parts[0])
            freqs.append(int(parts[1]))
    w = np.array(words, dtype=object)
    f = np.array(freqs, dtype=np.float64)
    return w, f / f.sum()


def _article() -> list[str]:
    path = ROOT / "alignments" / "article.zh.sent.txt"
    return [s.strip() for s in path.read_text(encoding="utf-8").splitlines() if len(s.strip()) >= 8]


class Editor:
    """Random character edits drawn from the corpus' own character distribution."""

    def __init__(self, rng: np.random.Generator, alphabet: np.ndarray, probs: np.ndarray):
        self.rng, self.alphabet, self.probs = rng, alphabet, probs

    def edit(self, text: str, n: int) -> str:
        chars = list(text)
        new = self.rng.choice(self.alphabet, size=n, p=self.probs)
        for i in range(n):
            op = self.rng.integers(3)
            pos = int(self.rng.integers(len(chars) + (op == 1))) if chars else 0
            if op == 0 and chars:
                chars[pos] = new[i]
            elif op == 1 or not chars:
                chars.insert(pos, new[i])
            elif len(chars) > 1:
                del chars[pos]
        return "".join(chars)

    def edit_ratio(self, text: str, lo: float, hi: float) -> str:
        n = max(1, round(len(text) * self.rng.uniform(lo, hi)))
        return self.edit(text, n)


def generate(n: int, seed: int = 20251106) -> tuple[list[str], Editor]:
    """``n`` synthetic Chinese segments (deterministic for a seed) and the editor used."""
    rng = np.random.default_rng(seed)
    words, probs = _dictionary()
    article = _article()
    # character distribution for edits: characters of 200k sampled words
    sample = "".join(words[rng.choice(len(words), size=200_000, p=probs)])
    chars, counts = np.unique(np.array(list(sample)), return_counts=True)
    editor = Editor(rng, chars, counts / counts.sum())

    kind = rng.random(n)
    n_words = rng.integers(6, 23, size=n)
    idx = rng.choice(len(words), size=int(n_words.sum()), p=probs)
    bounds = np.concatenate([[0], np.cumsum(n_words)])
    comma = rng.random(n) < 0.35
    out: list[str] = []
    for i in range(n):
        if kind[i] < 0.10 and i > 10:
            out.append(editor.edit(out[int(rng.integers(i))], int(rng.integers(1, 4))))
        elif kind[i] < 0.20:
            out.append(editor.edit_ratio(article[int(rng.integers(len(article)))], 0.05, 0.30))
        else:
            ws = words[idx[bounds[i] : bounds[i + 1]]]
            if comma[i]:
                cut = len(ws) // 2
                out.append("".join(ws[:cut]) + "，" + "".join(ws[cut:]))
            else:
                out.append("".join(ws))
    return out, editor


def queries(segments: list[str], editor: Editor, n: int, seed: int = 7) -> dict[str, list[str]]:
    """Query sets ``easy``, ``hard``, ``splice``, ``traditional`` of ``n`` queries each."""
    import opencc

    rng = np.random.default_rng(seed)
    editor = Editor(rng, editor.alphabet, editor.probs)
    pick = lambda: segments[int(rng.integers(len(segments)))]  # noqa: E731
    s2t = opencc.OpenCC("s2twp")
    out: dict[str, list[str]] = {"easy": [], "hard": [], "splice": [], "traditional": []}
    for _ in range(n):
        out["easy"].append(editor.edit_ratio(pick(), 0.10, 0.40))
        out["hard"].append(editor.edit_ratio(pick(), 0.40, 0.55))
        a, b = pick(), pick()
        out["splice"].append(a[: len(a) // 2] + b[len(b) // 2 :])
        out["traditional"].append(s2t.convert(editor.edit_ratio(pick(), 0.0, 0.10)))
    return out
