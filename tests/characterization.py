"""Characterization snapshot of placeable extraction, rendering, number/date QA and adaptation.

Recorded once from the code *before* the complexity refactor (issue 10) and committed as
``tests/data/characterization.json.gz``; ``tests/test_characterization.py`` asserts the current code
gives the same outputs on the same corpus. The corpus is every sentence of the article and the
alignment test sets, the QA seeded cases and every string literal in the placeable, QA and
adaptation tests — real text, not invented inputs. Regenerate (only on purpose, when behaviour is
meant to change) with ``python -m tests.characterization``.
"""

from __future__ import annotations

import ast
import gzip
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

from tmserver.align.segment import segment_zh
from tmserver.glossary.glossary import Glossary
from tmserver.glossary.tbx import read_tbx, write_tbx, write_tbx_v2
from tmserver.match.adapt import adapt
from tmserver.placeables import Placeable, extract, render
from tmserver.qa import QASegment
from tmserver.qa.checks.numbers import DateMismatch, NumberMismatch, compare

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tests" / "data" / "characterization.json.gz"
_TEXT_FILES = [
    "alignments/article.zh.txt", "alignments/article.en.txt",
    "alignments/article.zh.sent.txt", "alignments/article.en.sent.txt",
    "tests/data/align/manual.zh.sent.txt", "tests/data/align/manual.en.sent.txt",
    "tests/data/align_heldout/heldout.zh.sent.txt", "tests/data/align_heldout/heldout.en.sent.txt",
    "tests/data/align_long/essay.zh.sent.txt", "tests/data/align_long/essay.en.sent.txt",
    "tests/data/align_long/fiction.zh.sent.txt", "tests/data/align_long/fiction.en.sent.txt",
]
_TEST_FILES = ["test_placeables.py", "test_adapt.py", "test_qa.py", "test_qa_cases.py", "test_qa_precision.py",
               "test_qa_inputs.py"]
_GOLD = [("alignments/article", "article"), ("tests/data/align/manual", "manual"),
         ("tests/data/align_heldout/heldout", "heldout"), ("tests/data/align_long/essay", "essay"),
         ("tests/data/align_long/fiction", "fiction")]
# digits → the next digit, and Chinese numerals likewise: a query that differs from the source only
# in values, which is what the adapter works on
_BUMP = str.maketrans("0123456789一二三四五六七八九", "1234567890二三四五六七八九一")


def _lines(rel: str) -> list[str]:
    return [ln.strip() for ln in (ROOT / rel).read_text(encoding="utf-8").splitlines() if ln.strip()]


def texts() -> list[str]:
    """Every text of the corpus, deduplicated, in a stable order."""
    out: list[str] = []
    for rel in _TEXT_FILES:
        out += _lines(rel)
    for seg in _seeded():
        out += [seg["source"], seg["target"]]
    for name in _TEST_FILES:
        tree = ast.parse((ROOT / "tests" / name).read_text(encoding="utf-8"))
        out += [n.value for n in ast.walk(tree)
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and 0 < len(n.value) < 400]
    return sorted(set(out))


def _seeded() -> list[dict[str, Any]]:
    return json.loads((ROOT / "tests/data/qa/seeded.json").read_text(encoding="utf-8"))["segments"]


def pairs() -> list[tuple[str, str]]:
    """(zh, en) pairs: the seeded QA cases and the gold alignments of every test set."""
    out = [(s["source"], s["target"]) for s in _seeded()]
    for prefix, _name in _GOLD:
        zh, en = _lines(prefix + ".zh.sent.txt"), _lines(prefix + ".en.sent.txt")
        for ln in (ROOT / (prefix + ".gold.jsonl")).read_text(encoding="utf-8").splitlines():
            g = json.loads(ln)
            if g["zh"] and g["en"]:
                out.append(("".join(zh[i] for i in g["zh"]), " ".join(en[i] for i in g["en"])))
    return out


def _p(p: Placeable) -> list[Any]:
    return [p.kind, repr(p.value), p.start, p.end, p.text, p.style, p.lang, p.of]


def _render(p: Placeable, lang: str, like: Placeable | None = None) -> str:
    try:
        return render(p, lang, like)
    except Exception as e:  # noqa: BLE001 - the exception type is part of the recorded behaviour
        return f"!{type(e).__name__}"


def snapshot() -> dict[str, Any]:
    """What the code under test does on the corpus (JSON-ready)."""
    ex: dict[str, Any] = {}
    found: dict[tuple[Any, ...], Placeable] = {}
    for t in texts():
        for lang in ("zh", "en"):
            ps = extract(t, lang, notes=True)
            if ps:
                ex[f"{lang}|{t}"] = [_p(p) for p in ps]
            for p in ps:
                found.setdefault((p.kind, repr(p.value), p.style, p.lang, p.of), p)
    uniq = [found[k] for k in sorted(found)]
    likes: dict[tuple[str, str, str, str], Placeable] = {}
    for p in uniq:
        likes.setdefault((p.kind, p.style, p.lang, p.of), p)
    like_list = [likes[k] for k in sorted(likes)]
    plain: dict[str, list[str]] = {}
    styled: dict[str, str] = {}
    for p in uniq:
        key = "|".join(map(str, _p(p)))
        plain[key] = [_render(p, "zh"), _render(p, "en")]
        outs = [_render(p, lang, q) for q in like_list for lang in ("zh", "en")]
        styled[key] = hashlib.sha256("\x1f".join(outs).encode()).hexdigest()
    qa: dict[str, Any] = {}
    ad: dict[str, Any] = {}
    for zh, en in pairs():
        for sl, tl, s, t in (("zh", "en", zh, en), ("en", "zh", en, zh)):
            seg = QASegment("x", s, t, sl, tl)
            missing, extra = compare(seg)
            issues = [(i.check, i.message, i.source_span, i.target_span)
                      for c in (NumberMismatch(), DateMismatch()) for i in c.check(seg, None)]  # type: ignore[arg-type]
            qa[f"{sl}|{s}|{t}"] = [[[repr(a.key), a.p.start, a.p.end] for a in missing],
                                   [[repr(a.key), a.p.start, a.p.end] for a in extra], [list(map(str, i)) for i in issues]]
            query = s.translate(_BUMP)
            if query != s:
                a = adapt(query, s, t, sl, tl)
                ad[f"{sl}|{s}|{t}"] = [a.status, a.target, a.reason, re.sub(r"0x[0-9a-f]+", "", repr(a.blocker))]
    seg_zh = {t: segment_zh(t) for t in texts() + _paragraphs() if re.search(r"[\u4e00-\u9fff]", t)}
    return {"extract": ex, "render": plain, "render_styled": styled, "qa": qa, "adapt": ad, "segment_zh": seg_zh,
            "glossary": _glossary(), "tbx": _tbx()}


def _glossary() -> dict[str, Any]:
    """The article glossary's violations for every pair, both ways."""
    g = Glossary.from_tbx(ROOT / "glossary/article.tbx")
    out = {}
    for zh, en in pairs():
        for sl, tl, s, t in (("zh", "en", zh, en), ("en", "zh", en, zh)):
            vs = g.check_pair(s, t, sl, tl)
            if vs:
                out[f"{sl}|{s}|{t}"] = [repr(v) for v in vs]
    return out


def _tbx() -> dict[str, str]:
    """Every test glossary read and written back as TBX v3 and v2."""
    out = {}
    for path in sorted([ROOT / "glossary/article.tbx", *(ROOT / "tests/data/glossary").glob("*.tbx")]):
        try:
            with open(path, "rb") as fh:
                concepts = read_tbx(fh)
        except Exception as e:  # noqa: BLE001 - a refused file is recorded as refused
            out[path.name] = f"!{type(e).__name__}"
            continue
        for name, write in (("v3", write_tbx), ("v2", write_tbx_v2)):
            buf = io.BytesIO()
            write(concepts, buf)
            out[f"{path.name}|{name}"] = buf.getvalue().decode("utf-8")
    return out


def _paragraphs() -> list[str]:
    """Chinese paragraphs of the test sets as the segmenter sees them (each .zh.txt line), and
    their concatenations two by two, so sentences meet quotes and ellipses across the join."""
    paras = [ln for rel in _TEXT_FILES if rel.endswith(".zh.txt") for ln in _lines(rel)]
    paras += [ln for p in ("tests/data/align/manual", "tests/data/align_heldout/heldout",
                           "tests/data/align_long/essay", "tests/data/align_long/fiction") for ln in _lines(p + ".zh.txt")]
    return paras + [a + b for a, b in zip(paras, paras[1:], strict=False)]


def load() -> dict[str, Any]:
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as f:
        return json.load(f)


if __name__ == "__main__":
    data = snapshot()
    with gzip.GzipFile(SNAPSHOT, "wb", mtime=0) as gz:
        gz.write(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0).encode("utf-8"))
    print({k: len(v) for k, v in data.items()})
