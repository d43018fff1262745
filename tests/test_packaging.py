"""pyproject.toml's package-data names files that exist: a pattern that matches nothing is a
stale entry (a file that moved or never shipped), and a wheel built from it silently lacks it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_data_pattern_matches_a_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    package_data = config["tool"]["setuptools"]["package-data"]
    assert package_data, "no package-data: templates, static files and migrations would not ship"
    for package, patterns in package_data.items():
        folder = ROOT / package.replace(".", "/")
        for pattern in patterns:
            files = [p for p in folder.glob(pattern) if p.is_file()]
            assert files, f"package-data pattern {pattern!r} of {package!r} matches no file in {folder}"
