"""Placeable adaptation: every kind the extractor knows, changed alone and in combination, in both
directions — and, where it cannot adapt, a status naming the placeable that blocked it."""

from __future__ import annotations

from itertools import combinations

import pytest

from tmserver.match.adapt import adapt, adapt_target

# One bilingual template holding every kind of placeable once. Each slot: (zh old, en old, zh new, en new).
SLOTS = {
    "year": ("2023", "2023", "2024", "2024"),
    "date": ("2015年12月16日", "December 16, 2015", "2015年12月18日", "December 18, 2015"),
    "ordinal": ("第二", "second", "第三", "third"),
    "range": ("11月6日至9日", "November 6–9", "12月6日至9日", "December 6–9"),
    "amount": ("3.5万", "35,000", "4.2万", "42,000"),
    "percent": ("百分之六十", "60 percent", "百分之七十", "70 percent"),
    "number": ("86", "86", "87", "87"),
    "note": ("②", "②", "③", "③"),
}
ZH = "{year}年报告显示,{date}宣布的{ordinal}届论坛于{range}举行,吸引{amount}人参加,{percent}的企业来自{number}个国家。{note}"
EN = ("The {year} report shows that the {ordinal} forum, announced on {date}, was held on {range}; it drew "
      "{amount} participants, and {percent} of the enterprises came from {number} countries.{note}")


def fill(template: str, lang: int, changed: tuple[str, ...]) -> str:
    """lang 0 = zh, 1 = en; the slots in ``changed`` take their new value."""
    return template.format(**{k: v[lang + 2] if k in changed else v[lang] for k, v in SLOTS.items()})


COMBOS = [(k,) for k in SLOTS] + list(combinations(SLOTS, 2)) + [tuple(SLOTS)]


@pytest.mark.parametrize("changed", COMBOS, ids=["+".join(c) for c in COMBOS])
def test_every_kind_alone_and_in_combination_zh_to_en(changed):
    source, target = fill(ZH, 0, ()), fill(EN, 1, ())
    query = fill(ZH, 0, changed)
    a = adapt(query, source, target, "zh", "en")
    assert a.status == "adapted", a.reason
    assert a.target == fill(EN, 1, changed)
    assert {c.query.kind for c in a.changes} <= {"year", "date", "ordinal", "range", "number", "percent", "note"}
    assert len(a.changes) == len(changed)


@pytest.mark.parametrize("changed", [(k,) for k in SLOTS] + [tuple(SLOTS)], ids=lambda c: "+".join(c))
def test_every_kind_en_to_zh(changed):
    source, target = fill(EN, 1, ()), fill(ZH, 0, ())
    query = fill(EN, 1, changed)
    a = adapt(query, source, target, "en", "zh")
    assert a.status == "adapted", a.reason
    assert a.target == fill(ZH, 0, changed)


def test_article_style_units():
    # a full 年月日 date whose day changes, in a sentence that also has an ordinal
    a = adapt("2015年12月18日,在第二届论坛上,他首次提出这一主张。", "2015年12月16日,在第二届论坛上,他首次提出这一主张。",
              "On December 16, 2015, at the second forum, he made the proposal for the first time.", "zh", "en")
    assert a.target == "On December 18, 2015, at the second forum, he made the proposal for the first time."
    # the year changes next to an ordinal and a note marker that stay
    a = adapt("2019年,他在第二届论坛上提出了“四项原则”。②", "2015年,他在第二届论坛上提出了“四项原则”。②",
              'In 2015, at the second forum, he set out the "four principles."②', "zh", "en")
    assert a.target == 'In 2019, at the second forum, he set out the "four principles."②'
    # the month of a date range with its year
    a = adapt("2025年10月6日至9日,论坛在杭州举办。", "2025年11月6日至9日,论坛在杭州举办。",
              "The forum was held in Hangzhou on November 6–9, 2025.", "zh", "en")
    assert a.target == "The forum was held in Hangzhou on October 6–9, 2025."
    # 十周年 (a number) is rendered by an ordinal: "tenth anniversary"
    a = adapt("恰逢该倡议提出十二周年。", "恰逢该倡议提出十周年。", "It marked the tenth anniversary of the initiative.", "zh", "en")
    assert a.target == "It marked the twelfth anniversary of the initiative."
    # a month range: 1至9月 = January–September
    a = adapt("1至10月,出口增长百分之五。", "1至9月,出口增长百分之五。", "From January–September, exports grew 5 percent.", "zh", "en")
    assert a.target == "From January–October, exports grew 5 percent."
    assert adapt_target("第7页", "第5页", "page 5", "zh", "en") == "page 7"


def test_blocked_names_the_placeable_and_why():
    source = "第二届论坛于2015年举办。"
    query = "第三届论坛于2015年举办。"
    # the translator left the ordinal implicit: nothing to rewrite
    a = adapt(query, source, "The forum was held in 2015.", "zh", "en")
    assert a.status == "blocked" and a.target is None
    assert a.blocker is not None and a.blocker.text == "第三" and a.blocker.kind == "ordinal"
    d = a.to_dict()
    assert d["status"] == "blocked" and d["placeable"] == {"kind": "ordinal", "text": "第三", "span": [0, 2], "value": 3}
    assert "第二" in d["reason"]

    # the same year twice, only one changes: which "2024" is which is ambiguous
    a = adapt("2024年规划于2025年完成。", "2024年规划于2024年完成。", "The 2024 plan was completed in 2024.", "zh", "en")
    assert a.status == "blocked" and a.blocker.text == "2025年" and "ambiguous" in a.reason
    # … but when both change the same way, both are rewritten
    a = adapt("2025年规划于2025年完成。", "2024年规划于2024年完成。", "The 2024 plan was completed in 2024.", "zh", "en")
    assert a.target == "The 2025 plan was completed in 2025."

    # a count going to one would leave a plural noun behind
    a = adapt("会议确定了1个主题。", "会议确定了3个主题。", "The meeting set 3 themes.", "zh", "en")
    assert a.status == "blocked" and "singular" in a.reason

    # a year where the match has a percentage: not the same kind of thing
    a = adapt("增长2020", "增长5%", "up 5%", "zh", "en")
    assert a.status == "blocked" and a.blocker.kind == "year"


def test_statuses_when_nothing_to_adapt():
    assert adapt("论坛于2015年举办。", "论坛于2015年举办。", "The forum was held in 2015.", "zh", "en").status == "not_needed"
    a = adapt("会议于2016年举办。", "论坛于2015年举办。", "The forum was held in 2015.", "zh", "en")
    assert a.status == "not_applicable" and a.target is None


def test_a_target_that_leaves_the_year_out():
    # the day changes: the target's "December 16" (no year) becomes "December 18"
    a = adapt("2015年12月18日,会议开幕。", "2015年12月16日,会议开幕。", "The meeting opened on December 16.", "zh", "en")
    assert a.target == "The meeting opened on December 18."
    a = adapt("2025年12月6日至9日,峰会举办。", "2025年11月6日至9日,峰会举办。", "The summit was held on November 6–9.",
              "zh", "en")
    assert a.target == "The summit was held on December 6–9."
    # the year changes, but the target does not show it with the date: it may be elsewhere → blocked
    a = adapt("2016年12月16日,会议开幕。", "2015年12月16日,会议开幕。", "In 2015, the meeting opened on December 16.",
              "zh", "en")
    assert a.status == "blocked" and a.blocker.text == "2016年12月16日" and "leaves out" in a.reason


def test_a_capitalised_word_stays_capitalised():
    """第四届 → 第五届 in a title: "The Fourth World Internet Conference" becomes "The Fifth …"."""
    a = adapt("第五届世界互联网大会在乌镇举行。", "第四届世界互联网大会在乌镇举行。",
              "The Fourth World Internet Conference was held in Wuzhen.", "zh", "en")
    assert a.target == "The Fifth World Internet Conference was held in Wuzhen."
    a = adapt("第五届大会在乌镇举行。", "第四届大会在乌镇举行。", "The fourth conference was held in Wuzhen.", "zh", "en")
    assert a.target == "The fifth conference was held in Wuzhen."
