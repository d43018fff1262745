"""API keys: roles, creation, verification. Keys are random; only their SHA-256 is stored.

Roles are ordered ``reader < translator < admin``: a key satisfies any role at or below its own.

Verifying a key only *reads*. Its ``last_used_at`` (kept to the minute) is recorded afterwards by
:func:`record_use` in a separate, best-effort transaction that never waits for a lock: on SQLite
a long import holds the write lock, and authentication must not queue behind it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tmserver.errors import Conflict, ValidationError
from tmserver.logs import audit
from tmserver.store.models import ApiKey, utcnow

log = logging.getLogger(__name__)

ROLES = ("reader", "translator", "admin")
KEY_PREFIX = "tms_"


def role_rank(role: str) -> int:
    return ROLES.index(role)


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key's id, name and role (or an anonymous reader)."""

    key_id: int | None
    name: str
    role: str
    #: last_used_at is more than a minute old: worth a :func:`record_use`
    stale_use: bool = field(default=False, compare=False)

    def allows(self, role: str) -> bool:
        return role_rank(self.role) >= role_rank(role)


ANONYMOUS = Principal(key_id=None, name="anonymous", role="reader")


def create_key(session: Session, name: str, role: str) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is not stored and shown only once."""
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if not name.strip() or len(name.strip()) > 255:
        raise ValidationError("a key needs a name of 1 to 255 characters", {"field": "name"})
    if not name.strip().isprintable():
        raise ValidationError("a key name must be printable text (no control or format characters)",
                              {"field": "name"})
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name.strip(), role=role, prefix=secret[:12], key_hash=hash_key(secret))
    session.add(key)
    session.flush()
    audit("key.create", key_id=key.id, key_name=key.name, role=role)
    return key, secret


def verify_key(session: Session, secret: str) -> Principal | None:
    """The principal for ``secret``, or None when it is unknown or revoked."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(secret)))
    if key is None or key.revoked_at is not None:
        return None
    last = key.last_used_at
    # a write per request would serialise every authenticated lookup on SQLite: once a minute is enough
    stale = last is None or (utcnow() - last).total_seconds() > 60
    return Principal(key_id=key.id, name=key.name, role=key.role, stale_use=stale)


def record_use(engine: Engine, key_id: int) -> bool:
    """Set a key's ``last_used_at`` if the write lock is free *now*; never wait for it.

    SQLite: the connection's busy timeout is 0 for this one statement, so a long import makes it
    fail at once (and it is simply tried again on the key's next request). PostgreSQL: a 100 ms
    lock timeout. Returns whether it was recorded."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        saved = conn.exec_driver_sql("PRAGMA busy_timeout").scalar() if sqlite else None
        try:
            if sqlite:
                conn.exec_driver_sql("PRAGMA busy_timeout=0")
                conn.rollback()
            with conn.begin():
                if not sqlite:
                    conn.execute(text("SET LOCAL lock_timeout = '100ms'"))
                conn.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow()))
            return True
        except DBAPIError as exc:
            log.debug("last_used_at of key %s not recorded: %s", key_id, exc)
            return False
        finally:
            if sqlite:
                conn.rollback()
                conn.exec_driver_sql(f"PRAGMA busy_timeout={int(saved or 0)}")
                conn.rollback()


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(session: Session, key_id: int, *, keep_last_admin: bool = False) -> ApiKey | None:
    """Revoke a key (None if there is no such key). ``keep_last_admin`` (the API) refuses to
    revoke the last active admin key with 409: nobody could manage keys over HTTP afterwards.
    The CLI, which needs no key, may. Run it in a write transaction so two admins revoking each
    other's keys at once cannot both pass the check."""
    key = session.get(ApiKey, key_id)
    if key is not None and key.revoked_at is None:
        if keep_last_admin and key.role == "admin":
            active = session.scalar(
                select(func.count()).select_from(ApiKey).where(ApiKey.role == "admin", ApiKey.revoked_at.is_(None))
            )
            if (active or 0) <= 1:
                raise Conflict("this is the last active admin key; create another admin key before revoking it",
                               {"id": key_id})
        key.revoked_at = utcnow()
        audit("key.revoke", key_id=key.id, key_name=key.name, role=key.role)
    return key


def key_to_dict(key: ApiKey) -> dict[str, object]:
    def iso(d: datetime | None) -> str | None:
        return d.isoformat() if d else None  # UTCDateTime: always with its offset

    return {
        "id": key.id,
        "name": key.name,
        "role": key.role,
        "prefix": key.prefix,
        "created_at": iso(key.created_at),
        "revoked_at": iso(key.revoked_at),
        "last_used_at": iso(key.last_used_at),
    }
