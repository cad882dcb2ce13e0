"""The OpenAPI 3.1 document, generated from the registered routes and their pydantic models."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api import routing
from chalicelib.schemas.common import ErrorBody

_STATUS_TEXT = {
    400: "Bad JSON or bad parameter",
    401: "Missing, invalid or expired token",
    403: "Not allowed (prime_required, not_owner, brand_required)",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    422: "Validation error, with details naming each bad field",
    429: "Throttled",
}


_REF_TEMPLATE = "#/components/schemas/{model}"


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF_TEMPLATE.format(model=model.__name__)}


def _operation(spec: routing.RouteSpec) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": spec.summary,
        "tags": [spec.tag],
        "operationId": re.sub(r"\W+", "_", f"{spec.method.lower()}{spec.path}").strip("_"),
        "x-flint-access": spec.access.value,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", spec.path)
        ],
        "responses": {},
    }
    if spec.query is not None:
        # OpenAPI requires a schema (or content) on every parameter: take each from the query model.
        properties = spec.query.model_json_schema(ref_template=_REF_TEMPLATE).get("properties", {})
        for name, field in spec.query.model_fields.items():
            operation["parameters"].append(
                {
                    "name": field.alias or name,
                    "in": "query",
                    "required": field.is_required(),
                    "description": field.description or "",
                    "schema": properties.get(field.alias or name, {}),
                }
            )
    if spec.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(spec.body)}},
        }
    if spec.response is not None:
        operation["responses"][str(spec.status)] = {
            "description": "Success",
            "content": {"application/json": {"schema": _ref(spec.response)}},
        }
    else:
        operation["responses"][str(spec.status)] = {"description": "Success"}
    errors = set(spec.errors)
    if spec.body is not None:
        errors |= {400, 422}
    if spec.query is not None:
        errors.add(400)
    if spec.access is not routing.Access.PUBLIC:
        operation["security"] = [{"cognitoIdToken": []}]
        errors.add(401)
    else:
        operation["security"] = [{}, {"cognitoIdToken": []}]
    if spec.access in (routing.Access.PRIME, routing.Access.BRAND):
        errors.add(403)
    for status in sorted(errors):
        operation["responses"][str(status)] = {
            "description": _STATUS_TEXT.get(status, "Error"),
            "content": {"application/json": {"schema": _ref(ErrorBody)}},
        }
    return operation


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    models: set[type[BaseModel]] = {ErrorBody}
    paths: dict[str, dict[str, Any]] = {}
    for spec in routing.ROUTES:
        models.update(m for m in (spec.body, spec.response) if m is not None)
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, schema = models_json_schema([(m, "validation") for m in ordered], ref_template=_REF_TEMPLATE)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Flint API",
            "version": "1.0.0",
            "description": "Shoppable social photo communities. Errors: {error: {code, message, details?}}.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {
                "cognitoIdToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A Cognito ID token of the pool in /config",
                }
            },
        },
    }
