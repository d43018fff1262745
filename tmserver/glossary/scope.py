"""Where a Chinese term must *not* be recognised: the two rules that keep a short term out of a
longer name it is not part of.

A substring match cannot tell 联合国 (the UN) from the 联合国 inside 联合国教科文组织 (UNESCO), or
数字普惠 (digital inclusion) from the 数字普惠 of 数字普惠金融 (digital financial inclusion, another
concept). Two rules, applied by :class:`tmserver.glossary.recognize.ChineseRecognizer`:

1. **Stop-list per term** (the convention agreed for the term base): a Chinese term's note may
   hold a line starting ``not within:`` followed by longer phrases separated by ``;`` or ``；``::

       <termSec><term>数字普惠</term><note>not within: 数字普惠金融; 普惠金融</note></termSec>

   The term is not recognised where it lies inside one of those phrases. The note travels with the
   term through TBX (termSec ``<note>``), CSV (``note`` column) and the JSON API (``note``).
   :func:`not_within` reads it.

2. **Dictionary boundary** (generic): a term is not recognised where a *longer* word of jieba's
   dictionary that is not itself a glossary term overlaps it and runs past one of its ends —
   联合国 inside 联合国教科文组织, whatever the glossary says. Only words of at least three
   characters with a dictionary frequency of at least :data:`MIN_FREQ` count (the rarer entries
   of jieba's 350,000 are mostly fragments, not words a reader would see). The word list is
   read once per process from jieba's own ``dict.txt`` (~70,000 words, a set, no segmentation),
   so checking a hit costs a few dozen set lookups.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

import jieba

__all__ = ["MIN_FREQ", "MAX_WORD", "not_within", "dictionary_words", "crossing_word"]

#: dictionary words rarer than this are not trusted to mark a boundary
MIN_FREQ = 5
#: the longest dictionary word looked for around a hit (jieba's longest useful entries)
MAX_WORD = 12

_NOT_WITHIN = re.compile(r"(?:^|\n)\s*not within\s*[:：]\s*([^\n]*)", re.IGNORECASE)


def not_within(note: str | None) -> list[str]:
    """The phrases of a term note's ``not within:`` line(s), in order, without duplicates."""
    if not note:
        return []
    phrases: list[str] = []
    for m in _NOT_WITHIN.finditer(note):
        for p in re.split(r"[;；]", m.group(1)):
            p = p.strip()
            if p and p not in phrases:
                phrases.append(p)
    return phrases


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """jieba's dictionary words of ≥ 3 characters and frequency ≥ :data:`MIN_FREQ`."""
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    # one regex pass over the 5 MB file (a split() per line takes several times longer)
    return frozenset(w for w, f in _ENTRY.findall(text) if int(f) >= MIN_FREQ)


@lru_cache(maxsize=1)
def _heads() -> dict[str, int]:
    """First two characters of each dictionary word → the longest word starting with them."""
    out: dict[str, int] = {}
    for w in dictionary_words():
        if len(w) <= MAX_WORD:
            out[w[:2]] = max(out.get(w[:2], 0), len(w))
    return out


_ENTRY = re.compile(r"^(\S{3,}) (\d+)", re.MULTILINE)


def crossing_word(text: str, start: int, end: int, terms: frozenset[str] | set[str]) -> str | None:
    """A dictionary word longer than ``text[start:end]`` that overlaps it and runs past one of its
    ends (and is not one of the glossary's ``terms``), or None."""
    words = dictionary_words()
    heads = _heads()
    n = end - start
    lo, hi = max(0, start - MAX_WORD + 1), min(len(text), end + MAX_WORD - 1)
    for a in range(lo, end):
        longest = heads.get(text[a : a + 2])
        if longest is None:
            continue  # no dictionary word starts here: the usual case, one dict lookup
        for b in range(max(a + n + 1, start + 1), min(hi, a + longest) + 1):
            if a >= start and b <= end:
                continue  # inside the term: not across its boundary
            w = text[a:b]
            if w in words and w not in terms:
                return w
    return None
