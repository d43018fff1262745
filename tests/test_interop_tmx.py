"""TMX that real tools read: translate-toolkit finds every source and target, the TMX 1.4b DTD
validates it, and a round trip keeps origin, creationid and changeid.

The DTD is the one OmegaT ships (``schemas/tmx14.dtd`` inside Debian's ``omegat`` package,
installed by ``.ci/run``); lxml validates *our output* with it — our parsing of untrusted input
stays in :mod:`tmserver.formats.safexml`.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from translate.storage import tmx as tt_tmx

from tmserver.formats.tmx import iter_tmx
from tmserver.tm import SegmentInput, export_file, import_file

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "alignments" / "article.tmx"
OMEGAT_JAR = Path("/usr/share/omegat/OmegaT.jar")
#: units in the shipped article TMX (one per aligned link)
N = len(etree.parse(str(ROOT / "alignments" / "article.tmx")).getroot().findall("body/tu"))


def _export(tm, **kw) -> bytes:
    out = io.BytesIO()
    export_file(tm, out, "tmx", **kw)
    return out.getvalue()


def _import_article(tm, **kw):
    with ARTICLE.open("rb") as fh:
        return import_file(tm, fh, "tmx", origin="article", **kw)


@pytest.fixture(scope="module")
def tmx_dtd() -> etree.DTD:
    if not OMEGAT_JAR.exists():
        pytest.skip("Debian's omegat package (which ships the TMX 1.4b DTD) is not installed; .ci/run installs it")
    with zipfile.ZipFile(OMEGAT_JAR) as jar:
        return etree.DTD(io.BytesIO(jar.read("schemas/tmx14.dtd")))


def _stored_pairs(tm) -> list[tuple[str, str]]:
    return sorted((s.source_text, s.target_text) for s in tm.iter_segments())


def test_translate_toolkit_reads_every_source_and_target(tm):
    _import_article(tm)
    data = _export(tm)
    store = tt_tmx.tmxfile(io.BytesIO(data))
    got = sorted((str(u.source), str(u.target)) for u in store.units)
    assert len(got) == tm.count() == N
    assert all(s and t for s, t in got), "a unit without source or target"
    assert got == _stored_pairs(tm)


def test_header_srclang_is_the_units_source_tag(tm):
    _import_article(tm)
    root = etree.fromstring(_export(tm))
    tags = {tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in root.iter("tuv")}
    header = root.find("header").get("srclang")
    assert header in tags  # zh-CN, not a bare "zh" the units never use
    assert not [tu for tu in root.iter("tu") if tu.get("srclang")]


def test_mixed_source_languages_use_all_and_per_unit_srclang(tm, tmx_dtd):
    tm.create_segment(SegmentInput(source="网络空间", target="cyberspace", source_lang="zh-CN", target_lang="en"))
    tm.create_segment(SegmentInput(source="網路空間治理", target="cyberspace governance", source_lang="zh-TW",
                                   target_lang="en-US"))
    tm.create_segment(SegmentInput(source="digital divide", target="数字鸿沟", source_lang="en", target_lang="zh-CN"))
    data = _export(tm)
    root = etree.fromstring(data)
    assert root.find("header").get("srclang") == "*all*"
    assert [tu.get("srclang") for tu in root.iter("tu")] == ["zh-CN", "zh-TW", "en"]
    assert tmx_dtd.validate(etree.parse(io.BytesIO(data))), tmx_dtd.error_log
    store = tt_tmx.tmxfile(io.BytesIO(data))
    texts = {str(u.source) for u in store.units} | {str(u.target) for u in store.units}
    assert {"网络空间", "cyberspace", "網路空間治理", "digital divide", "数字鸿沟"} <= texts


def test_article_export_is_valid_tmx_14b(tm, tmx_dtd):
    _import_article(tm)
    doc = etree.parse(io.BytesIO(_export(tm)))
    assert tmx_dtd.validate(doc), tmx_dtd.error_log.filter_from_errors()[:5]


def test_dtd_check_is_not_vacuous(tmx_dtd):
    bad = etree.parse(io.BytesIO(b'<tmx version="1.4"><header srclang="zh"/><body><tu><seg>x</seg></tu></body></tmx>'))
    assert not tmx_dtd.validate(bad)


def test_round_trip_keeps_origin_creationid_and_changeid(tm):
    tm.create_segment(SegmentInput(source="数字鸿沟正在叠加新的智能鸿沟。", target="The digital divide grows.",
                                   origin="contract-2025"), user="alice")
    seg = tm.list_segments()["items"][0]
    tm.update_segment(seg["id"], {"target": "The digital divide is compounded."}, user="bob")
    first = _export(tm)
    tu = etree.fromstring(first).find("body/tu")
    tu.set("changeid", "bob")  # what a CAT tool writes after an edit
    edited = etree.tostring(tu.getroottree(), xml_declaration=True, encoding="UTF-8")
    tm.clear()
    report = import_file(tm, io.BytesIO(edited), "tmx", origin="file-stem")  # what the CLI passes by default
    assert report.imported == 1
    back = tm.list_segments()["items"][0]
    assert back["origin"] == "contract-2025"
    assert back["creator"] == "alice"
    assert back["extra"]["tu"]["attrs"]["changeid"] == "bob"
    again = etree.fromstring(_export(tm)).find("body/tu")
    assert again.get("creationid") == "alice" and again.get("changeid") == "bob"
    assert [p.text for p in again.iter("prop") if p.get("type") == "x-origin"] == ["contract-2025"]


def test_units_without_origin_prop_take_the_given_origin():
    data = b"""<tmx version="1.4"><header srclang="zh-CN" datatype="plaintext" segtype="sentence" adminlang="en"
    o-tmf="x" creationtool="x" creationtoolversion="1"/><body><tu><tuv xml:lang="zh-CN"><seg>\xe7\xbd\x91</seg></tuv>
    <tuv xml:lang="en"><seg>net</seg></tuv></tu></body></tmx>"""
    (unit,) = list(iter_tmx(io.BytesIO(data), origin="given"))
    assert unit.origin == "given" and unit.creator is None


# -- duplicates ----------------------------------------------------------------------------------


def test_importing_the_article_twice_leaves_the_count_unchanged(tm):
    first = _import_article(tm)
    assert first.imported == N and first.duplicates == 0
    second = _import_article(tm)
    assert second.imported == 0 and second.duplicates == N
    assert tm.count() == N


def test_exported_tmx_reimported_adds_nothing(tm):
    _import_article(tm)
    data = _export(tm)
    report = import_file(tm, io.BytesIO(data), "tmx", origin="tm")  # units carry x-origin=article
    assert report.duplicates == N and tm.count() == N


def test_on_duplicate_keep_and_update(tm):
    _import_article(tm)
    kept = _import_article(tm, on_duplicate="keep")
    assert kept.imported == N and tm.count() == 2 * N
    tm.clear()
    _import_article(tm)
    updated = _import_article(tm, on_duplicate="update")
    assert updated.duplicates == N and tm.count() == N
    versions = {s.version for s in tm.iter_segments()}
    assert versions == {2}


def test_a_file_repeating_a_pair_stores_it_once(tm):
    tu = '<tu><tuv xml:lang="zh-CN"><seg>{}</seg></tuv><tuv xml:lang="en"><seg>{}</seg></tuv></tu>'
    body = tu.format("网络空间", "cyberspace") + tu.format("網路空間", "Cyberspace") + tu.format("网络空间", "cyber space!")
    data = f'<tmx version="1.4"><header srclang="zh-CN"/><body>{body}</body></tmx>'.encode()
    report = import_file(tm, io.BytesIO(data), "tmx", origin="o")
    # 網路空間/Cyberspace is the same pair once normalized (script and case); "cyber space!" is not
    assert (report.imported, report.duplicates, tm.count()) == (2, 1, 2)


def test_bad_on_duplicate_is_a_400_naming_the_choices(client, auth):
    r = client.post("/api/v1/import?on_duplicate=twice", headers=auth("admin"),
                    data={"file": (io.BytesIO(ARTICLE.read_bytes()), "article.tmx")})
    assert r.status_code == 400
    assert "skip, update, keep" in r.get_json()["error"]["message"]


def test_api_write_twice_returns_the_stored_segment(client, auth, tm):
    body = {"source": "数字鸿沟", "target": "digital divide", "source_lang": "zh-CN", "target_lang": "en"}
    first = client.post("/api/v1/segments", json=body, headers=auth("translator"))
    assert first.status_code == 201
    again = client.post("/api/v1/segments", json=body, headers=auth("translator"))
    assert again.status_code == 200 and again.get_json()["duplicate"] == "skipped"
    assert again.get_json()["segment"]["id"] == first.get_json()["segment"]["id"]
    forced = client.post("/api/v1/segments?on_duplicate=keep", json=body, headers=auth("translator"))
    assert forced.status_code == 201
    assert tm.count() == 2
    # same pair in another origin is a different collection: stored
    other = client.post("/api/v1/segments", json={**body, "origin": "other"}, headers=auth("translator"))
    assert other.status_code == 201


def test_cat_route_write_twice_and_lookup_returns_each_pair_once(client, auth, tm):
    body = {"source": "网络空间命运共同体", "target": "a community with a shared future in cyberspace"}
    assert client.put("/tmserver/zh/en/unit/x", json=body, headers=auth("translator")).status_code == 201
    assert client.post("/tmserver/zh/en/unit/", json=body, headers=auth("translator")).status_code == 200
    # older data (or on_duplicate=keep, or another origin) may hold copies: reads collapse them
    tm.create_segment(SegmentInput(source=body["source"], target=body["target"]), on_duplicate="keep")
    tm.create_segment(SegmentInput(source=body["source"], target=body["target"], origin="elsewhere"))
    tm.create_segment(SegmentInput(source="网络空间命运共同体", target="A community with a shared future in cyberspace"),
                      on_duplicate="keep")
    assert tm.count() == 4
    r = client.get("/tmserver/zh/en/unit/" + "网络空间命运共同体")
    assert [m["target"] for m in r.get_json()] == [body["target"]]
    api = client.get("/api/v1/lookup", query_string={"q": "网络空间命运共同体", "source_lang": "zh", "target_lang": "en"})
    matches = api.get_json()["matches"]
    assert len(matches) == 1 and len(matches[0]["duplicate_ids"]) == 3


def test_collapse_still_fills_the_page(tm):
    for _ in range(8):
        tm.create_segment(SegmentInput(source="网络空间命运共同体", target="community"), on_duplicate="keep")
    for i in range(3):
        tm.create_segment(SegmentInput(source=f"网络空间命运共同体{i}号", target=f"community {i}"))
    result = tm.lookup("网络空间命运共同体", "zh", "en", limit=3, min_score=50)
    assert len(result["matches"]) == 3
    assert len({(m["source"], m["target"]) for m in result["matches"]}) == 3


def test_dedupe_command_reports_and_merges(tm, database_url):
    from click.testing import CliRunner

    from tmserver.cli import main

    _import_article(tm)
    _import_article(tm, on_duplicate="keep")
    runner = CliRunner()
    report = runner.invoke(main, ["--database", database_url, "dedupe"])
    assert report.exit_code == 0, report.output
    assert f"found {N} duplicate(s) in {N} group(s)" in report.output
    assert tm.count() == 2 * N
    a_copy = tm.dedupe()["details"][0]["duplicates"][0]
    merged = runner.invoke(main, ["--database", database_url, "dedupe", "--merge"])
    assert merged.exit_code == 0 and f"merged {N} duplicate(s)" in merged.output
    assert tm.count() == N
    again = runner.invoke(main, ["--database", database_url, "dedupe"])
    assert "found 0 duplicate(s)" in again.output
    # the merged copies are in the history, nothing lost
    hist = tm.history(a_copy)
    assert hist["deleted"] and hist["history"][-1]["action"] == "merge"


def test_align_import_twice_stores_each_pair_once(client, auth, tm):
    zh = "网络空间是人类共同的活动空间。数字鸿沟正在扩大。"
    en = "Cyberspace is a common space of human activity. The digital divide is widening."
    body = {"zh": zh, "en": en, "threshold": 0.0, "accept_low": True, "origin": "memo"}
    first = client.post("/api/v1/align/import", json=body, headers=auth("translator")).get_json()
    assert first["imported"] == tm.count() > 0
    again = client.post("/api/v1/align/import", json=body, headers=auth("translator")).get_json()
    assert again["imported"] == 0 and again["duplicates"] == first["imported"]
    kept = client.post("/api/v1/align/import", json={**body, "on_duplicate": "keep"}, headers=auth("translator"))
    assert kept.get_json()["imported"] == first["imported"] and tm.count() == 2 * first["imported"]
    bad = client.post("/api/v1/align/import", json={**body, "on_duplicate": "never"}, headers=auth("translator"))
    assert bad.status_code == 400 and "skip, update, keep" in bad.get_json()["error"]["message"]
