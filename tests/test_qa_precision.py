"""QA misses of issue 15: forbidden renderings without the source term, acronyms missing or
misspelled (expansions only as the glossary documents them), repeated words in any case."""

from __future__ import annotations

from pathlib import Path

import pytest

from tmserver.glossary.glossary import Glossary
from tmserver.qa import QASegment
from tmserver.qa.engine import run_checks

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def glossary():
    return Glossary.from_tbx(ROOT / "glossary" / "article.tbx")


def issues(src, tgt, glossary=None, check=None):
    found = run_checks([QASegment("s1", src, tgt)], glossary=glossary).issues
    return [i for i in found if check is None or i.check == check]


# -- forbidden renderings ------------------------------------------------------------------------

def test_superseded_rendering_is_reported_without_the_chinese_term(glossary):
    src, tgt = "该重要理念得到越来越多国家的认同。", "The idea of a community of shared future in cyberspace wins ever more support."
    (i,) = issues(src, tgt, glossary, "term_forbidden")
    assert tgt[slice(*i.target_span)] == "community of shared future in cyberspace"
    assert i.source_span is None and "superseded" in i.message
    assert "community with a shared future in cyberspace" in i.details["expected"]
    # a deprecated one too, in the plural and in another sentence shape
    (i,) = issues("沿线国家从中受益。", "Countries along One Belt, One Road benefit from it.", glossary, "term_forbidden")
    assert i.target_span and "deprecated" in i.message


def test_forbidden_rendering_with_the_term_is_reported_once(glossary):
    found = issues("网络空间命运共同体理念日益深入人心。",
                   "The vision of a community of common destiny in cyberspace is ever more embraced.", glossary,
                   "term_forbidden")
    assert len(found) == 1 and found[0].source_span is not None


def test_accepted_renderings_are_not_flagged(glossary):
    assert issues("这一理念深入人心。", "The vision of a community with a shared future in cyberspace is embraced.",
                  glossary) == []


# -- acronyms and codes --------------------------------------------------------------------------

@pytest.mark.parametrize(("src", "tgt"), [
    ("中国参加了OEWG的会议。", "China attended the meeting of the OEGW."),   # letters swapped
    ("报告已提交GGE。", "The report went to the GEE."),                         # one letter wrong
    ("中国积极推动6G研发。", "China actively promotes 5G research."),            # another code
])
def test_misspelled_code_is_reported_with_both_spans(src, tgt, glossary):
    (i,) = issues(src, tgt, glossary, "acronym_mismatch")
    assert "misspelled" in i.message
    assert i.source_span and i.target_span
    assert src[slice(*i.source_span)] == i.details["expected"] and tgt[slice(*i.target_span)] == i.details["found"]


def test_missing_code_and_undocumented_expansions(glossary):
    assert issues("各国加快部署5G网络。", "Countries are speeding up fifth-generation networks.", glossary, "acronym_mismatch")
    (i,) = issues("OEWG会议已经闭幕。", "The meeting of the open working group has closed.", glossary, "acronym_mismatch")
    assert "missing" in i.message
    # initials that spell the acronym are not enough: the glossary does not document this expansion
    (i,) = issues("WTO规则需要改革。", "The rules of the World Trade Organization need reform.", glossary,
                  "acronym_mismatch")
    assert "does not document" in i.message and i.details["found"] == "World Trade Organization"
    # the glossary's own expansion (GGE = Group of Governmental Experts) is allowed, with or without glossary
    assert issues("GGE报告已发布。", "The report of the Group of Governmental Experts is out.", glossary) == []
    assert issues("GGE报告已发布。", "The report of the Group of Governmental Experts is out.", None, "acronym_mismatch")
    # a near miss of the glossary's name is not its name
    assert issues("GGE报告已发布。", "The report of the Group of Government Experts is out.", glossary,
                  "acronym_mismatch")


def test_codes_kept_as_written_are_clean(glossary):
    assert issues("中国在OEWG和GGE中发挥作用,推动5G与G20合作。",
                  "China plays a role in the OEWG and the GGE and promotes 5G and G20 cooperation.", glossary) == []


# -- repeated words ------------------------------------------------------------------------------

@pytest.mark.parametrize("tgt", [
    "The The digital divide is widening.",
    "We must build Cyberspace Cyberspace Governance together.",
    "Data AND and security matter.",
    "The café Café is open.",
])
def test_repeated_word_in_any_case(tgt):
    (i,) = issues("数字鸿沟正在扩大。", tgt, None, "repeated_word")
    a, b = tgt[slice(*i.target_span)].split()
    assert a.lower() == b.lower()


@pytest.mark.parametrize(("src", "tgt"), [
    ("他们去了波拉波拉岛。", "They went to Bora Bora."),
    ("冰墩墩很受欢迎。", "Bing Dwen Dwen is very popular."),
    ("我知道那是真的。", "I know That that is true."),
])
def test_real_doubles_stay_clean(src, tgt):
    assert issues(src, tgt, None, "repeated_word") == []
