"""WSGI entry points: ``gunicorn 'tmserver.wsgi:app'`` or ``tmserver serve`` (which runs gunicorn).

Run gunicorn with ``--limit-request-line 8190``: CAT clients put the whole percent-encoded
segment into the URL path.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from typing import Any

from gunicorn.app.base import BaseApplication

from tmserver.app import create_app
from tmserver.gunicorn_errors import install as json_errors
from tmserver.index.libc import M_ARENA_MAX, mallopt

#: the GIL switch interval of a serve worker (Python's default is 5 ms): a lookup thread that
#: waits for the GIL behind a CPU-bound thread of the same worker (an import parsing and
#: normalising, a catch-up applying changes) then loses ~1 ms per wait instead of ~5 ms — at
#: 20,000 units with imports running, reader p99 fell from 31–109 ms to 29–58 ms (bench/bench_writes.py)
SWITCH_INTERVAL = 0.001


#: glibc malloc arenas a serve worker may use (glibc's default is 8 per core): each request thread
#: otherwise gets an arena of its own, and what an import batch frees there stays resident — at
#: 1e6 units, 30,000 units imported through the API left 1,228 MB of private memory in the two
#: workers with the default and 893 MB with 2 arenas (bench/RESULTS.md, issue 17)
MALLOC_ARENAS = 2


def _warm_worker(worker) -> None:
    """Build the lookup index in the background as soon as a worker starts, so the first CAT
    request does not pay for it; then freeze the long-lived objects out of the cyclic GC, whose
    full collections over millions of index objects would otherwise show up as latency spikes.
    The index follows the change log from a background thread of the worker, so lookups never
    pay for replaying writes (:meth:`tmserver.index.Engine.follow`)."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    mallopt(M_ARENA_MAX, MALLOC_ARENAS)  # before the worker's request threads start

    def warm() -> None:
        try:
            index = worker.wsgi.extensions["tmserver"].index
            index.follow()
            index.warm()  # the INDEX_LANGS languages
        except Exception:  # the worker still serves: lookups build the index on first use
            logging.getLogger("tmserver.wsgi").exception("warming the lookup index failed")
        finally:
            gc.collect()
            gc.freeze()

    threading.Thread(target=warm, name="tmserver-warm", daemon=True).start()


def _worker_exit(_arbiter, worker) -> None:
    """A worker leaving (restart, shutdown, ``--max-requests``): deregister its change-log
    consumers, which would otherwise hold the log back for ``CHANGE_CONSUMER_TIMEOUT``. Gunicorn
    also calls this in the master for a worker that is already gone: nothing to do there."""
    app = getattr(worker, "wsgi", None)
    if app is None or worker.pid != os.getpid():
        return
    app.extensions["tmserver"].close()


def run_gunicorn(overrides: dict[str, Any], config_file: str | None, *, host: str, port: int,
                 workers: int = 1, threads: int = 4) -> None:
    json_errors()  # gunicorn's own 400/414/431 answers as JSON (the workers fork from here)

    class _App(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("limit_request_line", 8190)
            # no gunicorn access log: its lines hold the full URL, i.e. the text CAT tools look up;
            # the app logs one line per request itself (tmserver.logs), naming the route instead
            self.cfg.set("timeout", 120)
            self.cfg.set("post_worker_init", _warm_worker)
            self.cfg.set("worker_exit", _worker_exit)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn ≥ 26: one shared ~/.gunicorn path
                self.cfg.set("control_socket_disable", True)

        def load(self):
            return create_app(overrides, config_file=config_file)

    _App().run()


def __getattr__(name: str):
    # `gunicorn tmserver.wsgi:app` builds the app on first access, from TMSERVER_* variables
    if name == "app":
        json_errors()  # harmless outside gunicorn: only gunicorn's workers call it
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)
