"""Suppressions: accepted false positives, by issue signature.

A suppression file (CLI ``--suppress FILE``) is JSON — a list of signatures, or
``{"suppressions": [{"signature": "...", "check": "...", "note": "..."}]}`` — or plain text with
one signature per line (``#`` comments allowed). The API stores them in the ``qa_suppressions``
table (migration 0003). Either way the engine sets them aside and the report counts them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import DateTime, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from tmserver.errors import NotFound, ValidationError
from tmserver.store.models import Base, utcnow

_SIG_RE = re.compile(r"^[0-9a-f]{8,40}$")


class QASuppression(Base):
    __tablename__ = "qa_suppressions"

    signature: Mapped[str] = mapped_column(String(40), primary_key=True)
    check: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at = mapped_column(DateTime(timezone=True), default=utcnow)


def parse_file(raw: bytes) -> set[str]:
    text = raw.decode("utf-8-sig", errors="strict")
    stripped = text.strip()
    sigs: list[str] = []
    if stripped.startswith(("[", "{")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"suppression file: invalid JSON ({exc})") from exc
        items = data.get("suppressions", []) if isinstance(data, dict) else data
        for item in items:
            sigs.append(item.get("signature", "") if isinstance(item, dict) else str(item))
    else:
        sigs = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
    sigs = [s for s in sigs if s]
    bad = [s for s in sigs if not _SIG_RE.match(s)]
    if bad:
        raise ValidationError(f"suppression file: {len(bad)} malformed signature(s), e.g. {bad[0]!r}", {"bad": bad[:10]})
    return set(sigs)


def stored(tm) -> set[str]:
    with tm.session() as s:
        return stored_in(s)


def stored_in(session: Any) -> set[str]:
    """The stored signatures, read in the caller's transaction."""
    return set(session.scalars(select(QASuppression.signature)))


def list_stored(tm) -> list[dict[str, Any]]:
    with tm.session() as s:
        rows = s.scalars(select(QASuppression).order_by(QASuppression.created_at))
        return [{"signature": r.signature, "check": r.check, "note": r.note, "created_by": r.created_by,
                 "created_at": r.created_at.isoformat() if r.created_at else None} for r in rows]


def add(tm, signature: object, *, check: str | None = None, note: str | None = None, user: str | None = None) -> dict:
    if not isinstance(signature, str) or not _SIG_RE.match(signature):
        raise ValidationError("'signature' must be an issue signature (hex) from a QA report", {"field": "signature"})
    for name, val in (("check", check), ("note", note)):
        if val is not None and not isinstance(val, str):
            raise ValidationError(f"{name!r} must be a string", {"field": name})
    with tm.session() as s:
        row = s.get(QASuppression, signature)
        if row is None:
            row = QASuppression(signature=signature, check=check, note=note, created_by=user)
            s.add(row)
        else:
            row.note = note if note is not None else row.note
    return {"signature": signature, "check": check, "note": note}


def remove(tm, signature: str) -> None:
    with tm.session() as s:
        row = s.get(QASuppression, signature)
        if row is None:
            raise NotFound(f"no suppression with signature {signature!r}", {"signature": signature})
        s.delete(row)
