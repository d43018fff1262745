"""amaGama/tmserver routes as Weblate's and Virtaal's clients call them."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tmserver.tm import SegmentInput

ZH = "网络空间/数字鸿沟：全球治理的挑战"
EN = "Cyberspace/digital divide: a challenge for global governance"


@pytest.fixture()
def seeded(tm):
    tm.create_segment(SegmentInput(source=ZH, target=EN))
    tm.create_segment(SegmentInput(source="网络空间命运共同体", target="a community with a shared future in cyberspace"))
    return tm


def test_languages_shape(client, seeded):
    r = client.get("/tmserver/languages/")
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == {"sourceLanguages", "targetLanguages"}
    for key in body:
        assert {"zh", "en", "zh_hans", "en_us"} <= set(body[key])


def test_weblate_validation_probe_is_empty_list(client, seeded):
    r = client.get("/tmserver/en/de/unit/test")
    assert r.status_code == 200 and r.get_json() == []


def test_percent_encoded_query_with_slash(client, seeded):
    url = "/tmserver/zh_hans/en_us/unit/" + quote(ZH, safe="")
    assert "%2F" in url
    r = client.get(url)
    assert r.status_code == 200
    assert r.get_json() == [{"source": ZH, "target": EN, "quality": 100, "rank": 1}]


@pytest.mark.parametrize("slang, tlang", [("zh", "en"), ("zh_CN", "en_US"), ("zh-Hans", "en"), ("zh_hant", "en_gb")])
def test_language_code_forms(client, seeded, slang, tlang):
    r = client.get(f"/tmserver/{slang}/{tlang}/unit/", query_string={"source": "网络空间命运共同体"})
    assert r.status_code == 200
    assert r.get_json()[0]["target"] == "a community with a shared future in cyberspace"


def test_reverse_direction_and_traditional_target_returns_stored_text(client, seeded):
    r = client.get("/tmserver/en/zh_hant/unit/" + quote(EN, safe=""))
    assert r.get_json() == [{"source": EN, "target": ZH, "quality": 100, "rank": 1}]


def test_fuzzy_sorted_by_quality_with_params(client, seeded):
    r = client.get("/tmserver/zh/en/unit/" + quote("网络空间命运", safe=""),
                   query_string={"min_similarity": "30", "max_candidates": "1"})
    body = r.get_json()
    assert len(body) == 1 and body[0]["quality"] == 66 and body[0]["rank"] == 1
    r = client.get("/tmserver/zh/en/unit/" + quote("网络空间命运", safe=""), query_string={"min_similarity": "20"})
    qualities = [x["quality"] for x in r.get_json()]
    assert qualities == sorted(qualities, reverse=True) and len(qualities) == 2


@pytest.mark.parametrize("params", [{"min_similarity": "abc"}, {"max_candidates": "nan"}, {"max_candidates": "x"}])
def test_bad_parameters_are_400_not_pausing_codes(client, seeded, params):
    r = client.get("/tmserver/zh/en/unit/test", query_string=params)
    assert r.status_code == 400 and r.get_json()["error"]["message"]


def test_missing_source_is_400(client, seeded):
    assert client.get("/tmserver/zh/en/unit/").status_code == 400


def test_unsupported_or_same_pair_is_empty(client, seeded):
    assert client.get("/tmserver/zh/zh_hant/unit/test").get_json() == []
    assert client.get("/tmserver/x!/en/unit/test").get_json() == []


def test_add_unit_needs_translator_and_is_found(client, tm, auth):
    body = {"source": "数字经济蓬勃发展", "target": "The digital economy is booming"}
    assert client.post("/tmserver/zh/en/unit/", json=body).status_code == 401
    assert client.post("/tmserver/zh/en/unit/", json=body, headers=auth("reader")).status_code == 403
    r = client.post("/tmserver/zh/en/unit/", json=body, headers=auth("translator"))
    assert r.status_code == 201
    found = client.get("/tmserver/zh/en/unit/" + quote("数字经济蓬勃发展", safe="")).get_json()
    assert found[0]["target"] == "The digital economy is booming"
    bad = client.post("/tmserver/zh/en/unit/", json={"source": "x"}, headers=auth("translator"))
    assert bad.status_code == 400
    assert client.post("/tmserver/de/en/unit/", json=body, headers=auth("translator")).status_code == 400


def test_add_unit_goes_through_glossary_enforcement(client, tm, auth):
    from pathlib import Path

    from tmserver.glossary import import_glossary

    with (Path(__file__).resolve().parent.parent / "glossary" / "article.tbx").open("rb") as fh:
        import_glossary(tm, fh, "tbx")
    body = {"source": "网络空间命运共同体", "target": "a community of common destiny in cyberspace"}
    r = client.post("/tmserver/zh/en/unit/", json=body, headers=auth("translator"))
    assert r.status_code == 422
    assert r.get_json()["error"]["details"]["violations"][0]["kind"] == "forbidden"
    assert tm.count() == 0
    body["target"] = "a community with a shared future in cyberspace"
    assert client.post("/tmserver/zh/en/unit/", json=body, headers=auth("translator")).status_code == 201
