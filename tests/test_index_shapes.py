"""Query shapes that used to defeat the count filter — repeated phrases (parallel
constructions) and templated TMs (every unit shares most bigrams with every query) — checked
against an exhaustive Levenshtein scan on random and adversarial data."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from tests.test_index_exact import answer, exhaustive
from tmserver.index.grams import bigram_counts
from tmserver.index.postings import LangIndex, upper_bound

PHRASES = ["我们将进一步", "加强", "完善", "网络安全", "数据治理", "，", "哈哈", "第1条", "已添加"]
phrase_texts = st.lists(st.sampled_from(PHRASES), min_size=1, max_size=9).map("".join)
tiny = st.text(alphabet="哈网络", min_size=1, max_size=16)  # few characters: bigrams repeat


def missing_positions(query: str, doc: str) -> int:
    """Query bigram positions whose bigram the document lacks (the multiplicity-weighted count)."""
    keys, mult = bigram_counts(query)
    have = set(bigram_counts(doc)[0].tolist())
    return int(sum(m for key, m in zip(keys.tolist(), mult.tolist(), strict=True) if key not in have))


@settings(max_examples=400, deadline=None)
@given(a=st.one_of(tiny, phrase_texts), b=st.one_of(tiny, phrase_texts))
def test_weighted_bound_never_below_true_similarity(a, b):
    """The bound with multiplicities (the proof for repeated phrases) holds pair by pair."""
    num, den = upper_bound(np.array([missing_positions(a, b)]), np.array([len(b)]), len(a))
    m = max(len(a), len(b))
    assert (m - Levenshtein.distance(a, b)) * int(den[0]) <= int(num[0]) * m


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(st.one_of(tiny, phrase_texts), min_size=1, max_size=40),
    query=st.one_of(tiny, phrase_texts),
    k=st.integers(1, 6),
    min_score=st.sampled_from([40, 50, 60, 70, 80, 90]),
    extra=st.lists(st.tuples(st.integers(0, 45), st.one_of(tiny, phrase_texts)), max_size=6),
)
def test_repetitive_topk_equals_exhaustive_scan(docs, query, k, min_score, extra):
    idx = LangIndex.build(range(1, len(docs) + 1), docs, [True] * len(docs))
    truth = {i + 1: t for i, t in enumerate(docs)}
    for seg, text in extra:
        idx.upsert(seg, text, True)
        truth[seg] = text
    assert answer(idx, query, k, min_score)[0] == exhaustive(truth, query, k, min_score)


def parallel(rng: random.Random, heads: list[str], tails: list[str]) -> str:
    head = rng.choice(heads)
    return "，".join(head + rng.choice(tails) for _ in range(rng.randrange(2, 5))) + "。"


def test_parallel_constructions_are_proven_and_exact():
    rng = random.Random(5)
    heads = ["我们将进一步", "要坚持", "必须始终"]
    tails = ["加强网络安全", "完善数据治理", "推进改革", "扩大开放", "保障民生", "优化服务", "防范风险"]
    docs = [parallel(rng, heads, tails) for _ in range(400)]
    idx = LangIndex.build(range(1, len(docs) + 1), docs, [True] * len(docs))
    truth = dict(enumerate(docs, 1))
    for _ in range(40):
        q = parallel(rng, heads, tails)
        got, proven = answer(idx, q, 5, 60)
        assert proven
        assert got == exhaustive(truth, q, 5, 60)


def test_templated_tm_is_exact():
    """A few templates with slots: every unit shares most bigrams with every query; many units
    tie (equal similarity), so the order by segment id is checked too."""
    rng = random.Random(9)
    templates = ["无法打开文件“{}”：{}不存在。", "确定要删除选中的{}个{}吗？此操作无法撤销。",
                 "第{}条　甲方应于{}前向乙方支付费用。", "{}已添加，{}已添加。"]
    fill = ["报告", "数据", "配置", "备份", "12", "3", "2024年5月1日", "文件夹", "用户"]
    make = lambda: rng.choice(templates).format(rng.choice(fill), rng.choice(fill))  # noqa: E731
    docs = [make() for _ in range(600)]
    idx = LangIndex.build(range(1, len(docs) + 1), docs, [True] * len(docs))
    truth = dict(enumerate(docs, 1))
    for _ in range(40):
        q = make()
        for tau in (60, 80):
            assert answer(idx, q, 5, tau)[0] == exhaustive(truth, q, 5, tau)


def test_a_tightening_round_counts_equal_lists_once():
    """Lists equal within the candidates' range are counted once with their weights summed; a
    repeated bigram's per-document credit min(m, c) is never merged."""
    lists = [np.array([1, 3, 5, 9], dtype=np.int32), np.array([1, 3, 5, 9], dtype=np.int32),
             np.array([1, 4, 5, 9], dtype=np.int32), np.array([0, 3, 5, 7, 9], dtype=np.int32)]
    cnts = {3: np.array([1, 2, 1, 3, 2], dtype=np.uint8)}
    out = LangIndex._round(lists, cnts, [(0, 1), (1, 2), (2, 1), (3, 2)], np.array((1, 9), dtype=np.int32))
    got = [(part.tolist(), credit if isinstance(credit, int) else credit.tolist()) for part, credit in out]
    assert got == [([1, 3, 5], 3), ([1, 4, 5], 1), ([3, 5, 7], [2, 1, 2])]


def test_templated_search_merges_the_templates_lists_and_stays_exact(monkeypatch):
    """On a templated TM the fixed text's bigrams are held by the same units: the tightening
    merges those lists (checked with a spy), and the answers still equal the exhaustive scan."""
    rng = random.Random(11)
    templates = ["确定要删除选中的{}个{}吗？此操作无法撤销。", "第{}条　甲方应于{}前向乙方支付费用。"]
    fill = ["报告", "数据", "配置", "备份", "12", "3", "2024年5月1日", "文件夹", "用户", "网络"]
    make = lambda: rng.choice(templates).format(rng.choice(fill), rng.choice(fill))  # noqa: E731
    docs = [make() for _ in range(3000)]
    idx = LangIndex.build(range(1, len(docs) + 1), docs, [True] * len(docs))
    truth = dict(enumerate(docs, 1))
    merged = []
    real = LangIndex._round

    def spy(plists, cnts, todo, bounds):
        out = real(plists, cnts, todo, bounds)
        in_range = [i for i, _ in todo if np.diff(plists[i].searchsorted(bounds))[0] > 0]
        merged.append(len(in_range) - len(out))
        return out

    monkeypatch.setattr(LangIndex, "_round", staticmethod(spy))
    for _ in range(30):
        q = make()[:-1] + "！"
        assert answer(idx, q, 5, 60)[0] == exhaustive(truth, q, 5, 60)
    assert sum(merged) > 0
