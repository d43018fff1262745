"""Two server processes on one database see each other's writes within 1 s.

Two separate ``tmserver serve`` instances (own gunicorn master and worker each, so nothing is
shared but the database) start on the test database; a write through one must show up in a
lookup on the other within a second (each worker replays ``segment_changes``).
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import quote

import pytest
from served_support import within

pytestmark = pytest.mark.slow


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def _post(url: str, body: dict, key: str):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_two_servers_see_each_others_writes(live_server, keys):
    a, b = live_server(), live_server()
    q = "数字鸿沟正在扩大"
    look = lambda base: f"{base}/api/v1/lookup?q={quote(q)}&source_lang=zh&target_lang=en"  # noqa: E731
    assert _get(look(a))["matches"] == [] and _get(look(b))["matches"] == []  # both indexes built
    seg = _post(f"{a}/api/v1/segments", {"source": q, "target": "The digital divide is widening"},
                keys["translator"])["segment"]
    assert _get(look(a))["matches"][0]["id"] == seg["id"]  # the writer's own next lookup
    def b_finds_it() -> bool:
        r = _get(look(b))
        return bool(r["matches"]) and r["matches"][0]["id"] == seg["id"]

    lag = within(b_finds_it)
    assert lag is not None and lag <= 1.0, lag
    # and back: a write through the compat API on b is seen by a compat lookup on a
    _post(f"{b}/tmserver/zh/en/unit/", {"source": "网络空间命运共同体", "target": "shared future"}, keys["translator"])
    compat = f"{a}/tmserver/zh/en/unit/{quote('网络空间命运共同体', safe='')}"
    def compat_finds_it() -> bool:
        r = _get(compat)
        return bool(r) and r[0]["target"] == "shared future"

    lag = within(compat_finds_it)
    assert lag is not None and lag <= 1.0, lag
