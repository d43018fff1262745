"""Term recognition speed: a 100-character segment against a 100,000-term base must take < 1 ms.

Builds a synthetic term base of ``--terms`` concepts (each with one Chinese and one English
term; a tenth of the English ones are case-sensitive acronyms) plus the shipped article term
base, so real terms are found too. Then times, per call:

* ``zh`` — Chinese recognition (normalise + Aho–Corasick + longest-leftmost) of 100-character
  windows of the article's Chinese text;
* ``en`` — English recognition of 100-character windows of the article's English text;
* ``check_pair`` — full enforcement of each gold-aligned zh→en sentence pair of the article
  (whole sentences, usually longer than 100 characters).

    .venv/bin/python bench/bench_terms.py                # 100,000 terms; appends to bench/RESULTS.md
    .venv/bin/python bench/bench_terms.py --terms 10000 --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmserver.glossary import Concept, Glossary, Term  # noqa: E402

SYLLABLES = "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru " \
            "sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu".split()


def synthetic(n: int, seed: int = 11) -> list[Concept]:
    rng = random.Random(seed)
    article = (ROOT / "alignments" / "article.zh.txt").read_text(encoding="utf-8")
    pool = sorted({c for c in article if "\u4e00" <= c <= "\u9fff"})
    pool += [chr(cp) for cp in range(0x4E00, 0x4E00 + 3000)]
    words = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(20000)})
    out, seen_zh, seen_en = [], set(), set()
    while len(out) < n:
        zh = "".join(rng.choice(pool) for _ in range(rng.randint(3, 8)))
        if rng.random() < 0.1:
            en = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.randint(3, 5)))
            en_term = Term(en, "en", term_type="acronym", case_sensitive=True)
        else:
            en = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
            en_term = Term(en, "en", pos="noun")
        if zh in seen_zh or en.lower() in seen_en:
            continue
        seen_zh.add(zh)
        seen_en.add(en.lower())
        out.append(Concept(f"s{len(out)}", [Term(zh, "zh"), en_term]))
    return out


def windows(text: str, width: int = 100, step: int = 37) -> list[str]:
    text = " ".join(text.split())
    return [text[i : i + width] for i in range(0, max(1, len(text) - width), step)]


def timed(fn, items, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        for it in items:
            t = time.perf_counter_ns()
            fn(it)
            out.append((time.perf_counter_ns() - t) / 1000)
    return out


def summary(us: list[float]) -> tuple[float, float, float, float]:
    us = sorted(us)
    return statistics.median(us), us[int(len(us) * 0.95)], us[int(len(us) * 0.99)], max(us)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--terms", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    ap.add_argument("--gc-freeze", action="store_true",
                    help="gc.freeze() after building, as a long-running server may do: the cyclic GC then no "
                         "longer walks the term base's objects during a request")
    args = ap.parse_args()

    concepts = synthetic(args.terms) + Glossary.from_tbx(ROOT / "glossary" / "article.tbx").concepts
    t0 = time.perf_counter()
    g = Glossary(concepts).compile()
    build_s = time.perf_counter() - t0
    if args.gc_freeze:
        import gc

        gc.collect()
        gc.freeze()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n_terms = sum(len(c.terms) for c in concepts)

    zh_text = (ROOT / "alignments" / "article.zh.txt").read_text(encoding="utf-8")
    en_text = (ROOT / "alignments" / "article.en.txt").read_text(encoding="utf-8")
    zh_win, en_win = windows(zh_text), windows(en_text)
    zh_rec, en_rec = g.recognizer("zh"), g.recognizer("en")
    found_zh = sum(len(zh_rec.find(w)) for w in zh_win)
    found_en = sum(len(en_rec.find(w)) for w in en_win)

    zh_lines = [x.strip() for x in (ROOT / "alignments" / "article.zh.sent.txt").open(encoding="utf-8") if x.strip()]
    en_lines = [x.strip() for x in (ROOT / "alignments" / "article.en.sent.txt").open(encoding="utf-8") if x.strip()]
    pairs = []
    for line in (ROOT / "alignments" / "article.gold.jsonl").open(encoding="utf-8"):
        link = json.loads(line)
        pairs.append(("".join(zh_lines[i] for i in link["zh"]), " ".join(en_lines[j] for j in link["en"])))

    # warm-up (normalisation caches, OpenCC)
    timed(zh_rec.find, zh_win, 1)
    timed(en_rec.find, en_win, 1)
    results = {
        "zh recognise, 100 chars": summary(timed(zh_rec.find, zh_win, args.repeat)),
        "en recognise, 100 chars": summary(timed(en_rec.find, en_win, args.repeat)),
        "check_pair zh→en, gold sentence pairs": summary(
            timed(lambda p: g.check_pair(p[0], p[1], "zh", "en"), pairs, args.repeat)),
    }
    cmd = "python bench/bench_terms.py" + "".join(f" {a}" for a in sys.argv[1:])
    lines = [
        f"\n## Term recognition — {date.today().isoformat()}",
        "",
        f"Command: `{cmd}`  ",
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}  ",
        f"Term base: {len(concepts):,} concepts, {n_terms:,} terms (synthetic + article); automata built in "
        f"{build_s:.1f} s; peak RSS {rss_mb:.0f} MB; terms found in the windows: zh {found_zh}, en {found_en}",
        "",
        "| operation | calls | median µs | p95 µs | p99 µs | max µs |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    counts = {"zh recognise, 100 chars": len(zh_win), "en recognise, 100 chars": len(en_win),
              "check_pair zh→en, gold sentence pairs": len(pairs)}
    for name, (med, p95, p99, mx) in results.items():
        lines.append(f"| {name} | {counts[name] * args.repeat} | {med:.0f} | {p95:.0f} | {p99:.0f} | {mx:.0f} |")
    verdict = "meets" if results["zh recognise, 100 chars"][1] < 1000 and results["en recognise, 100 chars"][1] < 1000 \
        else "MISSES"
    lines += ["", f"Target: < 1 ms per 100-character segment at p95 — {verdict} it."]
    print("\n".join(lines))
    if not args.no_write:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
