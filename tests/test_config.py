"""Typed settings: validated once at start-up, with errors that name the setting as written."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tmserver.app import create_app
from tmserver.config import ConfigError, load_config, load_settings
from tmserver.store.models import Setting


def test_policy_is_case_insensitive(monkeypatch) -> None:
    monkeypatch.setenv("TMSERVER_GLOSSARY_POLICY", "Strict")
    assert load_config()["GLOSSARY_POLICY"] == "strict"
    monkeypatch.setenv("TMSERVER_GLOSSARY_POLICY", " WARN ")
    assert load_config()["GLOSSARY_POLICY"] == "warn"


def test_capitalised_strict_still_refuses_a_violating_write(monkeypatch, database_url, _schema) -> None:
    """The bug this replaces: ``Strict`` was neither "strict" nor "off", so writes were only warned."""
    monkeypatch.setenv("TMSERVER_GLOSSARY_POLICY", "Strict")
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SEED_DIRS": []})
    tm = app.extensions["tmserver"]
    with tm.session() as s:  # a stored policy would win over the setting
        s.query(Setting).delete()
    assert tm.glossary_policy() == "strict"
    tm.close()


def test_bad_policy_names_the_variable_and_the_choices(monkeypatch) -> None:
    monkeypatch.setenv("TMSERVER_GLOSSARY_POLICY", "bogus")
    with pytest.raises(ConfigError) as err:
        load_config()
    msg = err.value.message
    assert "TMSERVER_GLOSSARY_POLICY" in msg and "'bogus'" in msg
    assert all(choice in msg for choice in ("strict", "warn", "off"))


def test_bad_value_in_a_config_file_names_the_file(tmp_path) -> None:
    cfg = tmp_path / "tm.py"
    cfg.write_text("MAX_CONTENT_LENGTH = -5\n")
    with pytest.raises(ConfigError) as err:
        load_config(config_file=str(cfg))
    assert f"MAX_CONTENT_LENGTH in {cfg}" in err.value.message


def test_booleans_take_words_and_refuse_others(monkeypatch) -> None:
    for word, value in (("yes", True), ("Off", False), ("1", True), ("false", False)):
        monkeypatch.setenv("TMSERVER_READS_REQUIRE_KEY", word)
        assert load_config()["READS_REQUIRE_KEY"] is value
    monkeypatch.setenv("TMSERVER_READS_REQUIRE_KEY", "maybe")
    with pytest.raises(ConfigError, match="TMSERVER_READS_REQUIRE_KEY"):
        load_config()


def test_seed_dirs_split_like_path(monkeypatch) -> None:
    monkeypatch.setenv("TMSERVER_SEED_DIRS", os.pathsep.join(["/a/b", "/c d"]))
    assert load_config()["SEED_DIRS"] == ["/a/b", "/c d"]


def test_sources_are_reported(monkeypatch, tmp_path) -> None:
    cfg = tmp_path / "tm.py"
    cfg.write_text("MAX_CONTENT_LENGTH = 1000\n")
    monkeypatch.setenv("TMSERVER_GLOSSARY_POLICY", "off")
    values, origin = load_settings(config_file=str(cfg))
    assert values["MAX_CONTENT_LENGTH"] == 1000 and origin["MAX_CONTENT_LENGTH"] == f"MAX_CONTENT_LENGTH in {cfg}"
    assert origin["GLOSSARY_POLICY"] == "TMSERVER_GLOSSARY_POLICY" and "READS_REQUIRE_KEY" not in origin


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tmserver", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_config_show_masks_secrets() -> None:
    out = _cli("config", "show", "--json", env={
        "TMSERVER_DATABASE_URL": "postgresql://alice:s3cret@db.example/tm",
        "TMSERVER_SECRET_KEY": "top-secret", "TMSERVER_GLOSSARY_POLICY": "Warn"})
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout)
    assert shown["DATABASE_URL"] == "postgresql://alice:***@db.example/tm"
    assert shown["SECRET_KEY"] == "***" and shown["GLOSSARY_POLICY"] == "warn"
    assert "s3cret" not in out.stdout and "top-secret" not in out.stdout


def test_serve_refuses_to_start_with_a_bad_setting(tmp_path) -> None:
    out = _cli("serve", "--no-seed", "--port", "1", env={
        "TMSERVER_GLOSSARY_POLICY": "bogus", "TMSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"})
    assert out.returncode != 0
    assert "TMSERVER_GLOSSARY_POLICY" in out.stderr and "strict" in out.stderr
    assert not (tmp_path / "x.sqlite").exists(), "nothing may start (not even the database) on a bad setting"
