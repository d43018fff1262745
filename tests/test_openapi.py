"""The generated OpenAPI document is valid 3.1 and lists every route of the app."""

from __future__ import annotations

import re

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
