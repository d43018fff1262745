"""Placeables: values, spans and kinds in zh and en, false positives, and rendering in a style."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmserver.placeables import Placeable, extract, render


def kv(text: str, lang: str) -> list[tuple[str, object]]:
    return [(p.kind, p.value) for p in extract(text, lang)]


def texts(text: str, lang: str) -> list[str]:
    return [p.text for p in extract(text, lang)]


# -- values that must agree across languages ---------------------------------------------------

SAME_VALUE = [
    ("全球仍有约26亿人", "about 2.6 billion people", ("number", Decimal(2_600_000_000))),
    ("二十六亿", "2,600,000,000", ("number", Decimal(2_600_000_000))),
    ("3.5万", "35,000", ("number", Decimal(35000))),
    ("3.5万", "35 thousand", ("number", Decimal(35000))),
    ("八十六个国家", "eighty-six countries", ("number", Decimal(86))),
    ("两千", "two thousand", ("number", Decimal(2000))),
    ("三点五", "3.5", ("number", Decimal("3.5"))),
    ("两百", "two hundred", ("number", Decimal(200))),
    ("百分之五", "5%", ("percent", Decimal(5))),
    ("百分之五", "five percent", ("percent", Decimal(5))),
    ("5 %", "5 %", ("percent", Decimal(5))),
    ("百分之六十", "60 percent", ("percent", Decimal(60))),
    ("60%", "60 per cent", ("percent", Decimal(60))),
    ("第二届", "the second conference", ("ordinal", 2)),
    ("第二届", "the 2nd conference", ("ordinal", 2)),
    ("第四届", "the fourth", ("ordinal", 4)),
    ("第二十一", "twenty-first", ("ordinal", 21)),
    ("2025年", "in 2025", ("year", 2025)),
    ("２０２５年", "2025", ("year", 2025)),
    ("2015年12月16日", "December 16, 2015", ("date", (2015, 12, 16))),
    ("2015年12月16日", "16 December 2015", ("date", (2015, 12, 16))),
    ("2015年12月16日", "Dec. 16, 2015", ("date", (2015, 12, 16))),
    ("二〇一五年十二月十六日", "2015-12-16", ("date", (2015, 12, 16))),
    ("2020年9月", "September 2020", ("month", (2020, 9, None))),
    ("十月革命", "the October Revolution", ("month", (None, 10, None))),
    ("2025年11月6日至9日", "November 6–9, 2025", ("range", ((2025, 11, 6), (2025, 11, 9)))),
    ("2025年11月6日至9日", "6–9 November 2025", ("range", ((2025, 11, 6), (2025, 11, 9)))),
    ("2015年至2025年", "from 2015 to 2025", ("range", (2015, 2025))),
    ("10%至40%", "10–40 %", ("range", (Decimal(10), Decimal(40)))),
]


@pytest.mark.parametrize(("zh", "en", "expected"), SAME_VALUE)
def test_same_value_in_both_languages(zh, en, expected):
    assert kv(zh, "zh") == [expected]
    assert kv(en, "en") == [expected]


def test_article_sentence_with_ascii_comma_is_a_range_and_a_year():
    text = "2025年11月6日至9日,2025年世界互联网大会乌镇峰会在浙江乌镇举办。"
    ps = extract(text, "zh")
    assert [(p.kind, p.text) for p in ps] == [("range", "2025年11月6日至9日"), ("year", "2025年")]
    assert ps[0].of == "date"
    # the comma after 日 did not glue 9 and 2025 into 9,202
    assert all("," not in p.text for p in ps)


def test_spans_point_into_the_original_text():
    text = "全球仍有约２６亿人，第二届会议于２０１５年１２月１６日举行"
    for p in extract(text, "zh"):
        assert text[p.start : p.end] == p.text
    assert texts(text, "zh") == ["２６亿", "第二", "２０１５年１２月１６日"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("①②③", "zh"),
        ("5G通信和6G", "zh"),
        ("G20峰会", "zh"),
        ("一带一路", "zh"),
        ("一方面,另一方面", "zh"),
        ("统一的治理框架", "zh"),
        ("十分重要", "zh"),
        ("四川和百度", "zh"),
        ("几十个国家,数百家,十几个,二三十", "zh"),
        ("千万不要", "zh"),
        ("5G and 6G, G20, COVID-19, IPv6", "en"),
        ("the '90s", "en"),
        ("May we go? March on.", "en"),
        ("hundreds of millions", "en"),
    ],
)
def test_false_positives_are_not_placeables(text, lang):
    assert extract(text, lang) == []


def test_numbers_inside_words_and_with_measure_words():
    assert kv("十年来", "zh") == [("number", Decimal(10))]
    assert kv("第一", "zh") == [("ordinal", 1)]
    assert kv("五大洲36个国家", "zh") == [("number", Decimal(5)), ("number", Decimal(36))]
    assert kv("两千万", "zh") == [("number", Decimal(20_000_000))]  # contains 千万, still a number
    assert kv("1.2万亿元", "zh") == [("number", Decimal(1_200_000_000_000))]
    assert kv("第4页", "zh") == [("ordinal", 4)]
    assert kv("Five-Year Plan", "en") == [("number", Decimal(5))]
    assert kv("in May 2020 and in May", "en") == [("month", (2020, 5, None)), ("month", (None, 5, None))]


def test_grouping_rules():
    assert kv("1,000", "en") == [("number", Decimal(1000))]
    assert kv("In 2015, 300 people", "en") == [("year", 2015), ("number", Decimal(300))]
    assert kv("１,０００人", "zh") == [("number", Decimal(1000))]


def test_longest_wins_and_order_is_left_to_right():
    ps = extract("On December 16, 2015, at the second World Internet Conference", "en")
    assert [(p.kind, p.text) for p in ps] == [("date", "December 16, 2015"), ("ordinal", "second")]
    starts = [p.start for p in ps]
    assert starts == sorted(starts)


def test_unsupported_language_is_an_error():
    with pytest.raises(ValueError):
        extract("12", "fr")


@pytest.mark.parametrize("lang", ["zh-Hans", "zh_CN", "zh_hans", "ZH"])
def test_any_chinese_tag_reads_chinese(lang):
    assert kv("二十六亿", lang) == [("number", Decimal(2_600_000_000))]
    assert render(one("26亿", "zh"), lang, one("二十六", "zh")) == "二十六亿"


# -- rendering --------------------------------------------------------------------------------


def one(text: str, lang: str) -> Placeable:
    (p,) = extract(text, lang)
    return p


@pytest.mark.parametrize(
    ("src", "like", "expected"),
    [
        ("2025年", "2024", "2025"),
        ("27亿", "2.6 billion", "2.7 billion"),
        ("27亿", "2,600,000,000", "2,700,000,000"),
        ("2016年12月17日", "December 16, 2015", "December 17, 2016"),
        ("2016年12月17日", "16 December 2015", "17 December 2016"),
        ("2016年12月17日", "Dec. 16, 2015", "Dec. 17, 2016"),
        ("第三届", "second", "third"),
        ("第三届", "2nd", "3rd"),
        ("百分之六十", "five percent", "sixty percent"),
        ("百分之六十", "5%", "60%"),
        ("八十六", "eighty-six", "eighty-six"),
        ("2026年11月5日至8日", "November 6–9, 2025", "November 5–8, 2026"),
        ("2026年11月5日至8日", "6–9 November 2025", "5–8 November 2026"),
        ("2021年9月", "September 2020", "September 2021"),
        ("20%至30%", "10–40 %", "20–30 %"),
    ],
)
def test_render_zh_value_in_the_style_of_the_english_it_replaces(src, like, expected):
    assert render(one(src, "zh"), "en", one(like, "en")) == expected


@pytest.mark.parametrize(
    ("src", "like", "expected"),
    [
        ("35 thousand", "3.5万", "3.5万"),
        ("2.7 billion", "二十六亿", "二十七亿"),
        ("December 17, 2016", "2015年12月16日", "2016年12月17日"),
        ("November 5–8, 2026", "2025年11月6日至9日", "2026年11月5日至8日"),
        ("third", "第四", "第三"),
        ("seven percent", "百分之五", "百分之七"),
    ],
)
def test_render_en_value_in_chinese(src, like, expected):
    assert render(one(src, "en"), "zh", one(like, "zh")) == expected


def test_render_without_like_uses_house_style():
    assert render(one("26亿", "zh"), "en") == "2,600,000,000"
    assert render(one("2015年12月16日", "zh"), "en") == "December 16, 2015"
    assert render(one("2.6 billion", "en"), "zh") == "26亿"


# -- properties -------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789,.%年月日至第一二三四五六七八九十百千万亿 -abcG①", max_size=40))
def test_spans_never_overlap_and_match_text(text):
    ps = extract(text, "zh")
    for p in ps:
        assert text[p.start : p.end] == p.text
    for a, b in zip(ps, ps[1:], strict=False):
        assert a.end <= b.start


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**12))
def test_integers_round_trip_through_every_english_style(n):
    for like in ("1,000", "2.6 billion", "eighty-six", "12"):
        written = render(Placeable("number", Decimal(n), 0, 0, ""), "en", one(like, "en"))
        assert kv(written, "en") in ([("number", Decimal(n))], [("year", n)]), written


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=2, max_value=10**12))  # a bare 一 is deliberately not a number
def test_integers_round_trip_through_chinese_styles(n):
    for like in ("26亿", "二十六", "1,000", "12"):
        written = render(Placeable("number", Decimal(n), 0, 0, ""), "zh", one(like, "zh"))
        assert kv(written, "zh") in ([("number", Decimal(n))], [("year", n)]), written


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=__import__("datetime").date(1900, 1, 1), max_value=__import__("datetime").date(2100, 12, 31)))
def test_dates_round_trip(d):
    t = (d.year, d.month, d.day)
    for like in ("December 16, 2015", "16 December 2015", "Dec. 16, 2015"):
        written = render(Placeable("date", t, 0, 0, ""), "en", one(like, "en"))
        assert kv(written, "en") == [("date", t)], written
    written = render(Placeable("date", t, 0, 0, ""), "zh", one("2015年12月16日", "zh"))
    assert kv(written, "zh") == [("date", t)]
