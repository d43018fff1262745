"""glibc's malloc knobs, for a process holding a large index (no-ops where there is no glibc).

CPython hands every allocation over 512 bytes (a list of more than 64 items, a long text) to the
C library's ``malloc``. glibc keeps what is freed in its heaps for reuse, and a server that reads
hundreds of thousands of texts in one request (an English scan) keeps tens of megabytes of such
free memory resident per worker unless told to give it back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any

M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


@cache
def _libc() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def mallopt(param: int, value: int) -> None:
    """glibc's ``mallopt(param, value)`` for this process (``M_MMAP_THRESHOLD``, ``M_ARENA_MAX``)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(param, value)


def malloc_trim() -> None:
    """glibc's ``malloc_trim(0)``: give the free memory of every heap back to the OS. ctypes
    releases the GIL for the call (~6 ms after an English scan at 1e6 units)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
