"""QA inputs found wanting in review: XLIFF by content (.xml, .sdlxliff, no name), native codes of
inline tags, italic markup, multipart form fields, non-string language codes."""

from __future__ import annotations

import io

from tmserver.qa import run_checks
from tmserver.qa.inputs import read_segments, sniff

X12 = """<?xml version="1.0"?><xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file
source-language="zh-CN" target-language="en-GB" datatype="html" original="a"><body>
<trans-unit id="t1"><source>共有<bpt id="1">&lt;i&gt;</bpt>26亿<ept id="1">&lt;/i&gt;</ept>人<ph id="2">&lt;img
width="300"/&gt;</ph>。</source><target>A total of <bpt id="1">&lt;i&gt;</bpt>2.6 billion<ept id="1">&lt;/i&gt;</ept>
people<ph id="2">&lt;img width="640"/&gt;</ph>.</target></trans-unit>
<trans-unit id="t2"><source>《论语》</source><target><bpt id="1">&lt;i&gt;</bpt>Analects<ept id="1">&lt;/i&gt;</ept></target></trans-unit>
<trans-unit id="t3"><source>《孟子》</source><target><g id="1" ctype="italic">Mencius</g></target></trans-unit>
<trans-unit id="t4"><source>《大学》</source><target>The Great Learning</target></trans-unit>
</body></file></xliff>""".encode()

X20 = """<?xml version="1.0"?><xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="zh-CN"
trgLang="en"><file id="f"><unit id="u1"><segment><source>共有<pc id="1">26亿</pc>人<ph id="2"/>。</source>
<target>A total of <pc id="1">2.6 million</pc> people<ph id="2"/>.</target></segment></unit>
<unit id="u2"><segment><source>《论语》</source><target><pc id="1" subType="xlf:i" type="fmt">Analects</pc></target>
</segment></unit></file></xliff>""".encode()


def test_xliff_native_codes_are_not_text_and_italics_count_as_title_marking():
    segs = read_segments(io.BytesIO(X12), "xliff")
    assert segs[0].source == "共有26亿人。" and "width" not in segs[0].target
    assert segs[1].target == "Analects" and segs[1].target_italic == ((0, 8),)
    issues = run_checks(segs).issues
    # the differing img widths are markup, not numbers; only the plain-text title is reported
    assert [(i.segment_id, i.check) for i in issues] == [("t4", "book_title")]


def test_xliff20_inline_tags():
    segs = read_segments(io.BytesIO(X20), "xliff")
    assert [s.id for s in segs] == ["u1", "u2"] and segs[1].target_italic == ((0, 8),)
    assert [(i.segment_id, i.check) for i in run_checks(segs).issues] == [("u1", "number_mismatch")]


def test_sniff_finds_xliff_and_json_by_content():
    assert sniff("job.sdlxliff", b"<?xml") == "xliff"
    assert sniff("job.xml", X20[:300]) == "xliff"
    assert sniff(None, X12[:300]) == "xliff"
    assert sniff("", b'<?xml version="1.0"?><tmx version="1.4">') == "tmx"
    assert sniff("upload", b'{"segments": []}') == "json"
    assert sniff("a.csv", b"zh,en\n") == "csv" and sniff("a.tsv", b"zh\ten\n") == "tsv"
    assert sniff("a.csv", b"zh,en\n", "tsv") == "tsv"


def test_api_xliff_without_a_telling_name_and_form_fields(client):
    r = client.post("/api/v1/qa", data={"file": (io.BytesIO(X20), "job.xml")}, content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    assert [i["segment_id"] for i in r.get_json()["issues"]] == ["u1"]
    # checks / min_severity / format may come as form fields next to the file
    r = client.post("/api/v1/qa", data={"file": (io.BytesIO(X20), "job.xlf"), "checks": "book_title", "format": "csv"},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and r.mimetype == "text/csv" and r.data.decode().count("\n") == 1
    r = client.post("/api/v1/qa", data={"upload": (io.BytesIO(X20), "job.xlf")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "'file'" in r.get_json()["error"]["message"]


def test_api_language_code_of_the_wrong_type_is_a_400(client):
    r = client.post("/api/v1/qa", json={"segments": [{"source": "你好", "target": "Hello"}], "source_lang": 5})
    assert r.status_code == 400 and r.get_json()["error"]["details"] == {"field": "source_lang"}


def test_xliff12_element_languages_and_a_unit_without_source():
    x = """<xliff version="1.2"><file source-language="zh" target-language="en"><body>
<trans-unit id="a"><source xml:lang="zh-TW">國家</source></trans-unit>
<trans-unit id="b"><target>orphan</target></trans-unit></body></file></xliff>""".encode()
    a, b = read_segments(io.BytesIO(x), "xliff")
    assert (a.source_lang, a.target) == ("zh-TW", "")  # the source's own xml:lang, even with no target yet
    assert (b.id, b.source, b.target) == ("b", "", "orphan")  # was an AttributeError (a 500 through the API)
