"""Exactness on English sources (issue 17): ``vocab-en`` renders the vocabulary TM in dictionary
English (CC-CEDICT glosses and function words), whose bigrams are letters and spaces shared by
most units, so the count filter proves little and the search scans the length window instead,
screened by the longest common subsequence.
Every answer is checked against the exhaustive scan (same top-5 (segment, distance), ties by
lower segment id) after the build, after delta writes, and on a saved, re-opened index; and the
generator itself is checked to be what its docstring says (the same draws as ``vocab``)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import LCSseq, Levenshtein

from bench import synth_real
from tests.index_support import apply, saved_and_opened
from tests.index_support import check as check_taus
from tmserver.index import postings
from tmserver.index.postings import LangIndex
from tmserver.normalize import normalize_text

N_UNITS = 2500


@pytest.fixture(scope="module")
def data():
    src, _tgt, held = synth_real.generate_vocab(N_UNITS, seed=31, pair=synth_real.en_zh)
    texts = [normalize_text(t) for t in src]
    sets = synth_real.queries_vocab(held, 8, seed=3131, english=True)
    queries = [normalize_text(q) for qs in sets.values() for q in qs]
    queries += texts[::250]  # stored texts: distance-0 answers
    extra, _, _ = synth_real.generate_vocab(300, seed=32, pair=synth_real.en_zh)
    writes = [(N_UNITS + 1 + j, normalize_text(t)) for j, t in enumerate(extra)]
    writes += [(seg, normalize_text(extra[seg % len(extra)])) for seg in range(7, N_UNITS, 53)]
    writes += [(seg, "") for seg in range(11, N_UNITS, 61)]
    return texts, queries, writes


def test_vocab_en_is_the_vocab_tm_in_english():
    zh_src, zh_tgt, held_zh = synth_real.generate_vocab(400, seed=5)
    en_src, en_tgt, held_en = synth_real.generate_vocab(400, seed=5, pair=synth_real.en_zh)
    assert en_tgt == zh_src  # the same draws, the other way round
    assert all(not re.search(r"[\u4e00-\u9fff]", s) for s in en_src)  # numbers and dates in English too
    words = {w for s in en_src for w in re.findall(r"[a-z]+", s.lower())}
    hashed = {w for s in zh_tgt for w in re.findall(r"[a-z]+", s.lower())}
    assert len(words) > 5 * len(hashed)  # a real vocabulary, not the 91 hash words
    q_zh = synth_real.queries_vocab(held_zh, 5, seed=7)
    q_en = synth_real.queries_vocab(held_en, 5, seed=7, english=True)
    assert q_zh.keys() == q_en.keys() and all(len(q_en[k]) == 5 for k in q_en)
    assert synth_real.english_token("2015年12月16日") == "December 16, 2015"


def test_english_search_equals_brute_force(data):
    texts, queries, writes = data
    idx = LangIndex.build(np.arange(1, len(texts) + 1), list(texts), np.ones(len(texts), dtype=np.bool_))
    assert check_taus(idx, queries, (60, 75)) > len(queries) // 2
    apply(idx, writes)
    assert idx.delta_docs > 0 and idx.n_dead > 0
    assert check_taus(idx, queries, (60, 75)) > len(queries) // 2
    # thresholds no bigram count can prove (every document scanned; at 0, every one a hit)
    assert check_taus(idx, queries[:6], (0, 30)) == 12


def test_saved_english_index_equals_brute_force(data, tmp_path):
    texts, queries, writes = data
    idx = saved_and_opened(tmp_path, "en", texts)
    assert check_taus(idx, queries[::2], (60,)) > 0
    apply(idx, writes)
    assert check_taus(idx, queries[::2], (60,)) > 0


def test_english_searches_scan_when_counting_cannot_prune(data, monkeypatch):
    """A long English query's bigrams are in nearly every unit of its length window, so the count
    filter would sort every list and then score most of the window: the search scans the window
    instead (``SCAN_UNION``, ``SCAN_PASS``), with the same answers; a Chinese query of the same
    TM still counts. Without the rule, the same English searches take the index path."""
    texts, queries, _ = data
    idx = LangIndex.build(np.arange(1, len(texts) + 1), list(texts), np.ones(len(texts), dtype=np.bool_))
    longs = [q for q in queries if len(q) >= 150]
    assert len(longs) >= 8
    strategies = [idx.search(q, 5, 60).strategy for q in longs]
    assert strategies.count("scan") >= len(longs) // 2, strategies
    monkeypatch.setattr(postings, "SCAN_UNION", 1e9)
    assert all(idx.search(q, 5, 60).strategy == "index" for q in longs)
    monkeypatch.undo()
    zh_src, _, held = synth_real.generate_vocab(N_UNITS, seed=31)
    zh = LangIndex.build(np.arange(1, N_UNITS + 1), [normalize_text(t) for t in zh_src], np.ones(N_UNITS, dtype=np.bool_))
    zh_long = [normalize_text(q) for q in synth_real.queries_vocab(held, 8, seed=3131)["long"]]
    assert all(zh.search(q, 5, 60).strategy == "index" for q in zh_long)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcde fg", max_size=40), st.text(alphabet="abcde fg", max_size=40))
def test_lcs_similarity_bounds_levenshtein_similarity(a, b):
    """The scan's LCS screen rests on LCS ≥ max(len) − d: rapidfuzz's normalised LCS similarity
    (LCS / max(len)) is never below the normalised Levenshtein similarity."""
    assert LCSseq.normalized_similarity(a, b) >= Levenshtein.normalized_similarity(a, b)


def test_the_lcs_screen_keeps_the_answers_exact(data, monkeypatch):
    """The LCS screen of a scan (:func:`postings._lcs_screen`) forced on for every scanned English
    query, at this small size too, with the writes in the delta: the answers stay those of the
    exhaustive scan, and the screen must have ruled documents out for this to test anything."""
    texts, queries, writes = data
    monkeypatch.setattr(postings, "LCS_MIN", 0)
    monkeypatch.setattr(postings, "LCS_PASS", 1.0)
    monkeypatch.setattr(postings, "SCAN_UNION", 0.0)
    monkeypatch.setattr(postings, "SCAN_PASS", 0.0)  # every count filter is "useless": scan
    ruled_out = []
    screen = postings._lcs_screen

    def spy(query, found_texts, cutoff):
        kept = screen(query, found_texts, cutoff)
        ruled_out.append(len(found_texts) - len(kept))
        return kept

    monkeypatch.setattr(postings, "_lcs_screen", spy)
    idx = LangIndex.build(np.arange(1, len(texts) + 1), list(texts), np.ones(len(texts), dtype=np.bool_))
    assert check_taus(idx, queries, (60, 75)) > len(queries) // 2
    apply(idx, writes)
    assert check_taus(idx, queries, (60, 75)) > len(queries) // 2
    assert len(ruled_out) > len(queries) // 2 and sum(ruled_out) > 0
