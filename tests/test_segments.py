"""Segment CRUD, history and listing through the real app and database."""

from __future__ import annotations

from tmserver.tm import SegmentInput


def _create(client, auth, **kw):
    body = {"source": "网络空间是人类共同的活动空间。", "target": "Cyberspace is a common space of human activity.",
            "source_lang": "zh-CN", "target_lang": "en-US", "origin": "doc1", **kw}
    r = client.post("/api/v1/segments", json=body, headers=auth("translator"))
    assert r.status_code == 201, r.json
    return r.json["segment"]


def test_create_read_keeps_variant_and_creator(client, auth):
    seg = _create(client, auth)
    assert seg["source_lang"] == "zh-CN" and seg["target_lang"] == "en-US"
    assert seg["creator"] == "test-translator"
    got = client.get(f"/api/v1/segments/{seg['id']}").json
    assert got["source"] == "网络空间是人类共同的活动空间。"
    assert got["version"] == 1


def test_update_keeps_previous_version_in_history(client, auth):
    seg = _create(client, auth)
    r = client.put(f"/api/v1/segments/{seg['id']}", json={"target": "Cyberspace is humanity's common space."},
                   headers=auth("translator"))
    assert r.status_code == 200, r.json
    assert r.json["segment"]["version"] == 2
    assert r.json["segment"]["source"] == seg["source"]  # untouched fields kept
    hist = client.get(f"/api/v1/segments/{seg['id']}/history").json
    assert [h["action"] for h in hist["history"]] == ["update"]
    assert hist["history"][0]["segment"]["target"] == "Cyberspace is a common space of human activity."
    assert hist["history"][0]["changed_by"] == "test-translator"
    assert hist["current"]["target"] == "Cyberspace is humanity's common space."


def test_delete_keeps_last_version_and_404_after(client, auth):
    seg = _create(client, auth)
    client.put(f"/api/v1/segments/{seg['id']}", json={"target": "v2 of the cyberspace sentence."},
               headers=auth("translator"))
    r = client.delete(f"/api/v1/segments/{seg['id']}?reason=duplicate", headers=auth("translator"))
    assert r.status_code == 204
    assert client.get(f"/api/v1/segments/{seg['id']}").status_code == 404
    hist = client.get(f"/api/v1/segments/{seg['id']}/history").json
    assert hist["deleted"] is True
    assert [h["action"] for h in hist["history"]] == ["update", "delete"]
    assert hist["history"][1]["reason"] == "duplicate"
    assert hist["history"][1]["segment"]["target"] == "v2 of the cyberspace sentence."


def test_list_filters_and_pagination(client, auth):
    for i in range(5):
        _create(client, auth, source=f"第{i}句话。", target=f"Sentence {i}.", origin="a" if i % 2 else "b")
    _create(client, auth, source="Hello world.", target="你好，世界。", source_lang="en", target_lang="zh",
            origin="c")
    page = client.get("/api/v1/segments?per_page=2&page=2").json
    assert page["total"] == 6 and len(page["items"]) == 2 and page["page"] == 2
    assert client.get("/api/v1/segments?origin=a").json["total"] == 2
    assert client.get("/api/v1/segments?source_lang=en").json["total"] == 1
    assert client.get("/api/v1/segments?q=Sentence 3").json["items"][0]["source"] == "第3句话。"
    # LIKE wildcards in the filter are literal
    assert client.get("/api/v1/segments?q=%25").json["total"] == 0


def test_bad_input_is_400_and_changes_nothing(client, auth, tm):
    cases = [
        {"source": "", "target": "x"},
        {"source": "中文", "target": "   "},
        {"source": 3, "target": "x"},
        {"source": "中文", "target": "x", "source_lang": "zh", "target_lang": "zh-TW"},
        {"source": "中文", "target": "x", "bogus": 1},
    ]
    for body in cases:
        r = client.post("/api/v1/segments", json=body, headers=auth("translator"))
        assert r.status_code == 400, (body, r.json)
        assert set(r.json["error"]) == {"code", "message", "details", "request_id"}
    r = client.post("/api/v1/segments", data="not json", headers=auth("translator"))
    assert r.status_code == 400
    assert tm.count() == 0


def test_unknown_language_is_400_naming_it(client, auth):
    r = client.post("/api/v1/segments", json={"source": "x", "target": "y", "source_lang": "klingon"},
                    headers=auth("translator"))
    assert r.status_code == 400
    assert r.json["error"]["code"] == "unknown_language"
    assert "klingon" in r.json["error"]["message"]
    r = client.get("/api/v1/concordance?q=x&lang=de")
    assert r.status_code == 400 and "'de'" in r.json["error"]["message"]


def test_update_unknown_segment_404(client, auth):
    r = client.put("/api/v1/segments/999", json={"target": "x"}, headers=auth("translator"))
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"


def test_concordance_offsets_point_into_original(client, auth):
    _create(client, auth, source="2015年12月16日,在第二届世界互联网大会上,習近平主席首次提出網路空間命運共同體。",
            target="On December 16, 2015, at the second World Internet Conference, President Xi Jinping first "
                   "proposed a community with a shared future in cyberspace.")
    r = client.get("/api/v1/concordance", query_string={"q": "网络空间", "lang": "zh"}).json
    assert r["total"] == 1
    hit = r["results"][0]
    s, e = hit["spans"][0]
    assert hit["text"][s:e] == "網路空間"  # Traditional in the TM, Simplified in the query
    r = client.get("/api/v1/concordance", query_string={"q": "WORLD internet", "lang": "en"}).json
    s, e = r["results"][0]["spans"][0]
    assert r["results"][0]["text"][s:e] == "World Internet"
    assert r["results"][0]["side"] == "target"


def test_control_characters_are_refused_with_position(client, auth, tm):
    r = client.post("/api/v1/segments", json={"source": "网络\x00空间", "target": "cyberspace"}, headers=auth("translator"))
    assert r.status_code == 400
    assert r.json["error"]["details"] == {"field": "source", "position": 2}
    r = client.get("/api/v1/lookup", query_string={"q": "网络\x01空间", "source_lang": "zh", "target_lang": "en"})
    assert r.status_code == 400 and r.json["error"]["details"]["field"] == "q"
    r = client.get("/api/v1/lookup", query_string={"q": "网络", "source_lang": "zh", "target_lang": "en", "limit": "inf"})
    assert r.status_code == 400
    assert tm.count() == 0


def test_lone_surrogates_are_refused(client, auth, tm):
    body = '{"source": "\\ud800网络", "target": "network"}'
    r = client.post("/api/v1/segments", data=body, content_type="application/json", headers=auth("translator"))
    assert r.status_code == 400 and r.json["error"]["details"] == {"field": "source", "position": 0}
    r = client.post("/api/v1/lookup/batch", data='{"segments": ["\\udfff"]}', content_type="application/json")
    assert r.status_code == 400
    assert tm.count() == 0


def test_overlong_fields_are_400_not_database_errors(client, auth, tm):
    r = client.post("/api/v1/segments", json={"source": "网络", "target": "network", "origin": "x" * 256},
                    headers=auth("translator"))
    assert r.status_code == 400 and r.json["error"]["details"] == {"field": "origin"}
    r = client.post("/api/v1/segments", json={"source": "网络", "target": "network",
                                              "source_lang": "zh-" + "-".join(["abcdefgh"] * 5)},
                    headers=auth("translator"))
    assert r.status_code == 400 and r.json["error"]["code"] == "unknown_language"
    r = client.post("/api/v1/keys", json={"name": "n" * 300, "role": "reader"}, headers=auth("admin"))
    assert r.status_code == 400
    assert tm.count() == 0


def test_concordance_pages_carry_the_total(tm):
    tm.set_glossary_policy("off")
    for i in range(3):
        tm.create_segment(SegmentInput(source=f"数字鸿沟第{i}句。", target=f"Divide {i}.", source_lang="zh", target_lang="en"))
    pages = [tm.concordance("数字鸿沟", "zh", limit=2, offset=off) for off in (0, 2, 5)]
    assert [p["total"] for p in pages] == [3, 3, 3]
    assert [len(p["results"]) for p in pages] == [2, 1, 0]
    assert [r["text"] for p in pages for r in p["results"]] == ["数字鸿沟第0句。", "数字鸿沟第1句。", "数字鸿沟第2句。"]
    assert tm.concordance("不存在的词", "zh")["total"] == 0
