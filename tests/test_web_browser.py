"""The workbench in a real Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) against
a real ``tmserver serve`` process on the test database, seeded with the article TM and glossary.

Covers the issue's "done when" list: a Traditional-script lookup showing the Simplified match with
its English and marked differences; concordance; a glossary edit; a segment edit refused by the
glossary, then stored with a reason that shows in the history; a conflicting edit; a file
processed and downloaded; sign-in needed for writes; and axe-core finding no serious or critical
accessibility violation on any page.

Chromium cannot be downloaded here: Playwright is pointed at the system browser. Under
``CI=true`` a missing browser fails the run; elsewhere the module is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_support import CHROMIUM, require_browser
from served_support import within
from sqlalchemy import text

from tmserver.auth import create_key
from tmserver.tm import TM, SegmentInput

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
AXE = ROOT / "tests" / "data" / "axe" / "axe.min.js"

# an article sentence (Simplified in the TM), its English, and the same sentence in Taiwan Traditional
# with one word added (一貫), so the match is fuzzy and the difference is visible
ARTICLE_ZH = ("2015年12月16日,在第二届世界互联网大会上,习近平主席首次向世界发出“构建网络空间命运共同体”的倡议:"
              "“网络空间是人类共同的活动空间,网络空间前途命运应由世界各国共同掌握。各国应该加强沟通、扩大共识、"
              "深化合作,共同构建网络空间命运共同体。”①")
TRAD_QUERY = ("2015年12月16日,在第二屆世界網際網路大會上,習近平主席首次向世界發出“構建網路空間命運共同體”的一貫倡議:"
              "“網路空間是人類共同的活動空間,網路空間前途命運應由世界各國共同掌握。各國應該加強溝通、擴大共識、"
              "深化合作,共同構建網路空間命運共同體。”①")


@dataclass
class Served:
    base: str
    tm: TM
    keys: dict[str, str]


@pytest.fixture(scope="module")
def served(database_url: str, _schema: list[str]) -> Iterator[Served]:
    """One seeded ``tmserver serve`` for the module (seeding the article takes seconds)."""
    require_browser()
    tm = TM.from_url(database_url)
    with tm.engine.begin() as conn:
        for name in _schema:
            conn.execute(text(f'DELETE FROM "{name}"'))
    port = free_port()
    env = {**os.environ, "TMSERVER_DATABASE_URL": database_url}
    proc = subprocess.Popen([sys.executable, "-m", "tmserver", "serve", "--port", str(port), "--workers", "2"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, proc)
        keys = {}
        with tm.session() as s:
            for role in ("reader", "translator", "admin"):
                keys[role] = create_key(s, f"web-{role}", role)[1]
        yield Served(base, tm, keys)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        tm.close()


def _found_by_every_worker(base: str, source: str, tries: int = 6) -> bool:
    """``tries`` lookups on fresh connections (spread over the workers) all return ``source`` as
    an exact match."""
    url = f"{base}/api/v1/lookup?min_score=100&q={urllib.parse.quote(source)}"
    for _ in range(tries):
        with urllib.request.urlopen(url, timeout=10) as r:
            if not any(m["source"] == source for m in json.loads(r.read())["matches"]):
                return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(base: str, proc: subprocess.Popen) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"tmserver serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=2) as r:
                if r.status == 200 and json.loads(r.read())["segments"] > 0:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("tmserver serve did not start within 120 s")


@pytest.fixture(scope="module")
def browser(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, served):
    context = browser.new_context(base_url=served.base, viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.base)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def sign_in(page, key: str) -> None:
    page.goto("/signin")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").first.wait_for()  # the next page, not the form being left
    assert key not in page.url


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def article_segment(served: Served) -> dict:
    found = served.tm.list_segments(contains="首次向世界发出", per_page=5)["items"]
    return next(s for s in found if s["source"] == ARTICLE_ZH)


# -- the "done when" list --------------------------------------------------------------


def test_lookup_traditional_query_finds_simplified_match_with_differences(page, served):
    seg = article_segment(served)
    page.goto("/")
    page.get_by_label("Segment to look up").fill(TRAD_QUERY)
    page.get_by_label("Segment to look up").press("Control+Enter")  # the keyboard shortcut submits
    page.wait_for_selector("[data-testid=match]")
    first = page.locator("[data-testid=match]").first
    assert first.locator("[data-testid=match-source]").inner_text() == seg["source"]  # Simplified, as stored
    assert first.locator("[data-testid=match-target]").inner_text() == seg["target"]
    assert "fuzzy" in first.inner_text() and f"segment {seg['id']}" in first.inner_text()
    # the added 一貫 is marked in the query as it differs from this match
    assert first.locator(".qry mark").all_inner_texts() == ["一貫"]
    # the glossary terms of the query are highlighted with their preferred rendering
    term = page.locator("[data-testid=query] mark.term").first
    assert term.inner_text() == "世界網際網路大會"
    assert "World Internet Conference (preferred)" in term.get_attribute("title")
    assert page.locator("table.terms").get_by_text("building a community with a shared future in cyberspace").count() >= 1
    # Alt+1 copies the first match's target
    page.keyboard.press("Alt+1")
    page.wait_for_function("document.body.dataset.copied !== undefined")
    assert page.evaluate("navigator.clipboard.readText()") == seg["target"]
    assert page.evaluate("document.activeElement.className") == "copy"


def test_lookup_flags_term_problems_of_a_match(page, served):
    served.tm.set_glossary_policy("off")
    try:
        served.tm.create_segment(SegmentInput(source="各国共同构建网络空间命运共同体的倡议。",
                                              target="The initiative to build a community of shared future in cyberspace."))
    finally:
        served.tm.set_glossary_policy("strict")
    # written by another process (this one): the server's workers follow the change log and
    # find it within 1 s (issue 17's contract); a page loaded before that would show no match
    assert within(lambda: _found_by_every_worker(served.base, "各国共同构建网络空间命运共同体的倡议。")) is not None
    page.goto("/?q=" + "各国共同构建网络空间命运共同体的倡议。")
    match = page.locator("[data-testid=match]").first
    assert "superseded" in match.locator("[data-testid=term-problem]").first.inner_text()
    assert match.locator("[data-testid=adapted-target]").inner_text() == (
        "The initiative to build a community with a shared future in cyberspace.")


def test_concordance_highlights_and_pages(page, served):
    page.goto("/concordance")
    page.get_by_label("Word or phrase").fill("網路空間")
    page.get_by_role("button", name="Search").click()
    # the form loads a new page: read it once it is there, not the one being left
    page.wait_for_url(re.compile(r"/concordance\?.*q="))
    hits = page.locator("[data-testid=hit]")
    hits.first.wait_for()
    total = int(re.search(r"(\d+) segments contain", page.content()).group(1))
    assert total > 20 and hits.count() == 20
    assert set(page.locator("[data-testid=hit] mark.hit").all_inner_texts()) == {"网络空间"}
    page.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"[?&]page=2"))
    hits.first.wait_for()
    assert "Page 2 of" in page.content() and page.locator("[data-testid=hit]").count() == min(20, total - 20)


def test_glossary_edit_by_admin(page, served):
    page.goto("/glossary?q=数字鸿沟")
    concept = page.locator("[data-testid=concept]").first
    concept.get_by_role("link").click()
    assert "Needs an admin key" in page.content() and page.get_by_role("button", name="Save concept").is_disabled()
    cid = page.url.rsplit("/", 1)[1]
    sign_in(page, served.keys["admin"])
    page.goto(f"/glossary/concepts/{cid}")
    n = page.locator("input[name=term_text]").count()
    blank = page.locator("input[name=term_text]").nth(n - 2)  # the first of the empty rows
    blank.fill("digital gap")
    row = page.locator(".term-row").nth(n - 2)
    row.get_by_label("Language").select_option("en")
    row.get_by_label("Status").select_option("deprecated")
    page.get_by_label("Definition").fill("The gap in access to digital technology.")
    page.get_by_role("button", name="Save concept").click()
    assert page.get_by_role("status").inner_text() == "Saved."
    with served.tm.session() as s:
        from tmserver.glossary import store

        saved = store.get_concept(s, cid)
    assert ("digital gap", "en", "deprecated") in [(t.text, t.lang, t.status) for t in saved.terms]
    assert saved.definition == "The gap in access to digital technology."


def test_segment_edit_refused_then_forced_with_reason(page, served):
    seg = article_segment(served)
    sign_in(page, served.keys["translator"])
    page.goto(f"/segments/{seg['id']}")
    bad = seg["target"].replace("a community with a shared future in cyberspace",
                                "a community of shared future in cyberspace")
    assert bad != seg["target"]
    page.get_by_label("Target (en)").fill(bad)
    page.get_by_role("button", name="Save").click()
    violations = page.locator("[data-testid=violations]")
    assert "Forbidden rendering" in violations.inner_text() and "superseded" in violations.inner_text()
    assert page.get_by_label("Target (en)").input_value() == bad  # the draft survives the refusal
    assert served.tm.get_segment(seg["id"])["version"] == seg["version"]
    page.get_by_label("Store despite the glossary").check()
    page.get_by_label("Reason", exact=True).fill("client quotes the 2015 wording")
    page.get_by_role("button", name="Save").click()
    assert "Saved as version" in page.get_by_test_id("saved").inner_text()
    latest = page.locator("[data-testid=version]").first
    assert "client quotes the 2015 wording" in latest.inner_text()
    assert latest.locator("mark.ins").all_inner_texts() and latest.locator("mark.del").all_inner_texts()
    assert served.tm.get_segment(seg["id"])["target"] == bad


def test_conflicting_edit_is_shown_with_both_versions(page, served):
    seg = served.tm.list_segments(contains="数字鸿沟", per_page=1)["items"][0]
    sign_in(page, served.keys["translator"])
    page.goto(f"/segments/{seg['id']}")
    # meanwhile someone else saves a new version
    theirs = seg["target"] + " (edited elsewhere)"
    served.tm.update_segment(seg["id"], {"target": theirs}, user="bob", force=True, reason="test")
    page.get_by_label("Target (en)").fill(seg["target"] + " (mine)")
    page.get_by_role("button", name="Save").click()
    conflict = page.get_by_test_id("conflict")
    assert conflict.is_visible()
    assert page.get_by_test_id("theirs").inner_text() == theirs
    assert page.get_by_test_id("mine").inner_text() == seg["target"] + " (mine)"
    page.get_by_role("button", name=re.compile("Keep mine")).click()
    assert served.tm.get_segment(seg["id"])["target"] == seg["target"] + " (mine)"


def test_writes_need_sign_in(page, served):
    seg = article_segment(served)
    page.goto(f"/segments/{seg['id']}")
    assert "Needs a translator or admin key" in page.content()
    assert page.get_by_role("button", name="Save").is_disabled()
    # a forged POST with a valid CSRF token but no key is refused with a sign-in page
    token = page.locator("input[name=csrf_token]").first.input_value()
    r = page.request.post(f"/segments/{seg['id']}", form={"target": "x", "version": str(seg["version"]),
                                                         "csrf_token": token})
    assert r.status == 401 and "Sign in first" in r.text()
    page.goto("/files")
    assert page.get_by_role("button", name="Import").is_disabled()
    sign_in(page, served.keys["reader"])
    r = page.request.post(f"/segments/{seg['id']}", form={"target": "x", "version": str(seg["version"]),
                                                         "csrf_token": page.locator("input[name=csrf_token]").first.input_value()})
    assert r.status == 403 and "a translator or admin key" in r.text()
    assert served.tm.get_segment(seg["id"])["target"] == seg["target"]


def test_file_import_job_and_tm_export_download(page, served, tmp_path):
    sign_in(page, served.keys["admin"])
    page.goto("/files")
    page.get_by_label("TMX, CSV or TSV file").set_input_files(str(ROOT / "tests" / "data" / "sample.tmx"))
    page.get_by_label("Units that break the glossary").select_option("skip")
    page.get_by_role("button", name="Import").click()
    assert wait_for_job(page) == "done"
    assert page.locator("table.summary").get_by_text("imported").count() == 1
    page.goto("/files")
    with page.expect_download() as info:
        page.get_by_role("link", name="TMX").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "tm.tmx" and b"<tmx" in path.read_bytes() and ARTICLE_ZH.encode() in path.read_bytes()


def wait_for_job(page) -> str:
    """Wait on a job page until the polling script has seen the job end; return its status."""
    page.wait_for_function("document.querySelector('.job-status') && "
                           "document.querySelector('.job-status').textContent !== 'running'", timeout=120_000)
    page.wait_for_load_state()
    return page.locator(".job-status").inner_text()


def test_file_pretranslated_and_downloaded(page, served, tmp_path):
    from lxml import etree

    page.goto("/files")
    page.get_by_label("Document", exact=True).set_input_files(str(ROOT / "samples" / "summit" / "summit.xlf"))
    page.get_by_role("button", name="Pre-translate").click()
    assert wait_for_job(page) == "done"
    rows = page.locator("table.units tbody tr")
    assert rows.count() > 3 and "filled" in page.locator("table.units").inner_text()
    with page.expect_download() as info:
        page.get_by_test_id("download").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "summit.en-US.xlf"
    # the downloaded file is XLIFF whose title unit now carries the article title's English from the TM
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    root = etree.fromstring(path.read_bytes())
    title = root.find(".//x:trans-unit[@id='t1']/x:target", ns)
    expected = served.tm.list_segments(contains="构建网络空间命运共同体十年", per_page=1)["items"][0]["target"]
    assert title is not None and "".join(title.itertext()) == expected


def test_analysis_report_shown_in_place_and_downloadable(page, served, tmp_path):
    page.goto("/files")
    page.get_by_label("Documents (one or more)").set_input_files(
        [str(ROOT / "samples" / "summit" / n) for n in ("summit.xlf", "summit.v2.xlf")])
    page.get_by_role("button", name="Analyse").click()
    assert wait_for_job(page) == "done"
    report = page.frame_locator("[data-testid=job-report]")
    assert report.locator("h1").inner_text() == "TM analysis"
    assert "summit.xlf" in report.locator("body").inner_text()
    with page.expect_download() as info:
        page.get_by_test_id("download").click()
    path = tmp_path / "analysis.csv"
    info.value.save_as(path)
    assert path.read_text(encoding="utf-8").startswith("file,band,label,segments")


def test_qa_report_shown_in_place(page, served):
    page.goto("/files")
    page.get_by_label(re.compile("^File")).set_input_files(str(ROOT / "tests" / "data" / "sample.tmx"))
    page.get_by_role("button", name="Check").click()
    assert re.search(r"\d+ segment\(s\), \d+ issue\(s\)", page.get_by_test_id("qa-summary").inner_text())
    frame = page.frame_locator("[data-testid=qa-report]")
    assert frame.locator("h1").first.inner_text().startswith("QA report")


# -- usable: narrow windows, keyboard focus, and axe-core on every page --------------------------


def test_narrow_window_has_no_horizontal_scroll(browser, served):
    context = browser.new_context(base_url=served.base, viewport={"width": 390, "height": 800})
    pg = context.new_page()
    for path in ("/?q=" + TRAD_QUERY, "/concordance?q=网络空间&lang=zh", "/glossary", "/segments", "/files"):
        pg.goto(path)
        # tables scroll inside their own box on a narrow window; nothing else may stick out
        wider = pg.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => !e.closest('table') && e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)""")
        assert wider == [], path
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    context.close()


def test_keyboard_focus_is_visible(page, served):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_no_serious_accessibility_violations(page, served):
    seg = article_segment(served)
    pages = ["/signin", "/?q=" + TRAD_QUERY, "/concordance?q=网络空间&lang=zh", "/glossary", "/segments",
             f"/segments/{seg['id']}", "/files"]
    found = {path: axe_violations(page) for path in pages if page.goto(path)}
    sign_in(page, served.keys["admin"])
    page.goto("/glossary")
    page.locator("[data-testid=concept] a").first.click()
    found["concept (admin form)"] = axe_violations(page)
    page.goto(f"/segments/{seg['id']}")
    page.get_by_label("Target (en)").fill("Nothing about cyberspace.")
    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("violations").wait_for()
    found["segment refused"] = axe_violations(page)
    page.goto("/files")
    page.get_by_label(re.compile("^File")).set_input_files(str(ROOT / "tests" / "data" / "sample.tmx"))
    page.get_by_role("button", name="Check").click()
    page.get_by_test_id("qa-summary").wait_for()
    found["files with QA report"] = axe_violations(page)
    page.goto("/files")
    page.get_by_label("Document", exact=True).set_input_files(str(ROOT / "samples" / "summit" / "summit.xlf"))
    page.get_by_role("button", name="Pre-translate").click()
    wait_for_job(page)
    found["pre-translation job"] = axe_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
