"""The layering contracts (``[tool.importlinter]`` in pyproject.toml) hold on this tree, and they
do catch a face that reaches past the service layer into the store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed (pip install -e .[test])")


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}  # the copy's tmserver, not the installed one
    return subprocess.run([str(LINT), "--no-cache", "--config", str(tree / "pyproject.toml")], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=300)


def copy_tree(dest: Path) -> Path:
    shutil.copytree(ROOT / "tmserver", dest / "tmserver", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def test_the_contracts_hold() -> None:
    r = lint(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout


@pytest.mark.parametrize(("face", "line", "contract"), [
    ("tmserver/api/health.py", "from tmserver.store.db import current_revision", "tmserver.api is not allowed to import tmserver.store"),
    ("tmserver/glossary/cli.py", "from tmserver.glossary.enforce import current_glossary",
     "tmserver.glossary.cli is not allowed to import tmserver.glossary.enforce"),
    ("tmserver/tm.py", "from flask import current_app", "tmserver.tm is not allowed to import flask"),
])
def test_a_face_reaching_past_the_services_breaks_them(tmp_path: Path, face: str, line: str, contract: str) -> None:
    tree = copy_tree(tmp_path)
    path = tree / face
    text = path.read_text("utf-8")
    head, sep, rest = text.partition("from __future__ import annotations\n")
    path.write_text(head + sep + line + "  # noqa: F401\n" + rest, "utf-8")
    r = lint(tree)
    assert r.returncode != 0
    assert contract in r.stdout, r.stdout
