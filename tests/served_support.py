"""Helpers for tests that talk to served processes."""

from __future__ import annotations

import time
from collections.abc import Callable


def within(check: Callable[[], object], timeout: float = 1.0) -> float | None:
    """Seconds until ``check()`` is true, polling every 50 ms; ``None`` if it is not within
    ``timeout`` (plus half a second of grace, so a lag just over the limit is reported, not hidden)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout + 0.5:
        if check():
            return time.monotonic() - start
        time.sleep(0.05)
    return None
