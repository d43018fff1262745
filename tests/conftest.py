"""Test fixtures: the real app on a real database.

The database is ``TMSERVER_TEST_DATABASE_URL`` (CI points it at a fresh PostgreSQL database) or,
by default, a temporary SQLite file. The schema is built once through the Alembic migrations,
exactly as ``tmserver serve`` builds it; each test then starts from empty tables.

If a PostgreSQL URL is given but the server does not answer, the whole run fails: a suite that
silently skipped its database would pass without testing anything.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, text

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TMSERVER_TEST_DATABASE_URL")
    if not url:
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    from tmserver.store.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect ends the run
        pytest.exit(f"TMSERVER_TEST_DATABASE_URL={url} is unreachable: {exc}", returncode=3)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def _schema(database_url: str) -> list[str]:
    """Upgrade once; return the tables in an order safe for DELETE (children first)."""
    from tmserver.store.db import make_engine, upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    meta = MetaData()
    meta.reflect(engine)
    order = [t.name for t in reversed(meta.sorted_tables) if t.name != "alembic_version"]
    engine.dispose()
    return order


def _wipe(engine, tables: list[str]) -> None:
    with engine.begin() as conn:
        for name in tables:
            conn.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture()
def app(database_url: str, _schema: list[str]):
    from tmserver.app import create_app

    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SEED_DIRS": [],
                      "VALIDATE_RESPONSES": True})
    tm = app.extensions["tmserver"]
    _wipe(tm.engine, _schema)
    yield app
    tm.close()  # deregisters its change-log consumers: a PostgreSQL test after it shares the log


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def tm(app):
    return app.extensions["tmserver"]


@pytest.fixture()
def keys(tm) -> dict[str, str]:
    """One API key secret per role."""
    from tmserver.auth import ROLES, create_key

    out = {}
    with tm.session() as s:
        for role in ROLES:
            _key, secret = create_key(s, f"test-{role}", role)
            out[role] = secret
    return out


@pytest.fixture()
def auth(keys) -> Callable[[str], dict[str, str]]:
    """``auth("translator")`` → headers carrying that role's key."""
    return lambda role: {"Authorization": f"Bearer {keys[role]}"}


#: gunicorn's start-up line, which names the port the kernel chose for ``--port 0``
LISTENING = re.compile(rb"Listening at: http://127\.0\.0\.1:(\d+) ")
#: generous: on a machine loaded many times over, seeding the article TM and booting gunicorn can
#: take tens of seconds; a server that has really failed exits, which is noticed at once
START_TIMEOUT = 180


def _wait_until_serving(proc: subprocess.Popen, log: Path) -> str:
    """The base URL of ``proc`` once its log names the port and ``/api/v1/health`` answers there."""
    deadline = time.monotonic() + START_TIMEOUT
    base = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text('utf-8', 'replace')}")
        if base is None:
            found = LISTENING.search(log.read_bytes())
            if found:
                base = f"http://127.0.0.1:{int(found.group(1))}"
        if base is not None:
            try:
                with urllib.request.urlopen(base + "/api/v1/health", timeout=10) as r:
                    if r.status == 200:
                        return base
            except OSError:
                pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer within {START_TIMEOUT} s:\n{log.read_text('utf-8', 'replace')[-3000:]}")


@pytest.fixture()
def wait_until_serving() -> Callable[[subprocess.Popen, Path], str]:
    """For tests that start a server of their own with port 0: its base URL once it answers."""
    return _wait_until_serving


@pytest.fixture()
def live_server(
    database_url: str, _schema: list[str], app, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., str]]:
    """Start real ``tmserver serve`` processes (gunicorn) on the test database.

    ``start(workers=1, extra_env=None)`` returns the base URL once ``/api/v1/health`` answers.
    """
    procs: list[subprocess.Popen] = []
    logs: list[Path] = []

    def start(workers: int = 1, extra_env: dict[str, str] | None = None, seed: bool = False) -> str:
        env = {**os.environ, "TMSERVER_DATABASE_URL": database_url, **(extra_env or {})}
        # --port 0: the server binds a port the kernel picks and gunicorn logs it. A port picked
        # here and bound later could be taken in between — by another test's server even, whose
        # health answer would then pass for this one's.
        cmd = [sys.executable, "-m", "tmserver", "serve", "--port", "0", "--workers", str(workers)]
        if not seed:
            cmd.append("--no-seed")
        # The server's output goes to a file, not a pipe: nobody reads a pipe while the test runs,
        # and a full pipe (64 KiB of access log) blocks the server mid-request.
        log = tmp_path_factory.mktemp("server") / "server.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        procs.append(proc)
        logs.append(log)
        return _wait_until_serving(proc, log)

    start.procs, start.logs = procs, logs  # type: ignore[attr-defined]  # (a test may stop its server)
    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
