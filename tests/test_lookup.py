"""Native lookup API through the real app and database: scores, penalties, context, adaptation,
diffs, both directions, freshness after writes, batch, and 400s."""

from __future__ import annotations

import pytest

from tmserver.tm import SegmentInput

ZH = "构建网络空间命运共同体，是对全球互联网发展的深刻回应。"
EN = "Building a community with a shared future in cyberspace responds to global Internet development."


def add(tm, source, target, sl="zh", tl="en", **kw):
    return tm.create_segment(SegmentInput(source=source, target=target, source_lang=sl, target_lang=tl, **kw)).segment


def look(client, q, sl="zh", tl="en", **params):
    r = client.get("/api/v1/lookup", query_string={"q": q, "source_lang": sl, "target_lang": tl, **params})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_exact_match_scores_100(client, tm):
    seg = add(tm, ZH, EN)
    out = look(client, ZH)
    m = out["matches"][0]
    assert (m["id"], m["score"], m["match_type"], m["target"]) == (seg["id"], 100, "exact", EN)
    assert out["proven"] is True and m["adapted_target"] is None
    assert [d["op"] for d in m["diff"]] == ["equal"]


@pytest.mark.parametrize(
    "query, stored, expected",
    [
        ("網路空間的數位鴻溝", "网络空间的数字鸿沟", 98),  # Taiwan phrases (tw2sp)
        ("軟體發展", "软件发展", 98),
        ("這是香港的網絡", "这是香港的网络", 98),  # HK forms (hk2s)
    ],
)
def test_traditional_queries_find_simplified_segments(client, tm, query, stored, expected):
    add(tm, stored, "some translation")
    m = look(client, query)["matches"][0]
    assert m["source"] == stored and m["score"] == expected and m["match_type"] == "exact"
    assert {"kind": "script", "points": 2} in m["penalties"]


def test_half_width_punctuation_scores_below_100(client, tm):
    add(tm, ZH, EN)
    half = ZH.replace("，", ",").replace("。", ".")
    m = look(client, half)["matches"][0]
    assert (m["score"], m["match_type"]) == (99, "exact")
    assert m["penalties"] == [{"kind": "punctuation", "points": 1}]


def test_english_case_and_space_penalties(client, tm):
    add(tm, "网络空间", "Internet governance matters.", "zh", "en")
    m = look(client, "internet  governance matters.", "en", "zh")["matches"][0]
    assert m["score"] == 98 and {p["kind"] for p in m["penalties"]} == {"case", "whitespace"}


def test_context_match_scores_101_only_when_neighbours_match(client, tm):
    add(tm, "上一句。", "Previous.")
    add(tm, ZH, EN, context_prev="上一句。", context_next="下一句。")
    hit = look(client, ZH, context_prev="上一句。", context_next="下一句。")["matches"][0]
    assert (hit["score"], hit["match_type"]) == (101, "context")
    miss = look(client, ZH, context_prev="别的句子。")["matches"][0]
    assert (miss["score"], miss["match_type"]) == (100, "exact")
    # a penalised exact match never becomes 101
    trad = look(client, "構建網路空間命運共同體，是對全球互聯網發展的深刻回應。", context_prev="上一句。")["matches"][0]
    assert (trad["score"], trad["match_type"]) == (98, "exact")


def test_fuzzy_score_and_diff_in_original_offsets(client, tm):
    stored = "网络空间治理的发展"
    add(tm, stored, "the development of cyberspace governance")
    q = "網路空間的發展"  # Traditional, and 治理 missing
    m = look(client, q, min_score=50)["matches"][0]
    assert m["match_type"] == "fuzzy" and m["score"] == 77  # 7/9 on matching forms
    ins = [d for d in m["diff"] if d["op"] != "equal"]
    assert ins == [{"op": "insert", "query": [4, 4], "match": [4, 6], "query_text": "", "match_text": "治理"}]
    eq = [d for d in m["diff"] if d["op"] == "equal"]
    assert [q[a:b] for a, b in (d["query"] for d in eq)] == ["網路空間", "的發展"]
    assert [stored[a:b] for a, b in (d["match"] for d in eq)] == ["网络空间", "的发展"]


def test_diff_offsets_survive_length_changing_normalisation(client, tm):
    stored = "记忆体……很重要"
    add(tm, stored, "memory matters")
    q = "記憶體……非常重要"
    m = look(client, q, min_score=40)["matches"][0]
    for d in m["diff"]:
        a, b = d["query"]
        c, e = d["match"]
        assert d["query_text"] == q[a:b] and d["match_text"] == stored[c:e]
    # 記憶體 becomes 内存 (Taiwan phrase), so it differs from 记忆体; the spans still point at it
    changed = "".join(d["query_text"] for d in m["diff"] if d["op"] != "equal")
    assert changed == "記憶體非常"
    assert [d["query_text"] for d in m["diff"] if d["op"] == "equal"] == ["……", "重要"]


def test_placeable_adaptation_numbers_and_dates(client, tm):
    add(tm, "2024年，我国网民规模达11亿。", "In 2024, China had 1.1 billion internet users.")
    m = look(client, "2025年，我国网民规模达12亿。")["matches"][0]
    assert m["adapted"] is True
    assert m["adapted_target"] == "In 2025, China had 1.2 billion internet users."
    add(tm, "2015年12月16日，第二届世界互联网大会在乌镇开幕。",
        "On December 16, 2015, the second World Internet Conference opened in Wuzhen.")
    m = look(client, "2016年11月16日，第三届世界互联网大会在乌镇开幕。")["matches"][0]
    assert m["adapted_target"] == "On November 16, 2016, the third World Internet Conference opened in Wuzhen."


def test_no_adaptation_when_words_differ_too(client, tm):
    add(tm, "2024年，我国网民规模达11亿。", "In 2024, China had 1.1 billion internet users.")
    m = look(client, "2025年，全球网民规模达11亿。", min_score=50)["matches"][0]
    assert m["adapted_target"] is None and m["adapted"] is False


def test_lookup_in_both_directions(client, tm):
    add(tm, "Digital divide is widening.", "数字鸿沟正在扩大。", "en", "zh")
    m = look(client, "数字鸿沟正在扩大。", "zh", "en")["matches"][0]
    assert m["source"] == "数字鸿沟正在扩大。" and m["target"] == "Digital divide is widening."
    assert m["matched_side"] == "target" and m["source_lang"] == "zh"
    m = look(client, "digital divide is widening.", "en", "zh")["matches"][0]
    assert m["target"] == "数字鸿沟正在扩大。" and m["matched_side"] == "source"


def test_writes_are_seen_by_the_next_lookup(client, tm):
    assert look(client, ZH)["matches"] == []  # builds the index
    seg = add(tm, ZH, EN)
    assert look(client, ZH)["matches"][0]["id"] == seg["id"]
    tm.update_segment(seg["id"], {"target": "new translation"})
    assert look(client, ZH)["matches"][0]["target"] == "new translation"
    tm.update_segment(seg["id"], {"source": "完全不同的一句话。"})
    assert look(client, ZH)["matches"] == []
    tm.delete_segment(seg["id"])
    assert look(client, "完全不同的一句话。")["matches"] == []
    tm.clear()
    assert look(client, ZH)["matches"] == []


def test_ranking_limit_and_min_score(client, tm):
    ids = [add(tm, s, "t")["id"] for s in ["网络空间命运共同体", "网络空间命运", "网络空间", "数字鸿沟"]]
    out = look(client, "网络空间命运共同体", limit=2, min_score=40)
    assert [m["id"] for m in out["matches"]] == ids[:2]
    assert all(m["score"] >= 40 for m in out["matches"])
    assert [m["id"] for m in look(client, "网络空间命运共同体", min_score=100)["matches"]] == ids[:1]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"q": ""}, "q"),
        ({"q": "x", "source_lang": "de"}, "source_lang"),
        ({"q": "x", "source_lang": "zh", "target_lang": "zh"}, None),
        ({"q": "x", "limit": "0"}, "limit"),
        ({"q": "x", "limit": "abc"}, "limit"),
        ({"q": "x", "min_score": "102"}, "min_score"),
        ({"q": "网" * 20_001}, "longer"),
    ],
)
def test_bad_parameters_are_400(client, params, field):
    r = client.get("/api/v1/lookup", query_string=params)
    assert r.status_code == 400
    body = r.get_json()["error"]
    assert body["message"]
    if field:
        assert field in body["message"]


def test_batch_lookup(client, tm):
    add(tm, "上一句。", "Previous.")
    add(tm, ZH, EN, context_prev="上一句。")
    r = client.post("/api/v1/lookup/batch", json={"segments": ["上一句。", ZH, "没有匹配的句子"], "min_score": 90})
    assert r.status_code == 200
    res = r.get_json()["results"]
    assert [x["matches"][0]["score"] if x["matches"] else None for x in res] == [100, 101, None]
    r = client.post("/api/v1/lookup/batch", json={"segments": [{"q": ZH}], "limit": 1})
    assert r.get_json()["results"][0]["matches"][0]["score"] == 100


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"segments": []},
        {"segments": ["a"] * 1001},
        {"segments": [5]},
        {"segments": [{"text": "a"}]},
        {"segments": ["a"], "limit": 0},
        {"segments": ["a"], "min_score": "high"},
        {"segments": ["a"], "source_lang": "xx"},
        {"segments": ["a"], "extra": 1},
        {"segments": [" "]},
    ],
)
def test_batch_bad_input_is_400(client, body):
    r = client.post("/api/v1/lookup/batch", json=body)
    assert r.status_code == 400 and r.get_json()["error"]["message"]
