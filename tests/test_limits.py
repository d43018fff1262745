"""Hostile input is a clear 4xx JSON error that changes nothing (issue 9, findings 4–6), and the
SQLite write lock never blocks reads or authentication."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
from sqlalchemy import text

from tmserver.app import create_app
from tmserver.config import ConfigError


def _is_error(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.is_json, r.get_data(as_text=True)[:300]
    err = r.json["error"]
    assert set(err) == {"code", "message", "details", "request_id"}
    assert err["request_id"] == r.headers["X-Request-ID"]
    if code:
        assert err["code"] == code, err
    return err


@pytest.mark.parametrize("url", [
    "/api/v1/segments?page=78793052692278736322560",
    "/api/v1/segments?per_page=99999999999999999999999",
    "/api/v1/segments?page=1e400",
    "/api/v1/concordance?lang=zh&q=x&offset=4345657033710296682063809933855424512",
    "/api/v1/glossary/concepts?page=78793052692278736322560",
    "/api/v1/segments?page=2147483648",
])
def test_integers_beyond_the_database_range_are_400(client, url):
    _is_error(client.get(url), 400, "invalid_input")


@pytest.mark.parametrize("path", ["/api/v1/segments/2147483648", "/api/v1/segments/" + "9" * 30,
                                  "/api/v1/segments/0/history", "/api/v1/segments/99999999999999999999/history"])
def test_ids_beyond_the_database_range_are_404(client, path):
    _is_error(client.get(path), 404)


def test_big_ids_in_writes_are_404_not_500(client, auth):
    _is_error(client.put("/api/v1/segments/" + "9" * 25, json={"target": "x"}, headers=auth("translator")), 404)
    _is_error(client.delete("/api/v1/keys/4294967296", headers=auth("admin")), 404)


@pytest.mark.parametrize("url", [
    "/api/v1/segments?origin=a%00b",
    "/api/v1/segments?q=%00",
    "/api/v1/concordance?lang=zh&q=%E7%BD%91%00",
    "/api/v1/lookup?q=%E7%BD%91%E7%BB%9C&context_prev=%00",
    "/api/v1/export?origin=%00",
    "/api/v1/terms?text=%E7%BD%91%00",
    "/tmserver/zh/en/unit/%E7%BD%91%00",
    "/api/v1/segments?x%01=1",
])
def test_control_characters_in_filters_are_400_on_every_database(client, url):
    err = _is_error(client.get(url), 400, "invalid_input")
    assert "position" in err["details"] and "field" in err["details"]


def test_control_characters_anywhere_in_a_json_body_change_nothing(client, auth, tm):
    before = tm.count()
    body = {"source": "网络空间", "target": "cyberspace", "origin": "a\x00b"}
    err = _is_error(client.post("/api/v1/segments", json=body, headers=auth("translator")), 400)
    assert err["details"]["field"] == "origin"
    body = {"source": "网络空间", "target": "cyberspace", "extra": {"note": ["ok", "bad\x07"]}}
    err = _is_error(client.post("/api/v1/segments", json=body, headers=auth("translator")), 400)
    assert err["details"]["field"] == "extra.note[1]"
    assert tm.count() == before


@pytest.mark.parametrize("depth", [40, 5000, 100_000])
def test_deeply_nested_json_is_400(client, auth, depth):
    raw = "[" * depth + "]" * depth
    r = client.post("/api/v1/lookup/batch", data=raw, content_type="application/json")
    _is_error(r, 400, "invalid_input")


def test_a_batch_lookup_has_a_character_budget(client):
    t0 = time.monotonic()
    r = client.post("/api/v1/lookup/batch", json={"segments": ["网" * 10_000] * 1000})
    err = _is_error(r, 413, "batch_too_large")
    assert err["details"]["maximum_characters"] < 10_000_000
    assert time.monotonic() - t0 < 5, "refused before any lookup runs"
    _is_error(client.post("/api/v1/lookup/batch", json={"segments": ["网络"] * 1001}), 400)


def test_405_is_json_and_names_the_allowed_methods(client):
    r = client.post("/api/v1/health")
    _is_error(r, 405)
    assert set(r.headers["Allow"].split(", ")) >= {"GET"}
    r = client.patch("/api/v1/segments")
    assert {"GET", "POST"} <= set(r.headers["Allow"].split(", "))


def test_timestamps_keep_their_offset_from_post_to_get(client, auth):
    created = client.post("/api/v1/segments", json={"source": "时间戳", "target": "timestamp"},
                          headers=auth("translator")).json["segment"]
    read = client.get(f"/api/v1/segments/{created['id']}").json
    assert created["created_at"] == read["created_at"] and read["created_at"].endswith("+00:00")
    client.put(f"/api/v1/segments/{created['id']}", json={"target": "timestamps"}, headers=auth("translator"))
    hist = client.get(f"/api/v1/segments/{created['id']}/history").json["history"]
    assert hist[0]["changed_at"].endswith("+00:00") and hist[0]["segment"]["updated_at"].endswith("+00:00")
    keys = client.get("/api/v1/keys", headers=auth("admin")).json["keys"]
    assert all(k["created_at"].endswith("+00:00") for k in keys)


@pytest.mark.parametrize("name", ["bad\x1bname", "tab\tname", "zero\u200bwidth", "line\nbreak"])
def test_key_names_must_be_printable(client, auth, name):
    _is_error(client.post("/api/v1/keys", json={"name": name, "role": "reader"}, headers=auth("admin")), 400)


def test_the_last_active_admin_key_cannot_be_revoked_through_the_api(client, auth):
    keys = client.get("/api/v1/keys", headers=auth("admin")).json["keys"]
    (admin,) = [k for k in keys if k["role"] == "admin"]
    err = _is_error(client.delete(f"/api/v1/keys/{admin['id']}", headers=auth("admin")), 409, "conflict")
    assert "last active admin" in err["message"]
    second = client.post("/api/v1/keys", json={"name": "second admin", "role": "admin"}, headers=auth("admin")).json
    assert client.delete(f"/api/v1/keys/{admin['id']}", headers=auth("admin")).status_code == 200
    other = {"Authorization": f"Bearer {second['secret']}"}
    _is_error(client.delete(f"/api/v1/keys/{second['key']['id']}", headers=other), 409, "conflict")


def test_sqlite_synchronous_is_a_setting(database_url, _schema):
    if not database_url.startswith("sqlite"):
        pytest.skip("a SQLite setting")
    for setting, expected in (("FULL", 2), ("NORMAL", 1)):
        app = create_app({"DATABASE_URL": database_url, "SQLITE_SYNCHRONOUS": setting, "SEED_DIRS": []})
        with app.extensions["tmserver"].engine.connect() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar() == expected
        app.extensions["tmserver"].close()
    with pytest.raises(ConfigError, match="SQLITE_SYNCHRONOUS"):  # validated with every setting, at start-up
        create_app({"DATABASE_URL": database_url, "SQLITE_SYNCHRONOUS": "sometimes", "SEED_DIRS": []})


def test_sqlite_busy_writer_gets_a_fast_503_while_reads_and_auth_go_on(database_url, _schema, app, keys):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single write lock")
    busy = create_app({"DATABASE_URL": database_url, "SQLITE_BUSY_TIMEOUT": 0.5, "SEED_DIRS": []})
    client = busy.test_client()
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # like a long import: the write lock is taken
    try:
        t0 = time.monotonic()
        r = client.post("/api/v1/segments", json={"source": "忙", "target": "busy"},
                        headers={"Authorization": f"Bearer {keys['translator']}"})
        err = _is_error(r, 503, "busy")
        assert r.headers["Retry-After"].isdigit() and err["details"]["cause"] == "database_locked"
        assert time.monotonic() - t0 < 3
        # a read with a key whose last use is due to be recorded: answered at once
        t0 = time.monotonic()
        r = client.get("/api/v1/segments", headers={"Authorization": f"Bearer {keys['reader']}"})
        assert r.status_code == 200 and time.monotonic() - t0 < 1.5
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        busy.extensions["tmserver"].close()
    assert json.loads(client.get("/api/v1/health").get_data())["segments"] == 0


def test_a_nameless_multipart_field_is_not_a_500(client, auth):
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\n{{}}\r\n"  # a part with no name at all
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.jpg\"\r\n\r\n"
            "\xff\xd8\xff\xe0 not a glossary\r\n"
            f"--{boundary}--\r\n").encode("latin-1")
    r = client.post("/api/v1/glossary/import?format=csv", data=body, headers=auth("admin"),
                    content_type=f"multipart/form-data; boundary={boundary}")
    assert 400 <= r.status_code < 500 and r.is_json, (r.status_code, r.get_data(as_text=True)[:300])
