"""The command line against the real database: keys, import/export, db upgrade, errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tmserver.cli import main, seed_if_empty

DATA = Path(__file__).parent / "data"


def run(database_url: str, *args: str):
    return CliRunner().invoke(main, ["--database", database_url, *args], catch_exceptions=False)


def test_keys_create_prints_secret_once_and_it_works(app, client, database_url):
    r = run(database_url, "keys", "create", "--role", "translator", "--name", "alice")
    assert r.exit_code == 0, r.output
    secret = r.stdout.strip().splitlines()[-1]
    assert secret.startswith("tms_")
    listed = run(database_url, "keys", "list").stdout
    assert "alice" in listed and secret not in listed
    ok = client.post("/api/v1/segments", json={"source": "数字经济。", "target": "The digital economy."},
                     headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 201
    key_id = listed.split()[0]
    assert run(database_url, "keys", "revoke", key_id).exit_code == 0
    again = client.post("/api/v1/segments", json={"source": "数字经济。", "target": "The digital economy."},
                        headers={"Authorization": f"Bearer {secret}"})
    assert again.status_code == 401


def test_import_export_round_trip(app, tm, database_url, tmp_path):
    r = run(database_url, "import", str(DATA / "sample.tmx"), "--quiet")
    assert r.exit_code == 0, r.output
    assert "imported 3 of 3" in r.output
    out = tmp_path / "out.tmx"
    assert run(database_url, "export", "--format", "tmx", "-o", str(out)).exit_code == 0
    assert out.read_bytes().count(b"<tu ") == 3
    assert tm.list_segments(origin="sample")["total"] == 3  # origin defaults to the file name
    csv_out = tmp_path / "out.csv"
    assert run(database_url, "export", "--format", "csv", "-o", str(csv_out)).exit_code == 0
    assert csv_out.read_text(encoding="utf-8").splitlines()[0] == "zh,en"


def test_failed_import_exits_2_and_changes_nothing(app, tm, database_url, tmp_path):
    bad = tmp_path / "bad.tmx"
    bad.write_text('<?xml version="1.0"?><tmx version="1.4"><header srclang="zh"/><body>'
                   '<tu><tuv xml:lang="zh"><seg>好</seg></tuv><tuv xml:lang="en"><seg>good</seg></tuv></tu>'
                   '<tu><tuv xml:lang="zh"><seg>坏', encoding="utf-8")
    r = CliRunner().invoke(main, ["--database", database_url, "import", str(bad), "--quiet"])
    assert r.exit_code == 2
    assert "malformed XML" in r.output
    assert tm.count() == 0


def test_db_upgrade_is_idempotent(app, database_url):
    r = run(database_url, "db", "upgrade")
    assert r.exit_code == 0 and "database at revision" in r.output


def test_policy_command(app, tm, database_url):
    assert run(database_url, "policy", "warn").stdout.strip() == "warn"
    assert tm.glossary_policy() == "warn"
    assert run(database_url, "policy", "off", "--origin", "drafts").stdout.strip() == "off"
    assert tm.glossary_policy("drafts") == "off" and tm.glossary_policy() == "warn"


def test_lookup_json_is_the_document_the_api_returns(app, client, tm, database_url):
    """One lookup document for every face: the glossary's terms and each match's term problems
    come from the core, so `tmserver lookup --json` is what `GET /api/v1/lookup` answers."""
    seed_if_empty(tm, [Path(__file__).parent.parent / "glossary", Path(__file__).parent.parent / "alignments"],
                  echo=lambda *_: None)
    q = "十年來，構建網路空間命運共同體理念已從中國倡議成長為國際共識。"
    api = client.get("/api/v1/lookup", query_string={"q": q, "source_lang": "zh", "target_lang": "en"}).get_json()
    r = run(database_url, "lookup", q, "--json")
    assert r.exit_code == 0, r.output
    cli = json.loads(r.stdout)
    assert cli == api
    assert api["terms"] and api["matches"] and "term_problems" in api["matches"][0]
