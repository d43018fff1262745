"""API key management over HTTP (admin only); the CLI's ``tmserver keys`` does the same."""

from __future__ import annotations

from flask import Blueprint

from tmserver.api.common import doc, get_tm, json_body, requires
from tmserver.api.schemas import Error, KeyCreate, KeyCreated, KeyList, KeyRevoked
from tmserver.auth import create_key, key_to_dict, list_keys, revoke_key
from tmserver.errors import NotFound

bp = Blueprint("keys", __name__)


@bp.get("/api/v1/keys")
@doc("List API keys (never their secrets)", tags=["keys"], responses={200: KeyList, 401: Error, 403: Error})
@requires("admin")
def keys_list():
    with get_tm().session() as s:
        return {"keys": [key_to_dict(k) for k in list_keys(s)]}


@bp.post("/api/v1/keys")
@doc("Create an API key; the secret is in this response only", tags=["keys"],
     body=KeyCreate, responses={201: KeyCreated, 400: Error, 401: Error, 403: Error})
@requires("admin")
def keys_create():
    data = json_body(KeyCreate).sent()
    with get_tm().write_session() as s:
        key, secret = create_key(s, str(data.get("name", "")), str(data.get("role", "")))
        return {"key": key_to_dict(key), "secret": secret}, 201


@bp.delete("/api/v1/keys/<int:key_id>")
@doc("Revoke an API key (not the last active admin key: 409)", tags=["keys"],
     responses={200: KeyRevoked, 401: Error, 403: Error, 404: Error, 409: Error})
@requires("admin")
def keys_revoke(key_id: int):
    with get_tm().write_session() as s:
        key = revoke_key(s, key_id, keep_last_admin=True)
        if key is None:
            raise NotFound(f"API key {key_id} does not exist")
        return {"key": key_to_dict(key)}
