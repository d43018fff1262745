"""Matching form and offset map of :mod:`tmserver.normalize`, and the penalty table built on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmserver.match.penalties import penalties
from tmserver.normalize import has_traditional, normalize, normalize_text, to_simplified

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "text, expected",
    [
        ("網路", "网络"),
        ("軟體", "软件"),
        ("數位鴻溝", "数字鸿沟"),
        ("２０２５年１１月", "2025年11月"),
        ("构建，合作。", "构建,合作."),
        ("“网络”：空间", '"网络":空间'),
        ("  Internet\u3000 Governance ", "internet governance"),
        ("2025年11月6日至9日,2025年", "2025年11月6日至9日,2025年"),
    ],
)
def test_matching_form(text, expected):
    assert normalize_text(text) == expected


def test_seed_article_ascii_comma_equals_fullwidth():
    assert normalize_text("9日,2025年") == normalize_text("9日，2025年")


def test_offsets_point_into_original_through_length_change():
    n = normalize("記憶體很大")  # 記憶體 → 内存: three characters become two
    assert n.text == "内存很大"
    assert n.to_original(0, 2) == (0, 3)
    assert n.to_original(2, 4) == (3, 5)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="網路空間数字，。 ,ＡＢab“”…記憶體", max_size=20))
def test_offset_map_is_monotone_and_in_range(text):
    n = normalize(text)
    assert len(n.starts) == len(n.text) == len(n.ends)
    for i in range(len(n.text)):
        a, b = n.to_original(i, i + 1)
        assert 0 <= a < b <= len(text)
    assert list(n.starts) == sorted(n.starts)


@pytest.mark.parametrize(
    "query, stored, kinds",
    [
        ("网络空间，合作。", "网络空间,合作.", {"punctuation"}),
        ("網路空間", "网络空间", {"script"}),
        ("ＡＢＣ", "ABC", {"width"}),
        ("Internet", "internet", {"case"}),
        ("a  b", "a b", {"whitespace"}),
        ("網路空間，合作", "网络空间,合作", {"script", "punctuation"}),
        ("same", "same", set()),
    ],
)
def test_penalty_table(query, stored, kinds):
    assert normalize_text(query) == normalize_text(stored)
    assert {k for k, _ in penalties(query, stored)} == kinds


@pytest.mark.parametrize("mainland", ["中国智慧", "智慧城市", "核心要义", "建立机制", "治理效能", "显著成效"])
def test_simplified_text_keeps_its_vocabulary(mainland):
    """Regional phrase tables apply to Traditional text only: 中国智慧 is not 中国智能."""
    assert normalize_text(mainland) == mainland
    assert not has_traditional(mainland)


def test_traditional_text_still_gets_regional_phrases():
    assert normalize_text("網路空間") == "网络空间"
    assert normalize_text("軟體與記憶體") == "软件与内存"
    assert has_traditional("中國智慧")


def test_no_article_sentence_changes_script():
    lines = (ROOT / "alignments" / "article.zh.sent.txt").read_text("utf-8").splitlines()
    changed = [line for line in lines if to_simplified(line) != line]
    assert changed == []
