"""The OpenAPI document at /api/v1/openapi.json, generated from the app's own routes.

Paths, methods and summaries come from the URL map and the views' docstrings, and security from each
route's access declaration, so the document cannot drift from the routes; a test compares them.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify

from nexphys.web.access import access_of, public

bp = Blueprint("web_api", __name__, url_prefix="/api/v1")

PROBLEM = {"description": "Problem (RFC 9457)", "content": {"application/problem+json": {
    "schema": {"$ref": "#/components/schemas/Problem"}}}}


def _path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def _operation(endpoint: str, method: str) -> dict:
    view = current_app.view_functions[endpoint]
    doc = (view.__doc__ or endpoint).strip()
    access = access_of(current_app, endpoint)
    operation = {"operationId": f"{endpoint.replace('.', '_')}_{method.lower()}", "summary": doc.split("\n")[0],
                 "tags": [endpoint.split(".")[0]],
                 "responses": {"200": {"description": "OK"}, "4XX": PROBLEM}}
    if access is not None and access.kind != "public":
        operation["security"] = [{"bearer": []}, {"apiKey": []}]
        if access.kind == "permission":
            operation["x-permission"] = access.describe()
    return operation


def build_document() -> dict:
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        item = paths.setdefault(_path(rule.rule), {})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            item[method.lower()] = _operation(rule.endpoint, method)
            params = re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", rule.rule)
            if params:
                item[method.lower()]["parameters"] = [
                    {"name": name, "in": "path", "required": True,
                     "schema": {"type": "integer" if converter == "int" else "string"}}
                    for converter, name in params]
    return {
        "openapi": "3.1.0",
        "info": {"title": "nexphys API", "version": current_app.config["APP_VERSION"],
                 "description": "Studio endpoints are called on a studio host (<slug>.<base domain>, a custom "
                                "domain, or X-Tenant-Domain); platform endpoints on the apex host."},
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
            "schemas": {"Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"},
                "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            }}},
        },
    }


@bp.get("/openapi.json")
@public
def openapi_document():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(build_document())
