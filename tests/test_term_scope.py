"""Term recognition does not over-match: per-term ``not within:`` stop-lists and the generic
dictionary-word boundary (issue 15). Test data: tests/data/glossary/scoped.tbx."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tmserver.glossary.glossary import Glossary
from tmserver.glossary.scope import crossing_word, not_within
from tmserver.glossary.tbx import read_tbx, write_tbx

ROOT = Path(__file__).resolve().parent.parent
SCOPED = ROOT / "tests" / "data" / "glossary" / "scoped.tbx"


@pytest.fixture(scope="module")
def g():
    return Glossary.from_tbx(SCOPED)


def found(g, text):
    return [(text[h.start : h.end], g.concepts[h.refs[0].concept].id) for h in g.recognizer("zh").find(text)]


def test_not_within_is_read_from_a_note_line():
    assert not_within("not within: 数字普惠金融; 普惠金融") == ["数字普惠金融", "普惠金融"]
    assert not_within("Short name.\nNot within：甲乙丙；丁戊己 ;") == ["甲乙丙", "丁戊己"]
    assert not_within("a note that merely mentions not within: nothing") == []  # must start the note or a line
    assert not_within(None) == []


def test_the_tbx_reader_keeps_term_notes(g):
    dinc = g.by_id["dinc"]
    assert dinc.terms_in("zh")[0].note == "not within: 数字普惠金融; 普惠金融"


@pytest.mark.parametrize(("inside", "alone", "cid"), [
    ("各国大力发展数字普惠金融。", "各国提升数字普惠水平。", "dinc"),
    ("要践行社会主义核心价值观三个倡导。", "习近平主席提出“三个倡导”。", "calls"),
    ("推动构建四个共同体。", "贺信提出“四个共同”的理念。", "commons"),
    ("完善共建共治共享的社会治理制度。", "坚持共建共治共享。", "jgs"),
    ("该行为处在法律灰色地带。", "网络攻击远超“灰色地带”。", "gray"),
    ("监管灰色地带亟待填补。", "网络攻击远超灰色地带。", "gray"),
    ("致命性自主武器系统政府专家组举行会议。", "政府专家组提交了报告。", "gge"),
    ("老龄问题开放式工作组召开会议。", "开放式工作组召开会议。", "oewg"),
])
def test_stop_listed_phrases_are_not_the_term(g, inside, alone, cid):
    assert cid not in [c for _, c in found(g, inside)], found(g, inside)
    assert cid in [c for _, c in found(g, alone)]
    # the same term elsewhere in the same segment is still found, exactly there
    both = inside + alone
    hits = [(t, c) for t, c in found(g, both) if c == cid]
    assert len(hits) == 1
    (h,) = [h for h in g.recognizer("zh").find(both) if g.concepts[h.refs[0].concept].id == cid]
    assert h.start >= len(inside)


def test_traditional_script_stop_phrase_still_applies(g):
    assert "dinc" not in [c for _, c in found(g, "各國大力發展數字普惠金融。")]


def test_a_longer_dictionary_word_across_the_boundary_wins(g):
    # 联合国 inside 联合国教科文组织: the glossary has UNESCO too, the longest match picks it
    assert found(g, "联合国教科文组织发布了报告。") == [("联合国教科文组织", "unesco")]
    # and without a UNESCO concept, 联合国 is still not claimed inside the longer name
    only_un = Glossary([c for c in g.concepts if c.id == "un"])
    assert found(only_un, "联合国教科文组织发布了报告。") == []
    assert found(only_un, "联合国秘书处发布了报告。") == []  # another dictionary name
    assert found(only_un, "中国在联合国发挥建设性作用。") == [("联合国", "un")]
    assert crossing_word("联合国教科文组织", 0, 3, frozenset()) == "联合国教科文组织"
    assert crossing_word("联合国教科文组织", 0, 3, frozenset({"联合国教科文组织"})) is None  # a term is no blocker


def test_enforcement_and_qa_follow_the_scope(g):
    # no 'missing United Nations' for a UNESCO sentence, no 'missing digital inclusion' for 数字普惠金融
    assert g.check_pair("联合国教科文组织发布了报告。", "UNESCO released a report.", "zh", "en") == []
    assert g.check_pair("各国大力发展数字普惠金融。", "Countries are developing digital financial inclusion.",
                        "zh", "en") == []
    (v,) = g.check_pair("各国提升数字普惠水平。", "Countries raise their level of access.", "zh", "en")
    assert v.kind == "missing" and v.concept_id == "dinc"


def test_scope_survives_the_server_round_trip(client, auth):
    r = client.post("/api/v1/glossary/import", data={"file": (io.BytesIO(SCOPED.read_bytes()), "scoped.tbx")},
                    headers=auth("admin"), content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()

    def terms(text):
        r = client.get("/api/v1/terms", query_string={"text": text, "source_lang": "zh", "target_lang": "en"})
        assert r.status_code == 200
        return [t["concept_id"] for t in r.get_json()["terms"]]

    assert terms("各国大力发展数字普惠金融。") == []
    assert terms("各国提升数字普惠水平。") == ["dinc"]
    # export and re-import: the note (and so the scope) is kept
    exported = client.get("/api/v1/glossary/export?format=tbx").data
    assert "not within: 数字普惠金融; 普惠金融" in exported.decode()
    csv = client.get("/api/v1/glossary/export?format=csv").data.decode()
    assert "not within: 数字普惠金融; 普惠金融" in csv


def test_a_second_term_note_is_kept_through_tbx(g):
    """A termSec with a descriptive note and a ``not within:`` note keeps both, one per line, and
    writes them back as two notes."""
    oewg = g.by_id["oewg"].terms_in("zh")[0]
    assert oewg.note == "Short name of the UN OEWG.\nnot within: 老龄问题开放式工作组"
    buf = io.BytesIO()
    write_tbx(g.concepts, buf)
    assert buf.getvalue().count(b"<note>") == 8  # 7 notes, the OEWG term has two
    again = {c.id: c for c in read_tbx(io.BytesIO(buf.getvalue()))}
    assert again["oewg"].terms_in("zh")[0].note == oewg.note
