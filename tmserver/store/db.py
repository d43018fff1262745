"""Engines and sessions for SQLite and PostgreSQL, and schema upgrades through Alembic.

SQLite runs in WAL mode so several gunicorn workers can share one file; PostgreSQL goes through
psycopg 3. ``postgresql://`` URLs are rewritten to the psycopg driver.

**SQLite transactions.** pysqlite's own transaction handling starts a *deferred* transaction only
at the first write, so a read-modify-write (read a segment, write its next version) reads outside
any lock and two of them can both read version 5 and both write version 6. We switch that off and
emit ``BEGIN`` ourselves: a :func:`write_transaction` starts with ``BEGIN IMMEDIATE``, which takes
the database's write lock *before* the read, so read-modify-writes are serialised; every other
transaction starts with a plain (deferred) ``BEGIN``, a WAL snapshot that never blocks and is never
blocked. A writer waits at most ``busy_timeout`` seconds for the lock, then gets :class:`Busy`
(the API answers a fast 503 with ``Retry-After``) instead of hanging.

**SQLite durability** (``synchronous``): ``FULL`` (the default) syncs the WAL on every commit, so
an acknowledged write survives a power loss; ``NORMAL`` is faster but may lose the last commits on
power loss or an OS crash (never on a process crash such as ``kill -9``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tmserver.errors import Busy

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def normalize_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")
#: execution option that makes a SQLite transaction start with BEGIN IMMEDIATE
WRITE_OPTION = "tmserver_write"


def make_engine(url: str, *, busy_timeout: float = 5.0, synchronous: str = "FULL") -> Engine:
    """An engine for ``url``. SQLite: WAL, ``busy_timeout`` seconds of waiting for the write lock,
    ``synchronous`` one of :data:`SYNCHRONOUS_MODES` (see the module docstring)."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        mode = str(synchronous).upper()
        if mode not in SYNCHRONOUS_MODES:
            raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SYNCHRONOUS_MODES)}, got {synchronous!r}")
        wait_ms = max(0, int(float(busy_timeout) * 1000))
        engine = create_engine(url, connect_args={"timeout": wait_ms / 1000, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={wait_ms}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA synchronous={mode}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _is_busy(exc: OperationalError) -> bool:
    """SQLite's "database is locked/busy": the write lock was not free within busy_timeout."""
    msg = str(exc.orig).lower()
    return "database is locked" in msg or "database is busy" in msg


@contextmanager
def transaction(factory: sessionmaker[Session], *, write: bool = False, snapshot: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error.

    ``write=True`` takes SQLite's write lock at the start (``BEGIN IMMEDIATE``), so what the
    transaction reads cannot change before it commits; on PostgreSQL it changes nothing (use
    ``SELECT … FOR UPDATE`` for the rows you will change). A lock not obtained within the busy
    timeout raises :class:`~tmserver.errors.Busy`.

    ``snapshot=True`` (reads only) makes every statement see the state of the first one:
    PostgreSQL ``REPEATABLE READ`` (SQLite's deferred WAL transaction already does so).
    """
    session = factory()
    try:
        if write:
            session.connection(execution_options={WRITE_OPTION: True})
        elif snapshot and session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session
        session.commit()
    except OperationalError as exc:
        session.rollback()
        if _is_busy(exc):
            raise Busy("the database is busy with another write (a long import?); retry shortly",
                       {"cause": "database_locked", "retry_after": Busy.retry_after}) from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def read_transaction(factory: sessionmaker[Session]):
    """:func:`transaction` for reads that must see one snapshot throughout (a lookup)."""
    return transaction(factory, snapshot=True)


def write_transaction(factory: sessionmaker[Session]):
    """:func:`transaction` with the write lock taken first (SQLite ``BEGIN IMMEDIATE``)."""
    return transaction(factory, write=True)


def alembic_config(engine: Engine):
    # deferred (start-up time): alembic takes seconds to import and only schema checks and upgrades need it
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` (idempotent). Each area (glossary, QA…) keeps its own
    branch of revisions from ``0001``, so the default target is every head."""
    # deferred (start-up time): alembic takes seconds to import and only schema checks and upgrades need it
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The applied revision(s), comma-separated when several branches are applied."""
    # deferred (start-up time): alembic takes seconds to import and only schema checks and upgrades need it
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


def head_revisions() -> set[str]:
    # deferred (start-up time): alembic takes seconds to import and only schema checks and upgrades need it
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


def needs_upgrade(engine: Engine) -> bool:
    return set((current_revision(engine) or "").split(",")) - {""} != head_revisions()


def insert_if_absent(session: Session, model: Any, conflict_on: str, /, **values: Any) -> None:
    """``INSERT … ON CONFLICT (conflict_on) DO NOTHING`` on SQLite and PostgreSQL: processes racing to
    create one row agree on whoever stored it first, and the loser's insert is no error (a plain
    insert failed on the primary key, and PostgreSQL logged an ERROR line each time)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=[conflict_on]))
