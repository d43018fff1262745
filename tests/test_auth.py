"""The 401/403 matrix: every write endpoint refuses a missing/invalid key and a too-weak role."""

from __future__ import annotations

import io

import pytest

SEG = {"source": "数字鸿沟。", "target": "The digital divide."}


def _requests(seg_id: int):
    tmx = b'<?xml version="1.0"?><tmx version="1.4"><header srclang="zh"/><body></body></tmx>'
    return [
        ("translator", "post", "/api/v1/segments", {"json": SEG}),
        ("translator", "put", f"/api/v1/segments/{seg_id}", {"json": {"target": "The digital divide!"}}),
        ("translator", "patch", f"/api/v1/segments/{seg_id}", {"json": {"target": "The digital divide!"}}),
        ("translator", "delete", f"/api/v1/segments/{seg_id}", {}),
        ("admin", "post", "/api/v1/import", {"data": {"file": (io.BytesIO(tmx), "x.tmx")}}),
        ("admin", "put", "/api/v1/settings/glossary-policy", {"json": {"policy": "warn"}}),
        ("admin", "get", "/api/v1/keys", {}),
        ("admin", "post", "/api/v1/keys", {"json": {"name": "x", "role": "reader"}}),
        ("admin", "delete", f"/api/v1/keys/{seg_id}", {}),  # a key id equal to seg_id, see _seed
    ]


def _seed(tm):
    """Create a segment and make sure an API key with the same id exists (PostgreSQL sequences
    do not restart between tests, so neither id can be hard-coded)."""
    from tmserver.auth import create_key
    from tmserver.tm import SegmentInput

    seg_id = tm.create_segment(SegmentInput(**SEG)).segment["id"]
    from tmserver.store.models import ApiKey

    with tm.session() as s:
        if s.get(ApiKey, seg_id) is None:
            key, _ = create_key(s, "victim", "reader")
            key.id = seg_id
    return seg_id


def _send(client, seg_id: int, index: int, headers: dict[str, str] | None = None):
    _role, method, url, kw = _requests(seg_id)[index]  # fresh request bodies each time
    return getattr(client, method)(url, headers=headers or {}, **kw)


@pytest.mark.parametrize("index", range(9))
def test_missing_and_invalid_key_401(client, tm, index):
    seg_id = _seed(tm)
    for headers in (None, {"Authorization": "Bearer tms_nope"}, {"Authorization": "Basic abc"}):
        r = _send(client, seg_id, index, headers)
        assert r.status_code == 401, (index, headers, r.json)
        assert r.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("index", range(9))
def test_too_weak_role_403_and_enough_role_passes(client, tm, auth, index):
    seg_id = _seed(tm)
    needed = _requests(seg_id)[index][0]
    weaker = {"translator": ["reader"], "admin": ["reader", "translator"]}[needed]
    for role in weaker:
        r = _send(client, seg_id, index, auth(role))
        assert r.status_code == 403, (index, role, r.json)
        assert r.json["error"]["code"] == "forbidden"
    r = _send(client, seg_id, index, auth(needed))
    assert r.status_code < 400, (index, r.json)


def test_revoked_key_is_401(client, auth, keys, tm):
    from tmserver.auth import list_keys, revoke_key

    with tm.session() as s:
        kid = next(k.id for k in list_keys(s) if k.role == "translator")
        revoke_key(s, kid)
    r = client.post("/api/v1/segments", json=SEG, headers=auth("translator"))
    assert r.status_code == 401


def test_reads_open_by_default_and_closable(app, client, tm, auth):
    assert client.get("/api/v1/segments").status_code == 200
    app.config["READS_REQUIRE_KEY"] = True
    assert client.get("/api/v1/segments").status_code == 401
    assert client.get("/api/v1/segments", headers=auth("reader")).status_code == 200


def test_keys_are_stored_hashed(client, auth, tm):
    r = client.post("/api/v1/keys", json={"name": "bob", "role": "translator"}, headers=auth("admin"))
    secret = r.json["secret"]
    from sqlalchemy import select

    from tmserver.store.models import ApiKey

    with tm.session() as s:
        stored = [k.key_hash for k in s.scalars(select(ApiKey))]
    assert secret not in stored and all(len(h) == 64 for h in stored)
    assert client.post("/api/v1/segments", json=SEG, headers={"Authorization": f"Bearer {secret}"}).status_code == 201
