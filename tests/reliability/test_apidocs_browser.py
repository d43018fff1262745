"""The API docs page in a real Chromium (``/usr/bin/chromium`` via Playwright) against a served
process: a user types an API key, opens "Create a segment", sends the example body with "Try it"
and sees the 201 answer; the segment is stored. Without the key the same call shows the 401.
"""

from __future__ import annotations

import re

import pytest
from browser_support import CHROMIUM, require_browser

from .harness import request

pytestmark = pytest.mark.slow



def test_try_it_sends_the_example_body_with_the_api_key(served, keys):
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    srv = served()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(base_url=srv.base)
            page.set_default_timeout(30_000)
            page.goto("/api/v1/docs")
            op = page.locator("#segments_create_segment_post")
            op.locator("summary").click()
            expect(op.locator("textarea")).to_contain_text("网络空间命运共同体")  # the model's example
            op.get_by_role("button", name="Try it").click()
            expect(op.locator(".status")).to_have_text(re.compile(r"^401\b"))
            page.fill("#apikey", keys["translator"])
            op.get_by_role("button", name="Try it").click()
            expect(op.locator(".status")).to_have_text(re.compile(r"^201\b"))
            expect(op.locator(".out")).to_contain_text('"version": 1')
        finally:
            browser.close()
    status, _headers, body = request("GET", srv.base + "/api/v1/segments?origin=white-paper")
    assert status == 200 and [s["source"] for s in body["items"]] == ["网络空间命运共同体"]
