"""Fixtures of the reliability suite: real ``tmserver serve`` processes on the test database.

The short form runs in CI; ``TMSERVER_RELIABILITY_LONG=1`` selects the long form (the figures in
``bench/RELIABILITY.md``): 60 s of 16 writers and 4 readers, on one and two workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from .harness import Server

LONG = os.environ.get("TMSERVER_RELIABILITY_LONG", "").lower() in {"1", "true", "yes", "on"}


@pytest.fixture()
def served(database_url: str, app, tmp_path) -> Iterator[Callable[..., Server]]:
    """``served(workers=1, env=None)`` starts a server on the (freshly wiped) test database."""
    servers: list[Server] = []

    def start(workers: int = 1, env: dict[str, str] | None = None) -> Server:
        srv = Server(database_url, workers=workers, env=env or {}, log_path=tmp_path / f"server{len(servers)}.log")
        servers.append(srv)
        return srv.start()

    yield start
    for srv in servers:
        srv.stop()


@pytest.fixture()
def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite")
