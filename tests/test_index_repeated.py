"""Queries that repeat a phrase (issue 17, branch eng2): a bigram the query holds m times is
credited min(m, c) positions for a document holding it c times (``LangIndex.pcounts``), not m.
Checked against the exhaustive scan (top-5 (segment, distance), ties by lower segment id) after
the build, after delta writes (whose counts are unknown: credited m), on a saved and re-opened
index, with the probe's second cut of the lists forced, with each membership test of the
tightening forced, and with counts clipped at 255."""

from __future__ import annotations

import random

import numpy as np
import pytest

from bench.synth_real import generate_vocab, queries_vocab
from tests.index_support import apply, hits
from tests.index_support import check as check_taus
from tmserver.index import persist, postings
from tmserver.index.parts import PartIndex
from tmserver.index.postings import LangIndex
from tmserver.normalize import normalize_text

PHRASES = ["全国人民代表大会常务委员会", "国务院办公厅关于印发", "数据保护条例第三条"]
#: phrases only the near-duplicate families hold: their bigrams are rare, so they are in the
#: count filter's prefix (the common PHRASES are in the tightening's frequent lists)
RARE = ["塞尔维亚驻华大使馆领事部", "鄂尔多斯盆地煤层气"]


@pytest.fixture(scope="module")
def data():
    src, _tgt, held = generate_vocab(2500, seed=29)
    texts = [normalize_text(t) for t in src]
    rng = random.Random(29)
    # documents holding a phrase 1..4 times among other text, so c < m, c = m and c > m all occur
    for i in rng.sample(range(len(texts)), 600):
        ph = rng.choice(PHRASES)
        pieces = [texts[i][: rng.randrange(4, 30)]] + [ph + texts[rng.randrange(len(texts))][:rng.randrange(2, 9)]
                                                      for _ in range(rng.randint(1, 4))]
        texts[i] = ",".join(pieces)
    texts[0] = "哈" * 400  # a bigram held more than 255 times (its count is clipped)
    texts[1] = "哈" * 120 + "嘿" * 30
    texts[2], texts[3], texts[4] = "哈" * 1001, "哈" * 990 + "嘿" * 11, "哈" * 260 + "嘿" * 40
    # near-duplicates that differ in how often they repeat a phrase: their bounds rest on the
    # exact counts, and they are the true top-k of the family queries below
    slot = 5
    for ph in PHRASES + RARE:
        for r in range(2, 8):
            for tail in ("", "的", "和有"):
                texts[slot] = ",".join([ph] * r) + tail
                slot += 1
    queries = [normalize_text(q) for q in queries_vocab(held, 12, seed=2929)["repeated"]]
    for _ in range(24):
        ph = rng.choice(PHRASES)
        queries.append(",".join(ph + texts[rng.randrange(len(texts))][:rng.randrange(1, 8)]
                                for _ in range(rng.randint(2, 6))))
    queries += ["哈" * 300, "哈" * 100 + "嘿" * 20, "哈" * 1001, "哈" * 1000 + "嘿", texts[rng.randrange(len(texts))]]
    queries += [",".join([ph] * r) + "是" for ph in PHRASES + RARE for r in (3, 5, 7, 8)]
    writes: list[tuple[int, str]] = []
    for j in range(300):  # new units with repeated phrases, replacements, deletions
        ph = rng.choice(PHRASES)
        writes.append((len(texts) + 1 + j, ",".join([ph] * rng.randint(1, 5)) + texts[rng.randrange(len(texts))][:10]))
    for seg in rng.sample(range(1, len(texts) + 1), 100):
        writes.append((seg, texts[rng.randrange(len(texts))]))
    for seg in rng.sample(range(1, len(texts) + 1), 100):
        writes.append((seg, ""))
    return texts, queries, writes


def check(idx: LangIndex, queries: list[str]) -> int:
    """τ up to 0.95: near a query that repeats a phrase r times, the top-k are documents holding it
    r times, whose bound is tight only when all r are credited."""
    return check_taus(idx, queries, (60, 75, 85, 95))


def build(texts: list[str]) -> LangIndex:
    return LangIndex.build(np.arange(1, len(texts) + 1), list(texts), np.ones(len(texts), dtype=np.bool_))


def test_posting_counts_are_the_documents_bigram_counts(data):
    texts, _, _ = data
    idx = build(texts[:400])
    assert len(idx.pcounts) == len(idx.postings)
    for t in range(0, len(idx.vocab), 7):
        a, b = int(idx.indptr[t]), int(idx.indptr[t + 1])
        key = int(idx.vocab[t])
        pair = chr(key >> 21) + chr(key & ((1 << 21) - 1))
        for doc, c in zip(idx.postings[a:b].tolist(), idx.pcounts[a:b].tolist(), strict=True):
            text = idx.texts[doc]
            true = sum(text[i : i + 2] == pair for i in range(len(text) - 1))
            assert c == min(true, 255) and true > 0


@pytest.mark.parametrize("ratio", [0.0, 1e9], ids=["bisect", "mark"])
@pytest.mark.parametrize("probe", [True, False], ids=["probe", "no-probe"])
@pytest.mark.parametrize("sig_pre", [0, postings.SIG_PRE], ids=["char-bound-first", "default"])
def test_repeated_queries_equal_brute_force(data, monkeypatch, ratio, probe, sig_pre):
    texts, queries, writes = data
    monkeypatch.setattr(postings, "MARK_RATIO", ratio)
    monkeypatch.setattr(postings, "SIG_PRE", sig_pre)  # the character bound before the tightening, or not
    if probe:  # the probe runs for every query and its τ' cuts every list again
        monkeypatch.setattr(postings, "PROBE_MIN", 0)
        monkeypatch.setattr(postings, "RECUT_MIN", 0)
    idx = build(texts)
    assert check(idx, queries) > len(queries) // 2
    apply(idx, writes)
    assert idx.delta_docs > 0 and idx.n_dead > 0
    assert check(idx, queries) > len(queries) // 2


def test_counts_prune_repeated_phrase_candidates(data, monkeypatch):
    """The credit min(m, c) is what removes documents holding the phrase once: with it, far
    fewer candidates reach the rescoring than when every document is credited m."""
    texts, _, _ = data
    q = ",".join(PHRASES[0] + s for s in ("的", "和", "在", "有", "是"))
    scored: list[int] = []
    real = LangIndex._score

    def spy(self, query, tau, cand, top, ub=None):
        scored.append(len(cand))
        return real(self, query, tau, cand, top, ub)

    monkeypatch.setattr(LangIndex, "_score", spy)
    idx = build(texts)
    want = hits(idx.brute_force(q, 5, 60), idx)
    scored.clear()
    assert hits(idx.search(q, 5, 60), idx) == want
    with_counts = sum(scored)
    idx.pcounts = np.full_like(idx.pcounts, 255)  # every document credited m: the old bound
    scored.clear()
    assert hits(idx.search(q, 5, 60), idx) == want
    assert with_counts < sum(scored)


def test_saved_index_keeps_counts(data, tmp_path):
    texts, queries, writes = data
    ids = np.arange(1, len(texts) + 1)
    built = build(texts)
    parts = PartIndex.build("zh", [(i, True, t, t) for i, t in zip(ids.tolist(), texts, strict=True)])
    persist.save(tmp_path, "zh", built, parts, {"kind": "seq", "seq": 1}, "db-r")
    saved = persist.load(tmp_path, "zh", "db-r")
    assert saved is not None
    idx = saved.index
    assert np.array_equal(idx.pcounts, built.pcounts)
    assert check(idx, queries[::2]) > 0
    apply(idx, writes)
    assert check(idx, queries[::2]) > 0


def _credit_reference(idx: LangIndex, query: str, docs: np.ndarray, keys: np.ndarray, mult: np.ndarray) -> np.ndarray:
    """Σ min(m, c) over ``keys`` for each document, counted from its text."""
    pairs = [chr(int(k) >> 21) + chr(int(k) & ((1 << 21) - 1)) for k in keys.tolist()]
    out = []
    for d in docs.tolist():
        t = idx.texts[d]
        grams = [t[i : i + 2] for i in range(len(t) - 1)]
        out.append(sum(min(int(m), grams.count(g)) for g, m in zip(pairs, mult.tolist(), strict=True)))
    return np.array(out, dtype=np.int64)


@pytest.mark.parametrize("ratio", [0.0, 1e9], ids=["bisect", "mark"])
def test_count_and_tighten_credit_min_m_c(data, monkeypatch, ratio):
    """The count filter's and the tightening's per-document credit is exactly Σ min(m, c)
    (checked against the texts), for queries repeating phrases 2–8 times."""
    from tmserver.index.grams import bigram_counts

    texts, queries, _ = data
    monkeypatch.setattr(postings, "MARK_RATIO", ratio)
    monkeypatch.setattr(postings, "TIGHTEN_STEP", 10_000)  # one round over every remaining list
    monkeypatch.setattr(postings, "SCORE_DIRECT", 0)
    idx = build(texts)
    checked = 0
    for q in [q for q in queries if q.count(",") >= 2][:20]:
        keys, mult = bigram_counts(q)
        plists, cnts = idx._lists(keys, 1, 1 << 30, mult)
        order = np.arange(len(keys))
        half = len(keys) // 2
        cand, seen = idx._count(plists, order[:half], mult[:half], cnts)
        assert np.array_equal(seen, _credit_reference(idx, q, cand, keys[:half], mult[:half]))
        clen = idx.lens.a[cand]
        covered = int(mult[:half].sum())
        cand2, seen2, _, _, covered2 = idx._tighten(cand, seen.copy(), clen, np.zeros(len(cand), dtype=np.int64),
                                                    covered, plists, order[half:], mult[half:], len(q), 0, 1, cnts)
        assert covered2 == int(mult.sum()) and len(cand2) == len(cand)
        assert np.array_equal(seen2, _credit_reference(idx, q, cand2, keys, mult))
        checked += int((mult > 1).any())
    assert checked >= 10
