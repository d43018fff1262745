"""Exactness on a templated TM (issue 17): thousands of units share nearly every bigram with a
query of their template, so the count filter passes them and the tightening, the character bound
and the rescoring's early stop decide. Every answer is checked against the exhaustive scan
(``brute_force``): same top-5 (segment, distance), ties by lower segment id — with exact
duplicates, writes in the delta (upserts, replacements, deletions) and a saved, re-opened index,
and with each way the tightening can test membership forced in turn."""

from __future__ import annotations

import random

import numpy as np
import pytest

from bench.synth_real import generate_templated, queries_templated
from tests.index_support import apply, saved_and_opened
from tests.index_support import check as check_taus
from tmserver.index import postings
from tmserver.index.postings import LangIndex
from tmserver.normalize import normalize_text

N_UNITS = 3000


@pytest.fixture(scope="module")
def data():
    src, _tgt, made = generate_templated(N_UNITS, seed=171)
    texts = [normalize_text(t) for t in src]
    rng = random.Random(17)
    # exact duplicates (common in templated TMs): ties that only the segment id orders
    for i in rng.sample(range(N_UNITS), 300):
        texts[i] = texts[rng.randrange(N_UNITS)]
    sets = queries_templated(made, 12, seed=1717)
    queries = [normalize_text(q) for qs in sets.values() for q in qs]
    queries += [texts[i] for i in rng.sample(range(N_UNITS), 12)]  # stored texts: distance-0 ties
    # writes after the build: new units (some duplicating stored texts), replacements, deletions
    extra_src, _, _ = generate_templated(400, seed=172)
    writes: list[tuple[int, str]] = []
    for j, t in enumerate(extra_src):
        writes.append((N_UNITS + 1 + j, normalize_text(t) if j % 4 else texts[rng.randrange(N_UNITS)]))
    for seg in rng.sample(range(1, N_UNITS + 1), 150):
        writes.append((seg, normalize_text(extra_src[rng.randrange(len(extra_src))])))
    for seg in rng.sample(range(1, N_UNITS + 1), 150):
        writes.append((seg, ""))  # removal
    return texts, queries, writes


def check(idx: LangIndex, queries: list[str]) -> int:
    """Every query at τ 0.6 and 0.75 against the exhaustive scan (see tests.index_support.check)."""
    return check_taus(idx, queries, (60, 75))


def check_before_and_after_writes(texts: list[str], queries: list[str], writes: list[tuple[int, str]]) -> None:
    """Build an index of ``texts``, check every query, apply ``writes`` (new units, replacements,
    deletions) and check every query again."""
    idx = LangIndex.build(np.arange(1, len(texts) + 1), list(texts), np.ones(len(texts), dtype=np.bool_))
    assert check(idx, queries) > len(queries)
    apply(idx, writes)
    assert check(idx, queries) > len(queries)


@pytest.mark.parametrize("ratio", [0.0, 1e9, postings.MARK_RATIO], ids=["bisect", "mark", "default"])
def test_templated_search_equals_brute_force(data, monkeypatch, ratio):
    texts, queries, writes = data
    monkeypatch.setattr(postings, "MARK_RATIO", ratio)
    idx = LangIndex.build(np.arange(1, len(texts) + 1), list(texts), np.ones(len(texts), dtype=np.bool_))
    assert check(idx, queries) > len(queries)
    apply(idx, writes)
    assert idx.delta_docs > 0 and idx.n_dead > 0
    assert check(idx, queries) > len(queries)


def test_saved_templated_index_equals_brute_force(data, tmp_path):
    texts, queries, writes = data
    idx = saved_and_opened(tmp_path, "zh", texts)
    assert check(idx, queries[::2]) > 0
    apply(idx, writes)
    assert check(idx, queries[::2]) > 0


def test_the_deep_probe_keeps_the_answers_exact(data, monkeypatch):
    """The deep probe (a templated TM's second probe, ranking a pool by more bigrams) forced on for
    every query, at this small size too: its τ' is a real k-th score, so nothing changes but
    the work; it must run, and raise τ' for some queries, for this to test anything."""
    texts, queries, writes = data
    monkeypatch.setattr(postings, "DEEP_MIN", 0)
    monkeypatch.setattr(postings, "DEEP_RARE", 0)
    monkeypatch.setattr(postings, "PROBE_MIN", 0)
    raised = []
    probe = LangIndex._probe

    def spy(self, query, k, tau, *args, deep=False, **kw):
        found = probe(self, query, k, tau, *args, deep=deep, **kw)
        if deep and len(found) == k:
            raised.append(found.heap[0][0] > tau)
        return found

    monkeypatch.setattr(LangIndex, "_probe", spy)
    check_before_and_after_writes(texts, queries, writes)
    assert len(raised) > len(queries) and any(raised)


def test_the_union_probe_keeps_the_answers_exact(data, monkeypatch):
    """The probe of the count filter's union (:meth:`LangIndex._reprobe`) forced on for every
    search whose probes raised τ, with a pool smaller than the unions here: the τ'' it keeps is a
    real k-th score, so the answers stay those of the exhaustive scan, with writes in the delta
    and dead documents too. It must run, and raise τ for some queries, for this to test anything."""
    texts, queries, writes = data
    monkeypatch.setattr(postings, "UNION_PROBE_MIN", 0)
    monkeypatch.setattr(postings, "UNION_PROBE", 8)
    monkeypatch.setattr(postings, "PROBE_MIN", 0)  # (the first probes raise τ at this size only when forced)
    raised = []
    reprobe = LangIndex._reprobe

    def spy(self, query, k, tau, *args):
        out = reprobe(self, query, k, tau, *args)
        raised.append(out[0] > tau)
        return out

    monkeypatch.setattr(LangIndex, "_reprobe", spy)
    check_before_and_after_writes(texts, queries, writes)
    assert len(raised) > len(queries) // 2 and any(raised)
