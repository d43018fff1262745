"""Accuracy of the aligner on long, paragraph-free variants of the test texts (a dev harness).

    .venv/bin/python -m bench.eval_align                 # every text and variant, default aligner
    .venv/bin/python -m bench.eval_align --variants default,length-only,no-lexicon --texts align_long

Texts are read from their presegmented files (``*.zh.sent.txt``/``*.en.sent.txt``) with a gold
``*.gold.jsonl``. Besides each text as it is, the harness builds harder variants, the way the
long literary benchmark is harder than our own careful texts:

* ``joined`` — every paragraph break removed (one block per side);
* ``deleted`` — joined, and every 17th Chinese and every 23rd English sentence deleted (the gold
  is rewritten: a link losing its only sentence on one side becomes a null link);
* ``concat`` — the three short texts joined one after another into one block.

For each it prints strict/lax F1 and the review flag's precision/recall (a link is *wrong*
when it is not exactly a gold link; *flagged* when its confidence is under the threshold).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from tmserver.align.aligner import Aligner
from tmserver.align.evaluate import evaluate, read_links
from tmserver.align.segment import read_presegmented

ROOT = Path(__file__).resolve().parent.parent
TEXTS = {
    "article": ROOT / "alignments" / "article",
    "manual": ROOT / "tests" / "data" / "align" / "manual",
    "heldout": ROOT / "tests" / "data" / "align_heldout" / "heldout",
}


def load(base: Path):
    zh = read_presegmented(Path(f"{base}.zh.sent.txt").read_text(encoding="utf-8"))
    en = read_presegmented(Path(f"{base}.en.sent.txt").read_text(encoding="utf-8"))
    gold = read_links(Path(f"{base}.gold.jsonl").read_text(encoding="utf-8"))
    return zh, en, gold


def joined(doc):
    zh, en, gold = doc
    return [[s for p in zh for s in p]], [[s for p in en for s in p]], gold


def deleted(doc, zh_every: int = 17, en_every: int = 23):
    zh, en, gold = joined(doc)
    zs, es = zh[0], en[0]
    dz = {k for k in range(len(zs)) if k % zh_every == zh_every - 1}
    de = {k for k in range(len(es)) if k % en_every == en_every - 1}
    zmap = {k: n for n, k in enumerate(k for k in range(len(zs)) if k not in dz)}
    emap = {k: n for n, k in enumerate(k for k in range(len(es)) if k not in de)}
    out = []
    for g in gold:
        z = [zmap[k] for k in g["zh"] if k in zmap]
        e = [emap[k] for k in g["en"] if k in emap]
        if z or e:
            out.append({"zh": z, "en": e})
    return [[s for k, s in enumerate(zs) if k not in dz]], [[s for k, s in enumerate(es) if k not in de]], out


def concat(docs):
    zs, es, gold = [], [], []
    for doc in docs:
        zh, en, g = joined(doc)
        oz, oe = len(zs), len(es)
        zs += zh[0]
        es += en[0]
        gold += [{"zh": [k + oz for k in x["zh"]], "en": [k + oe for k in x["en"]]} for x in g]
    return [zs], [es], gold


def review_flag(links, gold, threshold: float) -> dict[str, float]:
    gold_set = {(tuple(g["zh"]), tuple(g["en"])) for g in gold}
    wrong = [(tuple(lk.zh), tuple(lk.en)) not in gold_set for lk in links]
    flagged = [lk.score < threshold for lk in links]
    tp = sum(w and f for w, f in zip(wrong, flagged, strict=True))
    return {"flagged": sum(flagged), "wrong": sum(wrong),
            "precision": round(tp / sum(flagged), 3) if any(flagged) else 1.0,
            "recall": round(tp / sum(wrong), 3) if any(wrong) else 1.0}


VARIANTS = {
    "default": lambda: Aligner(),
    "length-only": lambda: Aligner(matchers=[]),
    "no-lexicon": lambda: Aligner(learn=False),
}


#: long texts kept out of development: measured only with --held-out, once the design is final
HELD_OUT = {"essay"}


def docs_for(names: list[str], held_out: bool = False):
    out = {}
    short = {k: load(v) for k, v in TEXTS.items()}
    for name in names:
        if name in short:
            out[name] = short[name]
            out[name + "/joined"] = joined(short[name])
            out[name + "/deleted"] = deleted(short[name])
        elif name == "concat":
            out["concat"] = concat(short.values())
            out["concat/deleted"] = deleted(concat(short.values()))
        else:  # a directory of long texts: every *.gold.jsonl in it, held-out ones only when asked
            for gold in sorted((ROOT / "tests" / "data" / name).glob("*.gold.jsonl")):
                base = Path(str(gold)[: -len(".gold.jsonl")])
                if base.name in HELD_OUT and not held_out:
                    continue
                out[f"{name}/{base.name}"] = load(base)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", default="article,manual,heldout,concat")
    ap.add_argument("--variants", default="default")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--held-out", action="store_true", help="also measure the held-out long texts")
    args = ap.parse_args()
    for name, (zh, en, gold) in docs_for(args.texts.split(","), args.held_out).items():
        for variant in args.variants.split(","):
            al = VARIANTS[variant]()
            t = time.process_time()
            links = al.align(zh, en)
            cpu = time.process_time() - t
            s = evaluate(links, gold)
            print(json.dumps({"text": name, "variant": variant, "zh": sum(map(len, zh)), "en": sum(map(len, en)),
                              "strict_f1": round(s.f1_strict, 4), "lax_f1": round(s.f1_lax, 4),
                              "review": review_flag(links, gold, args.threshold), "cells": al.cells,
                              "cpu_s": round(cpu, 1)}), flush=True)


if __name__ == "__main__":
    main()
