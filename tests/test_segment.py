"""Sentence segmentation: every rule of the policy, and the translators' own sentence files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tmserver.align.segment import (
    read_paragraphs,
    read_presegmented,
    segment_en,
    segment_paragraphs,
    segment_zh,
    to_sent_file,
)

ROOT = Path(__file__).resolve().parent.parent


# -- Chinese ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # 。！？ end sentences
        ("今天下雨。明天晴天！后天呢？", ["今天下雨。", "明天晴天！", "后天呢？"]),
        # ASCII ? and ! used as sentence ends in mixed text
        ("可以一边充电一边放电吗?可以!请注意安全。", ["可以一边充电一边放电吗?", "可以!", "请注意安全。"]),
        # ... but not inside a Latin name
        ("我们使用Yahoo!Japan的服务。它很好。", ["我们使用Yahoo!Japan的服务。", "它很好。"]),
        # a sentence-final …… ends the sentence; …… before clause punctuation does not
        ("他沉默了……我们都明白。", ["他沉默了……", "我们都明白。"]),
        ("苹果、香蕉……，应有尽有。下一句。", ["苹果、香蕉……，应有尽有。", "下一句。"]),
        ("他说不出话来……。然后走了。", ["他说不出话来……。", "然后走了。"]),
        # repeated marks stay together
        ("真的吗？！当然。", ["真的吗？！", "当然。"]),
    ],
)
def test_zh_final_marks(text, expected):
    assert segment_zh(text) == expected


def test_zh_closing_quote_and_note_marker_stay_with_the_sentence():
    text = "习近平主席首次发出倡议:“网络空间是人类共同的活动空间。各国应该共同构建网络空间命运共同体。”①该重要理念的诞生,深植于历史脉络。"
    assert segment_zh(text) == [
        "习近平主席首次发出倡议:“网络空间是人类共同的活动空间。各国应该共同构建网络空间命运共同体。”①",
        "该重要理念的诞生,深植于历史脉络。",
    ]


@pytest.mark.parametrize("closer", ["”", "’", "」", "』", "）"])
def test_zh_every_closer_after_the_final_mark_is_kept(closer):
    opener = {"”": "“", "’": "‘", "」": "「", "』": "『", "）": "（"}[closer]
    text = f"他写道：{opener}一切都好。{closer}我们放心了。"
    assert segment_zh(text) == [f"他写道：{opener}一切都好。{closer}", "我们放心了。"]


def test_zh_quote_ending_the_paragraph_or_before_a_note_marker_ends_the_sentence():
    assert segment_zh("他强调“共同发展。”") == ["他强调“共同发展。”"]
    assert segment_zh("他强调“共同发展。”②下一句。") == ["他强调“共同发展。”②", "下一句。"]


def test_zh_note_markers_after_full_stop_and_after_quote():
    assert segment_zh("提出“三个倡导”。④与此同时,中国发布文件。") == ["提出“三个倡导”。④", "与此同时,中国发布文件。"]
    assert segment_zh("分享”。③2023年,习近平主席提出倡议。") == ["分享”。③", "2023年,习近平主席提出倡议。"]


def test_zh_never_splits_inside_book_title_marks():
    text = "他读了《你好！世界。》这本书。很好看。"
    assert segment_zh(text) == ["他读了《你好！世界。》这本书。", "很好看。"]


def test_zh_quote_that_continues_the_sentence_stays_whole():
    text = "他说“我来了。你呢？”然后就走了。第二句。"
    # the quote is followed by more of the same sentence, so there is no cut inside or after it
    assert segment_zh(text) == ["他说“我来了。你呢？”然后就走了。", "第二句。"]


def test_zh_semicolons_and_ascii_clause_punctuation_never_split():
    text = "2025年11月6日至9日,2025年世界互联网大会乌镇峰会在浙江乌镇举办;恰逢十周年:意义重大；影响深远。下一句。"
    assert segment_zh(text) == [
        "2025年11月6日至9日,2025年世界互联网大会乌镇峰会在浙江乌镇举办;恰逢十周年:意义重大；影响深远。",
        "下一句。",
    ]


@pytest.mark.parametrize(
    "line",
    ["构建网络空间命运共同体十年:历程回顾与未来展望", "【关键词】网络空间命运共同体 十周年 全球网络治理", "【注释】", "一、产品概述"],
)
def test_zh_line_without_final_mark_is_one_sentence(line):
    assert segment_zh(line) == [line]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("①②《习近平出席开幕式》,《人民日报》,2015年12月17日。", ["①②《习近平出席开幕式》,《人民日报》,2015年12月17日。"]),
        ("（1）长按电源键2秒开机。（2）按下交流输出键。", ["（1）长按电源键2秒开机。", "（2）按下交流输出键。"]),
        ("一、请勿拆卸本产品。二、请勿焚烧。", ["一、请勿拆卸本产品。", "二、请勿焚烧。"]),
        ("【摘要】第一句摘要。第二句摘要。", ["【摘要】第一句摘要。", "第二句摘要。"]),
    ],
)
def test_zh_markers_stay_with_their_sentence(text, expected):
    assert segment_zh(text) == expected


# -- English ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It rained. Then it stopped! Did it? Yes.", ["It rained.", "Then it stopped!", "Did it?", "Yes."]),
        # capital letter, digit or opening quote after the space
        ("It ended. 2025 was busy. \"Quotes\" start too.", ["It ended.", "2025 was busy.", "\"Quotes\" start too."]),
        # lowercase after a period: no cut
        ("See the list, e.g. alcohol or petrol. Next.", ["See the list, e.g. alcohol or petrol.", "Next."]),
        ("It grew in the U.S. and elsewhere. Next.", ["It grew in the U.S. and elsewhere.", "Next."]),
        ("Apples, pears, etc. were sold. Then more.", ["Apples, pears, etc. were sold.", "Then more."]),
        # abbreviations before capitals and numbers
        ("Dr. Smith met Mr. Li. They talked.", ["Dr. Smith met Mr. Li.", "They talked."]),
        ("See No. 5 and Fig. 2 on Jan. 3 in the report. Done.", ["See No. 5 and Fig. 2 on Jan. 3 in the report.", "Done."]),
        ("The U.S. Congress voted. The U.S. The end.", ["The U.S. Congress voted.", "The U.S.", "The end."]),
        ("It weighs approx. 11.5 kg in total. Next.", ["It weighs approx. 11.5 kg in total.", "Next."]),
        # decimals and initials
        ("About 2.6 billion people are offline. J. Smith said so.", ["About 2.6 billion people are offline.", "J. Smith said so."]),
        # a unit letter after a number is not an initial
        ("The power is 600 W. We recommend two panels.", ["The power is 600 W.", "We recommend two panels."]),
        # closing quotes and note markers stay with the sentence
        ("He said \"it is over.\" Then he left.", ["He said \"it is over.\"", "Then he left."]),
        ("They agreed on \"sharing the benefits.\"③ In 2023, more followed.",
         ["They agreed on \"sharing the benefits.\"③", "In 2023, more followed."]),
        # ... every note marker (①–⑳), also after an abbreviation that is no sentence end
        ("It grew in the U.S.⑩ Congress agreed.", ["It grew in the U.S.⑩ Congress agreed."]),
        ("It grew in the U.S.⑪ Congress agreed.", ["It grew in the U.S.⑪ Congress agreed."]),
        # a heading number is not a sentence
        ("1. Product Overview", ["1. Product Overview"]),
        ("(1) Press the button. (2) Wait.", ["(1) Press the button.", "(2) Wait."]),
    ],
)
def test_en_rules(text, expected):
    assert segment_en(text) == expected


@pytest.mark.parametrize("line", ["Notes", "Current Problems and Challenges in Cyberspace Governance", "Abstract: one line"])
def test_en_line_without_final_punctuation_is_one_sentence(line):
    assert segment_en(line) == [line]


# -- files -------------------------------------------------------------------------------------


def test_readers_ignore_blank_lines_and_bom():
    assert read_paragraphs("\ufeff第一段。\n\n\n第二段。\n") == ["第一段。", "第二段。"]
    assert read_presegmented("\ufeffa\nb\n\n\nc\n") == [["a", "b"], ["c"]]
    assert to_sent_file([["a", "b"], ["c"]]) == "a\nb\n\nc\n"


@pytest.mark.parametrize(
    "base",
    [ROOT / "alignments" / "article", ROOT / "tests" / "data" / "align" / "manual"],
    ids=["article", "manual"],
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_segmenter_reproduces_the_translators_sentence_files(base, lang):
    raw = Path(f"{base}.{lang}.txt").read_text(encoding="utf-8")
    want = Path(f"{base}.{lang}.sent.txt").read_text(encoding="utf-8")
    got = segment_paragraphs(raw, lang)
    assert got == read_presegmented(want)
    # same text, only cut: nothing lost or added
    joiner = "" if lang == "zh" else " "
    assert [joiner.join(p) for p in got] == read_paragraphs(raw)


def test_en_time_abbreviations_end_a_sentence_only_before_a_sentence_opener():
    assert segment_en("Last admission is at 4 p.m. No ticket is needed.") == [
        "Last admission is at 4 p.m.", "No ticket is needed."]
    assert segment_en("The talks began at 10 a.m. Beijing time on Monday.") == [
        "The talks began at 10 a.m. Beijing time on Monday."]
