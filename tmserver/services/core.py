"""Building the core: a :class:`~tmserver.tm.TM` on a database, with the glossary wired in.

The app factory and every script that needs a TM call :func:`build_tm` or :func:`open_tm`; the
glossary's enforcement and annotation reach the core only as hooks installed here
(:func:`wire`), so ``tmserver.tm`` never imports the glossary.
"""

from __future__ import annotations

from typing import Any

from tmserver.glossary import hooks as glossary_hooks
from tmserver.store.db import make_engine, make_sessionmaker, needs_upgrade, upgrade
from tmserver.tm import TM

__all__ = ["TM", "build_tm", "open_tm", "wire"]


def wire(tm: TM) -> TM:
    """Install the glossary's hooks: term check on writes, annotation on lookups."""
    tm.set_term_check(glossary_hooks.check_terms)
    tm.on_lookup(glossary_hooks.annotate_result)
    return tm


def build_tm(url: str, config: dict[str, Any] | None = None, *, auto_upgrade: bool = False,
             busy_timeout: float = 5.0, synchronous: str = "FULL") -> TM:
    """A wired TM on ``url``; ``auto_upgrade`` brings an empty or older schema to the heads."""
    engine = make_engine(url, busy_timeout=busy_timeout, synchronous=synchronous)
    if auto_upgrade and needs_upgrade(engine):
        upgrade(engine)
    return wire(TM(engine, make_sessionmaker(engine), config))


def open_tm(url: str, config: dict[str, Any] | None = None) -> TM:
    """A wired TM on an existing database (scripts, benchmarks, tests)."""
    return build_tm(url, config)
