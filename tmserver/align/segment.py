"""Sentence segmentation for Chinese and English, tuned to how translators cut text.

The aligner works on sentences, and the TM stores them, so the cut points must be the ones a
human translator would choose — otherwise a lookup of "one sentence" finds half a unit.

Chinese policy (``segment_zh``):

* a sentence ends after 。！？, after ASCII ``?``/``!`` used as sentence ends in mixed text,
  and after a sentence-final ``……`` (one that is not followed by clause punctuation);
* closing quotes/brackets ``”’」』）》`` and note markers ``①②…`` right after the final mark
  stay with that sentence: ``…共同体。”①该重要理念…`` is cut after ``①``;
* nothing is cut inside ``《》`` or inside quotes: a quotation holding several sentences stays
  whole with the sentence around it. After a quote that closes on a final mark (``。”``) the
  sentence ends only when the quote is direct speech (opened after ``：``/``:``), a note marker
  follows, or the paragraph ends; otherwise the sentence goes on (他说“好。”然后走了。);
* ``；``/``;`` and the ASCII ``,`` ``:`` the seed article mixes into Chinese text are clause
  punctuation, never a cut;
* a line without a final mark (title, heading, keywords, 【注释】) is one sentence, and line-initial
  markers (①, （1）, 一、, 【摘要】) stay with the sentence they open — they are never cut off,
  because cuts only ever happen *after* a final mark.

English policy (``segment_en``): cut after ``.``/``!``/``?`` (plus closing quotes/brackets and
note markers) when whitespace follows and the next word starts with a capital letter, a digit
or an opening quote — except after abbreviations (Dr., U.S., e.g., No. 5, Jan. 3), initials
(J. Smith), ``etc.``/``e.g.`` followed by lower case, and a heading number that opens the
sentence ("1. Product Overview"). Decimals (2.6) never qualify, since no
space follows the point.

Files: one paragraph per line, blank lines ignored (:func:`read_paragraphs`); or, presegmented,
one sentence per line with blank lines between paragraphs (:func:`read_presegmented`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tmserver.langs import parse_lang

__all__ = [
    "segment_zh",
    "segment_en",
    "segment",
    "read_paragraphs",
    "read_presegmented",
    "segment_paragraphs",
]

ZH_FINAL = set("。！？?!")
ZH_CLOSERS = set("”’」』）》)\"'")
NOTE_MARKERS = set("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳")
ZH_CLAUSE = set("，、；：,;:")
# opening → closing pairs whose inside is never cut
ZH_PAIRS = {"《": "》", "“": "”", "「": "」", "『": "』", "‘": "’"}
ZH_OPENERS = set(ZH_PAIRS)
ZH_PAIR_CLOSERS = set(ZH_PAIRS.values())


def _strip_pieces(text: str, cuts: Iterable[int]) -> list[str]:
    out: list[str] = []
    start = 0
    for cut in [*cuts, len(text)]:
        piece = text[start:cut].strip()
        if piece:
            out.append(piece)
        start = cut
    return out


def segment_zh(paragraph: str) -> list[str]:
    """Cut one Chinese paragraph into sentences (see the module docstring for the policy)."""
    text = paragraph.strip()
    scan = _ZhScan(text)
    i = 0
    while i < len(text):
        i = scan.step(i)
    return _strip_pieces(text, scan.cuts)


class _ZhScan:
    """The state of one left-to-right pass over a paragraph: the cuts so far and the open pairs.

    :meth:`step` looks at one character and returns where to look next; each kind of character
    (opener, closer, final mark, ellipsis) has its own small method.
    """

    def __init__(self, text: str) -> None:
        self.text, self.n = text, len(text)
        self.cuts: list[int] = []
        self.stack: list[str] = []  # expected closers of the open 《 “ 「 … pairs
        self.speech = False  # the outermost quote opened after a colon: direct speech
        # ASCII double quotes only count as a pair when the paragraph has an even number of them
        self.ascii_quotes = text.count('"') % 2 == 0

    def step(self, i: int) -> int:
        ch = self.text[i]
        if ch in ZH_OPENERS or (ch == '"' and self.ascii_quotes and not (self.stack and self.stack[-1] == '"')):
            self._open(i, ch)
            return i + 1
        if (ch in ZH_PAIR_CLOSERS or (ch == '"' and self.ascii_quotes)) and ch in self.stack:
            return self._close(i, ch)
        if not self.stack and ch in ZH_FINAL:
            return self._final(i, ch)
        if not self.stack and ch == "…":
            return self._ellipsis(i)
        return i + 1

    def _open(self, i: int, ch: str) -> None:
        if not self.stack:
            self.speech = i > 0 and self.text[i - 1] in "：:" and ch != "《"
        self.stack.append(ZH_PAIRS.get(ch, '"'))

    def _close(self, i: int, ch: str) -> int:
        text = self.text
        # pop up to the matching opener (tolerates a missing inner closer)
        while self.stack and self.stack.pop() != ch:
            pass
        if self.stack or ch == "》" or i == 0 or not (text[i - 1] in ZH_FINAL or text[i - 1] == "…"):
            return i + 1
        # 。” closing the outermost quote ends the sentence when the quote is direct
        # speech (opened after a colon), or a note marker or the paragraph end follows;
        # otherwise the quote is part of a sentence that goes on (他说“好。”然后走了。)
        end = _absorb_closers(text, i + 1)
        marker = any(c in NOTE_MARKERS for c in text[i + 1 : end])
        if (self.speech or marker or end >= self.n) and _ellipsis_ok(text, i - 1, end):
            self.cuts.append(end)
        return end

    def _final(self, i: int, ch: str) -> int:
        text, n = self.text, self.n
        if ch in "?!" and i + 1 < n and text[i + 1].isascii() and text[i + 1].isalnum():
            return i + 1  # "Yahoo!Japan": not a sentence end
        end = i + 1
        while end < n and text[end] in ZH_FINAL:
            end += 1
        end = _absorb_closers(text, end)
        self.cuts.append(end)
        return end

    def _ellipsis(self, i: int) -> int:
        text, n = self.text, self.n
        end = i
        while end < n and text[end] == "…":
            end += 1
        if end - i < 2:
            return end
        end2 = _absorb_closers(text, end)
        if end2 < n and text[end2] in ZH_FINAL:
            return end2  # "……。": let the full stop make the cut
        if end2 >= n or text[end2] not in ZH_CLAUSE:
            self.cuts.append(end2)
        return end2


def _absorb_closers(text: str, i: int) -> int:
    """Index after the closing quotes/brackets and note markers that follow a final mark."""
    n = len(text)
    while i < n and (text[i] in ZH_CLOSERS or text[i] in NOTE_MARKERS):
        i += 1
    return i


def _ellipsis_ok(text: str, mark: int, end: int) -> bool:
    """A quote closed after ``……`` ends the sentence only if no clause punctuation follows."""
    if text[mark] != "…":
        return True
    return end >= len(text) or text[end] not in ZH_CLAUSE


# -- English ---------------------------------------------------------------------------------

#: never a sentence end, whatever follows (titles, Latin abbreviations)
EN_ABBREV_ALWAYS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "gov", "sen", "rep", "rev", "hon",
    "capt", "col", "lt", "sgt", "mt", "ft", "vs", "cf", "e.g", "i.e", "viz", "al", "approx", "dept",
    "est", "inc", "ltd", "corp", "co", "bros",
}
#: abbreviations that stand before a number: "No. 5", "Jan. 3", "Fig. 2", "pp. 10"
EN_ABBREV_NUMERIC = {
    "no", "nos", "fig", "figs", "vol", "vols", "p", "pp", "art", "arts", "sec", "ch", "para", "op", "ed",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}
#: after an initialism such as U.S. a capitalised word is usually a name ("U.S. Congress");
#: only these sentence openers make it a cut
EN_OPENERS_AFTER_INITIALISM = {
    "The", "This", "These", "That", "Those", "It", "Its", "In", "But", "However", "A", "An", "We",
    "They", "He", "She", "There", "Such", "As", "At", "On", "For", "If", "When", "While", "Yet", "So",
    "Since", "Meanwhile", "Moreover", "Furthermore", "Therefore", "Thus",
    # pronouns, determiners and negations rarely start a name: "... at 4 p.m. No ticket is needed"
    "No", "Not", "All", "Each", "Every", "Some", "Many", "Most", "Our", "Their", "His", "Her", "You",
    "Your", "I", "My", "What", "How", "Why", "Where", "Who", "After", "Before", "During", "Then",
    "Also", "Here", "Both", "Only",
}
EN_CLOSERS = "\"'”’)]»"
# a final mark, its closers/note markers, then whitespace: a candidate cut
_NOTES = "".join(sorted(NOTE_MARKERS))
_EN_CANDIDATE = re.compile(r"[.!?]+[" + re.escape(EN_CLOSERS) + _NOTES + "]*(?=\\s)")
_WORD_BEFORE = re.compile(r"(\S+)$")
#: what a heading/list number looks like: 1, 2.3, IV, a, (1)
_EN_LIST_MARKER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,5}|[a-zA-Z]|\(\d{1,3}\))$")
_INITIALISM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")


def _en_starts_sentence(rest: str) -> bool:
    rest = rest.lstrip()
    if not rest:
        return False
    c = rest[0]
    return c.isupper() or c.isdigit() or c in "\"“‘'(["


def _en_is_abbrev(word: str, nxt: str, prev: str = "") -> bool:
    """``word`` is the token before the period (without it); ``nxt`` the next token and
    ``prev`` the token before ``word``."""
    core = word.lstrip("\"'“‘([")
    low = core.lower()
    if low in EN_ABBREV_ALWAYS:
        return True
    if low in EN_ABBREV_NUMERIC and nxt[:1].isdigit():
        return True
    if len(core) == 1 and core.isupper():
        # an initial ("J. Smith"), unless it is a unit after a number ("600 W. We recommend")
        return not prev[-1:].isdigit()
    if _INITIALISM.match(core):  # U.S, U.N, e.g (handled above), a.m
        first = re.match(r"[A-Za-z]+", nxt)
        return not (first and first.group(0) in EN_OPENERS_AFTER_INITIALISM)
    return False


def segment_en(paragraph: str) -> list[str]:
    """Cut one English paragraph into sentences (see the module docstring for the policy)."""
    text = paragraph.strip()
    cuts: list[int] = []
    for m in _EN_CANDIDATE.finditer(text):
        rest = text[m.end():]
        if not _en_starts_sentence(rest):
            continue
        marks = m.group(0)
        sentence_start = cuts[-1] if cuts else 0
        if marks == "." and _EN_LIST_MARKER.match(text[sentence_start : m.start()].strip()):
            continue  # "1. Product Overview", "IV. Results": a heading number, not a sentence
        if marks.startswith(".") and len(marks.rstrip(EN_CLOSERS + _NOTES)) == 1:
            before = _WORD_BEFORE.search(text[: m.start()])
            nxt = rest.lstrip().split(" ", 1)[0]
            prev = text[: before.start()].rstrip().rsplit(" ", 1)[-1] if before else ""
            if before and _en_is_abbrev(before.group(1), nxt, prev):
                continue
        cuts.append(m.end())
    return _strip_pieces(text, cuts)


def segment(paragraph: str, lang: str) -> list[str]:
    """Segment one paragraph in ``lang`` (a Chinese or English code :func:`tmserver.langs.parse_lang` accepts)."""
    return segment_zh(paragraph) if parse_lang(lang).base == "zh" else segment_en(paragraph)


# -- files -----------------------------------------------------------------------------------


def read_paragraphs(text: str) -> list[str]:
    """One paragraph per non-blank line; surrounding whitespace and a BOM dropped."""
    return [line.strip() for line in text.lstrip("\ufeff").splitlines() if line.strip()]


def read_presegmented(text: str) -> list[list[str]]:
    """One sentence per non-blank line; blank lines separate paragraphs."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in text.lstrip("\ufeff").splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def segment_paragraphs(text: str, lang: str) -> list[list[str]]:
    """Read a paragraph-per-line file body and segment every paragraph."""
    return [segment(p, lang) for p in read_paragraphs(text)]


def to_sent_file(paragraphs: list[list[str]]) -> str:
    """Inverse of :func:`read_presegmented`: one sentence a line, blank line between paragraphs."""
    return "\n\n".join("\n".join(p) for p in paragraphs) + "\n"
