"""Logging: request ids, access lines without the looked-up text, audit events, JSON lines."""

from __future__ import annotations

import json

import pytest

from tmserver.app import create_app
from tmserver.auth import create_key

QUERY = "数字鸿沟正在叠加新的智能鸿沟"


@pytest.fixture()
def json_app(database_url, _schema):
    def make(**config):
        return create_app({"DATABASE_URL": database_url, "TESTING": True, "SEED_DIRS": [],
                           "LOG_FORMAT": "json", **config})
    yield make
    create_app({"DATABASE_URL": database_url, "TESTING": True, "SEED_DIRS": []})  # back to text lines


def _lines(err: str) -> list[dict]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_every_response_has_a_request_id_and_errors_carry_it(client) -> None:
    ok = client.get("/api/v1/health")
    assert len(ok.headers["X-Request-ID"]) == 32
    bad = client.get("/api/v1/segments/999999")
    assert bad.status_code == 404
    assert bad.json["error"]["request_id"] == bad.headers["X-Request-ID"]
    mine = client.get("/api/v1/health", headers={"X-Request-ID": "cat-tool-42"})
    assert mine.headers["X-Request-ID"] == "cat-tool-42"
    odd = client.get("/api/v1/health", headers={"X-Request-ID": "x" * 65})
    assert odd.headers["X-Request-ID"] != "x" * 65


def test_access_lines_leave_out_the_text_unless_asked(json_app, capsys) -> None:
    app = json_app()
    app.test_client().get("/api/v1/lookup", query_string={"q": QUERY, "source_lang": "zh", "target_lang": "en"})
    app.test_client().get(f"/tmserver/zh/en/unit/{QUERY}")
    err = capsys.readouterr().err
    access = [d for d in _lines(err) if d["logger"] == "tmserver.access"]
    assert [d["status"] for d in access] == [200, 200]
    assert "/tmserver/<slang>/<tlang>/unit/<path:query>" in access[1]["message"]
    assert QUERY not in err and "%E6%95%B0" not in err

    app = json_app(LOG_QUERY_TEXT=True)
    app.test_client().get("/api/v1/lookup", query_string={"q": QUERY, "source_lang": "zh", "target_lang": "en"})
    assert "q=%E6%95%B0" in capsys.readouterr().err


def test_key_and_policy_changes_are_audited_with_the_actor(json_app, capsys) -> None:
    app = json_app()
    tm = app.extensions["tmserver"]
    with tm.session() as s:
        _key, admin = create_key(s, "root", "admin")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {admin}"}
    made = client.post("/api/v1/keys", json={"name": "alice", "role": "translator"}, headers=headers)
    client.delete(f"/api/v1/keys/{made.json['key']['id']}", headers=headers)
    client.put("/api/v1/settings/glossary-policy", json={"policy": "warn"}, headers=headers)
    events = {d["event"]: d for d in _lines(capsys.readouterr().err) if d["logger"] == "tmserver.audit"}
    assert events["key.create"]["key_name"] == "alice" and events["key.create"]["role"] == "translator"
    assert events["key.revoke"]["key_id"] == made.json["key"]["id"]
    assert events["policy.set"]["policy"] == "warn"
    assert all(e["actor"].endswith("(root)") for e in events.values())
    assert all(e["request_id"] for e in events.values())
    assert made.json["secret"] not in json.dumps(events)
