"""Text normalisation for matching — never for display.

A translator types 網路空間 on a Taiwanese keyboard, or pastes a sentence with half-width
commas; the TM holds 网络空间 with full-width ones. Both must meet in one *matching form*,
while everything we show back (diff spans, term spans, QA highlights) must point into the text
the user actually sent. So :func:`normalize` returns the matching form **and** an offset map.

Pipeline (each stage keeps, for every output character, the span of original characters it
came from):

1. **NFKC**, per grapheme cluster: full-width ASCII → ASCII, U+3000 → space, ① → 1, … → ...
2. **Script**: OpenCC phrase-level conversion to Simplified, Taiwan phrases first (``tw2sp``:
   網路→网络, 軟體→软件, 記憶體→内存) then Hong Kong forms (``hk2s``). Plain ``t2s`` would leave
   网路 and 数位鸿沟 untouched. Phrase conversion may change the length (記憶體 → 内存), so the
   two strings are aligned with :class:`difflib.SequenceMatcher` to carry offsets through.
3. **Punctuation**: the CJK marks NFKC leaves alone (。、“”‘’「」『』《》〈〉【】) map to ASCII-ish
   equivalents so ``，`` and ``,`` or ``“`` and ``"`` compare equal.
4. **Case**: ``str.casefold`` per character (English matching is case-insensitive; the scorer
   adds a small penalty when case was the only difference).
5. **Whitespace**: runs folded to one space, trimmed at both ends.

The article this TM starts from mixes ASCII commas and colons into Chinese text
(``2025年11月6日至9日,2025年…``): after stage 3 both forms are the same character, so nothing
else needs to special-case them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

__all__ = [
    "Normalized",
    "normalize",
    "normalize_text",
    "to_simplified",
    "has_traditional",
    "is_cjk",
    "CJK_CLASS",
    "PUNCT_MAP",
]

#: CJK punctuation that survives NFKC, mapped to the form used for matching.
PUNCT_MAP: dict[str, str] = {
    "。": ".",
    "｡": ".",
    "、": ",",
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "「": '"',
    "」": '"',
    "『": '"',
    "』": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "〈": "<",
    "〉": ">",
    "《": "<",
    "》": ">",
    "【": "[",
    "】": "]",
    "〔": "(",
    "〕": ")",
    "〖": "[",
    "〗": "]",
    "—": "-",
    "–": "-",
    "―": "-",
    "－": "-",
    "·": "·",
    "・": "·",
}


@lru_cache(maxsize=1)
def _converters():
    return opencc.OpenCC("t2s"), opencc.OpenCC("tw2sp"), opencc.OpenCC("hk2s")


def to_simplified(text: str) -> str:
    """Phrase-level conversion of Traditional (Taiwan or Hong Kong usage) to Simplified.

    Text with no Traditional character is returned as it is. The regional phrase tables rewrite
    *vocabulary*, not only script, and applied to mainland text they change its meaning: tw2sp
    turns 智慧 into 智能 (so 中国智慧 "Chinese wisdom" would match 中国智能 "Chinese AI"),
    核心 into 内核, 建立 into 创建, 效能 into 性能 — 18 of the article's 121 sentences. Plain
    ``t2s`` is the test: it is phrase-aware (显著 and 著名 stay as they are) and changes nothing
    in Simplified text, so only text it would change goes through tw2sp and hk2s.
    """
    t2s, tw, hk = _converters()
    if t2s.convert(text) == text:
        return text
    return hk.convert(tw.convert(text))


def has_traditional(text: str) -> bool:
    """True when OpenCC would change some CJK character of ``text`` (after NFKC)."""
    text = unicodedata.normalize("NFKC", text)
    return to_simplified(text) != text


def is_cjk(ch: str) -> bool:
    """True for a CJK ideograph (the unified blocks and their extensions)."""
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2FA1F
        or 0xF900 <= cp <= 0xFAFF
    )


@dataclass(frozen=True, slots=True)
class Normalized:
    """A matching form with, for each of its characters, the original span it stands for.

    ``starts[i]``/``ends[i]`` are the half-open original span of normalised character ``i``.
    Several normalised characters may share one original span (… → ...), and one normalised
    character may stand for several original ones (記憶體 → 内存 shares spans proportionally).
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.text)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalised text back to the original text.

        An empty span maps to the position just before normalised character ``start``.
        """
        n = len(self.text)
        if not 0 <= start <= end <= n:
            raise ValueError(f"span {start}:{end} outside 0:{n}")
        if start == end:
            pos = self.starts[start] if start < n else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


# -- stages -----------------------------------------------------------------------------------
# Each stage takes and returns parallel lists: characters and their (start, end) origin spans.


def _nfkc(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        # keep combining marks with their base so NFKC can compose them
        while j < n and unicodedata.combining(text[j]):
            j += 1
        out = unicodedata.normalize("NFKC", text[i:j])
        for ch in out:
            chars.append(ch)
            spans.append((i, j))
        i = j
    return chars, spans


def _script(chars: list[str], spans: list[tuple[int, int]]) -> tuple[list[str], list[tuple[int, int]]]:
    before = "".join(chars)
    # OpenCC stops at a NUL: leave such (invalid anyway) text unconverted rather than truncated
    if "\x00" in before or not any(is_cjk(c) for c in before):
        return chars, spans
    after = to_simplified(before)
    if after == before:
        return chars, spans
    if len(after) == len(before):
        return list(after), spans
    out_spans: list[tuple[int, int]] = []
    sm = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            out_spans.extend(spans[i1:i2])
            continue
        if j2 == j1:  # deletion: nothing in the output points here
            continue
        if i2 == i1:  # insertion: attach to the neighbouring original character
            anchor = spans[i1] if i1 < len(spans) else spans[-1]
            out_spans.extend([anchor] * (j2 - j1))
            continue
        # replacement of i2-i1 chars by j2-j1 chars: share the original span proportionally
        lo, hi = spans[i1][0], spans[i2 - 1][1]
        m = j2 - j1
        for k in range(m):
            a = lo + (hi - lo) * k // m
            b = lo + (hi - lo) * (k + 1) // m
            out_spans.append((a, max(b, a + 1)))
    return list(after), out_spans


def _punct_case(chars: list[str], spans: list[tuple[int, int]], casefold: bool):
    out_c: list[str] = []
    out_s: list[tuple[int, int]] = []
    for ch, sp in zip(chars, spans, strict=True):
        rep = PUNCT_MAP.get(ch, ch)
        if casefold:
            rep = rep.casefold()
        for c in rep:
            out_c.append(c)
            out_s.append(sp)
    return out_c, out_s


def _whitespace(chars: list[str], spans: list[tuple[int, int]]):
    out_c: list[str] = []
    out_s: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for ch, sp in zip(chars, spans, strict=True):
        if ch.isspace():
            if out_c and pending is None:
                pending = sp
            continue
        if pending is not None:
            out_c.append(" ")
            out_s.append(pending)
            pending = None
        out_c.append(ch)
        out_s.append(sp)
    return out_c, out_s


#: texts up to this long are remembered (a lookup normalises its query and each returned text in
#: the engine and again in the glossary's recogniser; popular units come back for many queries)
_CACHE_MAX_CHARS = 1000


def normalize(text: str, *, casefold: bool = True, script: bool = True) -> Normalized:
    """Return the matching form of ``text`` with its offset map (see module docstring)."""
    if len(text) <= _CACHE_MAX_CHARS:
        return _remembered(text, casefold, script)
    return _normalize(text, casefold, script)


@lru_cache(maxsize=4096)
def _remembered(text: str, casefold: bool, script: bool) -> Normalized:
    return _normalize(text, casefold, script)  # Normalized is frozen (tuples): safe to share


def _normalize(text: str, casefold: bool, script: bool) -> Normalized:
    chars, spans = _nfkc(text)
    if script:
        chars, spans = _script(chars, spans)
    chars, spans = _punct_case(chars, spans, casefold)
    chars, spans = _whitespace(chars, spans)
    return Normalized(
        original=text,
        text="".join(chars),
        starts=tuple(s for s, _ in spans),
        ends=tuple(e for _, e in spans),
    )


_PUNCT_TABLE = str.maketrans(PUNCT_MAP)
#: a regex character class of the CJK ideographs :func:`is_cjk` accepts (for callers' patterns)
CJK_CLASS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
_CJK_RE = re.compile(CJK_CLASS)
_JAMO_RE = re.compile("[\u1100-\u11ff]")


def _fast_form(text: str) -> str:
    """The same matching form as ``normalize(text).text``, without building the offset map.

    Whole-string NFKC equals per-cluster NFKC except where composition crosses a cluster
    boundary (conjoining Hangul jamo); :func:`normalize_text` checks for that case.
    """
    out = unicodedata.normalize("NFKC", text)
    if _CJK_RE.search(out) and "\x00" not in out:
        out = to_simplified(out)
    return " ".join(out.translate(_PUNCT_TABLE).casefold().split())


@lru_cache(maxsize=65536)
def normalize_text(text: str) -> str:
    """The matching form alone (cached): what the store keeps in ``source_norm``.

    Bulk imports call this for every segment, so it skips the offset bookkeeping (≈4× faster).
    """
    if _JAMO_RE.search(text):  # conjoining jamo: take the exact, slower path
        return normalize(text).text
    return _fast_form(text)
