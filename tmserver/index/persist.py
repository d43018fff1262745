"""Saved indexes: one language's index on disk, memory-mapped by every worker of the machine.

Layout under the index directory (``INDEX_DIR``; see :func:`tmserver.config.default_index_dir`)::

    <dir>/<lang>/CURRENT            name of the generation to open ("g00000007")
    <dir>/<lang>/build.lock         flock: one process of the machine builds or merges at a time
    <dir>/<lang>/g00000007/         one generation: flat .npy arrays + manifest.json

A generation holds the **base** of a :class:`~tmserver.index.postings.LangIndex` (the arrays it
names in ``PERSISTED`` and ``PER_DOC``, its texts as one UTF-8 byte array and byte offsets, so no
document is a Python object) and of the language's :class:`~tmserver.index.parts.PartIndex`
(its parts table, n × 6 int64, and the table's segment lookup — segment ids ascending and the
part ids in that order — mapped read-only too: no Python object per part), and a manifest with
the **stamp**: the change-log position (:mod:`tmserver.index.sync`) the base is consistent with.
A worker opening it maps the arrays (``np.load(mmap_mode=…)``) — read-only for the posting lists
and the parts table, copy-on-write for the per-document arrays, which are saved with spare room
so a delta appended at the end only copies the pages it touches — and replays the log from the
stamp.

Writing is atomic: the arrays go to a temporary directory, the manifest last, the directory is
renamed to its generation name and only then does ``CURRENT`` (replaced with ``os.replace``)
point at it. A reader therefore sees a complete generation or the previous one; a directory
without a valid manifest, with a missing or truncated array, or from another database or format
is ignored (:func:`load` returns ``None``) and rebuilt.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import mmap
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from tmserver.index.parts import PartIndex, PartsBySegment
from tmserver.index.postings import COMPACT_MIN, HIST_SIZES, LangIndex, MappedTexts, _Grow

log = logging.getLogger(__name__)

#: bump when the arrays' meaning or layout changes: older generations are then rebuilt
FORMAT = 4  # 2: per-posting bigram counts (pcounts); 3: character histograms (hist, hist_from);
# 4: histograms of 512 buckets (_charbucket), rows from hist_from on only; since round 11 also of 128
# or 256 (the rows' width says which), so a round-10 generation still opens as it was built
MANIFEST = "manifest.json"
CURRENT = "CURRENT"
#: generations kept besides the current one (other workers may still have them mapped)
KEEP_OLD = 1


@dataclass
class Saved:
    """An opened generation: the indexes (mapped) and the change-log position they hold."""

    index: LangIndex
    parts: PartIndex
    stamp: dict[str, Any]
    generation: int


def lang_dir(root: Path, lang: str) -> Path:
    return root / lang


def spare(n: int) -> int:
    """Room kept at the end of the per-document arrays: twice the delta that triggers a merge,
    so writes arriving while a merge runs still fit without a private copy of the whole array."""
    return 2 * max(COMPACT_MIN, n // 10)


# -- writing ----------------------------------------------------------------------------------------


def _save_array(folder: Path, name: str, arr: np.ndarray) -> dict[str, Any]:
    path = folder / f"{name}.npy"
    with path.open("wb") as f:
        np.save(f, np.ascontiguousarray(arr), allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())
    return {"file": path.name, "dtype": arr.dtype.str, "shape": list(arr.shape)}


def _save_index(folder: Path, prefix: str, idx: LangIndex) -> dict[str, Any]:
    if len(idx.texts) != idx.n_base or idx.n_dead:
        raise ValueError("only a freshly built base (no delta, nothing dead) is saved")
    arrays: dict[str, Any] = {}
    for name in idx.PERSISTED:
        arrays[name] = _save_array(folder, f"{prefix}{name}", np.asarray(getattr(idx, name)))
    n, room = idx.n_base, spare(idx.n_base)
    for name in idx.PER_DOC:
        view, rows = getattr(idx, name).view, idx.rows(name)
        padded = np.zeros(rows + room, dtype=view.dtype)
        padded[:rows] = view
        arrays[name] = _save_array(folder, f"{prefix}{name}", padded)
    data, offs = idx.texts.base_utf8()
    arrays["text_data"] = _save_array(folder, f"{prefix}text_data", data)
    arrays["text_offs"] = _save_array(folder, f"{prefix}text_offs", offs)
    return {"n_base": n, "hist_from": idx.hist_from, "arrays": arrays}


def _write_json(path: Path, value: Any) -> None:
    with path.open("w", encoding="utf-8") as f:
        json.dump(value, f, indent=1)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def generations(folder: Path) -> list[int]:
    out = []
    for p in folder.glob("g*"):
        if p.is_dir() and p.name[1:].isdigit():
            out.append(int(p.name[1:]))
    return sorted(out)


def save(root: Path, lang: str, idx: LangIndex, parts: PartIndex, stamp: dict[str, Any], database: str) -> int:
    """Write a new generation atomically and make it current; returns its number. Call with
    :func:`build_lock` held (the generation number is the next free one)."""
    folder = lang_dir(root, lang)
    folder.mkdir(parents=True, exist_ok=True)
    gen = (generations(folder) or [0])[-1] + 1
    tmp = folder / f"tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        main = _save_index(tmp, "main.", idx)
        part = _save_index(tmp, "parts.", parts.index)
        table, keys, order = parts.saved_arrays()
        part["arrays"]["table"] = _save_array(tmp, "parts.table", table)
        part["arrays"]["seg_keys"] = _save_array(tmp, "parts.seg_keys", keys)
        part["arrays"]["seg_order"] = _save_array(tmp, "parts.seg_order", order)
        manifest = {"format": FORMAT, "lang": lang, "database": database, "stamp": stamp,
                    "generation": gen, "created": time.time(), "main": main, "parts": part}
        _write_json(tmp / MANIFEST, manifest)  # last: a directory without it is never opened
        _fsync_dir(tmp)
        final = folder / f"g{gen:08d}"
        tmp.rename(final)
        _fsync_dir(folder)
        pointer = folder / f"{CURRENT}.{os.getpid()}.tmp"
        pointer.write_text(final.name, encoding="utf-8")
        os.replace(pointer, folder / CURRENT)
        _fsync_dir(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(folder, gen)
    return gen


def _prune(folder: Path, current: int) -> None:
    """Drop generations older than the previous one, and temporary directories left by a crash.
    (A worker still mapping a removed generation keeps its pages: unlinked files live on until
    unmapped.)"""
    for gen in generations(folder):
        if gen < current - KEEP_OLD:
            shutil.rmtree(folder / f"g{gen:08d}", ignore_errors=True)
    for tmp in folder.glob("tmp-*"):
        pid = tmp.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def build_lock(root: Path, lang: str, *, wait: bool = True) -> Iterator[bool]:
    """Hold the language's build lock (one builder per machine). Yields False when ``wait`` is
    off and another process holds it."""
    folder = lang_dir(root, lang)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "build.lock").open("a+b") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


# -- reading ----------------------------------------------------------------------------------------


def current(root: Path, lang: str) -> int | None:
    """The current generation's number (one small file read: cheap enough to poll)."""
    try:
        name = (lang_dir(root, lang) / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return int(name[1:]) if name.startswith("g") and name[1:].isdigit() else None


def _load_array(folder: Path, entry: dict[str, Any], mode: Literal["r", "c"]) -> np.ndarray:
    arr = np.load(folder / entry["file"], mmap_mode=mode, allow_pickle=False)
    if arr.dtype.str != entry["dtype"] or list(arr.shape) != entry["shape"]:
        raise ValueError(f"{entry['file']}: {arr.dtype.str}{list(arr.shape)}, the manifest says "
                         f"{entry['dtype']}{entry['shape']}")
    return arr.view(np.ndarray)  # a plain array over the same mapping (memmap's subclass costs per call)


def _map_bytes(path: Path) -> tuple[mmap.mmap, int]:
    """A read-only mapping of a one-dimensional ``uint8`` ``.npy`` file and where its data start
    (its header's length, which ``np.memmap.offset`` reports): the texts' bytes, sliced as
    ``bytes`` (see :class:`MappedTexts`). The same file's pages as the array's: nothing is copied."""
    at = int(np.load(path, mmap_mode="r", allow_pickle=False).offset)
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), at


def _load_index(folder: Path, meta: dict[str, Any]) -> LangIndex:
    idx = LangIndex()
    arrays, n = meta["arrays"], int(meta["n_base"])
    idx.hist_from = int(meta["hist_from"])
    if not 0 <= idx.hist_from <= n:
        raise ValueError(f"hist_from {idx.hist_from} is outside the base of {n} documents")
    for name in idx.PERSISTED:
        setattr(idx, name, _load_array(folder, arrays[name], "r"))
    idx.n_base = n
    for name in idx.PER_DOC:
        a, rows = _load_array(folder, arrays[name], "c"), idx.rows(name)
        if len(a) < rows:
            raise ValueError(f"{name}: {len(a)} rows, the base needs {rows}")
        setattr(idx, name, _Grow.adopt(a, rows))
    if idx.hist_buckets not in HIST_SIZES or int(idx._charbucket.max()) >= idx.hist_buckets:
        raise ValueError(f"histograms of {idx.hist_buckets} buckets, characters mapped up to bucket "
                         f"{int(idx._charbucket.max())}")
    offs = _load_array(folder, arrays["text_offs"], "r")
    data = _load_array(folder, arrays["text_data"], "r")
    raw, at = _map_bytes(folder / arrays["text_data"]["file"])
    if (len(offs) != n + 1 or int(offs[-1]) != len(data) or int(idx.indptr[-1]) != len(idx.postings)
            or len(idx.pcounts) != len(idx.postings)):
        raise ValueError("the texts or posting lists do not add up")
    idx.texts = MappedTexts(data, offs, raw, at)
    idx.auto_compact = False
    return idx


def _load_parts(folder: Path, lang: str, meta: dict[str, Any]) -> PartIndex:
    parts = PartIndex(lang)
    parts.index = _load_index(folder, meta)
    parts.index.auto_compact = False  # the part index decides (PartIndex.compact_due)
    arrays = meta["arrays"]
    # the table and its segment lookup stay arrays over the mapping, shared by every worker
    table = _load_array(folder, arrays["table"], "r")
    if table.ndim != 2 or table.shape[1] != 6 or len(table) != parts.index.n_base:
        raise ValueError(f"parts table {table.shape} for {parts.index.n_base} parts")
    if "seg_keys" in arrays and "seg_order" in arrays:
        keys = _load_array(folder, arrays["seg_keys"], "r")
        order = _load_array(folder, arrays["seg_order"], "r")
    else:  # saved before the lookup was: sorted here, once (numpy, private to this worker)
        keys, order = PartsBySegment.sort(table)
    parts.adopt(table, keys, order)
    return parts


def load(root: Path, lang: str, database: str) -> Saved | None:
    """Open the current generation, or ``None`` when there is none usable (logged)."""
    gen = current(root, lang)
    if gen is None:
        return None
    folder = lang_dir(root, lang) / f"g{gen:08d}"
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("lang") != lang:
            raise ValueError(f"format {manifest.get('format')} / language {manifest.get('lang')!r}")
        if manifest.get("database") != database:
            raise ValueError(f"built for another database ({manifest.get('database')})")
        idx = _load_index(folder, manifest["main"])
        parts = _load_parts(folder, lang, manifest["parts"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("saved %s index in %s is not usable (%s): rebuilding", lang, folder, exc)
        return None
    return Saved(idx, parts, manifest["stamp"], gen)
