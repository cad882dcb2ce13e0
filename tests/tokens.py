"""Mint ID tokens for negative tests, signed with the emulator's key or a stranger's."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.utilities.utils import load_resource


def emulator_private_key() -> Any:
    jwk = load_resource("cognitoidp/resources/jwks-private.json")
    return jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))


def claims(*, pool_id: str, client_id: str, sub: str = "forged-sub", **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}",
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
