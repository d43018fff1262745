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
from functools import cached_property, lru_cache
from typing import Any, TypeAlias, cast

from tmserver.langs import parse_lang

__all__ = ["Placeable", "extract", "render", "KINDS", "note_markers"]

KINDS = ("number", "percent", "ordinal", "year", "date", "month", "range", "note")


# What ``Placeable.value`` holds depends on ``kind``: a Decimal (number, percent), an int (year,
# ordinal), a (year, month, day) tuple of int-or-None (date, month), or a (lo, hi) pair of those
# (range). Python's type system cannot tie a field's type to the string in another field, so the
# checker sees Any; the per-kind rules of extract/render are where the shape is known.
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
    import cn2an  # deferred: importing cn2an takes most of a second (start-up time)

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


class _Cands:
    """The candidates one extraction collects: ``(start, end, priority, placeable)``, overlapping freely.

    :func:`_extract_cached` later keeps the longest of overlapping ones; ``priority`` breaks ties
    in favour of the more specific kind. Insertion order is the last tie-break, so the rules run
    in the order their registry lists them.
    """

    def __init__(self, text: str, folded: str, lang: str) -> None:
        self.text, self.folded, self.lang = text, folded, lang
        self.items: list[tuple[int, int, int, Placeable]] = []

    def add(self, start: int, end: int, kind: str, value: PlaceableValue, style: str, prio: int = 0, of: str = "") -> None:
        p = Placeable(kind, value, start, end, self.text[start:end], style, self.lang, of)
        self.items.append((start, end, prio, p))

    @cached_property
    def stopwords(self) -> list[tuple[int, int]]:
        """Spans of the words in which Chinese numerals are not numbers (一带一路, 四川…)."""
        return [(m.start(), m.end()) for m in _ZH_STOP_RE.finditer(self.folded)]

    def before(self, i: int) -> str:
        """The folded character before offset ``i`` ("" at the start)."""
        return self.folded[i - 1] if i > 0 else ""

    def at(self, i: int) -> str:
        """The folded character at offset ``i`` ("" at the end)."""
        return self.folded[i] if i < len(self.folded) else ""


class _Rule:
    """One way of writing a placeable: a pattern, and what a match of it is worth.

    Subclasses set :attr:`pattern` and implement :meth:`match`, which adds zero or more
    candidates; the registries (:data:`_ZH_RULES`, :data:`_EN_RULES`) list the rules in the order
    they run.
    """

    pattern: re.Pattern[str]

    def scan(self, c: _Cands) -> None:
        for mt in self.pattern.finditer(c.folded):
            self.match(mt, c)

    def match(self, mt: re.Match[str], c: _Cands) -> None:
        raise NotImplementedError


class _ZhDateRange(_Rule):
    """2025年11月6日至9日: the end inherits what it leaves out (→ 11月9日); ends must increase."""

    pattern = _ZH_DATE_RANGE_RE

    def match(self, mt: re.Match[str], c: _Cands) -> None:
        a, b = _zh_point(mt, "a"), _zh_point(mt, "b")
        if not a or not b or a == (None, None, None) or b == (None, None, None):
            return
        hi = self._inherit(a, b)
        if _date_kind(a) != _date_kind(hi) or not _valid_date(*a) or not _valid_date(*hi):
            return
        if a[0] is None and a[1] is None or not _before(a, hi):
            return
        c.add(mt.start(), mt.end(), "range", (_point_value(a), _point_value(hi)), _zh_date_style(mt), 2, _date_kind(a))

    @staticmethod
    def _inherit(a: tuple, b: tuple) -> tuple:
        """The end ``b`` completed with the larger parts of ``a`` it leaves out (11月6日至9日 → 11月9日)."""
        first_b = next(i for i, v in enumerate(b) if v is not None)
        return tuple(b[i] if b[i] is not None else (a[i] if i < first_b else None) for i in range(3))


class _ZhDate(_Rule):
    """2015年12月16日, 2020年9月, 2025年; a lone day (16日) is left to the number rule."""

    pattern = _ZH_DATE_RE

    def match(self, mt: re.Match[str], c: _Cands) -> None:
        if mt.end() == mt.start():
            return
        t = _zh_point(mt, "")
        if not t or (t[0] is None and t[1] is None) or not _valid_date(*t):
            return
        if t[1] is None and t[2] is not None:
            return
        c.add(mt.start(), mt.end(), _date_kind(t), _point_value(t), _zh_date_style(mt), 1)


class _ZhDecade(_Rule):
    """20世纪90年代, 上世纪90年代 (a bare 90年代 only from the 1930s on: 20年代 is ambiguous)."""

    pattern = _ZH_DECADE_RE

    def match(self, mt: re.Match[str], c: _Cands) -> None:
        dec = _zh_small(mt.group("d"))
        if dec is None or dec % 10 or dec >= 100:
            return
        base = self._century(mt, dec)
        if base is not None and 1000 <= base + dec <= 2990:
            c.add(mt.start(), mt.end(), "year", base + dec, "decade", 2)

    @staticmethod
    def _century(mt: re.Match[str], dec: int) -> int | None:
        """The year the century starts at (1900 for 20世纪), None when nothing says."""
        cent, pre = mt.group("c"), mt.group("pre")
        if cent:
            return (int(cent) if cent.isdigit() else _zh_small(cent) or 0) * 100 - 100
        if pre:
            return 1900 if pre.startswith("上") else 2000
        return 1900 if dec >= 30 else None


class _ZhMonthRange(_Rule):
    """1至9月, 2024年1—9月."""

    pattern = _ZH_MONTH_RANGE_RE

    def match(self, mt: re.Match[str], c: _Cands) -> None:
        y = _zh_digits_year(mt.group("y")) if mt.group("y") else None
        m1, m2 = _zh_small(mt.group("m1")), _zh_small(mt.group("m2"))
        if m1 is None or m2 is None or not (1 <= m1 < m2 <= 12) or not _valid_date(y, m1, None):
            return
        c.add(mt.start(), mt.end(), "range", (_point_value((y, m1, None)), _point_value((y, m2, None))),
              "digits" if mt.group("m1").isdigit() else "cn", 3, "month")


class _ZhNumber(_Rule):
    """Numbers in digits (26, 2,600, 3.5万) or Chinese numerals (二十六, 两千); what surrounds one
    decides its kind (:data:`_ZH_NUMBER_CONTEXTS`)."""

    pattern = _ZH_NUM_RE

    def match(self, mt: re.Match[str], c: _Cands) -> None:
        read = _zh_arabic(mt) if mt.group("ar") is not None else self._chinese(mt, c)
        if read is None:
            return
        val, style = read
        for context in _ZH_NUMBER_CONTEXTS:
            if context(mt, val, c):
                return
        s, e = mt.span()
        c.add(s, e, "number", val.normalize() if val != val.to_integral_value() else Decimal(int(val)), style, 0)

    @staticmethod
    def _is_blocked(s: int, e: int, c: _Cands) -> bool:
        # inside a stop-word, or straddling one; a run that merely contains one (两千万 ⊃ 千万) is fine
        return any(bs < e and s < be and not (s <= bs and be <= e and e - s > be - bs) for bs, be in c.stopwords)

    def _chinese(self, mt: re.Match[str], c: _Cands) -> tuple[Decimal, str] | None:
        """A Chinese numeral run's value, None when the run is a word, vague, or a bare 一."""
        run, (s, e) = mt.group("cn"), mt.span()
        if self._is_blocked(s, e, c) or c.before(s) in _ZH_NOT_BEFORE or c.at(e) in _ZH_NOT_AFTER:
            return None
        if run == "一" and not (c.before(s) == "第" or c.at(e) in _MEASURE):
            return None
        if not any(ch in "〇零一二两三四五六七八九十" for ch in run):
            return None  # 万, 百, 千 alone: 万物, 百姓
        dval = _cn_to_decimal(run)
        return None if dval is None else (dval, "cn")


def _zh_arabic(mt: re.Match[str]) -> tuple[Decimal, str] | None:
    """Digits with their 万/亿 scale characters: (value, style), None when not a number."""
    try:
        val = _arabic(mt.group("ar"))
    except InvalidOperation:
        return None
    for ch in mt.group("sc"):
        val *= _SCALE_ZH[ch]
    return val, "scale" if mt.group("sc") else ("grouped" if "," in mt.group("ar") else "digits")


# A number's context, tried in order: each adds the candidate and returns True when it applies.

def _zh_ordinal(mt: re.Match[str], val: Decimal, c: _Cands) -> bool:
    """第二, 第4."""
    s, e = mt.span()
    if c.before(s) != "第" or val != val.to_integral_value():
        return False
    c.add(s - 1, e, "ordinal", int(val), "digits" if mt.group("ar") else "cn", 1)
    return True


def _zh_percent_words(mt: re.Match[str], val: Decimal, c: _Cands) -> bool:
    """百分之五."""
    s, e = mt.span()
    if s < 3 or c.folded[s - 3 : s] != "百分之":
        return False
    c.add(s - 3, e, "percent", val, "cn", 1)
    return True


def _zh_percent_sign(mt: re.Match[str], val: Decimal, c: _Cands) -> bool:
    """5%, 5 %."""
    s, e = mt.span()
    pm = re.match(r"\s?%", c.folded[e:])
    if not pm:
        return False
    c.add(s, e + pm.end(), "percent", val, "sym_space" if pm.end() == 2 else "sym", 1)
    return True


def _zh_cheng(mt: re.Match[str], val: Decimal, c: _Cands) -> bool:
    """三成 = 30 percent, unless 成 starts a word (三成员国)."""
    s, e = mt.span()
    if c.at(e) != "成" or c.at(e + 1) in _CHENG_WORD:
        return False
    if val != val.to_integral_value() or not 1 <= val <= 10 or mt.group("sc"):
        return False
    c.add(s, e + 1, "percent", Decimal(int(val) * 10), "cheng", 1)
    return True


def _zh_bare_year(mt: re.Match[str], val: Decimal, c: _Cands) -> bool:
    """2025 with no 年: four digits from 1000 to 2999."""
    if not mt.group("ar") or mt.group("sc") or not re.fullmatch(r"[12][0-9]{3}", mt.group("ar")):
        return False
    c.add(mt.start(), mt.end(), "year", int(val), "bare", 0)
    return True


_ZH_NUMBER_CONTEXTS = (_zh_ordinal, _zh_percent_words, _zh_percent_sign, _zh_cheng, _zh_bare_year)

#: the Chinese rules, in the order they run
_ZH_RULES: tuple[_Rule, ...] = (_ZhDateRange(), _ZhDate(), _ZhDecade(), _ZhMonthRange(), _ZhNumber())


def _candidates(text: str, folded: str, lang: str) -> list[tuple[int, int, int, Placeable]]:
    """Every rule of ``lang`` over the text, then numeric ranges joined (10%至40%, 10-40%, 10 to 40)."""
    rules, conn = (_ZH_RULES, _ZH_RANGE_CONN) if lang == "zh" else (_EN_RULES, _EN_RANGE_CONN)
    c = _Cands(text, folded, lang)
    for rule in rules:
        rule.scan(c)
    _merge_ranges(c.items, folded, conn, lang, text)
    return c.items


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


def _en_month(s: str) -> int:
    return _MONTHS_EN[s.rstrip(".").lower()]


def _en_day(s: str) -> int:
    return int(s.rstrip("stndrh"))


class _EnDate(_Rule):
    """One of :data:`_EN_DATE_PATTERNS`: a date range, a date or a month with its year."""

    def __init__(self, pattern: re.Pattern[str], style: str) -> None:
        self.pattern, self.style = pattern, style

    def match(self, mt: re.Match[str], c: _Cands) -> None:
        gd = mt.groupdict()
        y = int(gd["y"]) if gd.get("y") else None
        name = gd["m"]
        m = int(name) if name.isdigit() else _en_month(name)
        abbr = not name.isdigit() and ("." in name or len(name) <= 4 and name not in ("May", "June", "July"))
        st = self.style + ("_abbr" if abbr else "")
        if gd.get("d2"):
            self._range(mt, c, y, m, st)
        elif gd.get("d"):
            if _valid_date(y, m, _en_day(gd["d"])):
                c.add(mt.start(), mt.end(), "date", (y, m, _en_day(gd["d"])), st, 1)
        elif _valid_date(y, m, None):
            c.add(mt.start(), mt.end(), "month", (y, m, None), st, 1)

    @staticmethod
    def _range(mt: re.Match[str], c: _Cands, y: int | None, m: int, st: str) -> None:
        d1, d2 = _en_day(mt.group("d")), _en_day(mt.group("d2"))
        m2 = _en_month(mt.group("m2")) if mt.groupdict().get("m2") else m
        lo, hi = (y, m, d1), (y, m2, d2)
        if _valid_date(*lo) and _valid_date(*hi) and (m2, d2) > (m, d1):
            c.add(mt.start(), mt.end(), "range", (lo, hi), st, 2, "date")


class _EnMonthAlone(_Rule):
    """A month name alone (in September); May and March only after a preposition ("May we…")."""

    pattern = _EN_MONTH_ALONE_RE

    def match(self, mt: re.Match[str], c: _Cands) -> None:
        name = mt.group("m")
        if name in ("May", "March") and not mt.group("prep"):
            return
        c.add(mt.start("m"), mt.end("m"), "month", (None, _MONTHS_EN[name.lower()], None), "m", 0)


class _EnOrdinalWords(_Rule):
    """second, twenty-first, hundredth."""

    pattern = _EN_ORD_RE

    def match(self, mt: re.Match[str], c: _Cands) -> None:
        word = mt.group("ord").lower()
        v = _ORD_UNITS_EN.get(word) or _ORD_TENS_EN[word]
        if mt.group("tens"):
            if word not in _ORD_UNITS_EN or v >= 10:
                return
            v += _TENS_EN[mt.group("tens").lower()]
        c.add(mt.start(), mt.end(), "ordinal", v, "words", 1)


class _EnNumberWords(_Rule):
    """two hundred and six, eighty-six, a billion, five percent."""

    pattern = _EN_WORDS_RE

    def match(self, mt: re.Match[str], c: _Cands) -> None:
        tokens = re.split(r"\s+and\s+|\s+|-", mt.group(0), flags=re.IGNORECASE)
        if mt.group("a"):  # "a hundred", "a billion": the article is the unit
            tokens[0] = "one"
        val = _parse_en_words(tokens)
        if val is None:
            self._one_by_one(mt, c)
            return
        s, e = mt.span()
        pm = _EN_PCT_AFTER.match(c.folded, e)
        if pm and pm.group(2):
            c.add(s, pm.end(), "percent", Decimal(val), "words", 1)
        else:
            c.add(s, e, "number", Decimal(val), "words", 0)

    @staticmethod
    def _one_by_one(mt: re.Match[str], c: _Cands) -> None:
        """Words that do not make one number ("one two three"): each on its own rather than a guess."""
        for wm in re.finditer(rf"(?:{_EN_WORD_NUM})", mt.group(0), re.IGNORECASE):
            v1 = _parse_en_words([wm.group(0)])
            if v1 is not None:
                c.add(mt.start() + wm.start(), mt.start() + wm.end(), "number", Decimal(v1), "words", 0)


class _EnNumber(_Rule):
    """Numbers in digits; what follows one decides its kind (:data:`_EN_NUMBER_CONTEXTS`)."""

    pattern = _EN_NUM_RE

    def match(self, mt: re.Match[str], c: _Cands) -> None:
        raw = mt.group("n")
        try:
            val = _arabic(raw)
        except InvalidOperation:
            return
        for context in _EN_NUMBER_CONTEXTS:
            if context(mt, val, c):
                return
        c.add(mt.start(), mt.end(), "number", _clean(val), "grouped" if "," in raw else "digits", 0)


# A number's context, tried in order: each adds the candidate (or rejects the number) and returns
# True when it applies.

def _en_suffix(mt: re.Match[str], val: Decimal, c: _Cands) -> bool:
    """2nd, 21st (never 2.5th or 1,000th)."""
    if not mt.group("sfx"):
        return False
    if "." not in mt.group("n") and "," not in mt.group("n"):
        c.add(mt.start(), mt.end(), "ordinal", int(val), "suffix", 1)
    return True


def _en_scale_word(mt: re.Match[str], val: Decimal, c: _Cands) -> bool:
    """2.6 billion."""
    if not mt.group("sc"):
        return False
    c.add(mt.start(), mt.end(), "number", _clean(val * _SCALES_EN[mt.group("sc").strip().lower()]), "scale", 1)
    return True


def _en_scale_abbr(mt: re.Match[str], val: Decimal, c: _Cands) -> bool:
    """2.6bn, 35k."""
    if not mt.group("ab"):
        return False
    c.add(mt.start(), mt.end(), "number", _clean(val * _SCALE_ABBR_EN[mt.group("ab")]), "scale", 1)
    return True


def _en_percent(mt: re.Match[str], val: Decimal, c: _Cands) -> bool:
    """5%, 5 %, 5 percent, 5 per cent."""
    pm = _EN_PCT_AFTER.match(c.folded, mt.end())
    if not pm:
        return False
    sign, word = pm.group(1), pm.group(2)
    if sign:
        st = "sym_space" if sign.startswith(" ") else "sym"
    else:
        st = "per_cent" if word.lower() == "per cent" else "word"
    c.add(mt.start(), pm.end(), "percent", _clean(val), st, 1)
    return True


def _en_year(mt: re.Match[str], val: Decimal, c: _Cands) -> bool:
    """2025: four digits from 1000 to 2999."""
    if not re.fullmatch(r"[12][0-9]{3}", mt.group("n")):
        return False
    c.add(mt.start(), mt.end(), "year", int(mt.group("n")), "digits", 0)
    return True


_EN_NUMBER_CONTEXTS = (_en_suffix, _en_scale_word, _en_scale_abbr, _en_percent, _en_year)


class _EnDecade(_Rule):
    """the 1990s."""

    pattern = _EN_DECADE_RE

    def match(self, mt: re.Match[str], c: _Cands) -> None:
        c.add(mt.start(), mt.end(), "year", int(mt.group(1)), "decade", 2)


#: the English rules, in the order they run
_EN_RULES: tuple[_Rule, ...] = (
    *(_EnDate(rx, style) for rx, style in _EN_DATE_PATTERNS),
    _EnMonthAlone(), _EnOrdinalWords(), _EnNumberWords(), _EnNumber(), _EnDecade(),
)


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
    (y1, m1, _), (y2, m2, _) = cast(tuple, pa.value), cast(tuple, pb.value)
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
    if lang == "zh" and not re.search(r"[0-9〇零一二两三四五六七八九十百千万亿]", folded):
        return ()
    cands = _candidates(text, folded, lang)
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
    from num2words import num2words  # deferred: saves start-up time (a fifth of a second)

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
    return _render_number_en(v, style) if lang == "en" else _render_number_zh(v, style)


def _render_number_en(v: Decimal, style: str) -> str:
    if style == "words" and v == v.to_integral_value() and 0 <= v < 10**15:
        return _en_words(int(v))
    if style == "scale":
        return _en_scale(v) or _fmt_decimal(v, True)
    return _fmt_decimal(v, style == "grouped" or (style == "" and v >= 10000))


def _render_number_zh(v: Decimal, style: str) -> str:
    if style == "cn":
        return _an2cn(_fmt_decimal(v), "low")
    if style == "scale" or (style == "" and v >= 10**4):
        return _zh_scale(v) or _fmt_decimal(v)
    return _fmt_decimal(v, style == "grouped")


def _an2cn(s: str, mode: str = "low") -> str:
    import cn2an  # deferred: importing cn2an takes most of a second (start-up time)

    return cn2an.an2cn(s, mode)


def _zh_date(t, style: str) -> str:
    y, m, d = t
    if style == "cn":
        ys = "".join("〇一二三四五六七八九"[int(c)] for c in str(y)) + "年" if y else ""
        return ys + (_an2cn(str(m)) + "月" if m else "") + (_an2cn(str(d)) + "日" if d else "")
    return (f"{y}年" if y else "") + (f"{m}月" if m else "") + (f"{d}日" if d else "")


def _en_date(t, style: str) -> str:
    y, m, d = t
    base = style.replace("_abbr", "")
    name = (_MONTH_ABBR if style.endswith("_abbr") else _MONTH_NAMES)[m] if m else ""
    if base == "iso" and y and m and d:
        return f"{y:04d}-{m:02d}-{d:02d}"
    if d is None:
        return f"{name} {y}".strip() if y else name
    if base == "dmy":
        return f"{d} {name}" + (f" {y}" if y else "")
    return f"{name} {d}" + (f", {y}" if y else "")


def _render_date(t, lang: str, style: str) -> str:
    return _zh_date(t, style) if lang == "zh" else _en_date(t, style)


def _render_year(v, lang: str, style: str) -> str:
    if style == "decade":
        return f"{v}s" if lang == "en" else f"{v // 100 + 1}世纪{v % 100:02d}年代"
    if lang == "zh":
        return f"{v}" if style == "bare" else _render_date((v, None, None), "zh", style)
    return str(v)


def _render_percent(v, lang: str, style: str) -> str:
    v = Decimal(v)
    if lang == "zh":
        if style == "cheng" and v % 10 == 0 and 10 <= v <= 100:
            return _an2cn(str(int(v) // 10)) + "成"
        if style == "cn":
            return "百分之" + _an2cn(_fmt_decimal(v), "low")
        return _fmt_decimal(v) + ("%" if style != "sym_space" else " %")
    if style == "words" and v == v.to_integral_value():
        return _en_words(int(v)) + " percent"
    tail = {"word": " percent", "per_cent": " per cent", "sym_space": " %"}.get(style, "%")
    return _fmt_decimal(v) + tail


def _render_ordinal(v, lang: str, style: str) -> str:
    n = int(v)
    if lang == "zh":
        return f"第{n}" if style == "digits" else "第" + _an2cn(str(n))
    from num2words import num2words  # deferred: saves start-up time (a fifth of a second)

    return num2words(n, to="ordinal_num") if style == "suffix" else num2words(n, to="ordinal").replace(",", "")


def _render_dates(v, lang: str, style: str) -> str:
    return _render_date(v, lang, style or ("mdy" if lang == "en" else "digits"))


def _render_range(p: Placeable, lang: str, style: str) -> str:
    lo, hi = cast(tuple, p.value)
    of = p.of or "number"
    if of in ("date", "month"):
        return _render_date_range(lo, hi, lang, style or ("mdy" if lang == "en" else "digits"))
    if of == "percent":
        return _render_percent_range(lo, hi, lang, style)
    # numbers and years: each end in the style of the replaced range
    sub = Placeable(of, hi, 0, 0, "", style, lang) if style else None
    sa = render(Placeable(of, lo, 0, 0, "", "", p.lang), lang, sub)
    sb = render(Placeable(of, hi, 0, 0, "", "", p.lang), lang, sub)
    return f"{sa}至{sb}" if lang == "zh" else f"{sa}–{sb}"


def _render_percent_range(lo, hi, lang: str, style: str) -> str:
    if lang == "zh":
        if style == "cn":
            return render(Placeable("percent", lo, 0, 0, "", "cn", "zh"), "zh") + "至" + render(
                Placeable("percent", hi, 0, 0, "", "cn", "zh"), "zh")
        return f"{_fmt_decimal(lo)}%至{_fmt_decimal(hi)}%"
    tail = {"sym_space": " %", "word": " percent", "words": " percent", "per_cent": " per cent"}.get(style, "%")
    return f"{_fmt_decimal(lo)}–{_fmt_decimal(hi)}{tail}"


#: how each kind of value is written: (value, lang, style) → text
_RENDER_VALUE = {
    "number": lambda v, lang, style: _render_number(Decimal(v), lang, style),
    "year": _render_year,
    "percent": _render_percent,
    "ordinal": _render_ordinal,
    "date": _render_dates,
    "month": _render_dates,
}


def _render_style(p: Placeable, lang: str, like: Placeable | None) -> str:
    """The style to write ``p`` in: ``like``'s when it is of a comparable kind, else ``p``'s own
    when ``p`` is in ``lang``, else "" (the house style)."""
    if like is not None and like.lang in ("", lang) and (like.kind == p.kind or {like.kind, p.kind} <= {"number", "year"}):
        return like.style
    return p.style if p.lang == lang else ""


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
    style = _render_style(p, lang, like)
    if p.kind == "range":
        return _render_range(p, lang, style)
    if p.kind not in _RENDER_VALUE:
        raise ValueError(f"cannot render a placeable of kind {p.kind!r}")
    return _RENDER_VALUE[p.kind](p.value, lang, style)


def _render_date_range(lo, hi, lang: str, style: str) -> str:
    y1, m1, _ = lo
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
    return _en_date_range(lo, hi, style)


def _en_date_range(lo, hi, style: str) -> str:
    """November 6–9, 2025 · 6–9 November 2025 · November 30 – December 2, 2025 · January–September 2024."""
    y1, m1, d1 = lo
    y2, m2, d2 = hi
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
