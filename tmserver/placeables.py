"""Placeables: numbers and dates in Chinese and English text, with canonical values.

A *placeable* is a stretch of text whose meaning is a value rather than words: ``26亿``,
``2.6 billion``, ``第二届``, ``second``, ``2015年12月16日``, ``December 16, 2015``. Three parts of the
service need them:

* the **aligner** uses them as anchors (a sentence with 2015年12月16日 pairs with the one that
  says December 16, 2015);
* the **fuzzy matcher** adapts a TM match whose source differs from the query only in
  placeables: query ``2025年`` vs TM ``2024年`` → the English target's ``2024`` becomes ``2025``,
  written in the style the target already uses (:func:`render`);
* **QA** compares the values on both sides (``number_mismatch``, ``date_mismatch``).

So :func:`extract` returns, for each placeable, its **span in the original text** (never in a
normalised copy: spans are shown to users) and a **canonical value that compares equal across
languages**:

========== ================================================ =========================================
kind       value                                            examples
========== ================================================ =========================================
number     :class:`~decimal.Decimal`                        26亿, 2.6 billion, 2,600,000,000, 二十六, eighty-six
percent    Decimal, the percentage (5 for 5 %)              5%, 5 %, 百分之五, five percent, 60 per cent
ordinal    int                                              第二届 → 2, second, 2nd, 第4页 → 4
year       int                                              2025年, 2025
date       ``(year, month, day)``, ints or None             2015年12月16日, December 16, 2015, 16 Dec 2015
month      ``(year, month, None)``, year may be None        2020年9月, September 2020, 十月
range      ``(lo, hi)``, endpoint values of kind :attr:`of` 2025年11月6日至9日, November 6–9, 2025, 10–40 %
note       int (only with ``extract(..., notes=True)``)     ①, ②, ⑳, ㉑ (circled note markers)
========== ================================================ =========================================

Note markers are opt-in: QA and the aligner compare *values*, and a marker is not a value a
translation must carry; the fuzzy matcher adapts them (query ③ vs TM ② → the target's ② becomes ③).

Precision over recall — QA must not flag correct translations, and the fuzzy matcher must not
rewrite a word that only looks like a number:

* ``5G``, ``6G``, ``G20``, ``COVID-19``, ``IPv6`` are Latin codes, not numbers (skipped; the QA
  ``acronym_mismatch`` check compares them as tokens);
* circled note markers ``①②`` are not numbers (we never apply NFKC, which would turn ① into 1);
* Chinese numerals inside words are not numbers: 一带一路, 统一, 一方面, 进一步, 十分 (very),
  四川 (Sichuan), 百度 (Baidu); a bare 一 counts only before a measure word (一个, 一项) or after
  第; vague quantities (几十, 数百, 十几, 二三十) are skipped;
* ``2025年11月6日至9日,2025年…``: the ASCII comma after 日 is not a thousands separator; grouping
  needs exactly three digits after each comma and no digit or 年 after the last group.

Only full-width digits and marks are folded (``２０２５`` → 2025, ``％`` → %), one character for one,
so spans in the folded text are spans in the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, TypeAlias

from tmserver.langs import parse_lang

__all__ = ["Placeable", "extract", "render", "KINDS", "note_markers"]

KINDS = ("number", "percent", "ordinal", "year", "date", "month", "range", "note")


# What ``Placeable.value`` holds depends on ``kind``: a Decimal (number, percent), an int (year,
# ordinal), a (year, month, day) tuple of int-or-None (date, month), or a (lo, hi) pair of those
# (range). Python's type system cannot tie a field's type to the string in another field, so the
# checker sees Any; the per-kind branches of extract/render are where the shape is known.
PlaceableValue: TypeAlias = Any


@dataclass(frozen=True)
class Placeable:
    """One number or date found in a text.

    ``start``/``end`` are a half-open span of the original text and ``text == original[start:end]``.
    ``style`` records how it was written (``"scale"`` for 2.6 billion, ``"grouped"`` for
    2,600,000,000, ``"words"`` for eighty-six, ``"mdy"``/``"dmy"`` for dates…) so :func:`render`
    can write a new value the same way; ``lang`` is the language it was extracted from and
    ``of`` the kind of a range's endpoints.
    """

    kind: str
    value: PlaceableValue
    start: int
    end: int
    text: str
    style: str = ""
    lang: str = ""
    of: str = ""


# -- shared tables ------------------------------------------------------------------------------

# One character for one, so folded offsets are original offsets.
_FOLD = str.maketrans("０１２３４５６７８９％．－～：", "0123456789%.-~:")

_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_ALL = _CN_DIGITS + "十百千万亿"
_CN_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SCALE_ZH = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}

# Words and names in which Chinese numerals are not numbers. Matched first; numeral runs inside
# them are ignored. (一 alone is already handled by the measure-word rule; the list covers the
# cases where it sits next to a measure word or where another numeral is involved.)
_ZH_STOPWORDS = sorted(
    {
        "统一", "一方面", "另一方面", "一带一路", "进一步", "一直", "一定", "一些", "一切", "一起", "一样",
        "一致", "一般", "一体", "唯一", "万一", "一旦", "同一", "一再", "一同", "一道", "一向", "一律",
        "一味", "不一", "划一", "专一", "千万", "万物", "万众", "千方百计", "一系列", "百姓", "一流",
        "一贯", "一度", "一举", "一线", "一心", "一时", "一下", "一点", "一并", "一概", "十分", "万分",
        "十足", "四面八方", "五湖四海", "三令五申", "一五一十", "七嘴八舌", "九牛一毛", "千差万别",
        "千变万化", "万无一失", "一目了然", "一如既往", "一脉相承", "一以贯之", "一往无前", "一揽子",
        "一手", "一番", "一面", "一边", "一环", "一员", "之一", "第一时间", "百花齐放", "百家争鸣",
        "四川", "三亚", "九寨沟", "三峡", "五台山", "九江", "十堰", "万州", "千岛湖", "八达岭", "三星",
        "一汽", "三沙", "九龙", "百度", "万达", "千禧", "三国", "五四运动", "七夕", "九州", "万里长城",
        "百年未有之大变局", "一国两制", "两岸", "三农", "一把手", "一窝蜂", "一刀切", "一帆风顺", "一清二楚",
        "三番五次", "七上八下", "乱七八糟", "五花八门", "一心一意", "三心二意", "十全十美", "百折不挠",
        "千载难逢", "万古长青", "一言九鼎", "九死一生", "万事", "万象", "千秋", "百货", "百科",
    },
    key=len,
    reverse=True,
)
_ZH_STOP_RE = re.compile("|".join(map(re.escape, _ZH_STOPWORDS)))

# A bare 一 is a number only before one of these (一个国家, 一项倡议, 一年); elsewhere it is
# usually part of a word (一带一路, 统一) or an article-like "a".
_MEASURE = set("个项次年天位名家条届份种批轮场类部本篇句岁周月日亿万千百")

_UNITS_EN = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS_EN = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALES_EN = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_ORD_UNITS_EN = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19,
}
_ORD_TENS_EN = {
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60,
    "seventieth": 70, "eightieth": 80, "ninetieth": 90, "hundredth": 100, "thousandth": 1000,
}
_MONTHS_EN = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH_NAMES = [
    "", "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
_MONTH_ABBR = ["", "Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]


def _alt(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


# -- Chinese -----------------------------------------------------------------------------------

_ZH_MD = r"(?:[0-9]{1,2}|十[一二]?|[一二三四五六七八九])"  # month
_ZH_DD = r"(?:[0-9]{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"  # day
_ZH_YY = r"(?:[0-9]{4}|[〇零一二三四五六七八九]{4})"
_ZH_CONN = r"\s*(?:至|到|-|–|—|~)\s*"

# A date "point": at least one of year/month/day. Day alone is only used as a range end.
_ZH_POINT = (
    r"(?=[0-9〇零一二三四五六七八九十])"
    rf"(?:(?P<@y>{_ZH_YY})年)?"
    rf"(?:(?P<@m>{_ZH_MD})月)?"
    rf"(?:(?P<@d>{_ZH_DD})[日号])?"
)
_ZH_DATE_RANGE_RE = re.compile(
    _ZH_POINT.replace("@", "a") + _ZH_CONN + _ZH_POINT.replace("@", "b")
)
_ZH_DATE_RE = re.compile(_ZH_POINT.replace("@", ""))
_ZH_RANGE_CONN = re.compile(_ZH_CONN)
_ZH_DECADE_RE = re.compile(
    r"(?:(?P<c>[0-9]{2}|二十一|二十|十九|十八)世纪|(?P<pre>上世纪|上个世纪|本世纪))?(?P<d>[0-9]0|[一二三四五六七八九]十)年代"
)
_ZH_MONTH_RANGE_RE = re.compile(
    rf"(?:(?P<y>{_ZH_YY})年)?(?P<m1>{_ZH_MD}){_ZH_CONN}(?P<m2>{_ZH_MD})月(?![0-9一二三四五六七八九十]*[日号])"
)
# 三成 = 30 percent, unless 成 starts a word (三成员国 is not "30 percent member states")
_CHENG_WORD = set("员为功果立长本熟绩就效交型都品年像文家千百套批")

_ZH_ARABIC = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9年])|[0-9]+)(?:\.[0-9]+)?"
_ZH_NUM_RE = re.compile(
    rf"(?<![0-9A-Za-z.])(?<![A-Za-z]-)(?P<ar>{_ZH_ARABIC})(?![0-9]|[.,][0-9])(?P<sc>[十百千万亿]*)(?![0-9A-Za-z])"
    rf"|(?P<cn>[{_CN_ALL}]+(?:点[{_CN_DIGITS}]+)?)"
)
_ZH_PCT_RE = re.compile(r"百分之")
_ZH_NOT_BEFORE = set("几数上成")  # 几十, 数百, 上千, 成千: vague
_ZH_NOT_AFTER = set("几余")  # 十几; 十余 is "more than ten" — still vague


def _cn_to_decimal(run: str) -> Decimal | None:
    """Value of a Chinese numeral run (二十六, 三点五, 两千, 二十六亿), or None when it is not
    a well-formed number (三四, 二三十: ranges/approximations, not numbers)."""
    import cn2an

    int_part = run.split("点", 1)[0]
    if len(int_part) > 1 and not any(c in "十百千万亿" for c in int_part):
        return None  # 一二, 三四: a digit sequence, not a number (years are handled separately)
    try:
        val = cn2an.cn2an(run, "strict")
    except (ValueError, KeyError, IndexError, TypeError):
        try:
            val = cn2an.cn2an(run.replace("两", "二"), "strict")
        except (ValueError, KeyError, IndexError, TypeError):
            return None
    try:
        return Decimal(str(val)).normalize() if "." in str(val) else Decimal(int(val))
    except InvalidOperation:
        return None


def _zh_digits_year(s: str) -> int:
    if s.isdigit() and s.isascii():
        return int(s)
    return int("".join(str(_CN_VALUE[c]) for c in s))


def _zh_small(s: str) -> int | None:
    """Month or day number, digits or Chinese (十二, 二十六)."""
    if s.isdigit():
        return int(s)
    d = _cn_to_decimal(s)
    return int(d) if d is not None else None


def _arabic(s: str) -> Decimal:
    return Decimal(s.replace(",", ""))


def _valid_date(y, m, d) -> bool:
    if m is not None and not 1 <= m <= 12:
        return False
    if d is not None and not 1 <= d <= 31:
        return False
    return y is None or 1000 <= y <= 2999


def _zh_point(mt: re.Match, p: str):
    y, m, d = mt.group(p + "y"), mt.group(p + "m"), mt.group(p + "d")
    yv = _zh_digits_year(y) if y else None
    mv = _zh_small(m) if m else None
    dv = _zh_small(d) if d else None
    if (m and mv is None) or (d and dv is None):
        return None
    return yv, mv, dv


def _before(a, b) -> bool:
    """a < b for (y, m, d) tuples, comparing only the parts both have."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    return [x for x, _ in pairs] < [y for _, y in pairs]


def _date_kind(t) -> str:
    y, m, d = t
    if d is not None:
        return "date"
    if m is not None:
        return "month"
    return "year"


def _point_value(t):
    return t[0] if _date_kind(t) == "year" else t


def _zh_date_style(mt: re.Match) -> str:
    return "cn" if re.search(r"[一二三四五六七八九十〇]", mt.group(0)) else "digits"


def _extract_zh(text: str, folded: str) -> list[tuple[int, int, int, Placeable]]:
    cands: list[tuple[int, int, int, Placeable]] = []  # (start, end, priority, placeable)

    def add(start, end, kind, value, style, prio=0, of=""):
        cands.append((start, end, prio, Placeable(kind, value, start, end, text[start:end], style, "zh", of)))

    # dates and date ranges
    for mt in _ZH_DATE_RANGE_RE.finditer(folded):
        a, b = _zh_point(mt, "a"), _zh_point(mt, "b")
        if not a or not b or a == (None, None, None) or b == (None, None, None):
            continue
        # the end inherits what it leaves out: 11月6日至9日 → 11月9日
        first_b = next(i for i, v in enumerate(b) if v is not None)
        hi = tuple(b[i] if b[i] is not None else (a[i] if i < first_b else None) for i in range(3))
        if _date_kind(a) != _date_kind(hi) or not _valid_date(*a) or not _valid_date(*hi):
            continue
        if a[0] is None and a[1] is None or not _before(a, hi):
            continue
        add(mt.start(), mt.end(), "range", (_point_value(a), _point_value(hi)), _zh_date_style(mt), 2, _date_kind(a))
    for mt in _ZH_DATE_RE.finditer(folded):
        if mt.end() == mt.start():
            continue
        t = _zh_point(mt, "")
        if not t or (t[0] is None and t[1] is None) or not _valid_date(*t):
            continue  # a lone day (16日) is left to the number pass
        if t[1] is None and t[2] is not None:
            continue
        add(mt.start(), mt.end(), _date_kind(t), _point_value(t), _zh_date_style(mt), 1)

    # decades: 20世纪90年代, 上世纪90年代 (a bare 90年代 only from the 1930s on: 20年代 is ambiguous)
    for mt in _ZH_DECADE_RE.finditer(folded):
        cent, dec = mt.group("c"), _zh_small(mt.group("d"))
        if dec is None or dec % 10 or dec >= 100:
            continue
        if cent:
            base = (int(cent) if cent.isdigit() else _zh_small(cent) or 0) * 100 - 100
        elif mt.group("pre"):
            base = 1900 if mt.group("pre").startswith("上") else 2000
        elif dec >= 30:
            base = 1900
        else:
            continue
        if 1000 <= base + dec <= 2990:
            add(mt.start(), mt.end(), "year", base + dec, "decade", 2)
    # month ranges: 1至9月, 2024年1—9月
    for mt in _ZH_MONTH_RANGE_RE.finditer(folded):
        y = _zh_digits_year(mt.group("y")) if mt.group("y") else None
        m1, m2 = _zh_small(mt.group("m1")), _zh_small(mt.group("m2"))
        if m1 is None or m2 is None or not (1 <= m1 < m2 <= 12) or not _valid_date(y, m1, None):
            continue
        add(mt.start(), mt.end(), "range", (_point_value((y, m1, None)), _point_value((y, m2, None))),
            "digits" if mt.group("m1").isdigit() else "cn", 3, "month")

    # stop-words block Chinese numerals inside them
    blocked = [(m.start(), m.end()) for m in _ZH_STOP_RE.finditer(folded)]

    def is_blocked(s, e):
        # inside a stop-word, or straddling one; a run that merely contains one (两千万 ⊃ 千万) is fine
        return any(bs < e and s < be and not (s <= bs and be <= e and e - s > be - bs) for bs, be in blocked)

    for mt in _ZH_NUM_RE.finditer(folded):
        s, e = mt.span()
        if mt.group("ar") is not None:
            try:
                val = _arabic(mt.group("ar"))
            except InvalidOperation:
                continue
            for c in mt.group("sc"):
                val *= _SCALE_ZH[c]
            st = "scale" if mt.group("sc") else ("grouped" if "," in mt.group("ar") else "digits")
        else:
            run = mt.group("cn")
            if is_blocked(s, e):
                continue
            if s > 0 and folded[s - 1] in _ZH_NOT_BEFORE or e < len(folded) and folded[e] in _ZH_NOT_AFTER:
                continue
            if run == "一" and not ((s > 0 and folded[s - 1] == "第") or (e < len(folded) and folded[e] in _MEASURE)):
                continue
            if not any(c in "〇零一二两三四五六七八九十" for c in run):
                continue  # 万, 百, 千 alone: 万物, 百姓
            dval = _cn_to_decimal(run)
            if dval is None:
                continue
            val, st = dval, "cn"
        # what surrounds it decides the kind
        if s > 0 and folded[s - 1] == "第" and val == val.to_integral_value():
            add(s - 1, e, "ordinal", int(val), "digits" if mt.group("ar") else "cn", 1)
            continue
        if s >= 3 and folded[s - 3 : s] == "百分之":
            add(s - 3, e, "percent", val, "cn", 1)
            continue
        pm = re.match(r"\s?%", folded[e:])
        if pm:
            add(s, e + pm.end(), "percent", val, "sym_space" if pm.end() == 2 else "sym", 1)
            continue
        if (e < len(folded) and folded[e] == "成" and (e + 1 == len(folded) or folded[e + 1] not in _CHENG_WORD)
                and val == val.to_integral_value() and 1 <= val <= 10 and not mt.group("sc")):
            add(s, e + 1, "percent", Decimal(int(val) * 10), "cheng", 1)
            continue
        if mt.group("ar") and not mt.group("sc") and re.fullmatch(r"[12][0-9]{3}", mt.group("ar")):
            add(s, e, "year", int(val), "bare", 0)
            continue
        add(s, e, "number", val.normalize() if val != val.to_integral_value() else Decimal(int(val)), st, 0)

    # numeric ranges: 10%至40%, 10至40%, 10-40%
    _merge_ranges(cands, folded, _ZH_RANGE_CONN, "zh", text)
    return cands


# -- English ----------------------------------------------------------------------------------

_EN_WORD_NUM = _alt(list(_UNITS_EN) + list(_TENS_EN) + list(_SCALES_EN))
_EN_WORDS_RE = re.compile(
    rf"(?<![\w-])(?:(?P<a>a)\s+(?=(?:{_alt(_SCALES_EN)})\b))?"
    rf"(?:{_EN_WORD_NUM})(?:(?:\s+and\s+|\s+|-)(?:{_EN_WORD_NUM}))*(?![\w])", re.IGNORECASE
)
_EN_ORD_RE = re.compile(
    rf"(?<![\w-])(?:(?P<tens>{_alt(_TENS_EN)})-)?(?P<ord>{_alt(list(_ORD_UNITS_EN) + list(_ORD_TENS_EN))})(?![\w])",
    re.IGNORECASE,
)
_EN_NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
_EN_NUM_RE = re.compile(
    rf"(?<![\w.])(?<![A-Za-z]-)(?P<n>{_EN_NUM})(?![0-9]|[.,][0-9])"
    rf"(?:(?P<sfx>st|nd|rd|th)\b|(?P<sc>\s+(?:{_alt(k for k in _SCALES_EN if k != 'hundred')})\b)"
    rf"|(?P<ab>bn|tn|mn|k)\b|(?![\w]))",
)
# newspaper abbreviations of scales: 2.6bn, $1.2tn, 35k (a bare "m" is too often metres)
_SCALE_ABBR_EN = {"k": 1000, "mn": 10**6, "bn": 10**9, "tn": 10**12}
_EN_PCT_AFTER = re.compile(r"(\s?%)|\s+(percent|per cent)\b", re.IGNORECASE)

_MON = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
       r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?)"
_DAY = r"(?:[0-3]?[0-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:[12][0-9]{3})"
_EN_DASH = r"\s*(?:–|-|—|to|through|until)\s*"
_DAY_DIGITS = re.compile(r"[0-9]+")
_EN_DATE_PATTERNS: list[tuple[re.Pattern, str]] = [
    # November 6–9, 2025 / Nov. 6 to 9 2025
    (re.compile(rf"\b(?P<m>{_MON})\s+(?P<d>{_DAY}){_EN_DASH}(?:(?P<m2>{_MON})\s+)?(?P<d2>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?(?![\w])"), "mdy"),
    # 6–9 November 2025
    (re.compile(rf"(?<![\w.])(?P<d>{_DAY}){_EN_DASH}(?P<d2>{_DAY})\s+(?P<m>{_MON})(?:,?\s+(?P<y>{_YEAR}))?(?![\w])"), "dmy"),
    # December 16, 2015 / Dec. 16 2015 / December 16
    (re.compile(rf"\b(?P<m>{_MON})\s+(?P<d>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?(?![\w])"), "mdy"),
    # 16 December 2015 / 16 December
    (re.compile(rf"(?<![\w.])(?P<d>{_DAY})\s+(?P<m>{_MON})(?:,?\s+(?P<y>{_YEAR}))?(?![\w])"), "dmy"),
    # 2015-12-16
    (re.compile(rf"(?<![\w.-])(?P<y>{_YEAR})-(?P<m>[01][0-9])-(?P<d>[0-3][0-9])(?![\w-])"), "iso"),
    # September 2020
    (re.compile(rf"\b(?P<m>{_MON})(?:,?\s+(?P<y>{_YEAR}))(?![\w])"), "my"),
]
_EN_MONTH_ALONE_RE = re.compile(
    r"\b(?P<prep>(?:in|since|by|until|till|from|of|early|late|mid|mid-|last|next|this|during|before|after|through)\s+)?"
    r"(?P<m>January|February|March|April|May|June|July|August|September|October|November|December)\b"
)
_EN_DECADE_RE = re.compile(r"(?<![\w'.-])([12][0-9]{2}0)s\b")
_EN_RANGE_CONN = re.compile(r"\s*(?:–|-|—|~)\s*|\s+(?:to|through)\s+")


def _parse_en_words(tokens: list[str]) -> int | None:
    """Value of number words (two hundred and six, eighty-six), None when ill-formed."""
    total, current, last = 0, 0, None  # last: "unit" | "tens" | "hundred" | "scale"
    for tok in tokens:
        t = tok.lower()
        if t in _UNITS_EN:
            if last in ("unit",) or (last == "tens" and _UNITS_EN[t] >= 10):
                return None
            current += _UNITS_EN[t]
            last = "unit"
        elif t in _TENS_EN:
            if last in ("unit", "tens"):
                return None
            current += _TENS_EN[t]
            last = "tens"
        elif t == "hundred":
            if last not in ("unit",) or current >= 100 and current % 100 == 0:
                return None
            current *= 100
            last = "hundred"
        elif t in _SCALES_EN:
            if current == 0:
                return None  # "thousand" with nothing before it, or "million thousand"
            total += current * _SCALES_EN[t]
            current = 0
            last = "scale"
        else:
            return None
    return total + current


def _extract_en(text: str, folded: str) -> list[tuple[int, int, int, Placeable]]:
    cands: list[tuple[int, int, int, Placeable]] = []

    def add(start, end, kind, value, style, prio=0, of=""):
        cands.append((start, end, prio, Placeable(kind, value, start, end, text[start:end], style, "en", of)))

    def mon(s: str) -> int:
        return _MONTHS_EN[s.rstrip(".").lower()]

    def day(s: str) -> int:
        found = _DAY_DIGITS.match(s)
        assert found, s  # the date patterns only capture days that start with digits
        return int(found.group(0))

    for rx, style in _EN_DATE_PATTERNS:
        for mt in rx.finditer(folded):
            gd = mt.groupdict()
            y = int(gd["y"]) if gd.get("y") else None
            m = mon(gd["m"]) if not gd["m"].isdigit() else int(gd["m"])
            abbr = not gd["m"].isdigit() and ("." in gd["m"] or len(gd["m"]) <= 4 and gd["m"] not in ("May", "June", "July"))
            st = style + ("_abbr" if abbr else "")
            if gd.get("d2"):
                d1, d2 = day(gd["d"]), day(gd["d2"])
                m2 = mon(gd["m2"]) if gd.get("m2") else m
                lo, hi = (y, m, d1), (y, m2, d2)
                if not (_valid_date(*lo) and _valid_date(*hi)) or (m2, d2) <= (m, d1):
                    continue
                add(mt.start(), mt.end(), "range", (lo, hi), st, 2, "date")
            elif gd.get("d"):
                t = (y, m, day(gd["d"]))
                if _valid_date(*t):
                    add(mt.start(), mt.end(), "date", t, st, 1)
            else:
                if _valid_date(y, m, None):
                    add(mt.start(), mt.end(), "month", (y, m, None), st, 1)
    for mt in _EN_MONTH_ALONE_RE.finditer(folded):
        name = mt.group("m")
        if name in ("May", "March") and not mt.group("prep"):
            continue  # "May we…", "March on"
        add(mt.start("m"), mt.end("m"), "month", (None, _MONTHS_EN[name.lower()], None), "m", 0)

    for mt in _EN_ORD_RE.finditer(folded):
        v = _ORD_UNITS_EN.get(mt.group("ord").lower()) or _ORD_TENS_EN[mt.group("ord").lower()]
        if mt.group("tens"):
            if mt.group("ord").lower() not in _ORD_UNITS_EN or v >= 10:
                continue
            v += _TENS_EN[mt.group("tens").lower()]
        add(mt.start(), mt.end(), "ordinal", v, "words", 1)

    for mt in _EN_WORDS_RE.finditer(folded):
        tokens = re.split(r"\s+and\s+|\s+|-", mt.group(0), flags=re.IGNORECASE)
        if mt.group("a"):  # "a hundred", "a billion": the article is the unit
            tokens[0] = "one"
        words_val = _parse_en_words(tokens)
        if words_val is None:
            # take the words one by one rather than guess ("one two three")
            for wm in re.finditer(rf"(?:{_EN_WORD_NUM})", mt.group(0), re.IGNORECASE):
                v1 = _parse_en_words([wm.group(0)])
                if v1 is not None:
                    add(mt.start() + wm.start(), mt.start() + wm.end(), "number", Decimal(v1), "words", 0)
            continue
        s, e = mt.span()
        pm = _EN_PCT_AFTER.match(folded, e)
        if pm and pm.group(2):
            add(s, pm.end(), "percent", Decimal(words_val), "words", 1)
        else:
            add(s, e, "number", Decimal(words_val), "words", 0)

    for mt in _EN_NUM_RE.finditer(folded):
        s, e = mt.span()
        raw = mt.group("n")
        try:
            val = _arabic(raw)
        except InvalidOperation:
            continue
        if mt.group("sfx"):
            if "." in raw or "," in raw:
                continue
            add(s, e, "ordinal", int(val), "suffix", 1)
            continue
        if mt.group("sc"):
            val *= _SCALES_EN[mt.group("sc").strip().lower()]
            add(s, e, "number", _clean(val), "scale", 1)
            continue
        if mt.group("ab"):
            add(s, e, "number", _clean(val * _SCALE_ABBR_EN[mt.group("ab")]), "scale", 1)
            continue
        pm = _EN_PCT_AFTER.match(folded, e)
        if pm:
            st = "sym" if pm.group(1) and not pm.group(1).startswith(" ") else "sym_space" if pm.group(1) else (
                "per_cent" if pm.group(2).lower() == "per cent" else "word")
            add(s, pm.end(), "percent", _clean(val), st, 1)
            continue
        if re.fullmatch(r"[12][0-9]{3}", raw):
            add(s, e, "year", int(raw), "digits", 0)
            continue
        add(s, e, "number", _clean(val), "grouped" if "," in raw else "digits", 0)

    for mt in _EN_DECADE_RE.finditer(folded):  # the 1990s
        add(mt.start(), mt.end(), "year", int(mt.group(1)), "decade", 2)

    _merge_ranges(cands, folded, _EN_RANGE_CONN, "en", text)
    return cands


def _clean(val: Decimal) -> Decimal:
    return Decimal(int(val)) if val == val.to_integral_value() else val.normalize()


def _merge_ranges(cands, folded: str, conn: re.Pattern, lang: str, text: str) -> None:
    """Add ``range`` candidates for two same-kind numeric placeables joined by a dash or 至/to.

    ``10–40 %``: the first end is a bare number and the second a percent — the range is a
    percent range. Years join only with years (2015–2025). Ends must increase.
    """
    atoms = sorted((c for c in cands if c[3].kind in ("number", "percent", "year", "month")), key=lambda c: c[0])
    for a, b in zip(atoms, atoms[1:], strict=False):
        pa, pb = a[3], b[3]
        m = conn.fullmatch(folded, pa.end, pb.start)
        if not m:
            continue
        if "month" in (pa.kind, pb.kind):
            _merge_months(cands, pa, pb, lang, text)
            continue
        if pa.kind == pb.kind:
            kind = pa.kind
        elif pa.kind == "number" and pb.kind == "percent":
            kind = "percent"
        elif lang == "zh" and pa.kind == "percent" and pa.style == "cn" and pb.kind == "number":
            kind = "percent"  # 百分之十至四十
        else:
            continue
        lo, hi = pa.value, pb.value
        if not lo < hi:
            continue
        style = pb.style if kind != "year" else "digits"
        cands.append((pa.start, pb.end, 2, Placeable("range", (lo, hi), pa.start, pb.end, text[pa.start:pb.end], style, lang, kind)))


def _merge_months(cands, pa: Placeable, pb: Placeable, lang: str, text: str) -> None:
    """January–September (2024): two month names joined by a dash or "to" are a month range."""
    if pa.kind != "month" or pb.kind != "month":
        return
    (y1, m1, _), (y2, m2, _) = pa.value, pb.value
    if y1 is not None and y2 is not None and y1 != y2 or not m1 < m2:
        return
    y = y2 if y2 is not None else y1
    lo, hi = (y, m1, None), (y, m2, None)
    cands.append((pa.start, pb.end, 2, Placeable("range", (lo, hi), pa.start, pb.end, text[pa.start:pb.end], pb.style, lang, "month")))


# -- public API -------------------------------------------------------------------------------


def extract(text: str, lang: str, *, notes: bool = False) -> list[Placeable]:
    """Numbers and dates in ``text`` (``lang``: a zh or en code such as ``zh-Hans``), left to right.

    Placeables never overlap: where candidates overlap, the longest wins (a date range over the
    dates and numbers inside it; ``26亿`` over ``26``), ties going to the more specific kind.
    Spans point into ``text`` as given. With ``notes`` the circled note markers (①②…) come too,
    as kind ``note``.
    """
    found = list(_extract_cached(text, _base(lang)))
    if notes:
        found = sorted(found + note_markers(text, lang), key=lambda p: p.start)
    return found


# circled numbers ①–⑳ (U+2460), ㉑–㉟ (U+3251), ㊱–㊿ (U+32B1): note markers, never numbers
_NOTE_VALUE = {
    **{chr(0x2460 + i): i + 1 for i in range(20)},
    **{chr(0x3251 + i): i + 21 for i in range(15)},
    **{chr(0x32B1 + i): i + 36 for i in range(15)},
}
_NOTE_CHAR = {v: k for k, v in _NOTE_VALUE.items()}


def note_markers(text: str, lang: str) -> list[Placeable]:
    """The circled note markers of ``text`` (① → 1), as placeables of kind ``note``."""
    base = _base(lang)
    return [Placeable("note", _NOTE_VALUE[m.group()], m.start(), m.end(), m.group(), "circled", base)
            for m in _NOTE_RE.finditer(text)]


_NOTE_RE = re.compile("[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]")


@lru_cache(maxsize=64)
def _base(lang: str) -> str:
    """``zh`` or ``en`` for any tag :mod:`tmserver.langs` accepts (zh-Hans, en_US…); else UnknownLanguage."""
    return parse_lang(lang).base


@lru_cache(maxsize=8192)
def _extract_cached(text: str, lang: str) -> tuple[Placeable, ...]:
    if not text:
        return ()
    folded = text.translate(_FOLD)
    if lang == "zh":
        if not re.search(r"[0-9〇零一二两三四五六七八九十百千万亿]", folded):
            return ()
        cands = _extract_zh(text, folded)
    else:
        cands = _extract_en(text, folded)
    # longest first, then the more specific kind, then leftmost
    cands.sort(key=lambda c: (-(c[1] - c[0]), -c[2], c[0]))
    taken: list[tuple[int, int]] = []
    out: list[Placeable] = []
    for s, e, _prio, p in cands:
        if any(s < te and ts < e for ts, te in taken):
            continue
        taken.append((s, e))
        out.append(p)
    out.sort(key=lambda p: p.start)
    return tuple(out)


# -- rendering --------------------------------------------------------------------------------


def _fmt_decimal(v: Decimal, grouped: bool = False) -> str:
    v = _clean(Decimal(v))
    if grouped:
        return f"{v:,}" if v == v.to_integral_value() else f"{v:,f}"
    return f"{v:f}"


def _en_words(n: int) -> str:
    from num2words import num2words

    return num2words(n).replace(",", "")


def _en_scale(v: Decimal) -> str | None:
    for word, size in (("trillion", 10**12), ("billion", 10**9), ("million", 10**6), ("thousand", 1000)):
        if v >= size:
            q = _clean(v / size)
            if q == q.quantize(Decimal("0.001")):
                return f"{_fmt_decimal(q)} {word}"
    return None


def _zh_scale(v: Decimal) -> str | None:
    for ch, size in (("万亿", 10**12), ("亿", 10**8), ("万", 10**4)):
        if v >= size:
            q = _clean(v / size)
            if q == q.quantize(Decimal("0.0001")):
                return f"{_fmt_decimal(q)}{ch}"
    return None


def _render_number(v: Decimal, lang: str, style: str) -> str:
    v = Decimal(v)
    if lang == "en":
        if style == "words" and v == v.to_integral_value() and 0 <= v < 10**15:
            return _en_words(int(v))
        if style == "scale":
            return _en_scale(v) or _fmt_decimal(v, True)
        if style == "grouped" or (style == "" and v >= 10000):
            return _fmt_decimal(v, True)
        return _fmt_decimal(v)
    if style == "cn":
        import cn2an

        return cn2an.an2cn(_fmt_decimal(v), "low")
    if style == "scale" or (style == "" and v >= 10**4):
        return _zh_scale(v) or _fmt_decimal(v)
    if style == "grouped":
        return _fmt_decimal(v, True)
    return _fmt_decimal(v)


def _render_date(t, lang: str, style: str) -> str:
    y, m, d = t
    if lang == "zh":
        if style == "cn":
            import cn2an

            ys = "".join("〇一二三四五六七八九"[int(c)] for c in str(y)) + "年" if y else ""
            ms = cn2an.an2cn(str(m)) + "月" if m else ""
            ds = cn2an.an2cn(str(d)) + "日" if d else ""
            return ys + ms + ds
        return (f"{y}年" if y else "") + (f"{m}月" if m else "") + (f"{d}日" if d else "")
    base = style.replace("_abbr", "")
    name = (_MONTH_ABBR if style.endswith("_abbr") else _MONTH_NAMES)[m] if m else ""
    if base == "iso" and y and m and d:
        return f"{y:04d}-{m:02d}-{d:02d}"
    if d is None:
        return f"{name} {y}".strip() if y else name
    if base == "dmy":
        return f"{d} {name}" + (f" {y}" if y else "")
    return f"{name} {d}" + (f", {y}" if y else "")


def render(p: Placeable, lang: str, like: Placeable | None = None) -> str:
    """Write the value of ``p`` in ``lang``, in the style of ``like`` (the placeable it replaces).

    ``like`` decides the form: ``2.6 billion`` vs ``2,600,000,000``, ``December 16, 2015`` vs
    ``16 December 2015``, ``2nd`` vs ``second``, ``5%`` vs ``five percent``, ``26亿`` vs
    ``二十六亿``. Without ``like`` the usual house style of ``lang`` is used. When ``like``
    is of another kind (the TM wrote a year where the query has a date) its kind is ignored and
    only ``p``'s kind decides.
    """
    lang = _base(lang)
    if p.kind == "note":
        if int(p.value) not in _NOTE_CHAR:
            raise ValueError(f"no circled note marker for {p.value!r}")
        return _NOTE_CHAR[int(p.value)]
    style = ""
    if like is not None and like.lang in ("", lang) and (like.kind == p.kind or {like.kind, p.kind} <= {"number", "year"}):
        style = like.style
    elif p.lang == lang:
        style = p.style
    kind, v = p.kind, p.value
    if kind == "number":
        return _render_number(Decimal(v), lang, style)
    if kind == "year":
        if style == "decade":
            return f"{v}s" if lang == "en" else f"{v // 100 + 1}世纪{v % 100:02d}年代"
        if lang == "zh":
            return f"{v}" if style == "bare" else _render_date((v, None, None), "zh", style)
        return str(v)
    if kind == "percent":
        v = Decimal(v)
        if lang == "zh":
            if style == "cheng" and v % 10 == 0 and 10 <= v <= 100:
                import cn2an

                return cn2an.an2cn(str(int(v) // 10)) + "成"
            if style == "cn":
                import cn2an

                return "百分之" + cn2an.an2cn(_fmt_decimal(v), "low")
            return _fmt_decimal(v) + ("%" if style != "sym_space" else " %")
        if style == "words" and v == v.to_integral_value():
            return _en_words(int(v)) + " percent"
        if style == "word":
            return _fmt_decimal(v) + " percent"
        if style == "per_cent":
            return _fmt_decimal(v) + " per cent"
        return _fmt_decimal(v) + (" %" if style == "sym_space" else "%")
    if kind == "ordinal":
        n = int(v)
        if lang == "zh":
            if style == "digits":
                return f"第{n}"
            import cn2an

            return "第" + cn2an.an2cn(str(n))
        from num2words import num2words

        return num2words(n, to="ordinal_num") if style == "suffix" else num2words(n, to="ordinal").replace(",", "")
    if kind in ("date", "month"):
        return _render_date(v, lang, style or ("mdy" if lang == "en" else "digits"))
    if kind == "range":
        lo, hi = v
        of = p.of or "number"
        if of in ("date", "month"):
            return _render_date_range(lo, hi, lang, style or ("mdy" if lang == "en" else "digits"))
        if of == "percent":
            if lang == "zh":
                if style == "cn":
                    return render(Placeable("percent", lo, 0, 0, "", "cn", "zh"), "zh") + "至" + render(
                        Placeable("percent", hi, 0, 0, "", "cn", "zh"), "zh")
                return f"{_fmt_decimal(lo)}%至{_fmt_decimal(hi)}%"
            tail = {"sym_space": " %", "word": " percent", "words": " percent", "per_cent": " per cent"}.get(style, "%")
            return f"{_fmt_decimal(lo)}–{_fmt_decimal(hi)}{tail}"
        # numbers and years: each end in the style of the replaced range
        sub = Placeable(of, hi, 0, 0, "", style, lang) if style else None
        sa = render(Placeable(of, lo, 0, 0, "", "", p.lang), lang, sub)
        sb = render(Placeable(of, hi, 0, 0, "", "", p.lang), lang, sub)
        return f"{sa}至{sb}" if lang == "zh" else f"{sa}–{sb}"
    raise ValueError(f"cannot render a placeable of kind {kind!r}")


def _render_date_range(lo, hi, lang: str, style: str) -> str:
    y1, m1, d1 = lo
    y2, m2, d2 = hi
    if lang == "zh":
        left = _render_date(lo, "zh", style)
        if y1 == y2 and m1 == m2 and d2 is not None:
            right = _render_date((None, None, d2), "zh", style)
        elif y1 == y2:
            right = _render_date((None, m2, d2), "zh", style)
        else:
            right = _render_date(hi, "zh", style)
        return f"{left}至{right}"
    base = style.replace("_abbr", "")
    names = _MONTH_ABBR if style.endswith("_abbr") else _MONTH_NAMES
    if d1 is None:  # month range
        return f"{_render_date(lo, 'en', style)}–{_render_date(hi, 'en', style)}"
    ytail = f", {y2}" if y2 and base != "dmy" else (f" {y2}" if y2 else "")
    if y1 == y2 and m1 == m2:
        if base == "dmy":
            return f"{d1}–{d2} {names[m1]}{ytail}"
        return f"{names[m1]} {d1}–{d2}{ytail}"
    if y1 == y2:
        if base == "dmy":
            return f"{d1} {names[m1]} – {d2} {names[m2]}{ytail}"
        return f"{names[m1]} {d1} – {names[m2]} {d2}{ytail}"
    return f"{_render_date(lo, 'en', style)} – {_render_date(hi, 'en', style)}"
