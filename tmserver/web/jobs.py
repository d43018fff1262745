"""Background jobs for long file work, kept on disk so any worker can report on them.

A job runs in a thread of the worker that received the upload; its state lives in
``instance/web-jobs/<id>/state.json`` (written atomically) with its result file beside it, so the
page that polls ``/files/jobs/<id>/state`` may be answered by any gunicorn worker of this host.
Progress is whatever the work itself reports (units read so far for an import); work that
reports nothing shows only "running" and the time elapsed — never an invented percentage.

Jobs belong to the browser session that started them (an owner token derived from its CSRF
token) and are removed after :data:`KEEP_SECONDS`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tmserver.errors import NotFound, TMError

log = logging.getLogger(__name__)

KEEP_SECONDS = 24 * 3600
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class Output:
    """What a finished job hands back: a summary for the page, an optional file to download,
    and an optional HTML report to show in place."""

    summary: dict[str, Any] = field(default_factory=dict)
    filename: str | None = None
    data: bytes | None = None
    media_type: str = "application/octet-stream"
    report_html: str | None = None


Work = Callable[[Callable[[str], None]], Output]


def owner_token(csrf: str) -> str:
    return hashlib.sha256(("job-owner:" + csrf).encode()).hexdigest()[:32]


class Jobs:
    """The job folder of one instance."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _dir(self, job_id: str) -> Path:
        if not _ID.match(job_id):
            raise NotFound("no such job", {"job": job_id})
        return self.root / job_id

    def _write(self, job_id: str, state: dict[str, Any]) -> None:
        d = self._dir(job_id)
        tmp = d / f".state.{threading.get_ident()}"
        tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, d / "state.json")

    def state(self, job_id: str, owner: str) -> dict[str, Any]:
        path = self._dir(job_id) / "state.json"
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            raise NotFound("no such job (it may have expired)", {"job": job_id}) from None
        if state.get("owner") != owner:
            raise NotFound("no such job in this session", {"job": job_id})
        state["elapsed"] = round((state.get("finished") or time.time()) - state["started"], 1)
        return state

    def result_path(self, job_id: str, owner: str) -> tuple[Path, dict[str, Any]]:
        state = self.state(job_id, owner)
        if state["status"] != "done" or not state.get("filename"):
            raise NotFound("this job has no file to download", {"job": job_id})
        return self._dir(job_id) / "result.bin", state

    def report_html(self, job_id: str, owner: str) -> str | None:
        state = self.state(job_id, owner)
        path = self._dir(job_id) / "report.html"
        return path.read_text(encoding="utf-8") if state["status"] == "done" and path.exists() else None

    def start(self, kind: str, title: str, owner: str, work: Work) -> str:
        """Run ``work(progress)`` in a thread; return the job id at once."""
        self._sweep()
        job_id = secrets.token_urlsafe(18)
        self._dir(job_id).mkdir(parents=True)
        state: dict[str, Any] = {"id": job_id, "kind": kind, "title": title, "owner": owner, "status": "running",
                                 "progress": "started", "started": time.time(), "finished": None}
        self._write(job_id, state)

        def progress(message: str) -> None:
            self._write(job_id, {**state, "progress": message})

        def run() -> None:
            try:
                out = work(progress)
                d = self._dir(job_id)
                if out.data is not None:
                    (d / "result.bin").write_bytes(out.data)
                if out.report_html is not None:
                    (d / "report.html").write_text(out.report_html, encoding="utf-8")
                final = {"status": "done", "summary": out.summary, "filename": out.filename if out.data is not None
                         else None, "media_type": out.media_type, "has_report": out.report_html is not None,
                         "progress": "finished"}
            except TMError as exc:
                final = {"status": "failed", "error": exc.to_dict()["error"], "progress": "failed"}
            except Exception:  # the thread must always leave a final state for the page to show
                log.exception("web job %s (%s) failed", job_id, kind)
                final = {"status": "failed", "progress": "failed",
                         "error": {"code": "internal_error", "message": "an unexpected error occurred; it has been logged"}}
            self._write(job_id, {**state, **final, "finished": time.time()})

        threading.Thread(target=run, name=f"tmserver-web-job-{kind}", daemon=True).start()
        return job_id

    def _sweep(self) -> None:
        """Remove jobs older than KEEP_SECONDS (cheap: runs when a job starts)."""
        if not self.root.is_dir():
            return
        cutoff = time.time() - KEEP_SECONDS
        for d in self.root.iterdir():
            try:
                if d.is_dir() and d.stat().st_mtime < cutoff:
                    shutil.rmtree(d, ignore_errors=True)
            except FileNotFoundError:
                continue
