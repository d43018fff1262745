"""Full-width punctuation (GB/T 15834) on export, for CAT tools that match verbatim.

The seed article writes ASCII ``,:;()`` inside Chinese text. OmegaT takes a TMX entry as an exact
match only when its source equals the document's segment character for character, so a normally
punctuated Chinese document gets no hit from a verbatim export. With ``punctuation=fullwidth``
the export writes standard punctuation and OmegaT fills the segments; the database keeps the
verbatim text. Both the rule (reproduced below) and OmegaT itself (Debian's ``omegat``, run
headless in console-translate mode when installed) are tested.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from tmserver.formats.punct import to_fullwidth
from tmserver.tm import export_file, import_file

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "alignments" / "article.tmx"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: units in the shipped article TMX (one per aligned link)
N = len(etree.parse(str(ROOT / "alignments" / "article.tmx")).getroot().findall("body/tu"))

#: sentences of the article as a Chinese publisher types them (standard full-width punctuation),
#: typed by hand for this test — not produced by our converter
DOCUMENT = [
    "构建网络空间命运共同体十年：历程回顾与未来展望",
    "【摘要】构建网络空间命运共同体理念的提出，是对全球互联网领域发展不平衡、规则不健全、秩序不合理等问题的深刻回应。",
    "十年来，中国推动构建网络空间命运共同体的系列实践，为全球互联网治理作出显著贡献；十年来的历史发展与现实挑战，"
    "也进一步证明该重要理念的前瞻性与必要性。",
    "该重要理念的诞生，深植于全球化浪潮与互联网革命交织的历史脉络，并在网络空间发展实践中得以充分印证。",
    "十年来，构建网络空间命运共同体理念已从中国倡议成长为国际共识。",
]


@pytest.mark.parametrize(("verbatim", "standard"), [
    ("网络空间是人类共同的活动空间,前途命运应由各国共同掌握。", "网络空间是人类共同的活动空间，前途命运应由各国共同掌握。"),
    ("习近平指出: 要加强合作; 共同发展", "习近平指出：要加强合作；共同发展"),
    ("(一)历程回顾", "（一）历程回顾"),
    ("截至2024年,用户达1,000人", "截至2024年，用户达1,000人"),  # 1,000 is a number
    ("会议在10:30开始", "会议在10:30开始"),
    ("全球数字契约(Global Digital Compact, GDC)提出", "全球数字契约（Global Digital Compact, GDC）提出"),
    ("The community, shared: yes (really).", "The community, shared: yes (really)."),  # English stays
    ("增长(约3.5%)", "增长（约3.5%）"),
])
def test_gb15834_conversion(verbatim, standard):
    assert to_fullwidth(verbatim) == standard


def _export(tm, punctuation=None) -> bytes:
    out = io.BytesIO()
    export_file(tm, out, "tmx", punctuation=punctuation)
    return out.getvalue()


def _tm_pairs(data: bytes) -> dict[str, str]:
    pairs = {}
    for tu in etree.fromstring(data).iter("tu"):
        segs = {tuv.get(XML_LANG): "".join(tuv.find("seg").itertext()) for tuv in tu.iter("tuv")}
        zh = next(v for k, v in segs.items() if k.startswith("zh"))
        en = next(v for k, v in segs.items() if k.startswith("en"))
        pairs[zh] = en
    return pairs


def omegat_exact_hits(document: list[str], tmx: bytes) -> int:
    """OmegaT's exact-match rule: a TM entry fills a segment when its source equals it exactly."""
    memory = _tm_pairs(tmx)
    return sum(1 for sentence in document if sentence in memory)


@pytest.fixture()
def article_tm(tm):
    with ARTICLE.open("rb") as fh:
        import_file(tm, fh, "tmx", origin="article")
    return tm


def test_verbatim_export_gets_no_exact_hit_fullwidth_gets_all(article_tm):
    assert omegat_exact_hits(DOCUMENT, _export(article_tm)) == 0
    assert omegat_exact_hits(DOCUMENT, _export(article_tm, "fullwidth")) == len(DOCUMENT)


def test_fullwidth_export_leaves_no_ascii_punctuation_in_chinese_and_keeps_the_database(article_tm):
    before = [(s.source_text, s.target_text) for s in article_tm.iter_segments()]
    data = _export(article_tm, "fullwidth")
    zh_text = "".join(_tm_pairs(data))
    assert sum(s.count(",") for s, _ in before) >= 200  # the seed's verbatim form
    assert not re.search(r"[\u4e00-\u9fff][,;:()]|[,;:()][\u4e00-\u9fff]", zh_text)
    assert [(s.source_text, s.target_text) for s in article_tm.iter_segments()] == before
    english = "".join(_tm_pairs(data).values())
    assert "，" not in english and "," in english  # English keeps ASCII punctuation


def test_fullwidth_export_reimported_adds_no_duplicates(article_tm):
    data = _export(article_tm, "fullwidth")
    report = import_file(article_tm, io.BytesIO(data), "tmx")
    assert report.duplicates == N and article_tm.count() == N


def test_fullwidth_import_option_stores_standard_punctuation(tm):
    with ARTICLE.open("rb") as fh:
        import_file(tm, fh, "tmx", origin="article", punctuation="fullwidth")
    stored = {s.source_text for s in tm.iter_segments()}
    assert set(DOCUMENT) <= stored


def test_bad_punctuation_option_is_a_400(client):
    r = client.get("/api/v1/export", query_string={"format": "tmx", "punctuation": "wide"})
    assert r.status_code == 400 and "verbatim, fullwidth" in r.get_json()["error"]["message"]
    ok = client.get("/api/v1/export", query_string={"format": "tmx", "punctuation": "fullwidth"})
    assert ok.status_code == 200


OMEGAT_PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat><project version="1.0">
  <source_dir>source</source_dir><target_dir>target</target_dir><tm_dir>tm</tm_dir>
  <glossary_dir>glossary</glossary_dir><glossary_file>glossary/glossary.txt</glossary_file>
  <dictionary_dir>dictionary</dictionary_dir>
  <source_lang>zh-CN</source_lang><target_lang>en</target_lang>
  <source_tok>org.omegat.tokenizer.DefaultTokenizer</source_tok>
  <target_tok>org.omegat.tokenizer.DefaultTokenizer</target_tok>
  <sentence_seg>false</sentence_seg><support_default_translations>true</support_default_translations>
  <remove_tags>false</remove_tags>
</project></omegat>
"""


def _omegat_translate(tmp: Path, tmx: bytes) -> list[str]:
    """Run OmegaT headless: a plain-text document (one segment a paragraph), our TMX in tm/auto."""
    for d in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (tmp / d).mkdir(parents=True, exist_ok=True)
    (tmp / "omegat.project").write_text(OMEGAT_PROJECT, encoding="utf-8")
    (tmp / "source" / "doc.txt").write_text("\n\n".join(DOCUMENT) + "\n", encoding="utf-8")
    (tmp / "tm" / "auto" / "tm.tmx").write_bytes(tmx)
    subprocess.run([shutil.which("java") or "java", "-Djava.awt.headless=true", "-jar", "/usr/share/omegat/OmegaT.jar",
                    str(tmp), "--mode=console-translate"], check=True, capture_output=True, timeout=300)
    return [p for p in (tmp / "target" / "doc.txt").read_text(encoding="utf-8").split("\n") if p.strip()]


@pytest.mark.skipif(not Path("/usr/share/omegat/OmegaT.jar").exists() or not shutil.which("java"),
                    reason="Debian's omegat package is not installed (.ci/run installs it)")
def test_omegat_fills_the_document_from_the_fullwidth_export(article_tm, tmp_path):
    verbatim = _omegat_translate(tmp_path / "verbatim", _export(article_tm))
    assert verbatim == DOCUMENT  # no exact match: OmegaT leaves the source in place
    full = _omegat_translate(tmp_path / "fullwidth", _export(article_tm, "fullwidth"))
    expected = _tm_pairs(_export(article_tm, "fullwidth"))
    assert full == [expected[s] for s in DOCUMENT]
    assert all(re.search("[A-Za-z]", line) for line in full)
