"""Debian's Chromium for the Playwright tests (no browser can be downloaded here).

``.ci/run`` installs ``chromium`` and ``fonts-noto-cjk``; under ``CI=true`` a missing browser
fails the run, elsewhere the browser tests are skipped with the command that installs it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TMSERVER_CHROMIUM", "/usr/bin/chromium")


def require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium fonts-noto-cjk; .ci/run does this)"
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true: " + message, pytrace=False)
    pytest.skip(message)
