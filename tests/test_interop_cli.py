"""The command names: ``tmserver-zh`` (unique), ``python -m tmserver`` (unambiguous), and run.py's
warning when the ``tmserver`` on PATH belongs to translate-toolkit; CLI options of this issue."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from tmserver.cli import main

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: units in the shipped article TMX (one per aligned link)
N = len(etree.parse(str(ROOT / "alignments" / "article.tmx")).getroot().findall("body/tu"))


def _run_py():
    spec = importlib.util.spec_from_file_location("run_py_under_test", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_second_console_script_is_installed_and_works():
    script = BIN / "tmserver-zh"
    assert script.exists(), "pip install -e .[test] should install tmserver-zh"
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True).stdout
    assert "dedupe" in out and "import" in out
    same = subprocess.run([sys.executable, "-m", "tmserver", "--help"], capture_output=True, text=True, check=True)
    assert same.stdout.splitlines()[1:] == out.splitlines()[1:]


@pytest.mark.parametrize(("body", "foreign"), [
    ("from translate.services.tmserver import main\nmain()\n", True),
    ("from tmserver.cli import main\nmain()\n", False),
])
def test_run_py_detects_someone_elses_tmserver(tmp_path, monkeypatch, capsys, body, foreign):
    fake = tmp_path / "tmserver"
    fake.write_text("#!/usr/bin/python3\n" + body)
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    run_py = _run_py()
    assert (run_py.foreign_tmserver() == str(fake)) is foreign
    run_py.warn_about_foreign_tmserver()
    err = capsys.readouterr().err
    assert ("not this project's" in err) is foreign
    if foreign:
        assert "python -m tmserver" in err and "tmserver-zh" in err


def test_cli_export_punctuation_and_import_on_duplicate(tmp_path, database_url, tm):
    runner = CliRunner()
    article = ROOT / "alignments" / "article.tmx"
    first = runner.invoke(main, ["--database", database_url, "import", str(article), "--quiet"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, ["--database", database_url, "import", str(article), "--quiet"])
    assert f"imported 0 of {N} units, {N} already stored (skip)" in again.output
    out = tmp_path / "fw.tmx"
    r = runner.invoke(main, ["--database", database_url, "export", "-o", str(out), "--punctuation", "fullwidth"])
    assert r.exit_code == 0, r.output
    assert "，" in out.read_text(encoding="utf-8")
    assert tm.count() == N


def test_cli_glossary_export_v2(tmp_path, database_url, tm):
    from tmserver.glossary import import_glossary

    with (ROOT / "glossary" / "article.tbx").open("rb") as fh:
        import_glossary(tm, fh)
    out = tmp_path / "g.tbx"
    r = CliRunner().invoke(main, ["--database", database_url, "glossary", "export", "-o", str(out),
                                  "--tbx-version", "2"])
    assert r.exit_code == 0, r.output
    root = etree.parse(str(out)).getroot()
    shipped = etree.parse(str(ROOT / "glossary" / "article.tbx")).getroot()
    concepts = len(shipped.findall(".//{urn:iso:std:iso:30042:ed-2}conceptEntry"))
    assert root.tag == "martif" and len(root.findall(".//termEntry")) == concepts > 50


def test_api_glossary_export_v2_and_bad_version(client, tm):
    from tmserver.glossary import import_glossary

    with (ROOT / "glossary" / "article.tbx").open("rb") as fh:
        import_glossary(tm, fh)
    r = client.get("/api/v1/glossary/export", query_string={"format": "tbx", "version": "2"})
    assert r.status_code == 200 and etree.parse(io.BytesIO(r.data)).getroot().tag == "martif"
    assert client.get("/api/v1/glossary/export", query_string={"version": "4"}).status_code == 400
