"""The OpenAPI 3.1 document, generated from the registered routes and their pydantic models."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib import caches
from chalicelib.api import routing
from chalicelib.schemas.common import ID_MAX_LENGTH, ID_PATTERN, ErrorBody

_STATUS_TEXT = {
    400: "bad_json, bad_parameter (a malformed path id or query parameter), bad_cursor, cursor_expired",
    401: "unauthorized (no token) or invalid_token (bad, expired, forged, wrong audience)",
    403: "Not allowed (prime_required, not_owner, brand_required, moderator_required, blocked, banned)",
    404: "not_found",
    405: "Method not allowed",
    409: "Conflict",
    413: "too_large: the body is over the byte cap, or the upload over max_upload_bytes",
    415: "unsupported_media_type: the body must be sent with Content-Type: application/json",
    422: "Validation error, with details naming each bad field",
    429: "rate_limited (an abuse limit; Retry-After) or throttled (contention; Retry-After)",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}}
_PATH_ID = {"type": "string", "minLength": 1, "maxLength": ID_MAX_LENGTH, "pattern": ID_PATTERN}


_REF_TEMPLATE = "#/components/schemas/{model}"


# OpenAPI links: what a created resource lets a client (or a stateful fuzzer) call next.
_POST_ID = {"post_id": "$response.body#/id"}
_LINKS: dict[tuple[str, str], dict[str, tuple[str, str, dict[str, str]]]] = {
    ("POST", "/posts"): {
        "ReadPost": ("GET", "/posts/{post_id}", _POST_ID),
        "SmileAtPost": ("PUT", "/posts/{post_id}/smile", _POST_ID),
        "CommentOnPost": ("POST", "/posts/{post_id}/comments", _POST_ID),
        "ListComments": ("GET", "/posts/{post_id}/comments", _POST_ID),
        "DeletePost": ("DELETE", "/posts/{post_id}", _POST_ID),
    },
    ("POST", "/posts/{post_id}/comments"): {
        "DeleteComment": (
            "DELETE",
            "/posts/{post_id}/comments/{comment_id}",
            {"post_id": "$request.path.post_id", "comment_id": "$response.body#/id"},
        ),
    },
}


def _operation_id(method: str, path: str) -> str:
    return re.sub(r"\W+", "_", f"{method.lower()}{path}").strip("_")


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF_TEMPLATE.format(model=model.__name__)}


def _operation(spec: routing.RouteSpec) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": spec.summary,
        "tags": [spec.tag],
        "operationId": _operation_id(spec.method, spec.path),
        "x-flint-access": spec.access.value,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": dict(_PATH_ID)}
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
    success: dict[str, Any] = {"description": "Success"}
    if spec.response is not None:
        success["content"] = {"application/json": {"schema": _ref(spec.response)}}
    if spec.csv:
        success.setdefault("content", {})["text/csv"] = {"schema": {"type": "string"}}
    links = _LINKS.get((spec.method, spec.path))
    if links:
        success["links"] = {
            name: {"operationId": _operation_id(method, path), "parameters": parameters}
            for name, (method, path, parameters) in links.items()
        }
    operation["responses"][str(spec.status)] = success
    errors = set(spec.errors) | {405}
    if spec.body is not None:
        errors |= {400, 413, 415, 422}
    if spec.query is not None or operation["parameters"]:
        errors.add(400)  # a bad query parameter or cursor, a malformed path id
    if operation["parameters"] and any(p["in"] == "path" for p in operation["parameters"]):
        errors.add(404)
    if spec.access is not routing.Access.PUBLIC:
        operation["security"] = [{"cognitoIdToken": []}]
    elif spec.reads_token:
        operation["security"] = [{}, {"cognitoIdToken": []}]
    else:
        operation["security"] = [{}]  # any token is ignored
    if spec.reads_token:
        errors.add(401)
    if spec.access in (routing.Access.PRIME, routing.Access.BRAND, routing.Access.MODERATOR):
        errors.add(403)
    if spec.rate_limit is not None:
        errors.add(429)
    for status in sorted(errors):
        response: dict[str, Any] = {
            "description": _STATUS_TEXT.get(status, "Error"),
            "content": {"application/json": {"schema": _ref(ErrorBody)}},
        }
        if status == 429:
            response["headers"] = dict(_RETRY_AFTER)
        operation["responses"][str(status)] = response
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


caches.register(openapi_document.cache_clear)
