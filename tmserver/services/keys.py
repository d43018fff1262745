"""API keys and authentication: what ``/api/v1/keys``, ``tmserver keys`` and every authenticated
request (API ``Authorization: Bearer``, workbench sign-in) use. Each call is one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from tmserver import auth
from tmserver.auth import ANONYMOUS, ROLES, Principal, role_rank
from tmserver.errors import NotFound
from tmserver.tm import TM

__all__ = ["ANONYMOUS", "ROLES", "KeyInfo", "NewKey", "Principal", "authenticate", "create_key", "list_keys",
           "revoke_key", "role_rank", "verify"]


@dataclass(frozen=True)
class KeyInfo:
    """A key as listed: never its secret."""

    id: int
    name: str
    role: str
    prefix: str
    created_at: str | None
    revoked_at: str | None
    last_used_at: str | None

    @classmethod
    def of(cls, key: object) -> KeyInfo:
        return cls(**auth.key_to_dict(key))  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "role": self.role, "prefix": self.prefix,
                "created_at": self.created_at, "revoked_at": self.revoked_at, "last_used_at": self.last_used_at}


@dataclass(frozen=True)
class NewKey:
    """A created key and its secret (shown this once only)."""

    key: KeyInfo
    secret: str


def verify(tm: TM, secret: str) -> Principal | None:
    """The principal of ``secret`` (None when unknown or revoked), in one read transaction:
    authentication never waits for the write lock."""
    with tm.session() as s:
        return auth.verify_key(s, secret)


def authenticate(tm: TM, secret: str) -> Principal | None:
    """:func:`verify`, then — at most once a minute per key, best effort, never waiting — record
    its use (a separate tiny write that may fail without failing the request)."""
    found = verify(tm, secret)
    if found is not None and found.stale_use and found.key_id is not None:
        auth.record_use(tm.engine, found.key_id)
    return found


def list_keys(tm: TM) -> list[KeyInfo]:
    with tm.session() as s:
        return [KeyInfo.of(k) for k in auth.list_keys(s)]


def create_key(tm: TM, name: str, role: str) -> NewKey:
    with tm.write_session() as s:
        key, secret = auth.create_key(s, name, role)
        return NewKey(KeyInfo.of(key), secret)


def revoke_key(tm: TM, key_id: int, *, keep_last_admin: bool = False) -> KeyInfo:
    """Revoke a key; ``keep_last_admin`` (the API) refuses the last active admin key (409)."""
    with tm.write_session() as s:
        key = auth.revoke_key(s, key_id, keep_last_admin=keep_last_admin)
        if key is None:
            raise NotFound(f"API key {key_id} does not exist", {"id": key_id})
        return KeyInfo.of(key)
