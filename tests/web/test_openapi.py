"""The OpenAPI document is served and matches the app's API routes exactly."""

from __future__ import annotations

import re

from tests.requests import host


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


def _document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def test_the_document_is_valid_openapi_3_1(client):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation import OpenAPIV31SpecValidator

    document = _document(client)
    assert document["openapi"] == "3.1.0"
    validate(document, cls=OpenAPIV31SpecValidator)


def test_every_operation_declares_its_request_and_response_shapes(client):
    document = _document(client)
    missing = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            answers = {status: answer for status, answer in operation["responses"].items() if status[0] == "2"}
            if not answers or any("content" not in answer for status, answer in answers.items() if status != "204"):
                missing.append(f"{method.upper()} {path}: success response schema")
            if "4XX" not in operation["responses"]:
                missing.append(f"{method.upper()} {path}: error response schema")
            if method in ("post", "patch", "put") and "requestBody" not in operation \
                    and not path.endswith(("/check-in", "/reactivate", "/approve", "/decline", "/resolve")):
                missing.append(f"{method.upper()} {path}: request body")
            for name in re.findall(r"{([a-z_]+)}", path):
                if not any(p["in"] == "path" and p["name"] == name for p in operation.get("parameters", [])):
                    missing.append(f"{method.upper()} {path}: path parameter {name}")
    assert missing == []


def test_a_body_the_schema_refuses_is_422_naming_the_fields(client, tenant_a):
    response = client.post("/api/v1/auth/token", headers=host(tenant_a),
                           json={"email": ["not", "text"], "password": "x", "remember": True})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == {"remember": ["Unknown field."]}
    response = client.post("/api/v1/auth/token", headers=host(tenant_a), json={"email": ["not", "text"]})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"email": ["Must be text."], "password": ["This field is required."]}
