"""Real served processes and a small HTTP client for the reliability suite (no pytest needed).

Used by the tests in this folder and by ``python -m tests.reliability.longrun`` (the long form).
Servers are ``python -m tmserver serve`` on a free port, exactly as a user starts them.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """One ``tmserver serve`` (gunicorn master + workers) on ``database_url``."""

    database_url: str
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    base: str = ""
    log_path: Path | None = None

    def start(self, timeout: float = 90) -> Server:
        port = free_port()
        env = {**os.environ, "TMSERVER_DATABASE_URL": self.database_url, **self.env}
        cmd = [sys.executable, "-m", "tmserver", "serve", "--no-seed", "--port", str(port),
               "--workers", str(self.workers)]
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        # own process group: kill -9 reaches the master and its workers
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode} (log: {self.log_path})")
            try:
                status, _h, _b = request("GET", self.base + "/api/v1/health", timeout=2)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not start in time")

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill9()


def request(method: str, url: str, body: Any = None, *, key: str | None = None, headers: dict | None = None,
            timeout: float = 60, raw: bytes | None = None, content_type: str | None = None
            ) -> tuple[int, dict[str, str], Any]:
    """One HTTP request; returns (status, headers, parsed JSON or raw text). Never raises on 4xx/5xx."""
    data = raw
    hdrs = dict(headers or {})
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        hdrs["Content-Type"] = "application/json"
    if content_type:
        hdrs["Content-Type"] = content_type
    if key:
        hdrs["Authorization"] = f"Bearer {key}"
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, rh, payload = r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        status, rh, payload = e.code, dict(e.headers), e.read()
    try:
        parsed: Any = json.loads(payload) if payload else None
    except ValueError:
        parsed = payload.decode("utf-8", "replace")
    return status, rh, parsed


def get(base: str, path: str, params: dict | None = None, **kw: Any):
    return request("GET", base + path + ("?" + urlencode(params) if params else ""), **kw)


def create_key(database_url: str, role: str, name: str) -> str:
    """A key made with the CLI, as an operator would (prints the secret on stdout)."""
    out = subprocess.run([sys.executable, "-m", "tmserver", "keys", "create", "--role", role, "--name", name],
                         cwd=ROOT, env={**os.environ, "TMSERVER_DATABASE_URL": database_url},
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def tmx(units: list[tuple[str, str]]) -> bytes:
    """A TMX 1.4b document of (zh, en) pairs."""
    from xml.sax.saxutils import escape

    tus = "".join(f'<tu><tuv xml:lang="zh-CN"><seg>{escape(s)}</seg></tuv>'
                  f'<tuv xml:lang="en-US"><seg>{escape(t)}</seg></tuv></tu>' for s, t in units)
    return (f'<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header creationtool="rel" '
            f'creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" srclang="zh-CN" datatype="plaintext"/>'
            f"<body>{tus}</body></tmx>").encode()


def multipart(field_name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "----tmserver-reliability-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field_name}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def unit_text(tag: str, i: int) -> tuple[str, str]:
    """A unique zh/en pair: the digits in both make every unit its own exact match."""
    digits = "".join("零一二三四五六七八九"[int(c)] for c in f"{i:06d}")
    return f"可靠性测试{tag}第{digits}号句子说明数据完整", f"Reliability test {tag} sentence number {i}, data integrity"


def missing_by_exact_lookup(base: str, units: list[tuple[int | None, str, str]], *, key: str | None = None,
                            chunk: int = 500) -> list[tuple[int | None, str, str]]:
    """The units (id or None, source, target) that an exact lookup does *not* find, asked in
    batches through ``POST /api/v1/lookup/batch``."""
    missing = []
    for i in range(0, len(units), chunk):
        part = units[i : i + chunk]
        status, _h, body = request("POST", base + "/api/v1/lookup/batch", {
            "segments": [{"q": s} for _id, s, _t in part], "min_score": 100, "limit": 3,
        }, key=key, timeout=300)
        if status != 200:
            raise AssertionError(f"batch lookup answered {status}: {body}")
        for (uid, s, t), res in zip(part, body["results"], strict=True):
            ok = any(m["score"] >= 100 and m["target"] == t and (uid is None or m["id"] == uid)
                     for m in res["matches"])
            if not ok:
                missing.append((uid, s, t))
    return missing
