"""POST /api/v1/align and /api/v1/align/import against the real app and database."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANUAL = ROOT / "tests" / "data" / "align" / "manual"

ZH = "使用前请仔细阅读本手册，并妥善保管，以便日后查阅。请勿拆卸本产品。\n\n交流输出功率为1800瓦。峰值功率可达3600瓦。\n"
EN = ("Please read this manual carefully before use. Keep it in a safe place for future reference. "
      "Do not disassemble this product.\n\nIts AC output is rated at 1,800 W, with a peak of 3,600 W.\n")


def test_align_returns_links_in_order(client):
    r = client.post("/api/v1/align", json={"zh": ZH, "en": EN})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert [(lk["zh"], lk["en"]) for lk in body["links"]] == [([0], [0, 1]), ([1], [2]), ([2, 3], [3])]
    assert body["links"][0]["en_text"] == "Please read this manual carefully before use. Keep it in a safe place for future reference."
    assert body["summary"]["zh_sentences"] == 4 and body["summary"]["en_sentences"] == 4
    assert body["review"] == [k for k, lk in enumerate(body["links"]) if lk["score"] < 0.5]


def test_align_presegmented(client):
    zh = "第一句。\n第二句。\n\n第三句。\n"
    en = "First sentence.\nSecond sentence.\n\nThird sentence.\n"
    body = client.post("/api/v1/align", json={"zh": zh, "en": en, "presegmented": True}).get_json()
    assert [(lk["zh"], lk["en"]) for lk in body["links"]] == [([0], [0]), ([1], [1]), ([2], [2])]


def test_align_bad_input_is_a_400_naming_the_field(client, tm):
    cases = [
        ({"en": "x"}, "zh"),
        ({"zh": "一。", "en": ""}, "en"),
        ({"zh": 5, "en": "x"}, "zh"),
        ({"zh": "一。", "en": "One.", "threshold": "high"}, "threshold"),
        ({"zh": "一。", "en": "One.", "threshold": 1.5}, "threshold"),
        ({"zh": "一。", "en": "One.", "presegmented": "yes"}, "presegmented"),
    ]
    for body, field in cases:
        r = client.post("/api/v1/align", json=body)
        assert r.status_code == 400, body
        err = r.get_json()["error"]
        assert field in err["message"], (body, err)
    r = client.post("/api/v1/align", data="not json", content_type="text/plain")
    assert r.status_code == 400
    assert tm.count() == 0


def test_align_import_needs_translator(client, auth, tm):
    r = client.post("/api/v1/align/import", json={"zh": ZH, "en": EN})
    assert r.status_code == 401
    r = client.post("/api/v1/align/import", json={"zh": ZH, "en": EN}, headers=auth("reader"))
    assert r.status_code == 403
    assert tm.count() == 0


def test_align_import_holds_low_confidence_links_for_review(client, auth, tm):
    zh = MANUAL.with_suffix(".zh.txt").read_text(encoding="utf-8")
    en = MANUAL.with_suffix(".en.txt").read_text(encoding="utf-8")
    # a strict threshold so that some links fall under it
    r = client.post("/api/v1/align/import", json={"zh": zh, "en": en, "threshold": 0.9, "origin": "manual"},
                    headers=auth("translator"))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    held = body["held_for_review"]
    assert held and all(h["score"] < 0.9 for h in held)
    pairs = body["summary"]["links"] - len(body["not_pairs"])
    assert body["imported"] == pairs - len(held) == tm.count()
    # what was imported is findable with its English, tagged with its link props
    seg = tm.list_segments(origin="manual")["items"][0]
    assert seg["source"] == "星火PS-1000便携式储能电源用户手册"
    assert seg["target"] == "Xinghuo PS-1000 Portable Power Station User Manual"


def test_align_import_accept_low_imports_everything(client, auth, tm):
    r = client.post("/api/v1/align/import", json={"zh": ZH, "en": EN, "threshold": 1.0, "accept_low": True},
                    headers=auth("translator"))
    body = r.get_json()
    assert r.status_code == 200, body
    assert body["held_for_review"] == [] and body["imported"] == 3 == tm.count()


def test_align_import_bad_options_change_nothing(client, auth, tm):
    for extra in ({"on_violation": "maybe"}, {"origin": ""}, {"accept_low": "yes"}):
        r = client.post("/api/v1/align/import", json={"zh": ZH, "en": EN, **extra}, headers=auth("translator"))
        assert r.status_code == 400, extra
    assert tm.count() == 0


def test_align_refuses_a_text_over_the_measured_limit(client, tm):
    from tmserver.align.service import MAX_CHARS_BY_LANG

    for name, other in (("zh", "en"), ("en", "zh")):
        body = {name: "字" * (MAX_CHARS_BY_LANG[name] + 1), other: "一。" if other == "zh" else "One."}
        r = client.post("/api/v1/align", json=body)
        assert r.status_code == 400, r.get_json()
        err = r.get_json()["error"]
        assert err["details"] == {"field": name, "limit": MAX_CHARS_BY_LANG[name]}
        assert str(MAX_CHARS_BY_LANG[name]) in err["message"]
    assert tm.count() == 0
