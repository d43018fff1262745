"""API key management over HTTP (admin only); the CLI's ``tmserver keys`` does the same."""

from __future__ import annotations

from flask import Blueprint

from tmserver.api.common import doc, get_tm, json_body, requires
from tmserver.api.schemas import Error, KeyCreate, KeyCreated, KeyList, KeyRevoked
from tmserver.services import keys as keys_svc

bp = Blueprint("keys", __name__)


@bp.get("/api/v1/keys")
@doc("List API keys (never their secrets)", tags=["keys"], responses={200: KeyList, 401: Error, 403: Error})
@requires("admin")
def keys_list():
    return {"keys": [k.to_dict() for k in keys_svc.list_keys(get_tm())]}


@bp.post("/api/v1/keys")
@doc("Create an API key; the secret is in this response only", tags=["keys"],
     body=KeyCreate, responses={201: KeyCreated, 400: Error, 401: Error, 403: Error})
@requires("admin")
def keys_create():
    data = json_body(KeyCreate).sent()
    new = keys_svc.create_key(get_tm(), str(data.get("name", "")), str(data.get("role", "")))
    return {"key": new.key.to_dict(), "secret": new.secret}, 201


@bp.delete("/api/v1/keys/<int:key_id>")
@doc("Revoke an API key (not the last active admin key: 409)", tags=["keys"],
     responses={200: KeyRevoked, 401: Error, 403: Error, 404: Error, 409: Error})
@requires("admin")
def keys_revoke(key_id: int):
    return {"key": keys_svc.revoke_key(get_tm(), key_id, keep_last_admin=True).to_dict()}
