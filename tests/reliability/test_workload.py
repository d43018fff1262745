"""Concurrent writers, readers and imports against real served processes, then a full audit
(:mod:`.workload`). CI runs a short form; ``TMSERVER_RELIABILITY_LONG=1`` runs the issue's long
form (60 s, 16 writers + 4 readers, default ``serve`` and ``--workers 2``); the figures of the long
runs are in ``bench/RELIABILITY.md``."""

from __future__ import annotations

import json

import pytest

from . import workload
from .conftest import LONG

pytestmark = pytest.mark.slow

SHAPES = [pytest.param(1, id="serve"), pytest.param(2, id="workers2")] if LONG else [pytest.param(2, id="workers2")]


@pytest.mark.parametrize("workers", SHAPES)
def test_concurrent_writers_readers_and_imports(served, keys, workers, capsys):
    srv = served(workers=workers)
    if LONG:
        result = workload.run(srv.base, keys, duration=60, writers=16, readers=4, import_units=500, import_pause=1.0)
    else:
        result = workload.run(srv.base, keys, duration=6, writers=8, readers=2, import_units=300, import_pause=1.0)
    with capsys.disabled():
        print("\nreliability workload:", json.dumps(result, ensure_ascii=False))
    assert result["server_errors"] == 0, result["server_error_examples"]
    assert result["lost"] == 0 and result["wrong_text"] == 0, result["examples"]
    assert result["duplicated_versions_acknowledged"] == 0 and result["duplicated_versions_stored"] == 0
    assert result["imports"] >= 1 and not result["failed_imports"], result["failed_imports"]
    assert result["imported_units_missing_after_1s"] == 0
    assert result["acknowledged_writes"] >= 8, "too few writes to mean anything"  # a loaded machine is slow
