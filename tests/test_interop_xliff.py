"""XLIFF as tools write it: translate-toolkit's po2xliff output (a PO header unit, a wrong
source-language) and inherited ``translate="no"`` on groups, in 1.2 and 2.0."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from tmserver.formats.xliff import iter_xliff
from tmserver.qa.inputs import read_segments

PO = """msgid ""
msgstr ""
"Project-Id-Version: demo\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "网络空间是人类共同的活动空间。"
msgstr "Cyberspace is a common space of human activity."

msgid "数字鸿沟正在扩大。"
msgstr "The digital divide is widening."
"""


def _po2xliff(tmp_path: Path) -> bytes:
    po = tmp_path / "demo.po"
    po.write_text(PO, encoding="utf-8")
    out = tmp_path / "demo.xlf"
    subprocess.run([str(Path(sys.executable).with_name("po2xliff")), str(po), str(out)], check=True,
                   capture_output=True)
    return out.read_bytes()


def test_po2xliff_header_is_skipped_and_languages_corrected(tmp_path):
    data = _po2xliff(tmp_path)
    assert b'source-language="en-US"' in data and b"x-gettext-domain-header" in data  # what the tool writes
    warnings: list = []
    units = list(iter_xliff(io.BytesIO(data), warnings=warnings))
    assert [u.source for u in units] == ["网络空间是人类共同的活动空间。", "数字鸿沟正在扩大。"]
    assert {(u.source_lang, u.target_lang) for u in units} == {("zh", "en")}
    (w,) = warnings
    assert w["code"] == "declared_language_mismatch" and w["declared"] == ["en-US", "en"]


def test_user_can_override_the_languages(tmp_path):
    data = _po2xliff(tmp_path)
    warnings: list = []
    units = list(iter_xliff(io.BytesIO(data), source_lang="zh-TW", target_lang="en-GB", override_langs=True,
                            warnings=warnings))
    assert {(u.source_lang, u.target_lang) for u in units} == {("zh-TW", "en-GB")} and warnings == []


def test_correct_declarations_raise_no_warning():
    data = b"""<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="zh-CN"
    target-language="en" datatype="plaintext" original="x"><body><trans-unit id="1"><source>\xe7\xbd\x91\xe7\xbb\x9c</source>
    <target>network</target></trans-unit></body></file></xliff>"""
    warnings: list = []
    (u,) = iter_xliff(io.BytesIO(data), warnings=warnings)
    assert (u.source_lang, u.target_lang) == ("zh-CN", "en") and warnings == []


def test_translate_no_is_inherited_in_xliff_12():
    data = """<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="zh"
    target-language="en" datatype="plaintext" original="x"><body>
    <group id="g1" translate="no">
      <trans-unit id="1"><source>不翻译的代码 $x</source><target>不翻译的代码 $x</target></trans-unit>
      <group id="g2"><trans-unit id="2"><source>深层 也不翻译</source><target>深层 也不翻译</target></trans-unit></group>
      <trans-unit id="3" translate="yes"><source>这句要翻译。</source><target>Translate this.</target></trans-unit>
    </group>
    <trans-unit id="4"><source>网络空间</source><target>cyberspace</target></trans-unit>
    </body></file></xliff>""".encode()
    assert [u.extra["id"] for u in iter_xliff(io.BytesIO(data))] == ["3", "4"]


def test_translate_no_is_inherited_in_xliff_20():
    data = """<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="zh" trgLang="en">
    <file id="f" translate="no"><unit id="u0"><segment><source>文件级不翻译</source><target>文件级不翻译</target></segment></unit>
      <group id="g" translate="yes"><unit id="u1"><segment><source>网络空间</source><target>cyberspace</target></segment></unit></group>
    </file>
    <file id="f2"><group id="g2" translate="no"><unit id="u2"><segment><source>代码</source><target>代码</target></segment></unit></group>
      <unit id="u3"><segment><source>数字鸿沟</source><target>digital divide</target></segment></unit></file>
    </xliff>""".encode()
    assert [u.extra["id"] for u in iter_xliff(io.BytesIO(data))] == ["u1", "u3"]


def test_qa_input_reads_po2xliff_output_without_the_header(tmp_path):
    segs = read_segments(io.BytesIO(_po2xliff(tmp_path)), "xliff")
    assert len(segs) == 2 and all(s.source_lang.startswith("zh") for s in segs)
