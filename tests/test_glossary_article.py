"""The shipped term base against the article: every gold-aligned segment passes enforcement,
the translator's rendering plan stays valid, and the data meets the issue's bar."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tmserver.glossary import Glossary

ROOT = Path(__file__).resolve().parent.parent
ALIGN = ROOT / "alignments"


@pytest.fixture(scope="module")
def g() -> Glossary:
    paths = sorted((ROOT / "glossary").glob("*.tbx"))
    assert paths, "glossary/*.tbx is missing"
    concepts = []
    for p in paths:
        concepts.extend(Glossary.from_tbx(p).concepts)
    return Glossary(concepts)


def _lines(name: str) -> list[str]:
    return [line.rstrip("\n") for line in (ALIGN / name).open(encoding="utf-8") if line.strip()]


def gold_pairs() -> list[tuple[int, str, str]]:
    zh, en = _lines("article.zh.sent.txt"), _lines("article.en.sent.txt")
    out = []
    for n, line in enumerate((ALIGN / "article.gold.jsonl").open(encoding="utf-8"), 1):
        link = json.loads(line)
        out.append((n, "".join(zh[i] for i in link["zh"]), " ".join(en[j] for j in link["en"])))
    return out


def test_every_gold_link_passes_enforcement_both_directions(g):
    pairs = gold_pairs()
    assert len(pairs) >= 80
    failures = []
    for n, zh, en in pairs:
        for v in g.check_pair(zh, en, "zh", "en"):
            failures.append((n, "zh→en", v.message()))
        for v in g.check_pair(en, zh, "en", "zh"):
            failures.append((n, "en→zh", v.message()))
    assert failures == []


def test_enforcement_is_not_vacuous_on_the_article(g):
    """The same pairs with the superseded 2015 rendering swapped in must fail."""
    broken = 0
    for _, zh, en in gold_pairs():
        if "community with a shared future" not in en:
            continue
        bad = en.replace("community with a shared future", "community of shared future")
        vs = g.check_pair(zh, bad, "zh", "en")
        assert vs and all(v.kind == "forbidden" for v in vs), (zh, bad)
        broken += 1
    assert broken >= 20


def test_article_tmx_passes_enforcement(g):
    tmx = ALIGN / "article.tmx"
    if not tmx.exists():
        pytest.skip("alignments/article.tmx has not been built yet")
    from tmserver.formats.tmx import iter_tmx

    with tmx.open("rb") as fh:
        units = list(iter_tmx(fh))
    assert units
    bad = [(u.where, v.message()) for u in units
           for v in g.check_pair(u.source, u.target, u.source_lang[:2], u.target_lang[:2])]
    assert bad == []


def test_renderings_plan_is_kept_valid(g):
    """Every rendering in the lead's plan is in the TBX with the planned status."""
    by_zh = {}
    for c in g.concepts:
        for t in c.terms_in("zh", ("preferred",)):
            by_zh[t.text] = c
    with (ROOT / "glossary" / "renderings-plan.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))[1:]
    assert len(rows) >= 40
    for row in rows:
        row += [""] * (4 - len(row))
        zh, pref, admitted, forbidden = row[:4]
        c = by_zh.get(zh)
        assert c is not None, zh
        status = {t.text: t.status for t in c.terms_in("en")}
        if pref:
            assert status.get(pref) == "preferred", (zh, pref)
        else:  # no official English: nothing may be preferred, and the concept says so
            assert "preferred" not in status.values() and "No official English" in (c.note or ""), zh
        for a in filter(None, admitted.split("|")):
            assert status.get(a) in ("preferred", "admitted"), (zh, a)
        for f in filter(None, forbidden.split("|")):
            kind, _, text = f.partition(":")
            assert status.get(text) == {"S": "superseded", "D": "deprecated"}[kind], (zh, f)


def test_term_base_meets_the_bar(g):
    assert len(g.concepts) >= 75
    issue_terms = ["构建网络空间命运共同体", "四项原则", "五点主张", "四个共同", "共商共建共享", "全球数据安全倡议",
                   "全球人工智能治理倡议", "网络空间国际合作战略", "数字丝绸之路", "一带一路", "世界互联网大会", "乌镇峰会",
                   "联合国信息安全开放式工作组", "政府专家组", "五眼联盟", "南南合作援助基金", "上合组织", "东盟",
                   "联合国打击网络犯罪公约", "通用数据保护条例", "数字鸿沟", "智能鸿沟", "网络空间", "互联网治理", "数字经济",
                   "计算机应急响应组织", "关键信息基础设施", "深度伪造"]
    zh_terms = {t.text for c in g.concepts for t in c.terms_in("zh")}
    assert [t for t in issue_terms if t not in zh_terms] == []
    for c in g.concepts:
        # a concept whose label has no official English prefers no English term (a project
        # coinage is never preferred) and says so in its note
        assert c.preferred("zh") and (c.preferred("en") or "No official English" in (c.note or "")), c.id
        assert c.definition or c.note, c.id
    # every concept says where its English rendering comes from
    no_source = [c.id for c in g.concepts if not (c.source or any(t.source for t in c.terms_in("en")
                                                                 if t.status in ("preferred", "admitted")))]
    assert no_source == []
    statuses = {t.status for c in g.concepts for t in c.terms}
    assert statuses == {"preferred", "admitted", "deprecated", "superseded"}
    # Traditional forms are derived by normalisation, never stored
    from tmserver.normalize import has_traditional

    assert [t.text for c in g.concepts for t in c.terms_in("zh") if has_traditional(t.text)] == []


def test_term_base_uses_tbx_basic_picklists_and_declares_its_schemas():
    """The values TBX-Basic allows (its Schematron's picklists), the schemas declared with
    ``<?xml-model?>``, and no private ``x-`` data categories. (Validation against the vendored
    RelaxNG and Schematron themselves is the TBX-Basic schema test's job.)"""
    from tmserver.formats import safexml

    path = ROOT / "glossary" / "article.tbx"
    with path.open("rb") as fh:
        tree = safexml.parse(fh)
    models = [pi for pi in tree.getroot().itersiblings(preceding=True)
              if getattr(pi, "target", None) == "xml-model"]
    kinds = sorted(pi.get("schematypens") for pi in models)
    assert kinds == ["http://purl.oclc.org/dsdl/schematron", "http://relaxng.org/ns/structure/1.0"]
    allowed = {
        "partOfSpeech": {"adjective", "noun", "verb", "adverb", "other"},
        "termType": {"fullForm", "acronym", "abbreviation", "shortForm", "variant", "phrase"},
        "administrativeStatus": {"preferredTerm-admn-sts", "admittedTerm-admn-sts", "deprecatedTerm-admn-sts",
                                 "supersededTerm-admn-sts"},
        "geographicalUsage": None,
    }
    bad = []
    for el in tree.iter("{*}termNote"):
        kind = el.get("type")
        if kind not in allowed or (allowed[kind] is not None and el.text not in allowed[kind]):
            bad.append((kind, el.text, el.sourceline))
    assert bad == []
    # scope notes follow the convention agreed with the recognizer ("not within: a; b")
    for el in tree.iter("{*}note"):
        if el.text.startswith("not within"):
            assert el.text.startswith("not within: ") and el.getparent().tag.endswith("termSec"), el.sourceline
            term = el.getparent().findtext("{*}term")
            phrases = [p.strip() for p in el.text[len("not within: "):].split(";")]
            assert all(term in p and p != term for p in phrases), (term, phrases)
