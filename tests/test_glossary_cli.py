"""``tmserver glossary import|export|lookup|check|list`` against the real database."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tmserver.cli import main

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "glossary" / "article.tbx"
DATA = ROOT / "tests" / "data" / "glossary"


def run(database_url: str, *args: str):
    return CliRunner().invoke(main, ["--database", database_url, *args], catch_exceptions=False)


def test_import_lookup_export(app, database_url, tmp_path):
    r = run(database_url, "glossary", "import", str(ARTICLE))
    assert r.exit_code == 0, r.output
    n = ARTICLE.read_bytes().count(b"<conceptEntry")
    assert n >= 75 and f"{n} concepts read, {n} created" in r.output
    r = run(database_url, "glossary", "lookup", "構建網路空間命運共同體")
    assert r.exit_code == 0
    assert "[0:11] 構建網路空間命運共同體  (c001)" in r.output
    assert "preferred  building a community with a shared future in cyberspace" in r.output
    assert "superseded building a community of shared future in cyberspace" in r.output
    out = tmp_path / "g.tbx"
    r = run(database_url, "glossary", "export", "-o", str(out))
    assert r.exit_code == 0 and out.read_bytes().count(b"<conceptEntry") == n
    r = run(database_url, "glossary", "list", "一带一路")
    assert r.stdout.startswith("c018: 一带一路 [zh preferred]")


def test_check_exit_status_with_db_and_with_a_tbx_file(app, database_url):
    run(database_url, "glossary", "import", str(ARTICLE))
    r = run(database_url, "glossary", "check", "一带一路", "One Belt, One Road")
    assert r.exit_code == 1 and "forbidden: 'One Belt, One Road' is deprecated" in r.output
    r = run(database_url, "glossary", "check", "一带一路", "the Belt and Road Initiative")
    assert r.exit_code == 0 and r.output.strip() == "ok"
    r = run(database_url, "glossary", "check", "--tbx", str(DATA / "v3_ed3_dct.tbx"), "--source-lang", "en",
            "--target-lang", "zh", "the GGE met", "专家开会")
    assert r.exit_code == 1 and "missing" in r.output and "政府专家组" in r.output


def test_bad_file_fails_cleanly_and_changes_nothing(app, tm, database_url):
    r = run(database_url, "glossary", "import", str(DATA / "bad_status.tbx"))
    assert r.exit_code == 2 and "favouriteTerm" in r.output
    from tmserver.glossary import count_concepts

    assert count_concepts(tm) == 0
