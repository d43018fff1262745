"""Glossary routes through the real app: CRUD + search, /terms for CAT plugins, check,
TBX/CSV import and export, auth and clear 4xx errors; and the lookup annotation."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tmserver.glossary import import_glossary
from tmserver.glossary.annotate import annotate_lookup, fit_case

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "glossary" / "article.tbx"

CONCEPT = {
    "id": "test-1",
    "definition": "A test concept.",
    "terms": [
        {"text": "数据主权", "lang": "zh"},
        {"text": "data sovereignty", "lang": "en", "pos": "noun", "source": "test"},
        {"text": "data dominion", "lang": "en", "status": "deprecated"},
    ],
}


@pytest.fixture()
def article(tm):
    with ARTICLE.open("rb") as fh:
        return import_glossary(tm, fh, "tbx")


def test_concept_crud(client, auth):
    r = client.post("/api/v1/glossary/concepts", json=CONCEPT, headers=auth("admin"))
    assert r.status_code == 201, r.json
    assert r.json["id"] == "test-1" and r.json["terms"][2]["status"] == "deprecated"
    assert client.get("/api/v1/glossary/concepts/test-1").json["definition"] == "A test concept."
    # duplicate id → 409
    assert client.post("/api/v1/glossary/concepts", json=CONCEPT, headers=auth("admin")).status_code == 409
    # replace
    new = {**CONCEPT, "terms": CONCEPT["terms"][:2]}
    r = client.put("/api/v1/glossary/concepts/test-1", json=new, headers=auth("admin"))
    assert r.status_code == 200 and len(r.json["terms"]) == 2
    # the change is enforced at once
    r = client.post("/api/v1/segments", json={"source": "数据主权", "target": "data rule"}, headers=auth("translator"))
    assert r.status_code == 422
    assert client.delete("/api/v1/glossary/concepts/test-1", headers=auth("admin")).status_code == 204
    assert client.get("/api/v1/glossary/concepts/test-1").status_code == 404
    assert client.delete("/api/v1/glossary/concepts/test-1", headers=auth("admin")).status_code == 404


def test_create_without_id_gets_one(client, auth):
    body = {k: v for k, v in CONCEPT.items() if k != "id"}
    r = client.post("/api/v1/glossary/concepts", json=body, headers=auth("admin"))
    assert r.status_code == 201 and r.json["id"]


@pytest.mark.parametrize(("body", "needle"), [
    ({"terms": []}, "'terms' must be a non-empty list"),
    ({"terms": [{"text": "x", "lang": "fr"}]}, "unsupported language"),
    ({"terms": [{"text": "x", "lang": "en", "status": "favourite"}]}, "status 'favourite'"),
    ({"terms": [{"text": "  ", "lang": "en"}]}, "'text' must be a non-empty string"),
    ({"terms": [{"text": "x", "lang": "en"}], "colour": "red"}, "unknown field(s) colour"),
    ({"id": "bad id!", "terms": [{"text": "x", "lang": "en"}]}, "'id' must be"),
    ({"terms": [{"text": "x", "lang": "en", "case_sensitive": "yes"}]}, "case_sensitive"),
])
def test_bad_concepts_are_refused_and_change_nothing(client, auth, body, needle):
    r = client.post("/api/v1/glossary/concepts", json=body, headers=auth("admin"))
    assert r.status_code == 400 and needle in r.json["error"]["message"]
    assert client.get("/api/v1/glossary").json["concepts"] == 0


def test_writes_need_admin(client, auth):
    assert client.post("/api/v1/glossary/concepts", json=CONCEPT).status_code == 401
    assert client.post("/api/v1/glossary/concepts", json=CONCEPT, headers=auth("translator")).status_code == 403
    assert client.post("/api/v1/glossary/import", data=b"<tbx/>", headers=auth("reader")).status_code == 403


def test_search(client, article):
    r = client.get("/api/v1/glossary/concepts", query_string={"q": "網路空間"})  # Traditional query
    ids = [c["id"] for c in r.json["items"]]
    assert {"c001", "c002", "c003"} <= set(ids)
    r = client.get("/api/v1/glossary/concepts", query_string={"q": "superseded", "status": "superseded"})
    assert r.json["total"] == 0
    r = client.get("/api/v1/glossary/concepts", query_string={"status": "superseded"})
    assert {c["id"] for c in r.json["items"]} == {"c001", "c002"}
    r = client.get("/api/v1/glossary/concepts", query_string={"q": "one belt", "lang": "en"})
    assert [c["id"] for c in r.json["items"]] == ["c018"]
    # a match on the definition still has to satisfy the status filter
    r = client.get("/api/v1/glossary/concepts", query_string={"q": "access", "status": "superseded"})
    assert all(any(t["status"] == "superseded" for t in c["terms"]) for c in r.json["items"])
    r = client.get("/api/v1/glossary/concepts", query_string={"q": "c018", "lang": "en"})
    assert [c["id"] for c in r.json["items"]] == ["c018"]  # by id
    assert client.get("/api/v1/glossary/concepts", query_string={"status": "nice"}).status_code == 400
    assert client.get("/api/v1/glossary/concepts", query_string={"per_page": 0}).status_code == 400


def test_terms_route_for_cat_plugins(client, article):
    text = "2015年,習近平主席提出構建網路空間命運共同體。"
    r = client.get("/api/v1/terms", query_string={"text": text, "source_lang": "zh-TW", "target_lang": "en-US"})
    assert r.status_code == 200
    terms = r.json["terms"]
    assert [t["concept_id"] for t in terms] == ["c050", "c001"]
    for t in terms:
        s, e = t["span"]
        assert text[s:e] == t["text"]
    first = terms[1]["renderings"][0]
    assert (first["text"], first["status"]) == ("building a community with a shared future in cyberspace", "preferred")
    assert {"superseded"} <= {x["status"] for x in terms[1]["renderings"]}
    # POST, English source, batch
    r = client.post("/api/v1/terms", json={"texts": ["the GGE and developing countries", "nothing"],
                                           "source_lang": "en", "target_lang": "zh"})
    res = r.json["results"]
    assert [t["concept_id"] for t in res[0]["terms"]] == ["c021", "c042"]
    assert res[0]["terms"][1]["renderings"][0]["text"] == "发展中国家" and res[1]["terms"] == []


@pytest.mark.parametrize("query", [
    {"source_lang": "zh"},
    {"text": "x", "source_lang": "klingon!"},
    {"text": "x", "source_lang": "en", "target_lang": "en"},
])
def test_terms_route_errors(client, query):
    r = client.get("/api/v1/terms", query_string=query)
    assert r.status_code == 400 and r.json["error"]["message"]


def test_check_route(client, article):
    r = client.post("/api/v1/glossary/check", json={"source": "一带一路", "target": "One Belt, One Road"})
    assert r.json["ok"] is False and r.json["violations"][0]["kind"] == "forbidden"
    assert "deprecated" in r.json["violations"][0]["message"]
    r = client.post("/api/v1/glossary/check", json={"source": "一带一路", "target": "the Belt and Road Initiative"})
    assert r.json == {"ok": True, "violations": []}
    assert client.post("/api/v1/glossary/check", json={"source": "x"}).status_code == 400


def test_import_export_routes(client, auth):
    tbx = ARTICLE.read_bytes()
    r = client.post("/api/v1/glossary/import", data={"file": (io.BytesIO(tbx), "article.tbx")},
                    headers=auth("admin"), content_type="multipart/form-data")
    assert r.status_code == 200 and r.json["created"] >= 40
    r = client.get("/api/v1/glossary/export?format=tbx")
    assert r.status_code == 200 and r.mimetype == "application/x-tbx+xml"
    exported = r.data
    r = client.get("/api/v1/glossary/export?format=csv")
    assert r.data.startswith(b"concept_id,lang,term,status")
    # raw body import of the export: nothing changes
    r = client.post("/api/v1/glossary/import?format=tbx", data=exported, headers=auth("admin"))
    assert r.json["created"] == 0 and r.json["updated"] >= 40
    # a malformed file: 400 naming the problem, glossary unchanged
    before = client.get("/api/v1/glossary").json
    bad = (ROOT / "tests" / "data" / "glossary" / "malformed.tbx").read_bytes()
    r = client.post("/api/v1/glossary/import?replace=1", data=bad, headers=auth("admin"))
    assert r.status_code == 400 and "malformed XML" in r.json["error"]["message"]
    assert client.get("/api/v1/glossary").json == before
    assert client.get("/api/v1/glossary/export?format=xlsx").status_code == 400


# -- lookup annotation -------------------------------------------------------------------------


def test_fit_case():
    assert fit_case("Community of Shared Future in Cyberspace", "community with a shared future in cyberspace") == \
        "Community with a Shared Future in Cyberspace"
    assert fit_case("Community of shared future", "community with a shared future") == "Community with a shared future"
    assert fit_case("community of shared future", "community with a shared future") == "community with a shared future"


def test_annotate_lookup_terms_problems_and_adapted_target(tm, article):
    query = "共同構建網路空間命運共同體"
    matches = [
        {"source": "构建网络空间命运共同体", "target": "Building communities of shared future in cyberspace"},
        {"source": "一带一路", "target": "the Belt and Road Initiative"},
        {"source": "数字鸿沟", "target": "the gap"},
        {"id": 9},  # a match without text is left alone, not an error
    ]
    with tm.session() as s:
        out = annotate_lookup(s, query, "zh-TW", "en", matches)
    (term,) = out["terms"]
    assert term["concept_id"] == "c001" and term["span"] == [2, 13] and query[2:13] == term["text"]
    m0, m1, m2, m3 = matches
    (p,) = m0["term_problems"]
    assert p["kind"] == "forbidden" and p["found"] == "communities of shared future in cyberspace"
    assert p["fixed_in_adapted_target"] is True
    # one-to-one superseded → preferred, plural and capital kept
    assert m0["adapted_target"] == "Building communities with a shared future in cyberspace"
    assert m0["adapted"] is True and m0["adaptations"][0]["kind"] == "glossary"
    assert "superseded" in m0["adaptations"][0]["reason"]
    assert m1["term_problems"] == [] and "adapted_target" not in m1
    assert [x["kind"] for x in m2["term_problems"]] == ["missing"] and "adapted_target" not in m2
    assert m3["term_problems"] == []


def test_annotate_builds_on_an_existing_adaptation(tm, article):
    m = {"source": "2015年网络空间命运共同体", "target": "in 2015 a community of common destiny in cyberspace",
         "adapted_target": "in 2016 a community of common destiny in cyberspace",
         "adaptations": [{"kind": "placeable", "from": "2015", "to": "2016"}]}
    with tm.session() as s:
        annotate_lookup(s, "2016年网络空间命运共同体", "zh", "en", [m])
    assert m["adapted_target"] == "in 2016 a community with a shared future in cyberspace"
    assert [a["kind"] for a in m["adaptations"]] == ["placeable", "glossary"]


def test_no_adaptation_without_a_one_to_one_preferred(tm):
    body = io.BytesIO(
        "concept_id,lang,term,status\nx,zh,样例,preferred\nx,en,sample,preferred\nx,en,example,preferred\n"
        "x,en,specimen,deprecated\n".encode())
    import_glossary(tm, body, "csv")
    m = {"source": "样例", "target": "a specimen"}
    with tm.session() as s:
        annotate_lookup(s, "样例", "zh", "en", [m])
    assert m["term_problems"][0]["kind"] == "forbidden" and "adapted_target" not in m
