"""The OpenAPI document is served and matches the app's API routes exactly."""

from __future__ import annotations

import re

from tests.conftest import host


def test_openapi_matches_the_routes(app, client, tenant_a):
    document = client.get("/api/v1/openapi.json", headers=host(tenant_a)).get_json()
    assert document["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            routed |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed
    for (path, method) in documented:
        operation = document["paths"][path][method.lower()]
        assert operation["summary"] and operation["summary"] != operation["operationId"], (path, method)


def test_contract_endpoints_are_present(client, tenant_a):
    paths = client.get("/api/v1/openapi.json", headers=host(tenant_a)).get_json()["paths"]
    for path in ("/api/v1/auth/token", "/api/v1/auth/refresh", "/api/v1/auth/revoke", "/api/v1/me"):
        assert path in paths
    assert "security" not in paths["/api/v1/auth/token"]["post"]
    assert paths["/api/v1/me"]["get"]["security"]
