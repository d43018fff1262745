"""Concurrent writers, readers and imports against a served process, then a full audit.

Writers create segments and update them — a hot segment every writer hammers, and their own —
recording every *acknowledged* write (status 200/201 and the version the server answered).
Some updates send the version they last read (optimistic concurrency; on the hot segment they
race each other): 409 is an honest refusal, not an acknowledgement. Readers look up and read. An importer posts TMX files through the API
while all this goes on, and checks that every unit of each import is found by an exact lookup
once 1 s has passed since the import answered (the commit happened before the answer).

A 503 with ``Retry-After`` (SQLite: the write lock was busy longer than its timeout) is retried
after the advertised delay and counted; any other 5xx is a failure.

The audit reads every touched segment and its history: each acknowledged (segment, version) must
be exactly one row — the current one or one history entry — holding the text that was
acknowledged; no version may appear twice.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from tests.reliability.harness import get, missing_by_exact_lookup, multipart, request, tmx, unit_text

WRITE_RETRIES = 20
#: set by the kill -9 test: a refused connection then means "not acknowledged", not a failure
stop_on_disconnect = threading.Event()


@dataclass
class Stats:
    acked: list[tuple[int, int, str]] = field(default_factory=list)  # (segment id, version, target)
    requests: Counter = field(default_factory=Counter)  # status code -> count
    conflicts: int = 0
    retried_503: int = 0
    server_errors: list[str] = field(default_factory=list)
    imports: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, status: int, what: str, body: Any) -> None:
        with self.lock:
            self.requests[status] += 1
            if status >= 500 and status != 503:
                self.server_errors.append(f"{status} on {what}: {str(body)[:300]}")


def _write(stats: Stats, method: str, url: str, body: Any, key: str, what: str, headers: dict | None = None):
    """A write, retried after Retry-After on 503 (busy); returns the final (status, body)."""
    for _ in range(WRITE_RETRIES):
        try:
            status, h, resp = request(method, url, body, key=key, headers=headers, timeout=120)
        except OSError as exc:  # the server went away (kill -9 tests): not acknowledged
            stats.note(0, what, exc)
            if stop_on_disconnect.is_set():
                return 0, None
            raise
        stats.note(status, what, resp)
        if status != 503:
            return status, resp
        if "Retry-After" not in h or not isinstance(resp, dict) or resp.get("error", {}).get("code") != "busy":
            with stats.lock:
                stats.server_errors.append(f"503 without Retry-After/JSON on {what}: {resp}")
            return status, resp
        with stats.lock:
            stats.retried_503 += 1
        time.sleep(min(float(h["Retry-After"]), 2.0) * random.uniform(0.5, 1.0))
    return status, resp


def writer(base: str, key: str, hot_id: int, stop: threading.Event, stats: Stats, wid: int) -> None:
    rng = random.Random(wid)
    own: list[tuple[int, int]] = []  # (id, version last seen)
    n = 0
    while not stop.is_set():
        n += 1
        roll = rng.random()
        target = f"writer {wid} write {n} {rng.random():.12f}"
        if roll < 0.25 or not own:
            src = f"并发写入测试第{wid}号作者的第{n}条句子"
            status, resp = _write(stats, "POST", base + "/api/v1/segments",
                                  {"source": src, "target": target}, key, "create")
            if status == 0:
                return
            if status == 201:
                seg = resp["segment"]
                own.append((seg["id"], seg["version"]))
                with stats.lock:
                    stats.acked.append((seg["id"], seg["version"], target))
            continue
        if roll < 0.45:
            seg_id, body = hot_id, {"target": target}
        elif roll < 0.6:  # read the hot segment, then write only if nobody got there first
            try:
                status, _h, seen = get(base, f"/api/v1/segments/{hot_id}")
            except OSError as exc:  # the server went away (kill -9 tests): stop, as after a failed write
                stats.note(0, "get", exc)
                if stop_on_disconnect.is_set():
                    return
                raise
            stats.note(status, "get", seen)
            if status != 200:
                continue
            seg_id, body = hot_id, {"target": target, "version": seen["version"]}
        elif roll < 0.85:
            i = rng.randrange(len(own))
            seg_id, body = own[i][0], {"target": target}
        else:  # optimistic: the version this writer last saw of its own segment
            i = rng.randrange(len(own))
            seg_id, body = own[i][0], {"target": target, "version": own[i][1]}
        status, resp = _write(stats, "PUT", f"{base}/api/v1/segments/{seg_id}", body, key, "update")
        if status == 0:
            return
        if status == 200:
            seg = resp["segment"]
            with stats.lock:
                stats.acked.append((seg["id"], seg["version"], target))
            for j, (sid, _v) in enumerate(own):
                if sid == seg_id:
                    own[j] = (sid, seg["version"])
        elif status == 409:
            with stats.lock:
                stats.conflicts += 1
            current = resp["error"]["details"]["current"]
            for j, (sid, _v) in enumerate(own):
                if sid == seg_id:
                    own[j] = (sid, current["version"])


def reader(base: str, stop: threading.Event, stats: Stats, rid: int) -> None:
    rng = random.Random(1000 + rid)
    while not stop.is_set():
        with stats.lock:
            sample = rng.choice(stats.acked) if stats.acked else None
        if rng.random() < 0.5 or sample is None:
            status, _h, body = get(base, "/api/v1/lookup", {"q": "并发写入测试第3号作者的第5条句子", "min_score": 50})
            stats.note(status, "lookup", body)
        else:
            status, _h, body = get(base, f"/api/v1/segments/{sample[0]}")
            stats.note(status, "get", body)
        time.sleep(0.005)


def importer(base: str, admin_key: str, stop: threading.Event, stats: Stats, units_per_import: int,
             pause: float) -> None:
    k = 0
    while not stop.is_set():
        k += 1
        tag = f"导入{k}批"
        units = [unit_text(f"{tag}{time.time_ns() % 10**6}", i) for i in range(units_per_import)]
        body, ctype = multipart("file", f"reliability-{k}.tmx", tmx(units))
        t0 = time.monotonic()
        for _ in range(WRITE_RETRIES):
            status, h, resp = request("POST", base + "/api/v1/import?origin=reliability", raw=body,
                                      content_type=ctype, key=admin_key, timeout=600)
            stats.note(status, "import", resp)
            if status != 503:
                break
            with stats.lock:
                stats.retried_503 += 1
            time.sleep(float(h.get("Retry-After", 1)))
        done = time.monotonic()
        record: dict[str, Any] = {"units": len(units), "status": status, "seconds": round(done - t0, 2)}
        if status == 200:
            # the commit happened before the answer: 1 s later every unit must be found
            time.sleep(max(0.0, 1.0 - (time.monotonic() - done)))
            missing = missing_by_exact_lookup(base, [(None, s, t) for s, t in units])
            record["missing_after_1s"] = len(missing)
        with stats.lock:
            stats.imports.append(record)
        stop.wait(pause)


def audit(base: str, stats: Stats) -> dict[str, Any]:
    """Every acknowledged (id, version, target) is exactly one stored version with that text."""
    by_seg: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for seg_id, version, target in stats.acked:
        by_seg[seg_id].append((version, target))
    lost, wrong, dup_acks, dup_stored = [], [], 0, 0
    for seg_id, acks in by_seg.items():
        status, _h, hist = get(base, f"/api/v1/segments/{seg_id}/history")
        assert status == 200, (seg_id, status, hist)
        stored: dict[int, list[str]] = defaultdict(list)
        for h in hist["history"]:
            if h["action"] in ("update", "delete"):
                stored[h["version"]].append(h["segment"]["target"])
        if hist["current"]:
            stored[hist["current"]["version"]].append(hist["current"]["target"])
        dup_stored += sum(1 for v in stored.values() if len(v) > 1)
        seen = Counter(v for v, _t in acks)
        dup_acks += sum(1 for c in seen.values() if c > 1)
        for version, target in acks:
            texts = stored.get(version)
            if not texts:
                lost.append((seg_id, version))
            elif target not in texts:
                wrong.append((seg_id, version))
    return {
        "acknowledged_writes": len(stats.acked),
        "segments_audited": len(by_seg),
        "lost": len(lost),
        "wrong_text": len(wrong),
        "duplicated_versions_acknowledged": dup_acks,
        "duplicated_versions_stored": dup_stored,
        "examples": (lost + wrong)[:5],
    }


def run(base: str, keys: dict[str, str], *, duration: float, writers: int, readers: int,
        import_units: int = 500, import_pause: float = 1.0) -> dict[str, Any]:
    """Run the workload for ``duration`` seconds and return the figures (see the module doc)."""
    stats = Stats()
    status, resp = _write(stats, "POST", base + "/api/v1/segments",
                          {"source": "所有作者都在修改这一条热点句子", "target": "the hot segment"},
                          keys["translator"], "create hot")
    assert status == 201, resp
    hot = resp["segment"]
    stats.acked.append((hot["id"], hot["version"], "the hot segment"))
    stop = threading.Event()
    threads = [threading.Thread(target=writer, args=(base, keys["translator"], hot["id"], stop, stats, i))
               for i in range(writers)]
    threads += [threading.Thread(target=reader, args=(base, stop, stats, i)) for i in range(readers)]
    threads.append(threading.Thread(target=importer, args=(base, keys["admin"], stop, stats, import_units,
                                                           import_pause)))
    t0 = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(duration)
    stop.set()
    for t in threads:
        t.join(600)
    elapsed = time.monotonic() - t0
    result = audit(base, stats)
    result.update({
        "seconds": round(elapsed, 1),
        "writers": writers,
        "readers": readers,
        "requests": sum(stats.requests.values()),
        "status_counts": dict(sorted(stats.requests.items())),
        "conflicts_409": stats.conflicts,
        "busy_503_retried": stats.retried_503,
        "server_errors": len(stats.server_errors),
        "server_error_examples": stats.server_errors[:5],
        "imports": len(stats.imports),
        "imported_units": sum(r["units"] for r in stats.imports if r["status"] == 200),
        "imported_units_missing_after_1s": sum(r.get("missing_after_1s", 0) for r in stats.imports),
        "failed_imports": [r for r in stats.imports if r["status"] != 200],
        "import_seconds": [r["seconds"] for r in stats.imports],
    })
    return result
