"""TMX and CSV in and out: lossless round trips, all-or-nothing imports, hostile XML refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<tmx version="1.4"><header srclang="zh"/><body>
<tu><tuv xml:lang="zh"><seg>&lol9;</seg></tuv><tuv xml:lang="en"><seg>x</seg></tuv></tu>
</body></tmx>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<tmx version="1.4"><header srclang="zh"/><body>
<tu><tuv xml:lang="zh"><seg>&xxe;</seg></tuv><tuv xml:lang="en"><seg>x</seg></tuv></tu>
</body></tmx>"""

XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE tmx SYSTEM "http://127.0.0.1:9/evil.dtd" [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x"> %p;]>
<tmx version="1.4"><header srclang="zh"/><body/></tmx>"""


def _import(client, auth, content: bytes, name: str, **params):
    return client.post("/api/v1/import", query_string=params, data={"file": (io.BytesIO(content), name)},
                       headers=auth("admin"), content_type="multipart/form-data")


def _export(client, fmt: str, **params) -> bytes:
    r = client.get("/api/v1/export", query_string={"format": fmt, **params})
    assert r.status_code == 200, r.data[:500]
    return r.data


def test_tmx_round_trip_is_byte_identical(client, auth, tm, app, database_url, _schema):
    r = _import(client, auth, (DATA / "sample.tmx").read_bytes(), "sample.tmx")
    assert r.status_code == 200, r.json
    assert r.json["imported"] == 3
    first = _export(client, "tmx")
    text = first.decode()
    # what a CAT tool cares about survived: ids, dates, props, notes, inline codes, the third language
    for needle in ['tuid="a-1"', 'creationid="li.wei"', 'changedate="20160101T120000Z"', 'usagecount="3"',
                   '<prop type="x-domain">politics</prop>', "<note>Opening speech, 2nd WIC</note>",
                   '<prop type="x-context">speech</prop>', "<note>checked</note>",
                   '<bpt i="1" x="1">&lt;b&gt;</bpt>', '<ph x="2">&lt;br/&gt;</ph>', 'xml:lang="fr-FR"',
                   'srclang="en-GB"']:
        assert needle in text, needle
    # plain text for matching leaves the native codes out
    seg = tm.list_segments(contains="加强沟通")["items"][0]
    assert seg["source"] == "各国应该加强沟通、扩大共识。"
    tm.clear()
    assert _import(client, auth, first, "again.tmx").status_code == 200
    second = _export(client, "tmx")
    assert first == second


@pytest.mark.parametrize("fmt,sep", [("csv", ","), ("tsv", "\t")])
def test_tabular_round_trip_is_byte_identical(client, auth, tm, fmt, sep):
    rows = [("zh-CN", "en-US"), ("数字鸿沟正在叠加新的智能鸿沟。", 'The digital divide is compounded by a new "AI divide".'),
            ("全球仍有约26亿人无法使用互联网,其中大多数在发展中国家。",
             "About 2.6 billion people, most of them in developing countries, still cannot use the Internet."),
            ("第一行\n第二行", "line one\nline two, with comma")]
    import csv

    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows(rows)
    r = _import(client, auth, buf.getvalue().encode(), f"x.{fmt}")
    assert r.status_code == 200, r.json
    assert r.json["imported"] == 3
    first = _export(client, fmt, source_lang="zh-CN", target_lang="en-US")
    assert first.decode() == buf.getvalue()
    tm.clear()
    assert _import(client, auth, first, f"y.{fmt}").status_code == 200
    assert _export(client, fmt, source_lang="zh-CN", target_lang="en-US") == first


def test_csv_without_header_uses_parameters_and_names_bad_line(client, auth, tm):
    r = _import(client, auth, "Hello.,你好。\n".encode(), "a.csv", source_lang="en", target_lang="zh")
    assert r.status_code == 200 and tm.list_segments(source_lang="en")["total"] == 1
    bad = "zh,en\n数字经济。,Digital economy.\n只有一列\n".encode()
    r = _import(client, auth, bad, "b.csv")
    assert r.status_code == 400
    assert "line 3" in r.json["error"]["message"]
    assert tm.count() == 1  # nothing from the bad file


def test_malformed_tmx_leaves_tm_unchanged(client, auth, tm):
    assert _import(client, auth, (DATA / "sample.tmx").read_bytes(), "sample.tmx").status_code == 200
    before = _export(client, "tmx")
    # 2 good units, then a broken one: the good ones must not be kept
    good = (
        '<tu><tuv xml:lang="zh"><seg>数字经济。</seg></tuv><tuv xml:lang="en"><seg>Digital economy.</seg></tuv></tu>'
    )
    broken = [
        f'<?xml version="1.0"?><tmx version="1.4"><header srclang="zh"/><body>{good}{good}<tu><tuv xml:lang="zh"><seg>坏</seg></tuv></body></tmx>',
        f'<?xml version="1.0"?><tmx version="1.4"><header srclang="zh"/><body>{good}{good}<tu><tuv xml:lang="zh"><seg>只有中文</seg></tuv></tu></body></tmx>',
        f'<?xml version="1.0"?><tmx version="1.4"><header srclang="zh"/><body>{good}<tu><tuv xml:lang="zh"><seg>x</seg></tuv><tuv xml:lang="en"><seg> </seg></tuv></tu></body></tmx>',
        "this is not xml at all",
    ]
    for content in broken:
        r = _import(client, auth, content.encode(), "broken.tmx")
        assert r.status_code == 400, r.json
        assert r.json["error"]["code"] == "import_failed"
        assert "<tu>" in r.json["error"]["message"] or "line" in r.json["error"]["message"]
    assert tm.count() == 3
    assert _export(client, "tmx") == before


@pytest.mark.parametrize("content", [BILLION_LAUGHS, XXE, XXE_PARAMETER], ids=["billion-laughs", "xxe", "xxe-param"])
def test_hostile_xml_refused(client, auth, tm, content):
    r = _import(client, auth, content, "evil.tmx")
    assert r.status_code == 400
    assert r.json["error"]["code"] == "unsafe_xml"
    assert tm.count() == 0


def test_entity_references_never_expand_even_without_declarations():
    """Belt and braces: the parser itself is configured not to resolve or fetch anything."""
    from tmserver.errors import ImportFailed
    from tmserver.formats.tmx import iter_tmx

    doc = b'<?xml version="1.0"?><!DOCTYPE tmx SYSTEM "http://127.0.0.1:9/tmx14.dtd"><tmx version="1.4"><header srclang="zh"/><body><tu><tuv xml:lang="zh"><seg>a&ext;b</seg></tuv><tuv xml:lang="en"><seg>x</seg></tuv></tu></body></tmx>'
    try:
        units = list(iter_tmx(io.BytesIO(doc)))
    except ImportFailed:
        return
    assert "passwd" not in units[0].source and "root:" not in units[0].source


def test_oversized_body_is_413(app, client, auth):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    r = _import(client, auth, b"x" * 5000, "big.csv")
    assert r.status_code == 413
    assert r.json["error"]["code"] == "request_entity_too_large"
    r = client.post("/api/v1/segments", data=b"{" + b" " * 5000 + b"}", headers={**auth("translator"),
                    "Content-Type": "application/json"})
    assert r.status_code == 413


def test_export_rejects_unknown_format(client):
    r = client.get("/api/v1/export?format=docx")
    assert r.status_code == 400 and "docx" in r.json["error"]["message"]


def test_errors_are_json_everywhere(client):
    r = client.get("/api/v1/nope")
    assert r.status_code == 404 and r.is_json and "no route" in r.json["error"]["message"]
    r = client.delete("/api/v1/health")
    assert r.status_code == 405 and r.is_json
    r = client.get("/api/v1/segments?page=zero")
    assert r.status_code == 400 and r.json["error"]["details"]["parameter"] == "page"
