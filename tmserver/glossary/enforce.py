"""Glossary enforcement on TM writes: ``check_pair(session, source, target, "zh", "en")``.

The TM core (:meth:`tmserver.tm.TM._enforce`, :meth:`~tmserver.tm.TM.import_units`) calls
:func:`check_pair` on every write and applies the policy (strict / warn / off, force + reason).
This module only answers "which rules does this pair break?" — fast:

* the compiled :class:`~tmserver.glossary.glossary.Glossary` is cached per database engine,
  keyed by the ``glossary_version`` token that every glossary change rewrites
  (:mod:`tmserver.glossary.store`);
* the token is read once per transaction (kept in ``session.info``), so importing 100,000
  units in one transaction costs one extra primary-key read, while a change committed by another
  server process is noticed by the very next request.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sqlalchemy.orm import Session

from tmserver.glossary.glossary import Glossary, Violation
from tmserver.glossary.store import VERSION_KEY, get_version, load_concepts

__all__ = ["check_pair", "current_glossary", "Violation"]

_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[Any, Glossary] = weakref.WeakKeyDictionary()


def _version(session: Session) -> str:
    token = session.info.get(VERSION_KEY)
    if token is None:
        token = session.info[VERSION_KEY] = get_version(session)
    return token


def current_glossary(session: Session) -> Glossary:
    """The compiled glossary as this transaction sees it (rebuilt only when its version changed)."""
    version = _version(session)
    engine = session.get_bind()
    cached = _cache.get(engine)
    if cached is not None and cached.version == version:
        return cached
    glossary = Glossary(load_concepts(session), version=version).compile()
    # Safe even inside a transaction that changed the glossary and later rolls back: its fresh
    # token never reaches the database, so no other session can ask for that version.
    with _lock:
        _cache[engine] = glossary
    return glossary


def check_pair(session: Session, source: str, target: str, source_lang: str, target_lang: str) -> list[Violation]:
    """Violations of the enforced glossary by ``target`` as a translation of ``source``.

    ``source_lang``/``target_lang`` are base codes ("zh", "en"), either direction.
    """
    return current_glossary(session).check_pair(source, target, source_lang, target_lang)
