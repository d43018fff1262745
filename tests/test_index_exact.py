"""The index's top-k against an exhaustive Levenshtein scan, including hypothesis-generated cases.

The reference here is deliberately independent of the engine: every document is scored with
``rapidfuzz.distance.Levenshtein.distance`` and ranked by (similarity desc, segment id asc).
"""

from __future__ import annotations

import gc
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from tmserver.index import postings
from tmserver.index.grams import joined_bigrams, merged_counts, string_bigrams
from tmserver.index.postings import LangIndex, _passes, upper_bound


def exhaustive(docs: dict[int, str], query: str, k: int, min_score: int) -> list[tuple[int, float]]:
    scored = []
    for seg, text in docs.items():
        m = max(len(query), len(text))
        d = Levenshtein.distance(query, text)
        if 100 * (m - d) >= min_score * m:
            scored.append(((m - d) / m, seg))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return scored[:k]


def answer(idx: LangIndex, query: str, k: int, min_score: int) -> tuple[list[tuple[int, float]], bool]:
    res = idx.search(query, k, min_score)
    return [((m - d) / m, int(idx.seg_ids.a[doc])) for doc, d, m in res.hits], res.proven


ALPHABET = "网络空间命运共同体的发展合作治理数字"
texts = st.text(alphabet=ALPHABET, min_size=0, max_size=14)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(texts.filter(bool), min_size=1, max_size=40),
    query=texts.filter(bool),
    k=st.integers(1, 6),
    min_score=st.sampled_from([30, 50, 60, 70, 75, 80, 90, 100]),
    extra=st.lists(st.tuples(st.integers(0, 45), texts), max_size=8),
    sig_min=st.sampled_from([0, 64]),
    array_min=st.sampled_from([1, 2, postings.DELTA_ARRAY_MIN]),
    hist_min_len=st.sampled_from([0, 6, postings.HIST_MIN_LEN]),
)
def test_topk_equals_exhaustive_scan(docs, query, k, min_score, extra, sig_min, array_min, hist_min_len):
    """Base build plus writes (upserts, replacements, deletions through empty text); with the
    character bound on every candidate list (``sig_min`` 0) and as in production; with
    the delta's posting lists turned into arrays at once, after two documents, or as in production;
    with a histogram for every document, for those of 6 characters or more, or as in production."""
    saved_len, postings.HIST_MIN_LEN = postings.HIST_MIN_LEN, hist_min_len
    try:  # (the base's and the writes' histograms from the same length on)
        idx = LangIndex.build(range(1, len(docs) + 1), docs, [True] * len(docs))
        _write_and_compare(idx, docs, query, k, min_score, extra, sig_min, array_min)
    finally:
        postings.HIST_MIN_LEN = saved_len


def _write_and_compare(idx, docs, query, k, min_score, extra, sig_min, array_min):
    truth = {i + 1: t for i, t in enumerate(docs)}
    saved_min, postings.DELTA_ARRAY_MIN = postings.DELTA_ARRAY_MIN, array_min
    try:
        for seg, text in extra:
            if text:
                idx.upsert(seg, text, True)
                truth[seg] = text
            else:
                idx.remove(seg)
                truth.pop(seg, None)
    finally:
        postings.DELTA_ARRAY_MIN = saved_min
    saved = postings.SIG_MIN, postings.SIG_PRE, postings.SCAN_SIG_MIN
    postings.SIG_MIN, postings.SIG_PRE, postings.SCAN_SIG_MIN = (
        (sig_min, sig_min, sig_min) if sig_min == 0 else (sig_min, saved[1], saved[2]))
    try:
        got, proven = answer(idx, query, k, min_score)
    finally:
        postings.SIG_MIN, postings.SIG_PRE, postings.SCAN_SIG_MIN = saved
    assert got == exhaustive(truth, query, k, min_score), (proven, got)


def exhaustive_distinct(docs: dict[int, str], query: str, k: int, min_score: int,
                        copies: int = postings.COPIES_MAX) -> tuple[list[tuple[int, float]], bool]:
    """The best ``k`` different texts (each by its best segment: the lowest id), each followed
    by at most ``copies`` of its other segments, lowest id first; and whether one had more."""
    ranked = exhaustive(docs, query, len(docs), min_score)
    groups: dict[str, list[tuple[int, float]]] = {}
    for sim, seg in ranked:
        if docs[seg] in groups or len(groups) < k:
            groups.setdefault(docs[seg], []).append((sim, seg))
    return ([hit for group in groups.values() for hit in group[: copies + 1]],
            any(len(g) > copies + 1 for g in groups.values()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pool=st.lists(texts.filter(bool), min_size=1, max_size=10),
    picks=st.lists(st.integers(0, 9), min_size=1, max_size=60),
    qpick=st.integers(-1, 9),
    qtext=texts,
    k=st.integers(1, 6),
    min_score=st.sampled_from([30, 50, 60, 70, 80, 100]),
    extra=st.lists(st.tuples(st.integers(0, 65), st.integers(-1, 9)), max_size=10),
    probes=st.booleans(),
    copies=st.sampled_from([1, 3, postings.COPIES_MAX]),
)
def test_distinct_topk_equals_exhaustive_scan(pool, picks, qpick, qtext, k, min_score, extra, probes, copies):
    """A distinct search over a TM full of copies (every text drawn from a pool of ten) gives
    the true best k different texts, each with every live copy, on the base and the writes
    (upserts, replacements, deletions) alike, at most ``copies`` copies a text (the lowest ids;
    ``capped`` says when a kept text had more); so does the reference scan; and the plain search
    still gives the best k documents. ``probes``: every probe that raises the threshold runs
    (the first, the deep one and the union's), as on a large TM, and the tightening too."""
    docs = [pool[i % len(pool)] for i in picks]
    idx = LangIndex.build(range(1, len(docs) + 1), docs, [True] * len(docs))
    truth = {i + 1: t for i, t in enumerate(docs)}
    for seg, i in extra:
        if i < 0:
            idx.remove(seg)
            truth.pop(seg, None)
        else:
            idx.upsert(seg, pool[i % len(pool)], True)
            truth[seg] = pool[i % len(pool)]
    query = qtext if qpick < 0 or not qtext else pool[qpick % len(pool)] + qtext[:2]
    query = query or pool[0]
    want, capped = exhaustive_distinct(truth, query, k, min_score, copies)
    names = ("PROBE_MIN", "DEEP_MIN", "DEEP_RARE", "UNION_PROBE_MIN", "SCORE_DIRECT", "COPIES_MAX")
    saved = [getattr(postings, n) for n in names]
    try:
        for n in names[:-1]:
            if probes:
                setattr(postings, n, 0)
        postings.COPIES_MAX = copies
        found = idx.search(query, k, min_score, distinct=True)
        scanned = idx.brute_force(query, k, min_score, distinct=True)
        assert answer(idx, query, k, min_score)[0] == exhaustive(truth, query, k, min_score)
    finally:
        for n, v in zip(names, saved, strict=True):
            setattr(postings, n, v)
    for res in (found, scanned):
        assert [((m - d) / m, int(idx.seg_ids.a[doc])) for doc, d, m in res.hits] == want, res.strategy
        assert res.capped or not capped  # (it may also say so of a text that then fell out of the top k)
        firsts = [int(idx.seg_ids.a[doc]) for doc, _, _ in res.firsts]
        assert len(firsts) == len({truth[s] for _, s in want}) <= k
        assert firsts == [s for n, (_, s) in enumerate(want) if truth[s] not in {truth[t] for _, t in want[:n]}]


WIDE = ALPHABET + "abcxyz哈嘿𠀀𠀁"  # letters, rare and astral characters: never-seen ones use hash bits
#: ... and runs of one character, past a histogram nibble's 15
RUNS = st.lists(st.one_of(st.text(alphabet=WIDE, min_size=1, max_size=6),
                          st.builds(lambda c, n: c * n, st.sampled_from(WIDE), st.integers(10, 40))),
                min_size=1, max_size=4).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    docs=st.lists(st.one_of(st.text(alphabet=WIDE, min_size=1, max_size=20), RUNS), min_size=1, max_size=30),
    extra=st.lists(st.one_of(st.text(alphabet=WIDE, min_size=1, max_size=20), RUNS), max_size=5),
    query=st.one_of(st.text(alphabet=WIDE + "龘", min_size=1, max_size=20), RUNS),
    hist_min_len=st.sampled_from([0, 8, postings.HIST_MIN_LEN]),
)
def test_char_bound_never_above_distance(docs, extra, query, hist_min_len):
    """Signatures and histograms (counts saturated at 15 included) never claim more edits than the
    true distance, for base and written documents; nor does the popcount bound the scan screens
    with first, which is never above the signatures' character bound. (It can be above the
    histograms' for characters a build never saw: those share the histograms' hashed buckets, a
    quarter of them, 32 with 128, where the signature hashes them onto 128 bits. The screen
    applies both, so it loses nothing.)"""
    saved, postings.HIST_MIN_LEN = postings.HIST_MIN_LEN, hist_min_len
    try:
        idx = LangIndex.build(range(1, len(docs) + 1), docs, [True] * len(docs))
        for i, text in enumerate(extra):
            idx.upsert(1000 + i, text, True)
    finally:
        postings.HIST_MIN_LEN = saved
    all_docs = np.arange(len(idx.texts))
    bound = idx.char_bound(query, all_docs)
    cheap = idx.signature_bound(query, all_docs)
    by_sig = idx._sig_char_bound(query, all_docs)
    for doc, b, c, s in zip(all_docs.tolist(), bound.tolist(), cheap.tolist(), by_sig.tolist(), strict=True):
        assert c <= s <= Levenshtein.distance(query, idx.texts[doc])
        assert b <= Levenshtein.distance(query, idx.texts[doc])


def test_counts_see_a_slot_that_presence_cannot(monkeypatch):
    """Units of one template whose slot fillers are made of the template's own characters: a
    signature (presence) bound finds nothing missing, the histogram counts one 理 too few in each
    (for the first and third unit that is the distance: one substitution)."""
    template = "请将{}号文件发送至管理员，文件编号为{}，管理员将在三日内处理该文件并回复申请人，如有疑问请致电客服中心咨询办理进度与所需材料"
    docs = [template.format("管理", "文件"), template.format("文件", "管理"), template.format("理理", "件件")]
    query = template.format("理理", "文件")
    monkeypatch.setattr(postings, "HIST_MIN_LEN", 64)
    idx = LangIndex.build([1, 2, 3], docs, [True] * 3)
    assert idx.hist_from == 0  # all three are long enough to have a histogram
    every = np.arange(3)
    assert idx._sig_char_bound(query, every).tolist() == [0, 0, 0]
    assert idx.char_bound(query, every).tolist() == [1, 1, 1]
    assert [Levenshtein.distance(query, idx.texts[d]) for d in range(3)] == [1, 4, 1]


def test_a_written_documents_histogram_is_the_builds(monkeypatch):
    """A write's histogram equals the build's, saturated counts included; only the long base
    documents have rows (``hist.a[doc − hist_from]``), a short written one an all-zero row."""
    texts = ["网络空间命运共同体" * 8, "数" * 20 + "字" * 15 + "据" * 14 + "网络" * 8, "短句"]
    monkeypatch.setattr(postings, "HIST_MIN_LEN", 64)
    idx = LangIndex.build(range(1, 4), texts, [True] * 3)
    short = idx.doc_of(3)
    assert short == 0 and idx.hist_from == 1 and idx.hist.n == 2 == idx.rows("hist")
    for text in texts[:2]:
        row = idx.hist.a[idx.doc_of(texts.index(text) + 1) - idx.hist_from]
        assert row == postings._histogram(text, idx._charbucket, idx.hist_buckets)
    counts = np.frombuffer(bytes(postings._histogram(texts[1], idx._charbucket, 128)), dtype=np.uint8)
    nibbles = np.stack([counts & 15, counts >> 4], axis=1).ravel()
    assert sorted(nibbles[nibbles > 0].tolist()) == [8, 8, 14, 15, 15]  # 20 数 saturate at 15
    # every character of the long documents has a bucket of its own (12 of them: the smallest
    # size, 128 buckets, has 96 such), ranked by frequency there; the short one's characters
    # share the hashed ones
    seen = {c for t in texts[:2] for c in t}
    assert idx.hist_buckets == 128 and idx.hist.a.dtype.itemsize == 64
    assert sorted(int(idx._charbucket[ord(c)]) for c in seen) == list(range(len(seen)))
    assert idx._charbucket[ord("数")] == 0 and 96 <= idx._charbucket[ord("短")] < 128
    # a write grows the array (a build leaves no spare room) and keeps the rows in use
    before = [bytes(idx.hist.a[r]) for r in range(2)]
    long_write = "又一句" * 30
    idx.upsert(4, long_write, True)
    assert len(idx.hist.a) > 2 and [bytes(idx.hist.a[r]) for r in range(2)] == before
    assert idx.hist.a[idx.doc_of(4) - idx.hist_from] == postings._histogram(long_write, idx._charbucket, 128)
    # a short write has none (its row stays zero: the signature serves it, as for a short base one)
    idx.upsert(5, "又一句", True)
    assert idx.hist.n == idx.doc_of(5) + 1 - idx.hist_from
    assert not any(bytes(idx.hist.a[idx.doc_of(5) - idx.hist_from]))
    # its bound comes from the signature: 0 for its own text (its zero row would claim 3 missing)
    assert idx.char_bound("又一句", np.array([idx.doc_of(5), idx.doc_of(4)])).tolist() == [0, 87]


def test_histogram_buckets_separate_rare_characters(monkeypatch):
    """Slot characters are rare: with the signature's 128 buckets (the histograms' until round
    10), the build's characters of rank r and r + 128 shared one, and the unit holding rare
    characters 128–131 looked as if it held the query's 0–3 (a bound of 0 where 4 are missing).
    Each of the build's most frequent characters (384 of 512 buckets: these 300 need the largest
    size) has a bucket of its own, so here the bound is the bag distance itself."""
    common = "".join(chr(0x4E00 + i) for i in range(100))  # 100 characters, each in every unit
    rare = [chr(0x9000 + i) for i in range(200)]  # ranks 100–299, four to a unit
    docs = [common + "".join(rare[i : i + 4]) for i in range(0, 200, 4)]
    monkeypatch.setattr(postings, "HIST_MIN_LEN", 64)
    idx = LangIndex.build(range(1, len(docs) + 1), docs, [True] * len(docs))
    assert idx.hist_buckets == 512
    query = common + "".join(rare[:4])
    every = np.arange(len(docs))
    want = [max(sum((Counter(query) - Counter(d)).values()), sum((Counter(d) - Counter(query)).values()))
            for d in (idx.texts[i] for i in every.tolist())]
    assert idx.char_bound(query, every).tolist() == want
    assert sorted(want) == [0] + [4] * 49
    assert all(w <= Levenshtein.distance(query, idx.texts[i]) for i, w in enumerate(want))


@pytest.mark.parametrize(("distinct", "buckets"), [(52, 128), (96, 128), (97, 256), (192, 256), (193, 512),
                                                  (600, 512)])
def test_histogram_size_follows_the_long_documents_characters(monkeypatch, distinct, buckets):
    """The bucket count is the smallest whose own buckets (three quarters) hold every distinct
    character of the long documents: English long units (52 characters here, as in vocab 1e6's
    normalised English) take 64-byte rows, not 256 (round 10 gave every index 512 buckets, and the
    English side's rows four times the disk for nothing). While the characters fit, the bound is
    the bag distance (each character counted apart); beyond 384 the rarest share buckets."""
    alphabet = [chr(0x61 + i) for i in range(26)] + [chr(0x41 + i) for i in range(26)] + \
        [chr(0x4E00 + i) for i in range(max(0, distinct - 52))]
    alphabet = alphabet[:distinct]
    rnd = random.Random(distinct)
    docs = ["".join(alphabet) + "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
            for _ in range(40)]
    monkeypatch.setattr(postings, "HIST_MIN_LEN", 32)
    idx = LangIndex.build(range(1, len(docs) + 1), docs, [True] * len(docs))
    assert idx.hist_from == 0 and idx.hist_buckets == buckets and idx.hist.a.dtype.itemsize == buckets // 2
    query = docs[0][: len(docs[0]) // 2] + "".join(rnd.choice(alphabet) for _ in range(20))
    every = np.arange(len(docs))
    bound = idx.char_bound(query, every).tolist()
    assert all(b <= Levenshtein.distance(query, idx.texts[i]) for i, b in enumerate(bound))
    if distinct <= 384:
        assert bound == [max(sum((Counter(query) - Counter(d)).values()), sum((Counter(d) - Counter(query)).values()))
                         for d in (idx.texts[i] for i in every.tolist())]
    # a write's histogram has the build's width and buckets
    idx.upsert(99, docs[1] + "z", True)
    doc = idx.doc_of(99)
    assert idx.hist.a[doc] == postings._histogram(docs[1] + "z", idx._charbucket, buckets)
    assert idx.char_bound(query, np.array([doc]))[0] <= Levenshtein.distance(query, docs[1] + "z")


def test_entries_prepared_before_a_build_are_remade():
    """A catch-up prepares a chunk's entries (signature, histogram, bigrams) before it applies
    them, and an index rebuilt in between (a part index compacting itself mid-chunk) has new
    character maps: entries made with the old ones would give the written unit bits and buckets
    that no longer mean its characters, and a bound that is not one (the unit could be pruned
    from a search it matches). ``upsert`` remakes such entries."""
    idx = LangIndex.build([1, 2], ["网络空间命运共同体", "网络安全"], [True, True])
    text = "数据治理数据安全数据平台"
    stale = idx.prepare(text)
    # 数据 become the most frequent characters: a build ranks them into bits of their own
    for i in range(3, 40):
        idx.upsert(i, "数据数据数据治理平台" + str(i), True)
    idx.compact()
    assert stale.sig != postings._signature(text, idx._charbit)
    idx.upsert(100, text, True, stale)
    doc = idx.doc_of(100)
    assert (int(idx.sig_lo.a[doc]), int(idx.sig_hi.a[doc])) == postings._signature(text, idx._charbit)
    assert idx.char_bound(text, np.array([doc])).tolist() == [0]
    assert [int(idx.seg_ids.a[d]) for d, _, _ in idx.search(text, 1, 100).hits] == [100]


def test_repetitive_query_is_proven_by_multiplicities():
    """Six 哈 have one distinct bigram: missing it was once "not enough" and the search scanned
    the store. Counted with its multiplicity (5 positions) it proves the answer."""
    docs = ["哈哈哈哈哈哈", "哈哈哈哈哈", "哈哈哈哈哈哈哈", "网络空间"]
    idx = LangIndex.build([1, 2, 3, 4], docs, [True] * 4)
    res = idx.search("哈哈哈哈哈哈", 5, 60)
    assert res.proven is True and res.strategy == "index"
    # 6/7 (seven 哈) beats 5/6 (five 哈)
    assert [int(idx.seg_ids.a[d]) for d, _, _ in res.hits] == [1, 3, 2]


def test_too_short_a_query_falls_back_to_the_exact_scan():
    docs = ["哈哈哈", "哈哈", "哈网", "网络空间"]
    idx = LangIndex.build([1, 2, 3, 4], docs, [True] * 4)
    res = idx.search("哈哈", 5, 50)  # missing its one bigram still leaves 1/2
    assert res.proven is False and res.strategy == "scan"
    assert answer(idx, "哈哈", 5, 50)[0] == exhaustive(dict(enumerate(docs, 1)), "哈哈", 5, 50)


def test_ordinary_query_is_proven():
    docs = ["构建网络空间命运共同体", "构建网络空间命运共同体理念", "推动全球互联网治理"]
    idx = LangIndex.build([1, 2, 3], docs, [True] * 3)
    res = idx.search("构建网络空间命运共同体的理念", 5, 60)
    assert res.proven is True
    assert [int(idx.seg_ids.a[d]) for d, _, _ in res.hits] == [2, 1]


@settings(max_examples=200, deadline=None)
@given(a=texts.filter(bool), b=texts.filter(bool))
def test_upper_bound_never_below_true_similarity(a, b):
    """The count-filter bound the proof rests on, checked pair by pair."""
    qa, qb = set(string_bigrams(a).tolist()), set(string_bigrams(b).tolist())
    absent = len(qa - qb)
    num, den = upper_bound(np.array([absent]), np.array([len(b)]), len(a))
    m = max(len(a), len(b))
    d = Levenshtein.distance(a, b)
    assert (m - d) * int(den[0]) <= int(num[0]) * m


@settings(max_examples=300, deadline=None)
@given(
    absent=st.lists(st.integers(0, 60), min_size=1, max_size=20),
    lens=st.lists(st.integers(1, 90), min_size=20, max_size=20),
    qlen=st.integers(1, 60),
    min_score=st.sampled_from([30, 50, 60, 66.5, 70, 75, 80, 90, 100]),
)
def test_hot_path_filter_equals_bound(absent, lens, qlen, min_score):
    """The search's vectorised filter says exactly "upper_bound reaches τ"."""
    from tmserver.index.postings import _as_fraction

    tau = _as_fraction(min_score)
    a = np.array(absent, dtype=np.int64)
    cl = np.array(lens[: len(absent)], dtype=np.int32)
    num, den = upper_bound(a, cl, qlen)
    want = num * tau.denominator >= tau.numerator * den
    assert _passes(a, cl, qlen, tau.numerator, tau.denominator).tolist() == want.tolist()


def test_joined_bigrams_matches_per_string():
    """The build's pass over one concatenated string drops bigrams that straddle documents."""
    docs = ["ab", "abab", "", "x", "网络网络", "ba"]
    offs = np.concatenate([[0], np.cumsum([len(t) for t in docs])])
    keys, owners = joined_bigrams("".join(docs), offs)
    for i, t in enumerate(docs):
        assert sorted(keys[owners == i].tolist()) == string_bigrams(t).tolist()


@given(st.lists(st.lists(st.integers(0, 60), max_size=30, unique=True), min_size=1, max_size=8))
def test_merged_counts_counts_each_document_over_the_lists(lists):
    """The count filter's union: each document once, with the number of lists that hold it."""
    arrays = [np.array(sorted(x), dtype=np.int32) for x in lists]
    values, counts = merged_counts(arrays)
    want: dict[int, int] = {}
    for x in lists:
        for v in x:
            want[v] = want.get(v, 0) + 1
    assert values.tolist() == sorted(want)
    assert counts.tolist() == [want[v] for v in sorted(want)]


def test_build_numbers_documents_by_length_and_finds_them_by_segment():
    docs = ["网络空间命运共同体", "网络", "数字经济发展", "网络空间"]
    idx = LangIndex.build([10, 20, 30, 40], list(docs), [True, False, True, True], consume=True)
    assert idx.lens.view.tolist() == sorted(len(t) for t in docs)
    for seg, text in zip([10, 20, 30, 40], docs, strict=True):
        doc = idx.doc_of(seg)
        assert idx.texts[doc] == text and int(idx.seg_ids.a[doc]) == seg
    assert bool(idx.is_source.a[idx.doc_of(20)]) is False
    assert answer(idx, "网络空间", 5, 40)[0] == exhaustive(dict(zip([10, 20, 30, 40], docs, strict=True)), "网络空间", 5, 40)


def test_delta_lists_turn_into_arrays_and_keep_every_document(monkeypatch):
    """Past ``DELTA_ARRAY_MIN`` documents a delta posting list is an array of int32 items (a
    bytearray, grown in place); the documents written after that are in it, in order, and a search finds them (with
    a repeated bigram's counts aligned: a delta document is credited as holding it often enough).
    Neither form is a container the cyclic GC tracks."""
    monkeypatch.setattr(postings, "DELTA_ARRAY_MIN", 3)
    idx = LangIndex.build([1], ["数字经济"], [True])
    for seg in range(2, 12):
        idx.upsert(seg, f"网络空间{seg}网络", True)
    key = int(string_bigrams("网络")[0])
    assert type(idx.delta[key]) is bytearray  # held by all ten
    assert type(idx.delta[int(string_bigrams("间5")[0])]) is tuple  # by one
    assert postings._delta_docs(idx.delta[key]).tolist() == [idx.doc_of(s) for s in range(2, 12)]
    idx.upsert(12, "网络空间治理", True)
    assert type(idx.delta[int(string_bigrams("治理")[0])]) is tuple
    gc.collect()
    assert not gc.is_tracked(idx.delta)
    docs = {1: "数字经济", **{s: f"网络空间{s}网络" for s in range(2, 12)}, 12: "网络空间治理"}
    for q in ["网络空间5网络", "网络空间治理", "网络网络空间"]:
        assert answer(idx, q, 5, 40)[0] == exhaustive(docs, q, 5, 40)


def test_a_written_documents_signature_is_the_builds():
    """The single-text signature of a write equals the batch one of a build."""
    texts = ["网络空间命运共同体", "abc𠀀哈嘿", "", "数字数字数字", "Wi-Fi 5G，２０１５年"]
    idx = LangIndex.build(range(1, 4), texts[:3], [True] * 3)
    cps = [postings.codepoints(t) for t in texts]
    lo, hi = postings._signatures(np.concatenate(cps), np.array([len(t) for t in texts]), idx._charbit)
    assert [postings._signature(t, idx._charbit) for t in texts] == list(zip(lo.tolist(), hi.tolist(), strict=True))


def test_compaction_keeps_answers():
    idx = LangIndex.build([1, 2], ["网络空间", "数字鸿沟"], [True, False])
    idx.upsert(3, "网络空间治理", True)
    idx.upsert(1, "数字经济", True)
    before = answer(idx, "网络空间", 5, 50)
    idx.compact()
    assert answer(idx, "网络空间", 5, 50) == before
    assert idx.doc_of(1) is not None and idx.texts[idx.doc_of(1)] == "数字经济"


def test_delta_is_folded_into_the_base_once_it_passes_the_limit(monkeypatch):
    monkeypatch.setattr(postings, "COMPACT_MIN", 2)
    docs = {1: "网络空间", 2: "数字鸿沟"}
    idx = LangIndex.build(list(docs), list(docs.values()), [True, True])
    for seg, text in [(3, "网络空间治理"), (4, "数字经济"), (1, "网络空间命运共同体")]:
        idx.upsert(seg, text, True)
        docs[seg] = text
    # the third write passed the limit: base rebuilt from the live texts, delta empty, no dead docs
    assert (idx.n_base, idx.delta_docs, idx.n_dead, idx.delta) == (4, 0, 0, {})
    assert answer(idx, "网络空间", 5, 30)[0] == exhaustive(docs, "网络空间", 5, 30)
