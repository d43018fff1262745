"""XLIFF import paths the interop tests do not reach: 1.2 segmented <seg-source> (one unit per
<mrk mtype="seg">), translate="no", the PO header unit, xml:lang on <source>/<target>, a trans-unit
without id, 2.0 units of several segments, and the declared pair corrected from the content. The
expected values were recorded from the reader before it was split into smaller functions (issue 10).
"""

from __future__ import annotations

import io

import pytest

from tmserver.formats.xliff import iter_xliff

DOCS = {
"segsource": b'''<?xml version="1.0"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="zh-CN" target-language="en-US" datatype="plaintext" original="a">
<body>
<trans-unit id="t1"><source>\xe4\xbd\xa0\xe5\xa5\xbd\xe3\x80\x82\xe5\x86\x8d\xe8\xa7\x81\xe3\x80\x82</source>
<seg-source><mrk mtype="seg" mid="1">\xe4\xbd\xa0\xe5\xa5\xbd\xe3\x80\x82</mrk><mrk mtype="seg" mid="2">\xe5\x86\x8d\xe8\xa7\x81\xe3\x80\x82</mrk></seg-source>
<target><mrk mtype="seg" mid="1">Hello.</mrk><mrk mtype="seg" mid="2">Bye.</mrk></target></trans-unit>
<trans-unit id="t2" translate="no"><source>\xe4\xb8\x8d</source><target>no</target></trans-unit>
<trans-unit id="t3"><source xml:lang="zh-TW">\xe7\xb6\xb2\xe8\xb7\xaf</source><target xml:lang="en-GB">network</target></trans-unit>
<trans-unit id="t4"><source>\xe4\xb8\xad\xe6\x96\x87</source><seg-source><mrk mtype="seg" mid="1">\xe4\xb8\xad\xe6\x96\x87</mrk></seg-source></trans-unit>
<trans-unit id="h" restype="x-gettext-domain-header"><source></source><target>Project-Id-Version: x</target></trans-unit>
<trans-unit><source>\xe6\x97\xa0 id</source><target>no id</target></trans-unit>
</body></file></xliff>''',
"v2": b'''<?xml version="1.0"?>
<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="zh" trgLang="en"><file id="f">
<unit id="u1"><segment id="s1"><source>\xe4\xbd\xa0\xe5\xa5\xbd</source><target>Hello</target></segment><segment><source>\xe5\x86\x8d\xe8\xa7\x81</source><target>Bye</target></segment></unit>
<unit id="u2"><segment><source>\xe4\xb8\x80</source><target>one</target></segment><segment><source>\xe4\xba\x8c</source></segment></unit>
<unit id="u3" translate="no"><segment><source>\xe4\xb8\x89</source></segment></unit>
<unit id="u4"><segment><source>\xe5\x9b\x9b</source><target>four</target></segment></unit>
</file></xliff>''',
"swapped": b'''<?xml version="1.0"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="en" target-language="zh" datatype="plaintext" original="a"><body>
<trans-unit id="1"><source>\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c</source><target>hello world</target></trans-unit>
<trans-unit id="2"><source>\xe4\xb8\xad\xe6\x96\x87\xe5\x8f\xa5\xe5\xad\x90</source><target>a sentence</target></trans-unit></body></file></xliff>''',
"undeclared_en_src": b'''<?xml version="1.0"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="fr" target-language="de" datatype="plaintext" original="a"><body>
<trans-unit id="1"><source>hello world</source><target>\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c</target></trans-unit></body></file></xliff>''',
"zh_src_fr": b'''<?xml version="1.0"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="fr" target-language="en" datatype="plaintext" original="a"><body>
<trans-unit id="1"><source>\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c</source><target>hello world</target></trans-unit></body></file></xliff>''',
}

EXPECTED = {
    "segsource": [("你好。", "Hello.", "zh-CN", "en-US", "t1/1"), ("再见。", "Bye.", "zh-CN", "en-US", "t1/2"),
                  ("網路", "network", "zh-TW", "en-GB", "t3"), ("中文", "", "zh-CN", "en-US", "t4"),
                  ("无 id", "no id", "zh-CN", "en-US", "11")],
    "v2": [("你好", "Hello", "zh", "en", "u1/s1"), ("再见", "Bye", "zh", "en", "u1#2"), ("一", "one", "zh", "en", "u2#1"),
           ("二", "", "zh", "en", "u2#2"), ("四", "four", "zh", "en", "u4")],
    "swapped": [("你好世界", "hello world", "zh", "en", "1"), ("中文句子", "a sentence", "zh", "en", "2")],
    "undeclared_en_src": [("hello world", "你好世界", "en", "zh", "1")],
    "zh_src_fr": [("你好世界", "hello world", "zh", "en", "1")],
}
CORRECTED = {"swapped": (["en", "zh"], ["zh", "en"]), "undeclared_en_src": (["fr", "de"], ["en", "zh"]),
             "zh_src_fr": (["fr", "en"], ["zh", "en"])}


@pytest.mark.parametrize("name", list(DOCS))
def test_read_paths(name):
    warnings: list[dict] = []
    units = list(iter_xliff(io.BytesIO(DOCS[name]), warnings=warnings))
    assert [(u.source, u.target, u.source_lang, u.target_lang, u.extra["id"]) for u in units] == EXPECTED[name]
    assert [(w["declared"], w["used"]) for w in warnings] == ([CORRECTED[name]] if name in CORRECTED else [])
