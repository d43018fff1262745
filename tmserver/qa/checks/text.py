"""Checks on what the target text is made of: left untranslated, Chinese marks, brackets,
book titles and Latin codes (acronyms, 5G, G20)."""

from __future__ import annotations

import re
from collections import Counter

from rapidfuzz.distance import Levenshtein

from tmserver.normalize import CJK_CLASS, is_cjk
from tmserver.qa.base import Check, Context, Issue, QASegment, register

_CJK_RUN = re.compile(CJK_CLASS + "+")


@register
class Untranslated(Check):
    id = "untranslated"
    severity = "error"
    description = "Empty target, target identical to the source, or Chinese left in an English target."

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        if not seg.target.strip():
            if seg.source.strip():
                return [self.issue(seg, "the target is empty", (0, len(seg.source)), None)]
            return []
        # a zh source with no Chinese in it (ICANN, 5G, IPv6, Wi-Fi, a URL) is rightly copied as is
        if seg.src_norm == seg.tgt_norm and _source_has_words(seg):
            return [self.issue(seg, "the target is the source, untranslated", (0, len(seg.source)), (0, len(seg.target)))]
        if seg.target_base == "en":
            return [
                self.issue(seg, f"Chinese text {m.group(0)!r} left in the English target", None, m.span())
                for m in _CJK_RUN.finditer(seg.target)
            ]
        return []


def _source_has_words(seg: QASegment) -> bool:
    if seg.source_base == "zh":
        return bool(_CJK_RUN.search(seg.source))
    return bool(re.search(r"[^\W\d_]{2,}", seg.source))


# Marks that have no place in English text. Curly quotes are English too, so they are only
# flagged when glued to a word the way Chinese typesetting leaves them (the“initiative”).
_CJK_PUNCT = "，。：；！？（）《》〈〉、【】「」『』〔〕〖〗…—～·\u3000"
_CJK_PUNCT_RE = re.compile(
    "[" + re.escape(_CJK_PUNCT.replace("…", "").replace("—", "").replace("·", "")) + "\uff01-\uff5e]"
    r"|(?<=[A-Za-z0-9])[“‘]|[”](?=[A-Za-z0-9])"
)


@register
class CjkPunctuation(Check):
    id = "cjk_punctuation"
    severity = "error"
    description = "Full-width or Chinese punctuation (，。：；！？“”（）《》、, full-width spaces) in an English target."

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        if seg.target_base != "en":
            return []
        return [
            self.issue(seg, f"Chinese punctuation {m.group(0)!r} (U+{ord(m.group(0)):04X}) in the English target",
                       None, m.span())
            for m in _CJK_PUNCT_RE.finditer(seg.target)
        ]


_PAIRS = {"(": ")", "[": "]", "{": "}", "“": "”"}
_FOLD_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "〔": "(", "〕": ")", "［": "[", "］": "]",
                                "｛": "{", "｝": "}", "「": "“", "」": "”", "『": "“", "』": "”", "《": "", "》": ""})


def _balance(text: str) -> tuple[tuple[int, ...], int, list[int]]:
    """Per bracket type: opened − closed; parity of straight double quotes; unmatched positions."""
    text = text.translate(_FOLD_BRACKETS)
    counts = []
    unmatched: list[int] = []
    for o, c in _PAIRS.items():
        stack: list[int] = []
        for i, ch in enumerate(text):
            if ch == o:
                stack.append(i)
            elif ch == c:
                if stack:
                    stack.pop()
                else:
                    unmatched.append(i)
        unmatched.extend(stack)
        counts.append(text.count(o) - text.count(c))
    quotes = [i for i, ch in enumerate(text) if ch == '"']
    if len(quotes) % 2:
        unmatched.append(quotes[-1])
    return tuple(counts), len(quotes) % 2, sorted(unmatched)


@register
class BracketMismatch(Check):
    id = "bracket_mismatch"
    severity = "warning"
    description = "Unpaired brackets or quotes in the target that the source does not have."

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        if not seg.target.strip():
            return []
        src = _balance(seg.source)
        tgt = _balance(seg.target)
        # curly and straight quotes are interchangeable across languages: compare total quote parity
        src_q = (src[1] + abs(src[0][3])) % 2
        tgt_q = (tgt[1] + abs(tgt[0][3])) % 2
        if src[0][:3] == tgt[0][:3] and src_q == tgt_q:
            return []
        pos = tgt[2][0] if tgt[2] else None
        span = (pos, pos + 1) if pos is not None else None
        return [self.issue(seg, "unpaired bracket or quote in the target (the source is balanced differently)",
                           None, span)]


_TITLE_RE = re.compile(r"《([^《》]+)》")
# Newspapers and journals are set in italics or plain in English, never in quotes; laws, regulations,
# charters and treaties are set in roman capitals ("the Cybersecurity Law", "the Charter of the
# United Nations"), never quoted or italicised (Chicago 8.79, 14.277). So are the names of
# initiatives, strategies, declarations, plans, agendas and funds in official English ("the Global
# Initiative on Data Security", "the International Strategy of Cooperation on Cyberspace"): the
# house style of the article's translation (alignments/README.md) follows it, and quotes there
# are allowed but not required.
_PERIODICAL_RE = re.compile(
    r"(日报|报|杂志|期刊|学报|周刊|月刊|求是|年鉴|法|条例|规定|办法|细则|宪章|宪法|公约|条约|协定|议定书"
    r"|倡议|战略|宣言|计划|议程|纲要|规划|基金)$"
)
_QUOTED_RE = re.compile(r"\"[^\"]+\"|“[^”]+”|‘[^’]+’|<(i|em|cite)\b[^>]*>.+?</\1>|\*[^*]+\*|_[^_]+_")


@register
class BookTitle(Check):
    id = "book_title"
    severity = "warning"
    description = "A 《title》 in the source is neither quoted nor italicised in the target."

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        if seg.source_base != "zh" or "《" not in seg.source or not seg.target.strip():
            return []
        if "《" in seg.target:
            return []  # cjk_punctuation already reports the marks themselves
        titles = [m for m in _TITLE_RE.finditer(seg.source) if not _PERIODICAL_RE.search(m.group(1))]
        quoted = len(_QUOTED_RE.findall(seg.target)) + len(seg.target_italic)
        if quoted >= len(titles):
            return []
        m = titles[quoted]  # the first title the target's quotes and italics do not account for
        return [self.issue(seg, f"the title {m.group(0)} should be quoted or set in italics in the target",
                           m.span(), None)]


# ASCII boundaries: in Python regexes CJK characters are \w, and "OEWG的" must still match.
_CODE_RE = re.compile(r"(?<![A-Za-z0-9-])(?:[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*|[0-9]+[A-Z][A-Za-z0-9]*|[A-Z]+[0-9][A-Za-z0-9]*)(?![A-Za-z0-9-])")
def _codes(text: str) -> Counter:
    out: Counter = Counter()
    for m in _CODE_RE.finditer(text.replace("G-20", "G20").replace("G-7", "G7").replace("G-77", "G77")):
        tok = m.group(0)
        if tok.endswith("s") and tok[:-1].isupper() and len(tok) > 2:  # CERTs
            tok = tok[:-1]
        out[tok] += 1
    return out


def _has_cjk(text: str) -> bool:
    return any(is_cjk(c) for c in text)


def _documented_acronyms(glossary) -> dict[str, set[int]]:
    """Latin codes the glossary lists as terms (OEWG, GGE…) → the concepts that list them."""
    out: dict[str, set[int]] = {}
    for ci, concept in enumerate(glossary.concepts):
        for t in concept.terms:
            if _CODE_RE.fullmatch(t.text):
                out.setdefault(t.text, set()).add(ci)
    return out


_MINOR = {"of", "and", "the", "for", "on", "in", "to", "a", "an", "&"}


def _spelled_out(tok: str, text: str) -> str | None:
    """The words of ``text`` whose initials spell ``tok`` (APEC → "Asia-Pacific Economic
    Cooperation"; minor words may be skipped), or None. Only used to say *why* an acronym is
    missing: an expansion counts as a rendering only when the glossary documents it."""
    if any(c.isdigit() for c in tok) or len(tok) < 2:
        return None
    want = tok.lower()
    words = list(re.finditer(r"[A-Za-z]+", text))
    for i in range(len(words)):
        got, j = "", i
        while j < len(words) and len(got) < len(want):
            w = words[j].group(0)
            if w.lower() in _MINOR and got:
                j += 1
                continue
            got += w[0].lower()
            j += 1
        if got == want:
            return text[words[i].start() : words[j - 1].end()]
    return None


def _near_miss(tok: str, candidates: Counter) -> str | None:
    """A target code that looks like a misspelling of ``tok`` (OEGW, OEW, GEE for OEWG/GGE)."""
    for cand in candidates:
        if cand != tok and Levenshtein.distance(cand.upper(), tok.upper()) <= (1 if len(tok) <= 3 else 2):
            return cand
    return None


@register
class AcronymMismatch(Check):
    id = "acronym_mismatch"
    severity = "warning"
    description = ("Latin tokens (OEWG, GGE, 5G, 6G, G20, AI) present on one side only, or misspelled; a source "
                   "acronym may be spelled out only as a rendering the glossary gives its concept.")

    def prepare(self, segments: list[QASegment], ctx: Context) -> None:
        ctx.state[self.id] = _documented_acronyms(ctx.glossary) if ctx.glossary is not None else {}

    def _expanded(self, tok: str, seg: QASegment, ctx: Context) -> bool:
        """The target renders the acronym's concept by another accepted term of the glossary
        (OEWG → "Open-ended Working Group"). Expansions the glossary does not document do not count:
        "the working group" is not OEWG."""
        concepts = ctx.state.get(self.id, {}).get(tok)
        if not concepts or not seg.target_base:
            return False
        for hit in ctx.glossary.recognizer(seg.target_base).find_all(seg.target):
            for ref in hit.refs:
                if ref.concept in concepts and ctx.glossary.term(ref.concept, ref.term).accepted:
                    return True
        return False

    def check(self, seg: QASegment, ctx: Context) -> list[Issue]:
        if not seg.target.strip() or not _has_cjk(seg.source + seg.target):
            return []  # en→en or empty: untranslated reports it
        src, tgt = _codes(seg.source), _codes(seg.target)
        out = [self._lost(tok, seg, src, tgt) for tok in src if not (tgt.get(tok) or self._expanded(tok, seg, ctx))]
        # the target may spell out acronyms the Chinese leaves implicit (AI, UN, CERTs), but a
        # code with digits (5G, 6G, G20) cannot appear from nowhere
        for tok in tgt:
            if tok not in src and any(c.isdigit() for c in tok) and not _near_miss(tok, src):
                m = re.search(rf"(?<![A-Za-z0-9-]){re.escape(tok)}", seg.target)
                out.append(self.issue(seg, f"{tok!r} in the target is not in the source", None,
                                      m.span() if m else None))
        return out

    def _lost(self, tok: str, seg: QASegment, src: Counter, tgt: Counter) -> Issue:
        """The issue for a source token the target lacks: misspelled, spelled out, or missing."""
        m = re.search(rf"(?<![A-Za-z0-9-]){re.escape(tok)}", seg.source)
        span = m.span() if m else None
        near = _near_miss(tok, Counter({t: n for t, n in tgt.items() if t not in src}))
        if near:
            tm = re.search(rf"(?<![A-Za-z0-9-]){re.escape(near)}", seg.target)
            return self.issue(seg, f"{tok!r} in the source is misspelled as {near!r} in the target",
                              span, tm.span() if tm else None, details={"expected": tok, "found": near})
        expansion = _spelled_out(tok, seg.target)
        if expansion:
            at = seg.target.find(expansion)
            return self.issue(
                seg, f"{tok!r} in the source is spelled out as {expansion!r}, an expansion the glossary does not "
                f"document: keep {tok!r} or add the expansion to the glossary", span,
                (at, at + len(expansion)), details={"expected": tok, "found": expansion})
        return self.issue(seg, f"{tok!r} in the source is missing from the target", span, None)
