"""Configuration: defaults, an optional config file, and ``TMSERVER_*`` environment variables.

Precedence, lowest first: the defaults of :class:`Settings`; a Python config file named by
``TMSERVER_CONFIG`` (or ``--config``); environment variables ``TMSERVER_<KEY>``; the mapping
passed to ``create_app(config)`` (used by tests).

Every value is validated **once**, when the configuration is loaded, by the typed model
:class:`Settings` (pydantic). A bad value stops start-up with :class:`ConfigError`, whose message
names the setting *as the user wrote it* (``TMSERVER_GLOSSARY_POLICY`` or ``GLOSSARY_POLICY in
/etc/tmserver.py``) and what it accepts — a misspelt policy must never quietly weaken enforcement.
Enumerations are case-insensitive (``Strict`` is ``strict``); booleans take the usual words
(1/0, true/false, yes/no, on/off); ``SEED_DIRS`` from the environment is a list separated by
:data:`os.pathsep`, like ``PATH``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tmserver.errors import TMError

#: Project root when running from a checkout (``alignments/`` and ``glossary/`` live there).
SOURCE_ROOT = Path(__file__).resolve().parent.parent

Policy = Literal["strict", "warn", "off"]
LogFormat = Literal["text", "json"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
SqliteSync = Literal["FULL", "NORMAL", "OFF", "EXTRA"]


class ConfigError(TMError):
    """A setting has a value the server cannot run with; raised before anything starts."""

    status = 500
    code = "bad_configuration"


class Settings(BaseModel):
    """The server's own settings, with their types and defaults.

    Other UPPERCASE names (Flask's own ``TESTING``, ``SECRET_KEY`` …) pass through untouched,
    so a config file can still set any Flask option.
    """

    model_config = ConfigDict(extra="allow", validate_default=True)

    #: SQLAlchemy URL; None means a SQLite file in the instance folder.
    DATABASE_URL: str | None = None
    #: Largest request body accepted (bytes). Imports of big TMX files go through the CLI.
    MAX_CONTENT_LENGTH: int = Field(64 * 1024 * 1024, gt=0)
    #: When true, reads (lookup, concordance, export…) need a reader key too.
    READS_REQUIRE_KEY: bool = False
    #: Folders whose *.tmx / *.tbx are loaded into an empty database by ``serve``.
    SEED_DIRS: list[str] | None = None
    #: Glossary enforcement policy for TM writes until one is stored with ``tmserver policy``.
    GLOSSARY_POLICY: Policy = "strict"
    #: Server log lines as readable text or as JSON objects, one per line.
    LOG_FORMAT: LogFormat = "text"
    LOG_LEVEL: LogLevel = "INFO"
    #: Put the looked-up text (URL path and query) in access lines; off, lines name the route only.
    LOG_QUERY_TEXT: bool = False
    #: Check every API answer against the generated OpenAPI document and fail the request on a
    #: mismatch (tests and debugging; costs a schema validation per answer).
    VALIDATE_RESPONSES: bool = False
    #: CAT-tool routes (amaGama /tmserver/…, MyMemory /get): origins allowed by CORS, comma-separated
    #: or "*"; empty = no CORS headers.
    CORS_ORIGINS: str = ""
    #: How long CAT clients may cache a lookup answer (Cache-Control max-age, seconds).
    COMPAT_CACHE_SECONDS: int = Field(60, ge=0)
    #: Accept amaGama write calls without a key (translate-toolkit's tmclient cannot send one);
    #: glossary enforcement and the duplicate policy still apply.
    COMPAT_ANONYMOUS_WRITES: bool = False
    #: SQLite: seconds a write waits for the database's write lock before a 503 (busy) answer.
    SQLITE_BUSY_TIMEOUT: float = Field(5.0, gt=0)
    #: SQLite durability: FULL (an acknowledged write survives power loss) | NORMAL (faster; the
    #: last commits may be lost on power loss or an OS crash) | OFF | EXTRA.
    SQLITE_SYNCHRONOUS: SqliteSync = "FULL"
    #: Seconds between a process's reports of how far it has applied the change log.
    CHANGE_LOG_HEARTBEAT: float = Field(5.0, gt=0)
    #: Seconds after its last report that a process no longer holds back change-log compaction
    #: (when it comes back it finds its position pruned and rebuilds its index).
    CHANGE_CONSUMER_TIMEOUT: float = Field(600.0, gt=0)
    #: Seconds between compactions of the change log (each process, at most this often).
    CHANGE_LOG_COMPACT_INTERVAL: float = Field(60.0, ge=0)
    #: Where the saved lookup indexes live (memory-mapped by every worker of the machine). Empty:
    #: next to the SQLite file (``tm.sqlite.index``) or ``<instance>/index-<database>`` for
    #: PostgreSQL; ``off``: no saved index (each worker builds its own in memory).
    INDEX_DIR: str = ""
    #: Language indexes loaded at start (comma-separated, e.g. ``zh`` or ``zh,en``), or ``auto``:
    #: each language's index is loaded on its first lookup. Readiness waits for the listed ones.
    INDEX_LANGS: str = "zh,en"
    #: Seconds a lookup waits for its language's index during a cold build (no saved index)
    #: before answering 503 ``index_warming`` with ``Retry-After``.
    INDEX_WAIT: float = Field(30.0, ge=0)
    #: Threads that share one exhaustive scan of a length window (English sources at low
    #: thresholds; see :mod:`tmserver.index.spread`): 0 for one per CPU this process may use, 1
    #: for the request's own thread alone. A scan is spread only while a CPU is idle, so a busy
    #: server does the same work as with 1.
    SCAN_THREADS: int = Field(0, ge=0, le=64)

    @field_validator("GLOSSARY_POLICY", "LOG_FORMAT", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("LOG_LEVEL", "SQLITE_SYNCHRONOUS", mode="before")
    @classmethod
    def _upper_case(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("INDEX_LANGS")
    @classmethod
    def _index_langs(cls, value: str) -> str:
        value = value.strip().lower()
        if value == "auto":
            return value
        langs = [v.strip() for v in value.split(",") if v.strip()]
        bad = [v for v in langs if v not in ("zh", "en")]
        if not langs or bad:
            raise ValueError(f"expected 'auto' or a comma-separated list of zh, en; got {value!r}")
        return ",".join(langs)

    @field_validator("SEED_DIRS", mode="before")
    @classmethod
    def _seed_dirs(cls, value: Any) -> Any:
        if isinstance(value, str | Path):
            return [p for p in str(value).split(os.pathsep) if p]
        if isinstance(value, list | tuple):
            return [str(p) for p in value]
        return value


#: Names read from ``TMSERVER_<NAME>``: the typed settings and Flask's session secret.
ENV_KEYS: tuple[str, ...] = (*Settings.model_fields, "SECRET_KEY")


def load_config(overrides: dict[str, Any] | None = None, config_file: str | None = None) -> dict[str, Any]:
    """Merge the sources, validate once, and return a plain dict for ``app.config``."""
    return dict(load_settings(overrides, config_file)[0])


def load_settings(
    overrides: dict[str, Any] | None = None, config_file: str | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Like :func:`load_config`, also returning where each non-default value came from."""
    raw: dict[str, Any] = {}
    origin: dict[str, str] = {}
    path = config_file or os.environ.get("TMSERVER_CONFIG")
    if path:
        ns: dict[str, Any] = {}
        exec(compile(Path(path).read_text(encoding="utf-8"), path, "exec"), ns)  # noqa: S102
        for key, value in ns.items():
            if key.isupper():
                raw[key], origin[key] = value, f"{key} in {path}"
    for key in ENV_KEYS:
        env = os.environ.get(f"TMSERVER_{key}")
        if env is not None:
            raw[key], origin[key] = env, f"TMSERVER_{key}"
    for key, value in (overrides or {}).items():
        raw[key], origin[key] = value, f"{key} (passed to create_app)"
    try:
        settings = Settings(**raw)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, origin), details=[_detail(e, origin) for e in exc.errors()]) from None
    return settings.model_dump(), origin


def _detail(err: Any, origin: dict[str, str]) -> dict[str, Any]:
    key = str(err["loc"][0]) if err["loc"] else "?"
    return {"setting": origin.get(key, key), "problem": err["msg"], "value": repr(err.get("input"))}


def _explain(exc: ValidationError, origin: dict[str, str]) -> str:
    parts = []
    for err in exc.errors():
        d = _detail(err, origin)
        parts.append(f"{d['setting']}={d['value']}: {d['problem']}")
    return "invalid configuration: " + "; ".join(parts)


def masked(key: str, value: Any) -> Any:
    """A value fit to print: secrets hidden, a database password replaced by ``***``."""
    if value is None:
        return None
    if "SECRET" in key or "PASSWORD" in key:
        return "***"
    if key == "DATABASE_URL" and isinstance(value, str):
        parts = urlsplit(value)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
            return urlunsplit(parts._replace(netloc=netloc))
    return value


def default_seed_dirs() -> list[Path]:
    """``alignments/`` and ``glossary/`` next to the package (a checkout) or in the cwd."""
    dirs: list[Path] = []
    for root in (Path.cwd(), SOURCE_ROOT):
        for name in ("alignments", "glossary"):
            d = root / name
            if d.is_dir() and d.resolve() not in [x.resolve() for x in dirs]:
                dirs.append(d)
    return dirs


def default_index_dir(database_url: str, instance_path: str) -> Path:
    """Where saved indexes go when ``INDEX_DIR`` is empty: next to a SQLite file
    (``tm.sqlite`` → ``tm.sqlite.index``), else ``<instance>/index-<database name>`` (several
    PostgreSQL databases may share an instance folder)."""
    if database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
        return Path(database_url[len("sqlite:///"):] + ".index")
    name = database_url.rsplit("/", 1)[-1].split("?", 1)[0] or "default"
    return Path(instance_path) / f"index-{name}"
