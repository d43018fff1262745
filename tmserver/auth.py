"""API keys: roles, creation, verification. Keys are random; only their SHA-256 is stored.

Roles are ordered ``reader < translator < admin``: a key satisfies any role at or below its own.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmserver.errors import ValidationError
from tmserver.logs import audit
from tmserver.store.models import ApiKey, utcnow

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

    def allows(self, role: str) -> bool:
        return role_rank(self.role) >= role_rank(role)


ANONYMOUS = Principal(key_id=None, name="anonymous", role="reader")


def create_key(session: Session, name: str, role: str) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is not stored and shown only once."""
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if not name.strip() or len(name.strip()) > 255:
        raise ValidationError("a key needs a name of 1 to 255 characters")
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
    now = utcnow()
    last = key.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite hands back naive UTC datetimes
        last = last.replace(tzinfo=now.tzinfo)
    # a write per request would serialise every authenticated lookup on SQLite: once a minute is enough
    if last is None or (now - last).total_seconds() > 60:
        key.last_used_at = now
    return Principal(key_id=key.id, name=key.name, role=key.role)


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(session: Session, key_id: int) -> ApiKey | None:
    key = session.get(ApiKey, key_id)
    if key is not None and key.revoked_at is None:
        key.revoked_at = utcnow()
        audit("key.revoke", key_id=key.id, key_name=key.name, role=key.role)
    return key


def key_to_dict(key: ApiKey) -> dict[str, object]:
    def iso(d: datetime | None) -> str | None:
        return d.isoformat() if d else None

    return {
        "id": key.id,
        "name": key.name,
        "role": key.role,
        "prefix": key.prefix,
        "created_at": iso(key.created_at),
        "revoked_at": iso(key.revoked_at),
        "last_used_at": iso(key.last_used_at),
    }
