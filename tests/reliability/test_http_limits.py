"""What gunicorn answers itself — a request line or headers over its limits — is JSON too."""

from __future__ import annotations

import json
import socket

import pytest

pytestmark = pytest.mark.slow


def _raw(base: str, payload: bytes) -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(payload)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def test_gunicorn_limits_answer_json(served):
    srv = served()
    long_line = b"GET /tmserver/zh/en/unit/" + b"%E7%BD%91" * 1500 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    status, headers, body = _raw(srv.base, long_line)
    assert status == 414 and headers["Content-Type"] == "application/json"
    err = json.loads(body)["error"]
    assert err["code"] == "uri_too_long" and "POST" in err["message"]
    many = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(200)) + b"\r\n"
    status, headers, body = _raw(srv.base, many)
    assert status == 431 and json.loads(body)["error"]["code"] == "request_header_fields_too_large"
    status, headers, body = _raw(srv.base, b"NOT A REQUEST\r\n\r\n")
    assert status == 400 and "error" in json.loads(body)
