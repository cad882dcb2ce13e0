"""ID and access tokens minted locally, signed with the emulator's key (or a stranger's).

The embedded Cognito signs every pool's tokens with one key pair (moto's resource files) and serves
its public half at `<endpoint>/<pool id>/.well-known/jwks.json`, which the authorizer trusts. A token
minted here with that key and the pool's issuer and client is therefore accepted exactly like one
from a sign-in, without the four Cognito round trips a sign-up costs. Forged tokens for negative
tests use the same builders with overrides.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.utilities.utils import load_resource

REGION = "us-east-1"


@lru_cache(maxsize=1)
def emulator_private_key() -> Any:
    jwk = load_resource("cognitoidp/resources/jwks-private.json")
    return jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))


def claims(*, pool_id: str, client_id: str, sub: str = "forged-sub", **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}",
        "sub": sub,
        "aud": client_id,
        "token_use": "id",
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
        "cognito:groups": ["prime"],
    }
    base.update(overrides)
    return base


def sign(payload: dict[str, Any], key: Any = None, *, algorithm: str = "RS256") -> str:
    if algorithm == "none":
        return jwt.encode(payload, None, algorithm="none", headers={"kid": "dummy"})
    return jwt.encode(payload, key or emulator_private_key(), algorithm=algorithm, headers={"kid": "dummy"})


def stranger_key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def id_token(
    *, pool_id: str, client_id: str, sub: str, email: str, groups: Iterable[str] = (), name: str | None = None
) -> str:
    """What a sign-in answers as the ID token, with the claims Cognito writes for this pool (e-mail as
    the username attribute): `cognito:groups` only when there are groups, `name` when the member set one."""
    payload = claims(
        pool_id=pool_id,
        client_id=client_id,
        sub=sub,
        email=email,
        jti=str(uuid.uuid4()),
        origin_jti=str(uuid.uuid4()),
        **{"cognito:username": sub},
    )
    del payload["cognito:groups"]
    if groups := list(groups):
        payload["cognito:groups"] = groups
    if name:
        payload["name"] = name
    return sign(payload)


def access_token(*, pool_id: str, client_id: str, sub: str, groups: Iterable[str] = ()) -> str:
    """What a sign-in answers as the access token: `client_id` instead of `aud`, `token_use` access."""
    payload = claims(
        pool_id=pool_id,
        client_id=client_id,
        sub=sub,
        token_use="access",
        username=sub,
        scope="aws.cognito.signin.user.admin",
        jti=str(uuid.uuid4()),
        origin_jti=str(uuid.uuid4()),
    )
    del payload["aud"], payload["cognito:groups"]
    payload["client_id"] = client_id
    if groups := list(groups):
        payload["cognito:groups"] = groups
    return sign(payload)
