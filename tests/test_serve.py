"""A real served process: ``tmserver serve`` on an empty database loads the shipped article TM
and glossary, and every article sentence comes back with its English as a 100 match."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALIGN = ROOT / "alignments"

pytestmark = pytest.mark.slow


def _get(url: str):
    with urllib.request.urlopen(url, timeout=120) as r:  # a hang guard, not a speed check: the box is shared
        return r.status, json.loads(r.read().decode("utf-8"))


def _gold_pairs() -> list[tuple[str, str]]:
    zh = [line for line in (ALIGN / "article.zh.sent.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    en = [line for line in (ALIGN / "article.en.sent.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = []
    for line in (ALIGN / "article.gold.jsonl").read_text(encoding="utf-8").splitlines():
        link = json.loads(line)
        if link["zh"] and link["en"]:
            pairs.append(("".join(zh[i] for i in link["zh"]), " ".join(en[j] for j in link["en"])))
    return pairs


def test_serve_loads_article_tm_and_answers_100(live_server, tm):
    base = live_server(seed=True)
    status, health = _get(base + "/api/v1/health")
    pairs = _gold_pairs()
    assert health["segments"] == len(pairs)
    for zh, en in pairs:
        q = urllib.parse.urlencode({"q": zh, "source_lang": "zh", "target_lang": "en", "limit": 1})
        status, body = _get(f"{base}/api/v1/lookup?{q}")
        assert status == 200
        best = body["matches"][0]
        assert best["score"] >= 100, (zh, best)
        assert best["target"] == en
    # the CAT-tool route through the real server, with an encoded "/" in the text
    zh, en = pairs[3]
    status, units = _get(f"{base}/tmserver/zh_hans/en_us/unit/{urllib.parse.quote(zh, safe='')}")
    assert status == 200 and units[0]["target"] == en and int(units[0]["quality"]) == 100
    status, units = _get(f"{base}/tmserver/zh/en/unit/{urllib.parse.quote('网络/空间', safe='')}")
    assert status == 200 and isinstance(units, list)
    # glossary loaded too: the terms route recognises the article's key term
    q = urllib.parse.urlencode({"text": "構建網路空間命運共同體", "source_lang": "zh", "target_lang": "en"})
    status, terms = _get(f"{base}/api/v1/terms?{q}")
    assert status == 200 and terms


def test_serve_does_not_reseed_a_non_empty_database(live_server, tm):
    from tmserver.tm import SegmentInput

    tm.set_glossary_policy("off")
    tm.create_segment(SegmentInput(source="已有内容。", target="Existing content."))
    base = live_server(seed=True)
    assert _get(base + "/api/v1/health")[1]["segments"] == 1
