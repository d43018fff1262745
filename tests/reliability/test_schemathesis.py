"""schemathesis over our own OpenAPI document, against a real served process, without a key and
with an admin key: no 5xx, every status code documented, every response valid against its
documented schema and media type. The server runs with ``VALIDATE_RESPONSES`` too, so an answer
that breaks the document is also a 500 schemathesis reports.

CI runs a few examples per operation (a couple of thousand cases); the long form
(``TMSERVER_RELIABILITY_LONG=1``, or ``TMSERVER_SCHEMATHESIS_EXAMPLES=480``) runs the ≥ 20,000
cases per key recorded in ``bench/RELIABILITY.md``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import LONG

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("TMSERVER_SCHEMATHESIS_EXAMPLES", "480" if LONG else "1"))
#: CI skips the stateful phase (one scenario, a minute on a loaded box); the long form runs them all
PHASES = "examples,coverage,fuzzing,stateful" if LONG else "examples,coverage,fuzzing"
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_schemathesis_finds_no_server_error_or_schema_violation(served, keys, role, tmp_path, capsys):
    srv = served(env={"TMSERVER_VALIDATE_RESPONSES": "1"})
    st = Path(sys.executable).with_name("st")
    cmd = [str(st), "run", srv.base + "/api/v1/openapi.json", "--checks", CHECKS, "--phases", PHASES, "--max-examples", str(EXAMPLES),
           "--seed", "9", "--no-color", "--generation-database", "none", "--request-timeout", "120",
           "--report-dir", str(tmp_path)]
    if role == "admin":
        cmd += ["--header", f"Authorization: Bearer {keys['admin']}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, cwd=tmp_path)  # its cache goes there
    summary = [line for line in out.stdout.splitlines() if "generated" in line or "passed" in line]
    with capsys.disabled():
        print(f"\nschemathesis ({role}, {EXAMPLES} examples per operation):", *summary[-2:])
    assert out.returncode == 0, out.stdout[-6000:]
