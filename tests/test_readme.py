"""Every shell example in README.md runs as written against a real served process.

Each ```sh block in the README is preceded by a marker comment that says what to do with it:

* ``<!-- readme-test: run -->`` — run the block with ``bash -euo pipefail`` in a scratch folder
  that sees the checkout's ``alignments/``, ``glossary/``, ``samples/`` and ``.venv``, with the
  server of this test on the port the README says (5000 is rewritten to a free port) and ``curl``
  failing on any HTTP error status. :data:`EXPECT` then says what the output of particular commands must contain.
* ``<!-- readme-test: serve -->`` — the block starts a server: run it in the background, wait for
  ``/api/v1/health`` and stop it.
* ``<!-- readme-test: skip REASON -->`` — not runnable here (a synopsis with placeholders, the
  command that runs this very suite…); the reason is required.

A block without a marker fails the test, so new README examples cannot slip past it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"(?:<!--\s*readme-test:\s*(?P<mode>\w+)(?P<why>[^>]*?)-->\s*\n)?```sh\n(?P<body>.*?)```", re.S)

#: A command of the README (a substring of one of its lines) → what its output must contain.
#: Each key must still be in the README, so the expectations cannot silently go stale.
EXPECT: dict[str, list[str]] = {
    "api/v1/health": ['"segments"'],
    "--data-urlencode 'q=十年來，構建網路空間命運共同體理念": ['"score":97', '"kind":"script"', '"kind":"punctuation"'],
    "api/v1/concordance": ['"total"'],
    "api/v1/terms": ["community with a shared future in cyberspace"],
    "tmserver lookup": ["100  网络空间国际治理机制效能不足。",
                        "International governance mechanisms for cyberspace are insufficiently effective.",
                        '"query": "網路空間國際治理機制效能不足"', '"match_type": "fuzzy"'],
    "curl -s -X PUT localhost:5000/api/v1/segments/$ID": [
        '"version":2', '"target":"The digital divide is now compounded by a new AI divide."'],
    "-F file=@tm.tmx": ['"imported":0', '"duplicates":94'],
    "localhost:5000/tmserver/zh/en/lookup": ['"quality": 100', "President Xi Jinping for the first time"],
    "localhost:5000/get": [
        '"translatedText": "International governance mechanisms for cyberspace are insufficiently effective."',
        '"match": 1.0'],
    "segments/$ID/history": ['"action":"update"'],
    "api/v1/import": ['"imported"'],
    "tmserver check alignments/article.tmx --glossary": ["0 error"],
    "--gold alignments/article.gold.jsonl": ["strict", "F1"],
    # the document loop on samples/summit/ (figures as the README's "What you should see" states them)
    "tmserver analyze samples/summit/summit.xlf samples/summit/summit.v2.xlf": [
        "Repetitions                      10      277", "100%                              4      141",
        "50–74%                            1       67", "No match                          6      126",
        "Total                            26      697      33       730"],
    "pretranslate samples/summit/summit.xlf -o": [
        "filled 6 of 12 segments (exact: 3, 95-99: 1, 85-94: 2), adapted 2, kept 1 already translated, locked 1"],
    "pretranslate samples/summit/summit.po -o": ["filled 3 of 7 segments"],
    "pretranslate samples/summit/summit.md -o": ["filled 4 of 7 segments"],
    "tmserver check summit.en-US.xlf --use-db": ["11 error(s)", "exit 1 (untranslated units remain)"],
    "tmserver import samples/summit/summit.done.xlf": [
        "3 final unit(s) of 7 (final, signed-off): added 3, updated 0, refused 0; "
        "skipped 2 not final, 1 untranslated, 1 locked"],
    "tmserver import samples/summit/summit.done.po": [
        "2 final unit(s) of 4 (translated): added 1, updated 0, refused 0, 1 already stored"],
    "# leave-one-out over the TM": ["leave-one-out, zh → en", "No match"],
    "eval --test samples/summit/variants.tmx": [  # adapted above raw: chrF, BLEU up, TER down
        "All ≥ 50%                  7       5      80.87   84.88      65.89   75.20     30.95   26.67"],
    "eval --hyp summit.en-US.xlf": ["5 segments, target en-US: chrF 69.22  BLEU 54.80  TER 35.29"],
    "api/v1/analyze -F file=@samples/summit/summit.xlf": ['"filename":"summit.xlf"', '"filename":"summit.po"'],
    "-F file=@samples/summit/summit.done.xlf": ['"final":3', '"refused":0'],
    "curl -s localhost:5000/api/v1/eval": ['"mode":"leave-one-out"'],
}

PREAMBLE = r"""
curl() { command curl --fail-with-body --show-error "$@"; echo; }
"""


def blocks() -> list[tuple[str, str, str]]:
    found = [(m["mode"] or "", (m["why"] or "").strip(), m["body"]) for m in BLOCK.finditer(README.read_text("utf-8"))]
    assert found, "README.md has no ```sh blocks"
    return found


def test_every_block_has_a_marker_and_every_expectation_a_command() -> None:
    text = README.read_text("utf-8")
    for mode, why, body in blocks():
        assert mode in {"run", "serve", "skip"}, f"README block without a readme-test marker:\n{body}"
        assert mode != "skip" or why, f"a skipped README block needs a reason:\n{body}"
    for key in EXPECT:
        assert key in text, f"EXPECT names a command that is no longer in the README: {key!r}"


def test_synopsis_shows_the_defaults() -> None:
    """``[--threads 4]`` in the command-line synopsis is the option's real default: a value shown for
    an option that has a default must be that default (placeholders in capitals are not values)."""
    from tmserver.cli import main

    text = README.read_text("utf-8")
    start = text.index("tmserver serve [")
    synopsis = text[start:text.index("```", start)]
    checked = []
    for line in synopsis.splitlines():
        command = main.commands.get(line.split()[1])
        for opt, shown in re.findall(r"\[(--[\w-]+) ([^\]\s|]+)[\]\s]", line):
            params = [p for p in command.params if opt in p.opts] if command is not None else []
            if shown.isupper() or not params or not isinstance(params[0].default, int | float | str):
                continue  # a placeholder, or an option without a default (the value is an example)
            assert str(params[0].default) == shown, f"README synopsis: {line.strip()!r} shows {opt} {shown}, " \
                                                    f"but its default is {params[0].default}"
            checked.append(opt)
    assert len(checked) >= 4, checked
    assert "[--workers CPUS]" in synopsis and "one per CPU" in synopsis  # computed: shown as a placeholder


def test_serve_defaults_to_one_worker_per_cpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--workers`` left out: ``serve`` asks gunicorn for one worker per CPU this process may run
    on (at most 8); given, it passes the number through."""
    from click.testing import CliRunner

    from tmserver import cli

    asked: list[int] = []
    monkeypatch.setattr(cli, "run_gunicorn", lambda *a, workers, **kw: asked.append(workers))
    env = {"TMSERVER_DATABASE_URL": f"sqlite:///{tmp_path / 'tm.sqlite'}"}
    for args in (["serve", "--no-seed"], ["serve", "--no-seed", "--workers", "3"]):
        result = CliRunner().invoke(cli.main, args, env=env)
        assert result.exit_code == 0, result.output
    assert asked == [max(1, min(8, len(os.sched_getaffinity(0)))), 3]


@pytest.fixture()
def scratch(tmp_path: Path) -> Path:
    """A working folder with the checkout's data and virtual environment, and nothing to clobber."""
    for name in ("alignments", "glossary", "samples"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / ".venv").symlink_to(sys.prefix)  # the virtual environment running this test
    return tmp_path


def _env(database_url: str) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "TMSERVER_DATABASE_URL": database_url, "PATH": f"{bin_dir}:{os.environ['PATH']}"}


def _check_output(body: str, out: str) -> None:
    for key, wanted in EXPECT.items():
        if key in body:
            for piece in wanted:
                assert piece in out, f"README command {key!r}: {piece!r} not in its output:\n{out[-3000:]}"


def test_run_blocks(live_server, scratch: Path, database_url: str) -> None:
    base = live_server(seed=True)
    port = base.rsplit(":", 1)[1]
    runs = [body for mode, _why, body in blocks() if mode == "run"]
    assert runs
    for body in runs:
        script = PREAMBLE + body.replace("localhost:5000", f"127.0.0.1:{port}").replace(
            "127.0.0.1:5000", f"127.0.0.1:{port}")
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=scratch, env=_env(database_url),
                              capture_output=True, text=True, timeout=600)
        out = done.stdout + done.stderr
        assert done.returncode == 0, f"README block failed ({done.returncode}):\n{body}\n--- output ---\n{out[-4000:]}"
        _check_output(body, out)


def test_serve_blocks(scratch: Path, database_url: str, _schema, wait_until_serving) -> None:
    serves = [body for mode, _why, body in blocks() if mode == "serve"]
    for body in serves:
        # port 0: the server takes a port the kernel picks and logs it (no window for another
        # process to take a port chosen here first)
        script = body.replace(":5000", ":0").replace("--port 5000", "--port 0")
        log = scratch / "serve.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(["bash", "-euo", "pipefail", "-c", script], cwd=scratch, env=_env(database_url),
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_serving(proc, log)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    shutil.rmtree(scratch / "instance", ignore_errors=True)
