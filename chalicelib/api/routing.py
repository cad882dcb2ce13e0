"""The route edge: one decorator parses, authorises, limits, calls the view and maps errors.

`endpoint()` registers a Chalice route on a blueprint and records its
contract (access rule, request and response models) for /openapi.json, so the
published document is generated from the same models that validate requests.
Chalice middleware never sees a view's exceptions, so errors are mapped here.

In order, for every request: path ids are checked (short, URL-safe: a 5,000-character id is a
400 before anything reads DynamoDB); the caller is identified (routes that do not personalise
ignore any token, so an expired one never blocks /config or /health); a write spends one unit
of its abuse limit (`rate_limit=`, one conditional UpdateItem, 429 `rate_limited`); a body is
checked for its media type (415) and size (413) before it is parsed; any body that does not
parse is 400 `bad_json`; unknown query parameters are ignored and known ones validated.
Chalice's own content-type check is switched off (`content_types=["*/*"]`) so that a wrong or
missing Content-Type gets the contract's 415 body, in AWS and locally alike.
"""

from __future__ import annotations

import functools
import importlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

from chalice import Blueprint, Response

from chalicelib.api.authorizer import cognito_jwt
from chalicelib.errors import (
    BadRequest,
    FlintError,
    Forbidden,
    RateLimited,
    TooLarge,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    field_error,
)
from chalicelib.lazy import lazy_module
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

# What a request needs, imported by the first request (chalicelib/lazy.py): registering the routes
# at import loads neither pydantic, PynamoDB, boto3, the JWT library nor Powertools.
auth = lazy_module("chalicelib.auth")
keys = lazy_module("chalicelib.data.keys")
ratelimits = lazy_module("chalicelib.data.ratelimits")
observability = lazy_module("chalicelib.observability")
common = lazy_module("chalicelib.schemas.common")
members = lazy_module("chalicelib.services.members")
receipts = lazy_module("chalicelib.services.receipts")
pydantic = lazy_module("pydantic")

BodyT = TypeVar("BodyT", bound="BaseModel")
QueryT = TypeVar("QueryT", bound="BaseModel")

JSON_HEADERS = {"Content-Type": "application/json"}


class Access(StrEnum):
    PUBLIC = "public"  # optional token: it personalises the answer
    MEMBER = "member"
    PRIME = "prime"
    BRAND = "brand"
    MODERATOR = "moderator"


# A request, query or response model: the class, or "module.Name" in chalicelib/schemas/, imported
# when a request or /openapi.json first needs it, so that registering the routes imports no schema.
Schema: TypeAlias = "type[BaseModel] | str"
SCHEMAS_PACKAGE = "chalicelib.schemas"


@functools.cache
def schema(ref: Schema | None) -> type[BaseModel] | None:
    """The model `ref` names ("posts.PostIn" is chalicelib.schemas.posts.PostIn); a class is itself."""
    if not isinstance(ref, str):
        return ref
    module, _, name = ref.rpartition(".")
    model: type[BaseModel] = getattr(importlib.import_module(f"{SCHEMAS_PACKAGE}.{module}"), name)
    return model


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    summary: str
    access: Access
    tag: str
    body_schema: Schema | None = None
    query_schema: Schema | None = None
    response_schema: Schema | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    personalised: bool = True
    rate_limit: str | None = None
    csv: bool = False  # the view may also answer text/csv (a Response), e.g. with ?format=csv
    # The view spends `rate_limit` itself, per unit it counts (POST /events: per event).
    limit_in_view: bool = False

    @property
    def body(self) -> type[BaseModel] | None:
        return schema(self.body_schema)

    @property
    def query(self) -> type[BaseModel] | None:
        return schema(self.query_schema)

    @property
    def response(self) -> type[BaseModel] | None:
        return schema(self.response_schema)

    @property
    def reads_token(self) -> bool:
        """Whether a token sent to this route is verified (and so may be a 401)."""
        return self.access is not Access.PUBLIC or self.personalised


ROUTES: list[RouteSpec] = []


@dataclass
class Call(Generic[BodyT, QueryT]):
    """What a view receives: the caller (None if anonymous), parsed body, query and path params.

    `viewer` is who receipts are bound to (services/receipts.py): the member, or an anonymous
    caller's session from `X-Flint-Session`; None for an anonymous caller without a valid one.
    """

    identity: auth.Identity | None
    body: BodyT
    query: QueryT
    params: dict[str, str] = field(default_factory=dict)
    viewer: str | None = None

    @property
    def member(self) -> auth.Identity:
        if self.identity is None:  # only reachable on a mis-declared route
            raise Unauthorized("Sign in first.")
        return self.identity


# Error bodies never echo a client's input without bound (a 1 MB id, 10,000 bad fields).
MAX_ECHO_CHARS = 200
MAX_DETAILS = 20


def clip(text: str, limit: int = MAX_ECHO_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _bounded(body: dict[str, Any]) -> dict[str, Any]:
    error = dict(body["error"])
    error["message"] = clip(str(error["message"]), 2 * MAX_ECHO_CHARS)
    if error.get("details") is not None:
        error["details"] = [{k: clip(str(v)) for k, v in d.items()} for d in error["details"][:MAX_DETAILS]]
    return {"error": error}


def error_response(error: FlintError) -> Response:
    # Throttled errors carry their Retry-After (transaction contention, abuse limits).
    headers = {**JSON_HEADERS, **error.headers()}
    return Response(body=_bounded(error.body()), status_code=error.status, headers=headers)


def internal_error(headers: dict[str, str] | None = None) -> Response:
    """The contract's 500: what a client sees when something fails on our side."""
    body = {"error": {"code": "internal_error", "message": "Something went wrong on our side."}}
    return Response(body=body, status_code=500, headers={**JSON_HEADERS, **(headers or {})})


def contract_errors(request: Any, get_response: Callable[[Any], Response]) -> Response:
    """Outermost HTTP middleware: whatever escapes below it still answers the contract's 500.

    `endpoint()` maps a view's errors, but a failure in a middleware (the metrics flush, the
    logger) or outside a view would otherwise reach Chalice's own handler and answer
    `{"Code": "InternalServerError"}`. The response carries the CORS origin so a browser can read it.
    """
    try:
        return get_response(request)
    except Exception:
        observability.logger.exception(
            "unhandled error outside the route", extra={"path": getattr(request, "path", None)}
        )
        return internal_error({"Access-Control-Allow-Origin": get_settings().cors_origin})


def _details(exc: ValidationError) -> list[dict[str, str]]:
    return [
        field_error(".".join(str(part) for part in err["loc"]) or "request", err["msg"], err["type"])
        for err in exc.errors(include_url=False)
    ]


def _is_json(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _parse_body(raw: bytes | str | None, content_type: str | None, model: type[BaseModel]) -> BaseModel:
    if isinstance(raw, str):
        raw = raw.encode()
    if not _is_json(content_type):
        raise UnsupportedMediaType(
            "Send the body as JSON with 'Content-Type: application/json'.", code="unsupported_media_type"
        )
    limit = get_settings().max_body_bytes
    if raw and len(raw) > limit:
        raise TooLarge(f"The request body is over {limit} bytes.")
    try:
        data = json.loads(raw) if raw else None
        # Lone surrogates ("\ud800") parse but are not Unicode: refuse them here, once.
        json.dumps(data, ensure_ascii=False).encode()
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise BadRequest("The request body is not valid JSON.", code="bad_json") from exc
    if data is None:
        raise BadRequest("A JSON request body is required.", code="bad_json")
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationFailed("The request body is invalid.", _details(exc)) from exc
    except RecursionError as exc:  # nesting under the parser's limit but over the validator's
        raise BadRequest("The request body is nested too deeply.", code="bad_json") from exc


def _parse_query(params: dict[str, str] | None, model: type[BaseModel]) -> BaseModel:
    # Unknown parameters (cache-busters such as `_=123`, `utm_*`) are ignored, known ones validated.
    known = {field.alias or name for name, field in model.model_fields.items()}
    try:
        return model.model_validate({k: v for k, v in (params or {}).items() if k in known})
    except pydantic.ValidationError as exc:
        raise BadRequest(
            "A query parameter is invalid.", code="bad_parameter", details=_details(exc)
        ) from exc


def _check_path(params: dict[str, str]) -> None:
    bad = [name for name, value in params.items() if not common.ID_RE.match(value)]
    if bad:
        raise BadRequest(
            "An id in the path is malformed: ids are 1..128 URL-safe characters.",
            code="bad_parameter",
            details=[field_error(name, "not a valid id", "bad_id") for name in bad],
        )


def _limit(request: Any, action: str, identity: auth.Identity | None) -> None:
    limits = get_settings().rate_limits
    if action not in limits:
        return
    limit, window = limits[action]
    if identity is not None:
        subject = identity.user_id
    else:
        source = ((request.context or {}).get("identity") or {}).get("sourceIp") or "unknown"
        subject = keys.anonymous_subject(str(source))
    verdict = ratelimits.hit(action, subject, limit=limit, window_seconds=window, now=time.time())
    if not verdict.allowed:
        raise RateLimited(
            f"Too many {action} requests: at most {limit} every {window} s. Retry later.",
            retry_after=verdict.retry_after,
        )


def _viewer(request: Any, identity: auth.Identity | None, personalised: bool) -> str | None:
    """The member, else the anonymous session a personalised public route was sent (never an error)."""
    if identity is not None:
        return receipts.member_viewer(identity.user_id)
    if not personalised:
        return None
    session = receipts.session_id(request.headers.get(receipts.SESSION_HEADER))
    return receipts.session_viewer(session) if session else None


def _identity(request: Any, access: Access, personalised: bool = True) -> auth.Identity | None:
    if access is Access.PUBLIC and not personalised:
        return None  # the answer is the same for everyone: a token, even an expired one, is ignored
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
        if not members.record_activity(identity):
            raise Unauthorized("This account is being deleted.", code="account_deleted")
    if access is Access.PRIME and not identity.is_prime:
        raise Forbidden("Only Prime members may do this.", code="prime_required")
    if access is Access.BRAND and not identity.is_brand:
        raise Forbidden("Only brand accounts may do this.", code="brand_required")
    if access is Access.MODERATOR and not identity.is_moderator:
        raise Forbidden("Only moderators may do this.", code="moderator_required")
    return identity


@functools.cache
def _empty() -> BaseModel:
    """What `call.body` / `call.query` is on a route without one."""

    class _Empty(pydantic.BaseModel):
        pass

    return _Empty()


def endpoint(
    blueprint: Blueprint,
    path: str,
    method: str,
    *,
    summary: str,
    access: Access,
    tag: str,
    body: Schema | None = None,
    query: Schema | None = None,
    response: Schema | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    personalised: bool = True,
    rate_limit: str | None = None,
    csv: bool = False,
    limit_in_view: bool = False,
) -> Callable[[Callable[[Call[Any, Any]], Any]], Callable[[Call[Any, Any]], Any]]:
    """Register `view(call) -> model | None` as `METHOD path` with parsing and error mapping.

    `personalised=False` marks a public route whose answer does not depend on the caller: it
    ignores any token. `rate_limit="comments"` spends one unit of that abuse limit (settings
    `rate_limits`) per request, per member or, anonymously, per client address. `body`, `query`
    and `response` are models or, imported on first use, their names: `body="posts.PostIn"`.
    """
    if rate_limit is not None and rate_limit not in get_settings().rate_limits:
        raise ValueError(f"no rate limit named {rate_limit!r} in settings")
    spec = RouteSpec(
        method,
        path,
        summary,
        access,
        tag,
        body,
        query,
        response,
        status,
        errors,
        personalised,
        rate_limit,
        csv,
    )
    ROUTES.append(spec)

    def decorator(
        view: Callable[[Call[Any, Any]], Any],
    ) -> Callable[[Call[Any, Any]], Any]:
        @functools.wraps(view)
        def handler(**params: str) -> Response:
            request = blueprint.current_request
            viewer_token = None
            try:
                _check_path(params)
                identity = _identity(request, access, personalised)
                viewer = _viewer(request, identity, personalised)
                # Presenters sign each shown post's receipt for this viewer (services/receipts.py).
                viewer_token = receipts.set_viewer(viewer)
                if rate_limit is not None and not limit_in_view:
                    _limit(request, rate_limit, identity)
                call = Call(
                    identity=identity,
                    body=(
                        _parse_body(request.raw_body, request.headers.get("content-type"), spec.body)
                        if spec.body
                        else _empty()
                    ),
                    query=_parse_query(request.query_params, spec.query) if spec.query else _empty(),
                    params=params,
                    viewer=viewer,
                )
                result = view(call)
            except FlintError as err:
                return error_response(err)
            except Exception:
                observability.logger.exception("unhandled error", extra={"route": f"{method} {path}"})
                return internal_error()
            finally:
                if viewer_token is not None:
                    receipts.reset_viewer(viewer_token)
            if result is None:
                return Response(body="", status_code=status)
            if isinstance(result, Response):  # a non-JSON answer (a CSV export)
                return result
            return Response(body=result.model_dump(mode="json"), status_code=status, headers=JSON_HEADERS)

        blueprint.route(
            path,
            methods=[method],
            authorizer=None if access is Access.PUBLIC else cognito_jwt,
            content_types=["*/*"],  # checked above, so a wrong type gets the contract's 415
        )(handler)
        return view

    return decorator
