"""The sub-segment parts table of a saved index stays a mapped array (issue 17 review).

A reopened :class:`~tmserver.index.parts.PartIndex` keeps its table and segment lookup as numpy
arrays over the saved files (shared by workers), with Python overlays only for what changed
since. It must answer sub-segment lookups like a fresh build of the same units — right after
opening, and after updates, deletes and additions of multi-sentence units (the overlay) and a
compaction.
"""

from __future__ import annotations

import gc
import json
import random

import numpy as np
import pytest

from tmserver.index import persist
from tmserver.index.parts import PartIndex, part_spans
from tmserver.index.postings import LangIndex
from tmserver.normalize import normalize_text

ALPHABET = "网络空间命运共同体的发展合作治理数字经济安全数据平台服务"


def sentence(rnd: random.Random) -> str:
    return "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(5, 14))) + "。"


def unit(rnd: random.Random) -> str:
    """One to four sentences (most units have one: no parts)."""
    return "".join(sentence(rnd) for _ in range(rnd.choice([1, 1, 2, 3, 4])))


def build(truth: dict[int, str]) -> PartIndex:
    return PartIndex.build("zh", [(s, True, t, normalize_text(t)) for s, t in truth.items()])


def save_and_open(tmp_path, truth: dict[int, str]) -> PartIndex:
    ids = np.asarray(list(truth), dtype=np.int64)
    main = LangIndex.build(ids, [normalize_text(t) for t in truth.values()], np.ones(len(ids), dtype=np.bool_))
    persist.save(tmp_path, "zh", main, build(truth), {"kind": "seq", "seq": 1}, "db")
    saved = persist.load(tmp_path, "zh", "db")
    assert saved is not None
    return saved.parts


def answers(parts: PartIndex, queries: list[str]) -> list[list[tuple[int, int]]]:
    """Every segment with a part at ≥ 60 for each query and its best distance (no k cut-off, so
    the answer does not depend on how ties between part ids are broken)."""
    k = len(parts.parts) + 1
    return [sorted((h.seg_id, h.distance) for h in parts.search(normalize_text(q), k, 60)) for q in queries]


def check_lookup(parts: PartIndex, truth: dict[int, str], absent: list[int]) -> None:
    """Every segment's part ids lead to exactly the spans of its current text."""
    for seg, text in truth.items():
        got = sorted(parts.parts[p][1:] for p in parts.by_seg.get(seg))
        assert got == sorted((True, s, e, i, j) for s, e, i, j in part_spans(text, "zh")), seg
        assert all(parts.parts[p][0] == seg for p in parts.by_seg.get(seg))
    for seg in absent:
        assert parts.by_seg.get(seg) == [] and seg not in parts.by_seg
    assert parts._live == len(parts)


def make(seed: int = 5, n: int = 400) -> tuple[dict[int, str], list[str]]:
    rnd = random.Random(seed)
    ids = rnd.sample(range(1, 10 * n), n)  # not in id order: the table's segment column is unsorted
    truth = {s: unit(rnd) for s in ids}
    multi = [t for t in truth.values() if t.count("。") > 1]
    queries = [t.split("。")[rnd.randrange(t.count("。"))] + "。" for t in rnd.sample(multi, 40)]
    queries += [q[:-3] + rnd.choice(ALPHABET) + "。" for q in queries[:20]]  # fuzzy ones
    return truth, queries


def writes(truth: dict[int, str], seed: int, n: int) -> list[tuple[int, str | None]]:
    """Updates (to more, fewer or no parts), deletes, new units, and replays of the last write."""
    rnd = random.Random(seed)
    out: list[tuple[int, str | None]] = []
    for _ in range(n):
        r = rnd.random()
        if r < 0.25 and truth:
            out.append((rnd.choice(sorted(truth)), None))
        elif r < 0.35 and out:
            out.append(out[-1])  # a replayed change: nothing moves
        elif r < 0.5:
            out.append((rnd.randint(10_000, 11_000), unit(rnd)))
        else:
            out.append((rnd.choice(sorted(truth)), unit(rnd)))
        seg, text = out[-1]
        if text is None:
            truth.pop(seg, None)
        else:
            truth[seg] = text
    return out


def apply(parts: PartIndex, ws: list[tuple[int, str | None]]) -> None:
    for seg, text in ws:
        parts.update(seg, text, True, None if text is None else normalize_text(text))


def test_a_reopened_part_index_is_arrays_and_answers_like_a_fresh_build(tmp_path):
    truth, queries = make()
    fresh = build(truth)
    parts = save_and_open(tmp_path, truth)
    # the table and the segment lookup are the saved files, mapped read-only: no list per part
    for arr in (parts.parts.base, parts.by_seg.keys, parts.by_seg.order):
        assert isinstance(arr, np.ndarray) and not isinstance(arr, list) and not arr.flags.writeable
    assert len(parts.parts.base) == len(parts.parts) == len(fresh.parts) > 100
    assert not parts.parts.tail and not parts.by_seg.overlay
    assert list(parts.parts) == list(fresh.parts)
    assert answers(parts, queries) == answers(fresh, queries)
    assert sum(map(len, answers(parts, queries))) > 40
    ws = writes(truth, seed=9, n=300)
    deleted = [s for s, t in ws if t is None and s not in truth]
    apply(parts, ws)
    assert parts.parts.tail and parts.by_seg.overlay and len(parts.parts.base) == len(fresh.parts)
    gc.collect()  # the written segments' part ids are nothing the cyclic GC walks (tuples, not lists)
    assert not gc.is_tracked(parts.by_seg.overlay)
    check_lookup(parts, truth, deleted)
    now = build(truth)
    new_queries = queries + [t.split("。")[1] + "。" for s, t in ws if t and t.count("。") > 1][:30]
    assert answers(parts, new_queries) == answers(now, new_queries)
    assert any(answers(parts, new_queries)[len(queries):])


def test_a_reopened_part_index_compacts_and_keeps_answering(tmp_path, monkeypatch):
    monkeypatch.setattr("tmserver.index.parts.COMPACT_MIN", 10)
    truth, queries = make(seed=6, n=200)
    parts = save_and_open(tmp_path, truth)
    base = parts.parts.base
    ws = writes(truth, seed=10, n=400)
    apply(parts, ws)
    assert parts.parts.base is not base and isinstance(parts.parts.base, np.ndarray)  # compacted
    check_lookup(parts, truth, [s for s, t in ws if t is None and s not in truth])
    assert answers(parts, queries) == answers(build(truth), queries)


def test_an_index_saved_without_the_segment_lookup_sorts_it_at_load(tmp_path):
    """A generation saved before the lookup arrays existed (same format) is read, not misread."""
    truth, queries = make(seed=7, n=200)
    fresh = build(truth)
    save_and_open(tmp_path, truth)
    folder = tmp_path / "zh" / "g00000001"
    manifest = json.loads((folder / "manifest.json").read_text())
    for name in ("seg_keys", "seg_order"):
        (folder / manifest["parts"]["arrays"].pop(name)["file"]).unlink()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    saved = persist.load(tmp_path, "zh", "db")
    assert saved is not None and isinstance(saved.parts.parts.base, np.ndarray)
    assert answers(saved.parts, queries) == answers(fresh, queries)
    check_lookup(saved.parts, truth, [])


def test_the_base_of_a_parts_table_is_not_truncated():
    parts = build({1: "数字鸿沟扩大。智能鸿沟出现。", 2: "甲乙丙丁。戊己庚辛。"})
    with pytest.raises(ValueError):
        parts.parts.truncate(1)
    with pytest.raises(IndexError):
        parts.parts[-1]
