#!/usr/bin/env python3
"""Two commands on a fresh machine with Python 3.11+ — nothing else needed:

    python3 run.py serve    # create .venv, install, serve the article TM on http://127.0.0.1:5000
    python3 run.py test     # create .venv, install with test extras, run the whole suite

Extra arguments go to the command (``python3 run.py serve --port 8000``, ``python3 run.py test -k tmx``).
The virtual environment is (re)installed when pyproject.toml changes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
MARKER = VENV / ".installed"


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py must explain itself on an old Python
        sys.exit(f"tmserver needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PY.exists():
        print("creating .venv …", flush=True)
        try:
            import ensurepip  # noqa: F401 - Debian/Ubuntu ship it separately (python3-venv)
        except ImportError:
            sys.exit("this Python cannot create virtual environments with pip; install python3-venv "
                     "(Debian/Ubuntu) or use a python.org / pyenv build, then run this again")
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = (ROOT / "pyproject.toml").stat().st_mtime
    if MARKER.exists() and MARKER.read_text().strip() == str(stamp):
        return
    print("installing tmserver and its dependencies into .venv …", flush=True)
    subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"])
    MARKER.write_text(str(stamp))


def foreign_tmserver() -> str | None:
    """The path of a ``tmserver`` on PATH that is not ours, if any.

    translate-toolkit up to 3.18 (and Debian's translate-toolkit package) installs a console
    script of the same name: whichever package installs last wins silently. Ours imports
    ``tmserver.cli``; theirs ``translate.services.tmserver``.
    """
    found = shutil.which("tmserver")
    if not found or Path(found).resolve().parent == BIN.resolve():
        return None
    try:
        head = Path(found).read_bytes()[:4096]
    except OSError:
        return None
    if b"tmserver.cli" in head:
        return None
    return found


def warn_about_foreign_tmserver() -> None:
    other = foreign_tmserver()
    if other:
        print(f"note: the `tmserver` on your PATH ({other}) is not this project's (translate-toolkit <= 3.18 "
              "ships one of that name). Use `python -m tmserver …`, `.venv/bin/tmserver-zh …` or "
              f"`{BIN / 'tmserver'} …` to reach this server.", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test"}:
        print(__doc__)
        return 2
    ensure_venv()
    warn_about_foreign_tmserver()
    cmd, rest = argv[0], argv[1:]
    os.chdir(ROOT)
    # exec, so Ctrl-C and service managers' signals reach the server / pytest directly;
    # `python -m tmserver` cannot be shadowed by another package's `tmserver` script
    if cmd == "serve":
        os.execv(str(PY), [str(PY), "-m", "tmserver", "serve", *rest])
    os.execv(str(PY), [str(PY), "-m", "pytest", "-q", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
