"""The OpenAPI 3.1 document at /api/v1/openapi.json, generated from the app's own routes and shapes.

Paths, methods and summaries come from the URL map and the views' docstrings, security from each
route's access declaration, and request bodies, parameters and responses from the view's `@api`
declaration (nexphys.web.schemas), whose pydantic models give the JSON Schemas (2020-12, the dialect
of OpenAPI 3.1). So the document cannot drift from the code; tests validate it and fuzz the API
against it (schemathesis), responses included.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import Rule

from nexphys.web.access import access_of, public
from nexphys.web.schemas import Operation, Shape, api, operation_of

bp = Blueprint("web_api", __name__, url_prefix="/api/v1")
REF = "#/components/schemas/{model}"
_PARAMETER = re.compile(r"<(?:([a-z]+):)?([a-z_]+)>")


class Problem(Shape):
    """An error (RFC 9457): `errors` names bad fields (422); a booking refusal carries its `reason`."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: dict[str, list[str]] | None = None
    reason: str | None = None


class OpenApiDocument(Shape):
    """This document (OpenAPI 3.1)."""

    model_config = {"extra": "allow"}
    openapi: str


PROBLEM = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
Refs = dict[tuple[type[BaseModel], str], dict[str, str]]  # (model, "validation" | "serialization") → {"$ref": …}


def _path(rule: str) -> str:
    return _PARAMETER.sub(r"{\2}", rule)


def _responses(operation: Operation, refs: Refs) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, model in sorted(operation.responses.items()):
        answer: dict[str, Any] = {"description": HTTP_STATUS_CODES.get(status, "OK")}
        if model is not None:
            answer["content"] = {"application/json": {"schema": refs[(model, "serialization")]}}
        if status == 201:
            answer["headers"] = {"Location": {"description": "The new resource", "schema": {"type": "string"}}}
        responses[str(status)] = answer
    for status in operation.problems:
        responses[str(status)] = {"description": HTTP_STATUS_CODES.get(status, "Error"), "content": PROBLEM}
    responses["4XX"] = {"description": "A problem with the request (RFC 9457)", "content": PROBLEM}
    responses["429"] = {"description": "Over the caller's or the studio's API rate limit: wait Retry-After seconds",
                        "content": PROBLEM, "headers": {"Retry-After": {"schema": {"type": "integer"}}}}
    responses["503"] = {"description": "The studio is being set up, or a dependency is down; retry later",
                        "content": PROBLEM}
    return responses


def _parameters(rule: Rule, operation: Operation, refs: Refs, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer"} if converter == "int" else {"type": "string"}}
                  for converter, name in _PARAMETER.findall(rule.rule)]
    if operation.query is not None:
        query = schemas[refs[(operation.query, "validation")]["$ref"].rsplit("/", 1)[1]]
        for name, schema in query.get("properties", {}).items():
            parameters.append({"name": name, "in": "query", "required": name in query.get("required", []),
                               "schema": _query_value(schema)})
    return parameters


def _query_value(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema: a text in the URL is never null, so "X or null" reads as X."""
    schema = {key: value for key, value in schema.items() if key != "title"}
    alternatives = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if "anyOf" in schema and len(alternatives) == 1:
        schema = {**{k: v for k, v in schema.items() if k != "anyOf"}, **alternatives[0]}
    if schema.get("default", ...) is None:
        del schema["default"]
    return schema


def _operation(app: Flask, rule: Rule, method: str, operation: Operation, refs: Refs,
               schemas: dict[str, Any]) -> dict:
    view = app.view_functions[rule.endpoint]
    doc = (view.__doc__ or rule.endpoint).strip()
    summary, _, description = doc.partition("\n")
    item: dict[str, Any] = {"operationId": f"{rule.endpoint.replace('.', '_')}_{method.lower()}",
                            "summary": summary.strip(), "tags": [rule.endpoint.split(".")[0].removesuffix("_api")],
                            "responses": _responses(operation, refs)}
    if description.strip():
        item["description"] = " ".join(description.split())
    parameters = _parameters(rule, operation, refs, schemas)
    if parameters:
        item["parameters"] = parameters
    if operation.body is not None:
        item["requestBody"] = {"required": not operation.body_optional, "content": {"application/json": {
            "schema": refs[(operation.body, "validation")]}}}
    access = access_of(app, rule.endpoint)
    if access is not None and access.kind != "public":
        item["security"] = [{"bearer": []}, {"apiKey": []}]
        _document_refusal(item, 401, "Not signed in, or the credential is unknown, expired or revoked")
        if access.kind == "permission":
            item["x-permission"] = access.describe()
            _document_refusal(item, 403, "The caller's role or key does not allow this")
    return item


def _document_refusal(item: dict[str, Any], status: int, description: str) -> None:
    item["responses"].setdefault(str(status), {"description": description, "content": PROBLEM})


def _api_rules(app: Flask) -> list[tuple[Rule, str, Operation]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            operation = operation_of(app.view_functions[rule.endpoint]) or Operation()
            found.extend((rule, method, operation) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return found


def _component_schemas(rules: list[tuple[Rule, str, Operation]]) -> tuple[Refs, dict[str, Any]]:
    """Every model the operations name, and what they refer to: the references, and the JSON Schemas by name."""
    models: dict[tuple[type[BaseModel], str], None] = {(Problem, "serialization"): None}
    for _rule, _method, operation in rules:
        if operation.body is not None:
            models[(operation.body, "validation")] = None
        if operation.query is not None:
            models[(operation.query, "validation")] = None
        for model in operation.responses.values():
            if model is not None:
                models[(model, "serialization")] = None
    refs, document = models_json_schema(list(models), ref_template=REF)
    return refs, document.get("$defs", {})


def _document(app: Flask) -> dict[str, Any]:
    rules = _api_rules(app)
    refs, schemas = _component_schemas(rules)
    paths: dict[str, dict] = {}
    for rule, method, operation in rules:
        paths.setdefault(_path(rule.rule), {})[method.lower()] = _operation(app, rule, method, operation, refs,
                                                                            schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "nexphys API", "version": app.config["APP_VERSION"],
                 "description": "Studio endpoints are called on a studio host (<slug>.<base domain>, a custom "
                                "domain, or X-Tenant-Domain); platform endpoints on the apex host."},
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
            "schemas": dict(sorted(schemas.items())),
        },
    }


def build_document() -> dict[str, Any]:
    """This app's document, built once (its routes and shapes are fixed once the app is built)."""
    app = current_app._get_current_object()
    if "nexphys_openapi" not in app.extensions:
        app.extensions["nexphys_openapi"] = _document(app)
    return app.extensions["nexphys_openapi"]


@bp.get("/openapi.json")
@public
@api(responses={200: OpenApiDocument})
def openapi_document():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(build_document())
