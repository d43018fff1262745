"""The lean request path: orjson writes the same JSON Flask's provider did; the glossary verdicts
kept for returned matches follow the glossary's version; the version read is one Core statement."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from flask.json.provider import DefaultJSONProvider

from tmserver.app import FastJSON
from tmserver.glossary.annotate import annotate_lookup
from tmserver.glossary.store import get_version
from tmserver.index import postings
from tmserver.tm import SegmentInput

CONCEPT = {"id": "lean-1", "terms": [{"text": "数据主权", "lang": "zh"}, {"text": "data sovereignty", "lang": "en"},
                                     {"text": "data dominion", "lang": "en", "status": "deprecated"}]}


@dataclass
class _Point:
    x: int
    label: str


def test_fast_json_writes_what_flask_wrote(app) -> None:
    assert isinstance(app.json, FastJSON)
    stdlib = DefaultJSONProvider(app)
    stdlib.ensure_ascii, stdlib.sort_keys = False, False
    values = [
        {"query": "网络空间命运共同体", "matches": [{"score": 97, "similarity": 0.9666, "id": 3, "ok": True}]},
        {"when": datetime(2026, 11, 29, 20, 0, tzinfo=UTC), "point": _Point(1, "点"), 1: "int key"},
        {"big": 2**70, "none": None, "nested": [[1.5, "\u2028", "é"]]},
    ]
    for value in values:
        fast, slow = app.json.dumps(value), stdlib.dumps(value)
        assert json.loads(fast) == json.loads(slow), (fast, slow)
    assert "网络" in app.json.dumps({"q": "网络"})  # characters as they are, not \\u escapes


def test_lookup_response_through_the_fast_provider(client, tm) -> None:
    tm.create_segment(SegmentInput("数字鸿沟正在扩大", "The digital divide is widening"))
    r = client.get("/api/v1/lookup?q=数字鸿沟正在扩大&source_lang=zh&target_lang=en")
    assert r.status_code == 200 and "数字鸿沟".encode() in r.data
    assert r.get_json()["matches"][0]["target"] == "The digital divide is widening"


def test_cached_term_problems_follow_the_glossary_version(client, tm, auth) -> None:
    """The same returned match is judged again once the glossary changes (new version, new key)."""
    match = {"source": "维护数据主权", "target": "safeguard data dominion"}
    with tm.session() as s:
        assert annotate_lookup(s, "维护数据主权", "zh", "en", [dict(match)])["terms"] == []
        before = get_version(s)
    assert client.post("/api/v1/glossary/concepts", json=CONCEPT, headers=auth("admin")).status_code == 201
    first, again = dict(match), dict(match)
    with tm.session() as s:
        assert get_version(s) != before
        annotate_lookup(s, "维护数据主权", "zh", "en", [first])
        annotate_lookup(s, "维护数据主权", "zh", "en", [again])  # answered from the cache
    assert [p["kind"] for p in first["term_problems"]] == ["forbidden"]
    assert first["term_problems"] == again["term_problems"] and again["adapted_target"] == "safeguard data sovereignty"
    assert client.delete("/api/v1/glossary/concepts/lean-1", headers=auth("admin")).status_code in (200, 204)
    gone = dict(match)
    with tm.session() as s:
        annotate_lookup(s, "维护数据主权", "zh", "en", [gone])
    assert gone["term_problems"] == []


def test_copies_are_dropped_before_diffs_are_made(tm, monkeypatch) -> None:
    """Collapsing duplicate pairs happens on the scored hits: the diff and adaptation are made for
    the returned matches only, not for the copies. And the copies do not leave the page short:
    the index is searched once, for 3 different texts and all their copies (until round 11 it was
    searched again for a larger page)."""
    from tmserver.index import engine as engine_mod

    for _ in range(8):
        tm.create_segment(SegmentInput(source="网络空间命运共同体", target="community"), on_duplicate="keep")
    for i in range(3):
        tm.create_segment(SegmentInput(source=f"网络空间命运共同体{i}号", target=f"community {i}"))
    tm.lookup("网络空间命运共同体", "zh", "en", limit=3, min_score=50)  # loads the index
    diffed: list[str] = []
    real_diff = engine_mod.diff
    monkeypatch.setattr(engine_mod, "diff", lambda qn, text: diffed.append(text.text) or real_diff(qn, text))
    searches: list[int] = []
    real_search = engine_mod.LangIndex.search
    monkeypatch.setattr(engine_mod.LangIndex, "search",
                        lambda self, q, k=5, s=70, **kw: searches.append(k) or real_search(self, q, k, s, **kw))
    result = tm.lookup("网络空间命运共同体", "zh", "en", limit=3, min_score=50)
    assert searches == [3]
    assert [m["source"] for m in result["matches"]][0] == "网络空间命运共同体"
    assert len(result["matches"][0]["duplicate_ids"]) == 7
    assert len({(m["source"], m["target"]) for m in result["matches"]}) == 3
    assert len(diffed) == 3  # one per returned match (the old path made 11 and then 3 more)


def test_a_translation_behind_many_copies_is_still_found(tm, monkeypatch) -> None:
    """A distinct search returns at most ``COPIES_MAX`` copies of a text (here 3). Behind six
    copies of one pair lies the same source with another translation: the page of different
    texts holds one pair only, so the engine pages through every copy as it did before distinct
    searches, and finds it."""
    monkeypatch.setattr(postings, "COPIES_MAX", 3)
    for _ in range(6):
        tm.create_segment(SegmentInput(source="确定", target="OK"), on_duplicate="keep")
    other = tm.create_segment(SegmentInput(source="确定", target="Confirm"), on_duplicate="keep")
    result = tm.lookup("确定", "zh", "en", limit=2, min_score=50)
    assert [m["target"] for m in result["matches"]] == ["OK", "Confirm"]
    assert result["matches"][1]["id"] == other.segment["id"]
    assert len(result["matches"][0]["duplicate_ids"]) >= 3
    monkeypatch.setattr(postings, "COPIES_MAX", 50)  # all copies fit: one page, every copy named
    result = tm.lookup("确定", "zh", "en", limit=2, min_score=50)
    assert [m["target"] for m in result["matches"]] == ["OK", "Confirm"]
    assert len(result["matches"][0]["duplicate_ids"]) == 5
