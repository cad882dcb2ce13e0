"""The route edge: one decorator parses, authorises, calls the view and maps errors.

`endpoint()` registers a Chalice route on a blueprint and records its
contract (access rule, request and response models) for /openapi.json, so the
published document is generated from the same models that validate requests.
Chalice middleware never sees a view's exceptions, so errors are mapped here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from chalicelib import auth
from chalicelib.api.authorizer import cognito_jwt
from chalicelib.errors import BadRequest, FlintError, Forbidden, Unauthorized, ValidationFailed, field_error
from chalicelib.observability import logger
from chalicelib.services import members

BodyT = TypeVar("BodyT", bound=BaseModel)
QueryT = TypeVar("QueryT", bound=BaseModel)

JSON_HEADERS = {"Content-Type": "application/json"}


class Access(StrEnum):
    PUBLIC = "public"  # optional token: it personalises the answer
    MEMBER = "member"
    PRIME = "prime"
    BRAND = "brand"


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    summary: str
    access: Access
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()


ROUTES: list[RouteSpec] = []


@dataclass
class Call(Generic[BodyT, QueryT]):
    """What a view receives: the caller (None if anonymous), parsed body, query and path params."""

    identity: auth.Identity | None
    body: BodyT
    query: QueryT
    params: dict[str, str] = field(default_factory=dict)

    @property
    def member(self) -> auth.Identity:
        if self.identity is None:  # only reachable on a mis-declared route
            raise Unauthorized("Sign in first.")
        return self.identity


def error_response(error: FlintError) -> Response:
    return Response(body=error.body(), status_code=error.status, headers={**JSON_HEADERS, **error.headers()})


def _details(exc: ValidationError) -> list[dict[str, str]]:
    return [
        field_error(".".join(str(part) for part in err["loc"]) or "request", err["msg"], err["type"])
        for err in exc.errors(include_url=False)
    ]


def _parse_body(raw: bytes | None, model: type[BaseModel]) -> BaseModel:
    try:
        data = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("The request body is not valid JSON.", code="bad_json") from exc
    if data is None:
        raise BadRequest("A JSON request body is required.", code="bad_json")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed("The request body is invalid.", _details(exc)) from exc


def _parse_query(params: dict[str, str] | None, model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(params or {})
    except ValidationError as exc:
        raise BadRequest(
            "A query parameter is invalid.", code="bad_parameter", details=_details(exc)
        ) from exc


def _identity(request: Any, access: Access) -> auth.Identity | None:
    authorizer = (request.context or {}).get("authorizer") or {}
    if access is not Access.PUBLIC and authorizer.get("principalId"):
        identity = auth.Identity.from_context(authorizer["principalId"], authorizer)
    else:
        # Public routes have no gateway authorizer: a token, if sent, is checked here.
        token = auth.bearer_token(request.headers.get("authorization"))
        if token is None:
            if access is not Access.PUBLIC:
                raise Unauthorized("Sign in first: send 'Authorization: Bearer <ID token>'.")
            return None
        identity = auth.get_verifier().verify(token)
        members.record_activity(identity)
    if access is Access.PRIME and not identity.is_prime:
        raise Forbidden("Only Prime members may do this.", code="prime_required")
    if access is Access.BRAND and not identity.is_brand:
        raise Forbidden("Only brand accounts may do this.", code="brand_required")
    return identity


class _Empty(BaseModel):
    pass


def endpoint(
    blueprint: Blueprint,
    path: str,
    method: str,
    *,
    summary: str,
    access: Access,
    tag: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
) -> Callable[[Callable[[Call[Any, Any]], BaseModel | None]], Callable[[Call[Any, Any]], BaseModel | None]]:
    """Register `view(call) -> model | None` as `METHOD path` with parsing and error mapping."""
    spec = RouteSpec(method, path, summary, access, tag, body, query, response, status, errors)
    ROUTES.append(spec)

    def decorator(
        view: Callable[[Call[Any, Any]], BaseModel | None],
    ) -> Callable[[Call[Any, Any]], BaseModel | None]:
        @functools.wraps(view)
        def handler(**params: str) -> Response:
            request = blueprint.current_request
            try:
                call = Call(
                    identity=_identity(request, access),
                    body=_parse_body(request.raw_body, body) if body else _Empty(),
                    query=_parse_query(request.query_params, query) if query else _Empty(),
                    params=params,
                )
                result = view(call)
            except FlintError as err:
                return error_response(err)
            except Exception:
                logger.exception("unhandled error", extra={"route": f"{method} {path}"})
                return Response(
                    body={
                        "error": {"code": "internal_error", "message": "Something went wrong on our side."}
                    },
                    status_code=500,
                    headers=JSON_HEADERS,
                )
            if result is None:
                return Response(body="", status_code=status)
            return Response(body=result.model_dump(mode="json"), status_code=status, headers=JSON_HEADERS)

        blueprint.route(path, methods=[method], authorizer=None if access is Access.PUBLIC else cognito_jwt)(
            handler
        )
        return view

    return decorator
