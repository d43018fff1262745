"""Regenerate docs/workbench-lookup.png: the lookup page of a freshly seeded server, in Chromium.

    .venv/bin/python docs/make_screenshot.py        # needs /usr/bin/chromium and fonts-noto-cjk

Starts ``tmserver serve`` on a temporary SQLite database (seeded with the article TM and
glossary) on a free port, looks up a Traditional-script article sentence with one word added,
and saves a 1280-px-wide screenshot of the page.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
QUERY = "十年來,中國推動構建網路空間命運共同體的系列實踐,為全球網際網路治理作出重要貢獻;十年來的歷史發展與現實挑戰,也進一步證明該重要理念的前瞻性與必要性。"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        env = {"TMSERVER_DATABASE_URL": f"sqlite:///{tmp}/shot.sqlite", "PATH": "/usr/bin:/bin"}
        proc = subprocess.Popen([sys.executable, "-m", "tmserver", "serve", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(base + "/api/v1/health", timeout=2) as r:
                        if json.loads(r.read())["segments"]:
                            break
                except OSError:
                    time.sleep(0.3)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1400})
                page.goto(base + "/?" + urllib.parse.urlencode({"q": QUERY, "limit": 3}))
                page.screenshot(path=str(ROOT / "docs" / "workbench-lookup.png"), full_page=False)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
