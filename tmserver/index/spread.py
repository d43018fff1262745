"""Spread an exhaustive scan over the CPUs this process may use.

A scan scores every document of a length window. For English sources that is the common case
at τ 0.6 (:data:`tmserver.index.postings.SCAN_PASS` says why), and at 1e6 units it means a few
hundred thousand texts: reading them out of the index (Python objects made one by one, holding
the GIL) and then a few hundred milliseconds of rapidfuzz's C++ (the LCS screen, the Levenshtein
distance), during which ``process.cdist`` releases the GIL. A request thread alone keeps one core
busy; on a server answering one translator the others are idle.

:func:`pipeline` cuts the window into chunks. The calling thread reads the texts of one chunk
after another and hands each to a small pool of helper threads (``SCAN_THREADS`` − 1 of them),
which score it while the next one is read. When every chunk is read, the calling thread takes
back every chunk no helper has started yet, last first, and scores it itself. So a busy server
(every core taken by requests, the helpers' queue long) does the same work as before, mostly in
the request's own thread, and an idle one overlaps the reading with the scoring and scores on
every core. The answer is the same: every chunk is scored by the same function, and the results
come back in the chunks' order.

Spreading costs CPU: the threads hand the GIL to each other, and the same scan takes 4–29 %
more CPU time in all. A saturated server would pay that out of its throughput for nothing (no
core is idle to gain from), so a scan is spread only when, as it starts, fewer tasks are
runnable on the machine than it has CPUs (Linux's ``/proc/loadavg``, read in ~8 µs; without
it, always). It also left more free memory in glibc's heaps (vocab-en 1e6 through ``serve``:
150–165 MB more private memory after the reads), so after a spread scan a helper gives the heaps'
free memory back (``malloc_trim``, ~6 ms, at most every ``TRIM_INTERVAL`` seconds): on the idle
CPU the scan was spread over, never during a busy server's imports (bench/RESULTS.md, round 13).

The pool is made on first use in each process: a gunicorn worker is forked from a master that
has none, and a pool inherited through ``fork`` has no threads (its process id tells).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from tmserver.index.libc import malloc_trim

T = TypeVar("T")
U = TypeVar("U")
V = TypeVar("V")

#: the kernel's count of runnable tasks (4th field: running/total)
LOADAVG = "/proc/loadavg"
#: seconds between two ``malloc_trim`` calls after spread scans
TRIM_INTERVAL = 5.0

_lock = threading.Lock()
_threads = 0  #: 0: every CPU this process may use (see :func:`configure`)
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_size = 0
_trimmed_at = float("-inf")


def cpus() -> int:
    """The CPUs this process may run on (its affinity mask, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def configure(threads: int) -> None:
    """Threads that share one scan: 0 for one per CPU, 1 for the request's thread alone (no
    helper threads). Process-wide: the engine configured last decides."""
    global _threads
    if threads < 0:
        raise ValueError(f"threads must be ≥ 0, got {threads}")
    _threads = threads


def threads() -> int:
    """The threads a scan is spread over now (the calling one included)."""
    return _threads or cpus()


def idle_cpu() -> bool:
    """Whether a CPU is idle now: fewer runnable tasks on the machine (this thread included)
    than CPUs this process may use. ``True`` where the kernel does not say."""
    try:
        with open(LOADAVG, "rb") as f:
            running = int(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return True
    return running < cpus()


def _executor(helpers: int) -> ThreadPoolExecutor:
    global _pool, _pool_pid, _pool_size
    pid = os.getpid()
    with _lock:
        if _pool is None or _pool_pid != pid or _pool_size != helpers:
            # (a pool from before a fork has no threads in this process; one of another size is
            # left to its idle threads, which end with the interpreter)
            _pool = ThreadPoolExecutor(max_workers=helpers, thread_name_prefix="tmserver-scan")
            _pool_pid, _pool_size = pid, helpers
        return _pool


def pipeline(items: Sequence[T], produce: Callable[[T], U], consume: Callable[[U], V]) -> list[V]:
    """``[consume(produce(item)) for item in items]``: ``produce`` in the calling thread, one
    item after another (the Python work that holds the GIL), each result handed at once to a
    helper thread for ``consume`` (work that releases it); what no helper has started when every
    item is produced is consumed in the calling thread, last first. With one thread
    (:func:`configure`), one item or no idle CPU (:func:`idle_cpu`), everything runs in the
    calling thread."""
    n_threads = threads()
    if n_threads < 2 or len(items) < 2 or not idle_cpu():
        return [consume(produce(item)) for item in items]
    pool = _executor(n_threads - 1)
    produced: list[U] = []
    futures: list[Future[V]] = []
    for item in items:
        produced.append(produce(item))
        futures.append(pool.submit(consume, produced[-1]))
    out: dict[int, V] = {}
    # Helpers take items in order, so the first one that cannot be cancelled (last first) is
    # running or done, and so is every one before it.
    for i in range(len(items) - 1, -1, -1):
        if not futures[i].cancel():
            break
        out[i] = consume(produced[i])
    results = [out[i] if i in out else fut.result() for i, fut in enumerate(futures)]
    _trim_later(pool)
    return results


def _trim_later(pool: ThreadPoolExecutor) -> None:
    """Have a helper give the heaps' free memory back, unless one did within ``TRIM_INTERVAL``."""
    global _trimmed_at
    now = time.monotonic()
    with _lock:
        if now - _trimmed_at < TRIM_INTERVAL:
            return
        _trimmed_at = now
    pool.submit(malloc_trim)
