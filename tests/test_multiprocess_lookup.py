"""Two server processes on one database see each other's writes within 1 s.

Two separate ``tmserver serve`` instances (own gunicorn master and worker each, so nothing is
shared but the database) start on the test database; a write through one must show up in a
lookup on the other within a second (each worker replays ``segment_changes``).
"""

from __future__ import annotations

import json
import time
import urllib.request
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.slow


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def _post(url: str, body: dict, key: str):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def _seen_within(url: str, want, timeout: float = 1.0) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout + 0.5:
        if want(_get(url)):
            return time.monotonic() - start
        time.sleep(0.05)
    return None


def test_two_servers_see_each_others_writes(live_server, keys):
    a, b = live_server(), live_server()
    q = "数字鸿沟正在扩大"
    look = lambda base: f"{base}/api/v1/lookup?q={quote(q)}&source_lang=zh&target_lang=en"  # noqa: E731
    assert _get(look(a))["matches"] == [] and _get(look(b))["matches"] == []  # both indexes built
    seg = _post(f"{a}/api/v1/segments", {"source": q, "target": "The digital divide is widening"},
                keys["translator"])["segment"]
    assert _get(look(a))["matches"][0]["id"] == seg["id"]  # the writer's own next lookup
    lag = _seen_within(look(b), lambda r: r["matches"] and r["matches"][0]["id"] == seg["id"])
    assert lag is not None and lag <= 1.0, lag
    # and back: a write through the compat API on b is seen by a compat lookup on a
    _post(f"{b}/tmserver/zh/en/unit/", {"source": "网络空间命运共同体", "target": "shared future"}, keys["translator"])
    compat = f"{a}/tmserver/zh/en/unit/{quote('网络空间命运共同体', safe='')}"
    lag = _seen_within(compat, lambda r: bool(r) and r[0]["target"] == "shared future")
    assert lag is not None and lag <= 1.0, lag
