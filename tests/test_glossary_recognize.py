"""Term recognition and check_pair semantics, without a database (``Glossary.from_tbx``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tmserver.glossary import Concept, Glossary, Term

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def g() -> Glossary:
    return Glossary.from_tbx(ROOT / "glossary" / "article.tbx")


def found(g: Glossary, text: str, lang: str) -> list[tuple[str, str, int, int]]:
    return [(f.text, g.concepts[f.hit.refs[0].concept].id, f.hit.start, f.hit.end) for f in g.find_terms(text, lang)]


# -- Chinese ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "網路空間命運共同體",  # Taiwan: 網路 is the Taiwan word for 网络
        "網絡空間命運共同體",  # Hong Kong
        "网络空间命运共同体",
        "ＸＸ網路空間命運共同體",  # full-width prefix: offsets still point into this string
    ],
)
def test_traditional_taiwan_hongkong_forms_are_found_with_original_spans(g, text):
    hits = found(g, text, "zh")
    assert len(hits) == 1
    term, cid, s, e = hits[0]
    assert cid == "c002"
    assert term == text[s:e]
    assert e == len(text) and e - s == 9


def test_nested_terms_longest_leftmost_with_nested_list(g):
    text = "中国推动構建網路空間命運共同體,网络空间需要治理"
    hits = g.find_terms(text, "zh")
    assert [(h.text, g.concepts[h.hit.refs[0].concept].id) for h in hits] == [
        ("構建網路空間命運共同體", "c001"),
        ("网络空间", "c003"),
    ]
    outer = hits[0].hit
    assert (outer.start, outer.end) == (4, 15)
    nested = sorted({g.concepts[c].id for n in outer.nested for c in n.concepts})
    assert nested == ["c002", "c003"]
    d = g.describe(outer, hits[0].text, "en")
    first = d["renderings"][0]
    assert (first["text"], first["status"]) == ("building a community with a shared future in cyberspace", "preferred")
    assert {n["text"] for n in d["nested"]} == {"網路空間命運共同體", "網路空間"}


def test_ascii_punctuation_inside_chinese_and_enumeration_comma_variant(g):
    # the article writes 共商、共建、共享 with 、; the glossary has both forms, one concept
    a = found(g, "强调共商、共建、共享原则", "zh")
    b = found(g, "强调共商,共建,共享原则", "zh")
    assert [x[1] for x in a] == [x[1] for x in b] == ["c012"]
    assert a[0][0] == "共商、共建、共享"


# -- English ----------------------------------------------------------------------------------


def test_english_head_noun_inflects_in_multiword_terms(g):
    assert found(g, "two communities with a shared future in cyberspace", "en")[0][:2] == (
        "communities with a shared future in cyberspace", "c002")
    assert found(g, "aid to developing countries", "en")[0][:2] == ("developing countries", "c042")
    assert found(g, "the least developed countries", "en")[0][:2] == ("least developed countries", "c043")
    assert found(g, "brain-computer interfaces", "en")[0][:2] == ("brain-computer interfaces", "c041")
    assert found(g, "292 CERTs", "en")[0][:2] == ("CERTs", "c034")


def test_english_case_rules(g):
    # case-insensitive by default
    assert found(g, "The DIGITAL DIVIDE widens", "en")[0][:2] == ("DIGITAL DIVIDE", "c028")
    # acronyms are case-sensitive: "ai" in "said", "Ai" and "gge" are not terms
    assert found(g, "she said ai and Ai", "en") == []
    assert found(g, "gge, oewg, sco", "en") == []
    assert [x[0] for x in found(g, "the GGE and the OEWG; AI", "en")] == ["GGE", "OEWG", "AI"]


def test_hyphen_space_variants_and_optional_article(g):
    assert found(g, "an Open ended Working Group", "en")[0][1] == "c019"
    # a short form (termType shortForm) is case-sensitive: a lower-case "open-ended working group"
    # is any such group (on ageing, on space threats …), not the UN's ICT-security OEWG
    assert found(g, "an open ended working group", "en") == []
    assert found(g, "the Open-ended Working Group", "en")[0][:2] == ("Open-ended Working Group", "c019")
    assert found(g, "ecommerce platforms", "en")[0][1] == "c051"
    assert found(g, "e commerce platforms", "en")[0][1] == "c051"
    # British/American spelling twins
    assert found(g, "pan-securitisation", "en")[0][1] == "c046"


def test_english_spans_are_original_offsets_with_curly_apostrophe(g):
    text = "“People’s Daily”, 17 December"
    hits = found(g, text, "en")
    assert hits == [("People’s Daily", "c049", 1, 15)]


def test_word_boundaries(g):
    assert found(g, "Cyberspaces? cyberspacefoo", "en") == [("Cyberspaces", "c003", 0, 11)]


# -- enforcement semantics ---------------------------------------------------------------------


def kinds(vs):
    return [(v.kind, v.concept_id) for v in vs]


def test_missing_preferred_rendering(g):
    vs = g.check_pair("数字鸿沟正在扩大", "The gap is widening", "zh", "en")
    assert kinds(vs) == [("missing", "c028")]
    d = vs[0].to_dict()
    assert d["source_span"] == [0, 4] and d["term"] == "数字鸿沟" and d["expected"] == ["digital divide"]
    assert d["found"] is None and d["target_span"] is None


def test_admitted_rendering_satisfies(g):
    assert g.check_pair("在开放式工作组中", "in the OEWG", "zh", "en") == []
    assert g.check_pair("人工智能", "AI", "zh", "en") == []
    assert kinds(g.check_pair("人工智能", "ai", "zh", "en")) == [("missing", "c037")]


def test_forbidden_even_when_preferred_present(g):
    target = "a community with a shared future in cyberspace, once called a community of shared future in cyberspace"
    vs = g.check_pair("网络空间命运共同体", target, "zh", "en")
    assert kinds(vs) == [("forbidden", "c002")]
    d = vs[0].to_dict()
    assert d["found"] == "community of shared future in cyberspace"
    s, e = d["target_span"]
    assert target[s:e] == d["found"] and d["status"] == "superseded"
    assert d["expected"] == ["community with a shared future in cyberspace"]


def test_forbidden_inside_nested_term_is_reported_once(g):
    vs = g.check_pair("共同构建网络空间命运共同体", "jointly build a community of common destiny in cyberspace", "zh", "en")
    assert kinds(vs) == [("forbidden", "c002")]  # not also "missing" for the outer concept


def test_deprecated_rendering(g):
    vs = g.check_pair("一带一路", "the One Belt One Road initiative", "zh", "en")
    assert kinds(vs) == [("forbidden", "c018")] and vs[0].to_dict()["status"] == "deprecated"


def test_english_to_chinese_direction(g):
    assert g.check_pair("the digital divide", "数字鸿沟", "en", "zh") == []
    assert g.check_pair("the digital divide", "技术差距", "en", "zh")[0].kind == "missing"
    # Traditional target: 數字鴻溝 normalises to 数字鸿沟
    assert g.check_pair("the digital divide", "數字鴻溝", "en", "zh") == []


def test_shared_surface_between_concepts_needs_any_of_them():
    concepts = [
        Concept("a", [Term("世界互联网大会", "zh"), Term("World Internet Conference", "en")]),
        Concept("b", [Term("世界互联网大会国际组织", "zh"), Term("World Internet Conference", "en"),
                      Term("WIC", "en", "admitted", case_sensitive=True)]),
    ]
    g = Glossary(concepts)
    assert g.check_pair("the WIC", "世界互联网大会国际组织", "en", "zh") == []
    assert g.check_pair("World Internet Conference", "世界互联网大会", "en", "zh") == []
    assert kinds(g.check_pair("World Internet Conference", "互联网", "en", "zh")) == [("missing", "a")]


def test_empty_glossary_checks_nothing():
    assert Glossary([]).check_pair("数字鸿沟", "x", "zh", "en") == []


def test_violation_of_a_nested_concept_names_that_concept_and_its_own_span(g):
    src = "各国应共同构建網路空間命運共同體。"
    tgt = "All countries should jointly build a community of shared future in cyberspace."
    (v,) = g.check_pair(src, tgt, "zh", "en")
    assert v.kind == "forbidden" and v.concept_id == "c002"
    s, e = v.source_span
    assert src[s:e] == v.term == "網路空間命運共同體"
    assert tgt[v.target_span[0]:v.target_span[1]] == "community of shared future in cyberspace"
