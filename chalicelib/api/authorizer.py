"""The API Gateway custom authorizer: verifies the Cognito ID token once per token.

API Gateway caches the answer (`ttl_seconds`), so verification and the
member's activity mark cost one invocation per token per TTL, not per call.
A rejected token is denied; the gateway's ACCESS_DENIED response is mapped to
the contract's 401 body in infra/ (and by the local gateway under `make dev`).
"""

from __future__ import annotations

from chalice import AuthResponse, Blueprint
from chalice.app import AuthRequest

from chalicelib.errors import Unauthorized
from chalicelib.lazy import lazy_module

# Imported by the first token checked (chalicelib/lazy.py): every function imports this module.
auth = lazy_module("chalicelib.auth")
observability = lazy_module("chalicelib.observability")
members = lazy_module("chalicelib.services.members")

authorizer_blueprint = Blueprint(__name__)


@authorizer_blueprint.authorizer(ttl_seconds=300)
def cognito_jwt(auth_request: AuthRequest) -> AuthResponse:
    try:
        token = auth.bearer_token(auth_request.token)
        if token is None:
            raise Unauthorized("missing token")
        identity = auth.get_verifier().verify(token)
        if not members.record_activity(identity):
            raise Unauthorized("account being deleted", code="account_deleted")
    except Unauthorized as err:
        observability.logger.info("token rejected", extra={"reason": err.code})
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(routes=["*"], principal_id=identity.user_id, context=identity.to_context())
