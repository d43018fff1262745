"""A translation lexicon learned from the document itself, for the aligner's second pass.

CC-CEDICT knows 学习 → study, but not that in *this* novel 哈利 is "Harry", 魔杖 is "wand" or
老张 is "Zhang"; a translator's own choices repeat through a book. After the first pass, the
links the aligner is sure of (high posterior) are a small parallel corpus. Counting, over
those links, how often a Chinese word (jieba) and an English stem (:func:`lexicon.en_words`)
occur in the same link gives co-occurrence statistics; pairs that co-occur at least
:data:`MIN_COUNT` times with a Dice coefficient of at least :data:`MIN_DICE` become extra
translations of the Chinese word (at most :data:`TOP_K` each). The Dice coefficient,
2·c(z, e) / (c(z) + c(e)), is the simplest association measure that does not reward frequent
words for being everywhere (Smadja et al. 1996 used it for exactly this: translations of
collocations from aligned sentences).

Learned entries only *add* keys to a Chinese word's item, in the dictionary's namespace, so a
word CC-CEDICT already translates does not count twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tmserver.align import lexicon

__all__ = ["learn_lexicon", "MIN_COUNT", "MIN_DICE", "TOP_K"]

MIN_COUNT = 2
MIN_DICE = 0.5
TOP_K = 2


def learn_lexicon(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Chinese word → English stems that translate it, from (zh text, en text) of trusted links."""
    cz: Counter[str] = Counter()
    ce: Counter[str] = Counter()
    cze: Counter[tuple[str, str]] = Counter()
    for zh, en in pairs:
        zw = set(lexicon.zh_words(zh))
        ew = set(lexicon.en_words(en))
        cz.update(zw)
        ce.update(ew)
        cze.update((z, e) for z in zw for e in ew)
    ranked: dict[str, list[tuple[float, str]]] = {}
    for (z, e), c in cze.items():
        if c < MIN_COUNT:
            continue
        dice = 2 * c / (cz[z] + ce[e])
        if dice >= MIN_DICE:
            ranked.setdefault(z, []).append((dice, e))
    return {z: frozenset(e for _, e in sorted(v, reverse=True)[:TOP_K]) for z, v in ranked.items()}
