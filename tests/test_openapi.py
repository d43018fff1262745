"""The generated OpenAPI document is valid 3.1 and lists every route of the app."""

from __future__ import annotations

import re

import pytest

from tmserver.api.openapi import NOT_API_BLUEPRINTS


def test_openapi_is_valid_31_and_complete(app, client):
    from openapi_spec_validator import OpenAPIV31SpecValidator, validate

    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.json
    assert spec["openapi"].startswith("3.1")
    validate(spec, cls=OpenAPIV31SpecValidator)
    documented = {(path, m) for path, ops in spec["paths"].items() for m in ops}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        if rule.endpoint.partition(".")[0] in NOT_API_BLUEPRINTS:
            # the workbench's HTML pages are not API operations (tested in tests/test_web*.py)
            # ... and never under the API's prefixes, so skipping them cannot hide an API route
            assert not rule.rule.startswith(("/api/", "/tmserver/")), rule.rule
            continue
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)
    # write routes advertise the role they need
    assert spec["paths"]["/api/v1/segments"]["post"]["x-required-role"] == "translator"
    assert spec["paths"]["/api/v1/import"]["post"]["x-required-role"] == "admin"


def test_docs_page_is_self_contained(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200 and b"/api/v1/segments" in r.data
    assert b"http://" not in r.data and b"https://" not in r.data  # no CDN assets


def test_components_come_from_the_models_the_routes_use(client):
    """The lookup match documents what the engine and the glossary annotation really add (the
    hand-written schema had drifted), and request bodies are the validating models."""
    from tmserver.api.schemas import LookupMatch, SegmentCreate

    spec = client.get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    match = schemas["LookupMatch"]
    assert {"term_problems", "origin", "updated_at", "adaptation", "matched_side"} <= set(match["properties"])
    assert match["additionalProperties"] is False
    assert schemas["LookupMatch"] == {k: v for k, v in LookupMatch.model_json_schema(
        ref_template="#/components/schemas/{model}").items() if k != "$defs"}
    assert "terms" in schemas["Lookup"]["properties"]
    body = spec["paths"]["/api/v1/segments"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/SegmentCreate"}
    assert body["example"]["source"] and set(body["example"]) <= set(SegmentCreate.model_fields)
    # every JSON body an operation takes is a named model with an example
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            json_body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if json_body:
                assert "$ref" in json_body["schema"] and "example" in json_body, (method, path)


def test_every_operation_documents_the_errors_it_can_answer(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if path in ("/api/v1/openapi.json", "/api/v1/docs", "/api/v1/health"):
                continue
            assert "400" in op["responses"], (method, path)
            if op.get("x-required-role") in ("translator", "admin"):
                assert {"401", "403"} <= set(op["responses"]), (method, path)


@pytest.mark.parametrize(("path", "body", "field", "needle"), [
    ("/api/v1/lookup/batch", {"segments": ["网络"], "limit": "5"}, "limit", "must be an integer"),
    ("/api/v1/lookup/batch", {"segments": ["网络"], "limit": 51}, "limit", "at most 50"),
    ("/api/v1/lookup/batch", {"segments": [{"q": "网络", "context_prev": 3}]}, "segments[0].context_prev", None),
    ("/api/v1/lookup/batch", {}, "segments", "is required"),
    ("/api/v1/glossary/check", {"source": "网络"}, "target", "is required"),
    ("/api/v1/align", {"zh": "一。", "en": "One.", "presegmented": "yes"}, "presegmented", "true or false"),
    ("/api/v1/terms", {"texts": "网络"}, "texts", "must be a list"),
])
def test_a_body_the_model_refuses_is_a_400_naming_the_field(client, path, body, field, needle):
    r = client.post(path, json=body)
    assert r.status_code == 400, r.json
    err = r.json["error"]
    assert err["code"] == "invalid_input" and err["details"] == {"field": field}
    assert field in err["message"] and (needle is None or needle in err["message"]), err
    assert err["request_id"] == r.headers["X-Request-ID"]


def test_unknown_fields_are_named_all_at_once(client, auth, tm):
    r = client.post("/api/v1/segments", json={"source": "网络", "target": "network", "colour": 1, "size": 2},
                    headers=auth("translator"))
    assert r.status_code == 400 and r.json["error"]["details"] == {"fields": ["colour", "size"]}
    assert "colour, size" in r.json["error"]["message"] and tm.count() == 0


def test_a_response_the_document_does_not_describe_fails_the_request(app, client, monkeypatch):
    """VALIDATE_RESPONSES (on in every test): an answer with a field its model lacks is caught, so
    a route cannot drift from the document unnoticed."""
    from tmserver.api.openapi import ResponseMismatch

    view = app.view_functions["health.health"]

    def drifted():
        return {**view(), "surprise": 1}

    drifted.__apidoc__ = view.__apidoc__  # type: ignore[attr-defined]
    monkeypatch.setitem(app.view_functions, "health.health", drifted)
    monkeypatch.setitem(app.view_functions, "keys.keys_list", lambda: ({"keys": [{"id": "x"}]}, 200))
    app.view_functions["keys.keys_list"].__apidoc__ = view.__apidoc__ | {  # type: ignore[attr-defined]
        "responses": app.view_functions["segments.get_segment"].__apidoc__["responses"]}
    assert client.get("/api/v1/health").status_code == 200  # Health is open: extra facts are allowed
    with pytest.raises(ResponseMismatch, match="keys"):
        client.get("/api/v1/keys")


def test_docs_page_shows_bodies_examples_and_a_try_it_form(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert 'id="apikey"' in page and page.count("Try it") > 30
    # the create-segment operation shows its body with the model's example, ready to send
    start = page.index('id="segments_create_segment_post"')
    op = page[start:page.index("</details>", start)]
    assert "Request body" in op and "SegmentCreate" in op and "网络空间命运共同体" in op and "<textarea" in op
    assert "needs a <b>translator</b> key" in op and "422" in op
    assert 'id="schema-LookupMatch"' in page and "term_problems" in page
    script = re.search(r'<script src="([^"]+)"', page).group(1)
    js = client.get(script)
    assert js.status_code == 200 and b"Authorization" in js.data and b"fetch(" in js.data
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', page):
        assert client.get(asset).status_code == 200, asset
