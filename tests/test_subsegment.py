"""Sub-segment matches: one sentence of a multi-sentence unit found on its own, both directions,
on the article's real units, through the real app and database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tmserver.cli import main
from tmserver.formats.safexml import parse
from tmserver.index.parts import PartIndex, part_spans, sentence_spans, target_part
from tmserver.langs import parse_lang
from tmserver.normalize import normalize_text
from tmserver.tm import SegmentInput, import_file

ROOT = Path(__file__).resolve().parent.parent
TMX = ROOT / "alignments" / "article.tmx"


def article_units() -> list[dict]:
    """(link type, zh, en) of every <tu> of the shipped article TM, read from its props."""
    out = []
    with TMX.open("rb") as fh:
        tree = parse(fh)
    for tu in tree.iter("tu"):
        props = {p.get("type"): p.text for p in tu.iter("prop")}
        segs = {tuv.get("{http://www.w3.org/XML/1998/namespace}lang")[:2]: "".join(tuv.find("seg").itertext())
                for tuv in tu.iter("tuv")}
        out.append({"link": props["x-link-type"], "zh": segs["zh"], "en": segs["en"]})
    return out


UNITS = article_units()
EN_MULTI = [u for u in UNITS if u["link"].split("-")[1] != "1"]


def merged_zh_units() -> list[dict]:
    """Two-sentence Chinese units, as a translator who merged two sentences writes them: each of
    the first three runs of two 1-1 article units joined into one (the article itself has none
    since its revision gave every Chinese sentence its own unit)."""
    out = []
    for a, b in zip(UNITS, UNITS[1:], strict=False):
        if a["link"] == b["link"] == "1-1" and a["zh"].endswith("。") and len(out) < 3:
            if not out or out[-1]["parts"][1] is not a:
                out.append({"link": "2-2", "zh": a["zh"] + b["zh"], "en": f"{a['en']} {b['en']}", "parts": (a, b)})
    return out


ZH_MULTI = merged_zh_units()


def test_the_article_has_the_multi_sentence_units_the_issue_counts():
    # the revision of issue 16 split the three 2-1 units: every Chinese sentence is its own unit
    assert not [u for u in UNITS if u["link"].split("-")[0] != "1"]
    assert len(EN_MULTI) == 25 and len(ZH_MULTI) == 3
    # and the segmenter sees exactly as many sentences as each link type says
    for u in UNITS:
        nz, ne = map(int, u["link"].split("-"))
        assert len(sentence_spans(u["zh"], "zh")) == nz, u["zh"]
        assert len(sentence_spans(u["en"], "en")) == ne, u["en"]


@pytest.fixture()
def article(tm):
    with TMX.open("rb") as fh:
        import_file(tm, fh, "tmx", on_violation="accept")
    return tm


@pytest.fixture()
def merged(tm):
    """A TM of the merged two-sentence Chinese units only (so no single-sentence unit outranks them)."""
    for u in ZH_MULTI:
        tm.create_segment(SegmentInput(source=u["zh"], target=u["en"], source_lang="zh", target_lang="en"),
                          force=True, reason="test: merged units")
    return tm


def look(client, q, sl, tl, **params):
    r = client.get("/api/v1/lookup", query_string={"q": q, "source_lang": sl, "target_lang": tl, **params})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@pytest.mark.parametrize(("units", "lang", "other", "tm_of"), [(ZH_MULTI, "zh", "en", "merged"),
                                                             (EN_MULTI, "en", "zh", "article")], ids=["zh", "en"])
def test_every_sentence_of_a_multi_sentence_unit_is_a_100_subsegment_match(request, client, units, lang, other, tm_of):
    request.getfixturevalue(tm_of)
    checked = 0
    for u in units:
        text = u[lang]
        for s, e in sentence_spans(text, lang):
            sentence = text[s:e]
            out = look(client, sentence, lang, other, min_score=60)
            top = out["matches"][0]
            assert top["match_type"] == "subsegment", (sentence, top)
            assert top["score"] == 100 and top["source"] == text
            part = top["subsegment"]
            assert part["source_span"] == [s, e] and part["source_text"] == sentence
            # the target part, where the alignment could cut the target, lies inside the target
            if part["target_span"] is not None:
                ts, te = part["target_span"]
                assert top["target"][ts:te] == part["target_text"] and 0 < te - ts < len(top["target"])
            # the whole unit is not listed a second time as a weaker fuzzy match
            assert [m["id"] for m in out["matches"]].count(top["id"]) == 1
            checked += 1
    assert checked == sum(len(sentence_spans(u[lang], lang)) for u in units) >= 6


def test_target_part_follows_the_units_alignment(article, client):
    out = look(client, "Ten years have passed in the blink of an eye.", "en", "zh")
    part = out["matches"][0]["subsegment"]
    assert part["target_text"] == "十年弹指一挥," and part["target_alignment"] == "clause"
    out = look(client, "The road ahead is by no means smooth.", "en", "zh")
    assert out["matches"][0]["subsegment"]["target_text"] == "前路绝非坦途,"
    # 1-3 unit: the middle English sentence maps to the middle Chinese clause run
    u = next(u for u in EN_MULTI if u["en"].startswith("In cybersecurity, for example"))
    (s, e) = sentence_spans(u["en"], "en")[1]
    tp = target_part(u["en"], "en", u["zh"], "zh", 1, 2)
    assert tp is not None and tp.text.startswith("在数字经济领域,2016年以来") and tp.text.endswith("⑤;")
    assert look(client, u["en"][s:e], "en", "zh")["matches"][0]["subsegment"]["target_text"] == tp.text


def test_a_fuzzy_sentence_adapts_on_its_part(tm, client):
    # the first of two Chinese sentences of a merged unit, with the month changed
    tm.create_segment(SegmentInput(
        source="2025年11月6日至9日,2025年世界互联网大会乌镇峰会在浙江乌镇举办。本届峰会恰逢该理念提出十周年。",
        target="The 2025 World Internet Conference Wuzhen Summit was held in Wuzhen, Zhejiang, on November 6–9, "
               "2025, ten years after the vision was first put forward.",
        source_lang="zh", target_lang="en"), force=True, reason="test: merged unit")
    q = "2025年12月6日至9日,2025年世界互联网大会乌镇峰会在浙江乌镇举办。"
    top = look(client, q, "zh", "en")["matches"][0]
    assert top["match_type"] == "subsegment" and 90 <= top["score"] < 100
    assert top["adaptation"]["status"] == "adapted"
    assert "December 6–9, 2025" in top["adapted_target"] and "November" not in top["adapted_target"]
    assert top["adapted_target"] == top["subsegment"]["target_text"].replace("November", "December")
    # and the same change in the whole unit's target
    assert top["subsegment"]["adapted_unit_target"] == top["target"].replace("November 6–9", "December 6–9")
    # the diff is in the whole unit's offsets: its equal spans point into the first sentence
    assert all(op["match"][1] <= top["subsegment"]["source_span"][1] for op in top["diff"])


def test_runs_of_sentences_and_writes_are_seen(tm, client):
    three = "第一句讲数字鸿沟问题。第二句讲人工智能治理。第三句讲网络安全合作。"
    assert [(i, j) for _, _, i, j in part_spans(three, "zh")] == [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)]
    seg = tm.create_segment(SegmentInput(source=three, target="One. Two. Three.", source_lang="zh",
                                         target_lang="en")).segment
    top = look(client, "第二句讲人工智能治理。第三句讲网络安全合作。", "zh", "en")["matches"][0]
    assert top["match_type"] == "subsegment" and top["score"] == 100
    assert top["subsegment"]["sentences"] == [1, 3] and top["subsegment"]["target_text"] == "Two. Three."
    # an update replaces the parts at once; a delete removes them
    tm.update_segment(seg["id"], {"source": "第一句讲数字鸿沟问题。第二句讲量子计算。"})
    assert look(client, "第二句讲人工智能治理。", "zh", "en", min_score=90)["matches"] == []
    assert look(client, "第二句讲量子计算。", "zh", "en")["matches"][0]["match_type"] == "subsegment"
    tm.delete_segment(seg["id"])
    assert look(client, "第二句讲量子计算。", "zh", "en", min_score=50)["matches"] == []


def test_a_whole_unit_match_outranks_an_equal_subsegment(tm, client):
    tm.create_segment(SegmentInput(source="数字鸿沟正在扩大。数据安全面临挑战。", target="The digital divide is widening. "
                                   "Data security faces challenges.", source_lang="zh", target_lang="en"))
    tm.create_segment(SegmentInput(source="数字鸿沟正在扩大。", target="The digital divide is growing.",
                                   source_lang="zh", target_lang="en"))
    ms = look(client, "数字鸿沟正在扩大。", "zh", "en")["matches"]
    assert [(m["score"], m["match_type"]) for m in ms] == [(100, "exact"), (100, "subsegment")]
    # subsegments=false in the engine gives the whole-unit matches only
    assert [m["match_type"] for m in tm.index.lookup("数字鸿沟正在扩大。", *_langs(), subsegments=False)["matches"]] == ["exact"]


def _langs():
    return parse_lang("zh"), parse_lang("en")


def test_cat_tool_route_offers_the_parts(article, client):
    r = client.get("/tmserver/en/zh/unit/Ten years have passed in the blink of an eye.")
    assert r.status_code == 200
    first = r.get_json()[0]
    assert first == {"source": "Ten years have passed in the blink of an eye.", "target": "十年弹指一挥,",
                     "quality": 99, "rank": 1}
    # MyMemory's route offers the same part, never the whole unit
    got = client.get("/get", query_string={"q": "Ten years have passed in the blink of an eye.",
                                           "langpair": "en|zh"}).get_json()
    assert got["responseData"]["translatedText"] == "十年弹指一挥," and got["matches"][0]["quality"] == "99"


def test_cli_lookup_shows_the_part(tm, database_url):
    tm.create_segment(SegmentInput(source="数字鸿沟正在扩大。数据安全面临挑战。", target="The digital divide is widening. "
                                   "Data security faces challenges.", source_lang="zh", target_lang="en"))
    r = CliRunner().invoke(main, ["--database", database_url, "lookup", "数据安全面临挑战。"], catch_exceptions=False)
    assert r.exit_code == 0
    assert "100  [part of unit" in r.stdout and "Data security faces challenges." in r.stdout
    assert "The digital divide" not in r.stdout


def test_part_index_compaction_keeps_the_live_parts(monkeypatch):
    """Replaced parts are dropped by renumbering once they outweigh the live ones."""
    monkeypatch.setattr("tmserver.index.parts.COMPACT_MIN", 2)
    idx = PartIndex.build("zh", [(1, True, "甲乙丙丁。戊己庚辛。", None), (2, True, "数字鸿沟扩大。智能鸿沟出现。", None)])
    assert len(idx.parts) == 4
    for k in range(5):
        idx.update(1, f"甲乙丙丁{k}。戊己庚辛{k}。", True)
    assert len(idx.parts) <= 2 * 4 + 2 and len(idx) == 4 == idx._live
    idx.update(1, f"甲乙丙丁{4}。戊己庚辛{4}。", True)  # a replayed change: nothing moves
    assert len(idx) == 4 == idx._live
    hits = idx.search(normalize_text("智能鸿沟出现。"), 5, 90)
    assert [(h.seg_id, h.first, h.last) for h in hits] == [(2, 1, 2)]
    hits = idx.search(normalize_text("戊己庚辛4。"), 5, 90)
    assert [(h.seg_id, h.first) for h in hits] == [(1, 1)]
    idx.update(2, None, True)
    assert idx.search(normalize_text("智能鸿沟出现。"), 5, 90) == [] and idx._live == 2 == len(idx)


def test_parts_searched_above_the_units_floor_give_the_true_order(tm, monkeypatch):
    """The parts are searched at the score of the units' ``limit``-th hit, not at ``min_score``.
    The answer is the first ``limit`` of a lookup that sees every hit (a page of 50). Copies of
    one pair once collapsed below that floor and the parts were searched again; the units are
    now searched for ``limit`` different texts (copies come with them), so the floor holds and
    each lookup searches the parts once."""
    from tmserver.index import engine

    base = "数字鸿沟正在扩大，数据安全面临挑战。"
    units = [(base.replace("扩大", w), f"The divide {w}.") for w in ("扩张", "加深", "拉大", "变大")]
    units += [(base.replace("数据安全", "网络安全"), "Network security."), (base[:-1] + "和风险。", "Risks.")]
    units += [units[0]] * 3  # copies of one pair: collapsed (they once left the page short of distinct units)
    units += [("今天天气很好。" + base.replace("挑战", "难题"), "Fine weather. Problems."),
              ("会议开幕了。" + base.replace("正在", "已经"), "The meeting opened. Already."),
              ("第一句。" + base[:8] + "。第三句。", "One. Divide. Three.")]
    for zh, en in units:
        tm.create_segment(SegmentInput(source=zh, target=en, source_lang="zh", target_lang="en"), on_duplicate="keep")
    floors: list[float] = []
    real = engine._parts_floor

    def spy(hits, limit, min_score):
        floors.append(real(hits, limit, min_score))
        return floors[-1]

    searched: list[float] = []  # the thresholds the parts were searched at, in one lookup
    real_search = PartIndex.search

    def search(self, query_norm, k, min_score):
        searched.append(min_score)
        return real_search(self, query_norm, k, min_score)

    def ranking(answer: dict, limit: int) -> list[tuple]:
        return [(m["id"], m["score"], m["match_type"], (m.get("subsegment") or {}).get("sentences"))
                for m in answer["matches"][:limit]]

    queries = [base, base.replace("扩大", "扩展"), "今天天气很好。", base[:8] + "，" + base[9:].replace("挑战", "考验")]
    again = with_copies = 0
    monkeypatch.setattr(PartIndex, "search", search)
    for q in queries:
        for min_score in (50, 70):
            want = tm.index.lookup(q, *_langs(), limit=50, min_score=min_score)
            monkeypatch.setattr(engine, "_parts_floor", spy)
            for limit in (1, 2, 3, 5):
                searched.clear()
                got = tm.index.lookup(q, *_langs(), limit=limit, min_score=min_score)
                assert ranking(got, limit) == ranking(want, limit), (q, limit, min_score)
                again += len(searched) > 1
                copied = [m for m in got["matches"] if m["source"] == units[0][0]]
                assert not copied or len(copied[0]["duplicate_ids"]) == 3  # its copies came with it
                with_copies += bool(copied)
            monkeypatch.setattr(engine, "_parts_floor", real)
    assert any(f > 70 for f in floors)  # the floor was raised, so the comparison means something
    assert again == 0 and with_copies
