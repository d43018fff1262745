"""Configuration: defaults, an optional config file, and ``TMSERVER_*`` environment variables.

Precedence, lowest first: :data:`DEFAULTS`; a Python config file named by ``TMSERVER_CONFIG``
(or ``--config``); environment variables ``TMSERVER_<KEY>``; the mapping passed to
``create_app(config)`` (used by tests).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

#: Project root when running from a checkout (``alignments/`` and ``glossary/`` live there).
SOURCE_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    # SQLAlchemy URL; None means a SQLite file in the instance folder.
    "DATABASE_URL": None,
    # Largest request body accepted (bytes). Imports of big TMX files go through the CLI.
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    # When true, reads (lookup, concordance, export…) need a reader key too.
    "READS_REQUIRE_KEY": False,
    # Folders whose *.tmx / *.tbx are loaded into an empty database by ``serve``.
    "SEED_DIRS": None,
    # Glossary enforcement policy for TM writes: strict | warn | off.
    "GLOSSARY_POLICY": "strict",
    # SQLite: seconds a write waits for the database's write lock before a 503 (busy) answer.
    "SQLITE_BUSY_TIMEOUT": 5.0,
    # SQLite durability: FULL (an acknowledged write survives power loss) | NORMAL (faster; the
    # last commits may be lost on power loss or an OS crash) | OFF | EXTRA.
    "SQLITE_SYNCHRONOUS": "FULL",
}

_BOOL_KEYS = {"READS_REQUIRE_KEY"}
_INT_KEYS = {"MAX_CONTENT_LENGTH"}
_FLOAT_KEYS = {"SQLITE_BUSY_TIMEOUT"}


def _coerce(key: str, value: str) -> Any:
    if key in _BOOL_KEYS:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if key in _INT_KEYS:
        return int(value)
    if key in _FLOAT_KEYS:
        return float(value)
    return value


def load_config(overrides: dict[str, Any] | None = None, config_file: str | None = None) -> dict[str, Any]:
    cfg = dict(DEFAULTS)
    path = config_file or os.environ.get("TMSERVER_CONFIG")
    if path:
        ns: dict[str, Any] = {}
        exec(compile(Path(path).read_text(encoding="utf-8"), path, "exec"), ns)  # noqa: S102
        cfg.update({k: v for k, v in ns.items() if k.isupper()})
    for key in list(DEFAULTS) + ["SECRET_KEY"]:
        env = os.environ.get(f"TMSERVER_{key}")
        if env is not None:
            cfg[key] = _coerce(key, env)
    if overrides:
        cfg.update(overrides)
    return cfg


def default_seed_dirs() -> list[Path]:
    """``alignments/`` and ``glossary/`` next to the package (a checkout) or in the cwd."""
    dirs: list[Path] = []
    for root in (Path.cwd(), SOURCE_ROOT):
        for name in ("alignments", "glossary"):
            d = root / name
            if d.is_dir() and d.resolve() not in [x.resolve() for x in dirs]:
                dirs.append(d)
    return dirs
