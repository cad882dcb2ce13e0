"""Cognito ID-token verification and the caller's identity.

A token is accepted only if its RS256 signature matches a key of the pool's
JWKS (fetched once, cached), it is unexpired, its issuer is the pool, its
audience is the app client, and it is an ID token (`token_use` = `id`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib import caches, text
from chalicelib.errors import Unauthorized
from chalicelib.settings import Settings, get_settings

PRIME_GROUP = "prime"
BRAND_GROUP = "brand"
MODERATOR_GROUP = "moderator"


@dataclass(frozen=True)
class Identity:
    user_id: str
    groups: frozenset[str]
    display_name_hint: str

    @property
    def is_prime(self) -> bool:
        return PRIME_GROUP in self.groups

    @property
    def is_brand(self) -> bool:
        return BRAND_GROUP in self.groups

    @property
    def is_moderator(self) -> bool:
        return MODERATOR_GROUP in self.groups

    def to_context(self) -> dict[str, str]:
        """Flat string context, as API Gateway passes an authorizer's result to the API function."""
        return {"groups": ",".join(sorted(self.groups)), "name": self.display_name_hint}

    @classmethod
    def from_context(cls, principal_id: str, context: dict[str, Any]) -> Identity:
        groups = frozenset(g for g in str(context.get("groups", "")).split(",") if g)
        return cls(user_id=principal_id, groups=groups, display_name_hint=str(context.get("name", "")))


def default_display_name(claims: dict[str, Any]) -> str:
    """The first profile's public name: never the member's e-mail address, never a name PATCH /me
    would refuse (the identity provider checks nothing: a `name` with a right-to-left override or
    only zero-width characters falls through to the next claim, then to `member-<id>`)."""
    for claim in ("name", "preferred_username"):
        name = text.name_from_source(claims.get(claim), max_length=text.DISPLAY_NAME_MAX)
        if name:
            return name
    return f"member-{str(claims['sub'])[:8]}"


class TokenVerifier:
    def __init__(self, *, jwks_url: str, issuer: str, audience: str, leeway_seconds: int = 30):
        # PyJWT (and the cryptography it loads) is imported by the first verification, not by
        # `import app`: anonymous requests never pay for it.
        import jwt

        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=5)
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds

    def verify(self, token: str) -> Identity:
        import jwt

        try:
            signing_key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired: sign in again.", code="invalid_token") from exc
        except jwt.PyJWKClientConnectionError as exc:
            # The key set could not be fetched: a server-side fault, not the caller's.
            raise RuntimeError("JWKS unavailable") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized("The token is not valid.", code="invalid_token") from exc
        if claims.get("token_use") != "id":
            raise Unauthorized("An ID token is required.", code="invalid_token")
        groups = claims.get("cognito:groups") or []
        return Identity(
            user_id=str(claims["sub"]),
            groups=frozenset(str(g) for g in groups),
            display_name_hint=default_display_name(claims),
        )


def bearer_token(header_value: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None when absent."""
    if not header_value:
        return None
    scheme, _, token = header_value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use 'Authorization: Bearer <ID token>'.", code="invalid_token")
    return token.strip()


def verifier_for(settings: Settings) -> TokenVerifier:
    return TokenVerifier(
        jwks_url=settings.jwks, issuer=settings.issuer, audience=settings.user_pool_client_id
    )


@lru_cache(maxsize=1)
def get_verifier() -> TokenVerifier:
    return verifier_for(get_settings())


caches.register(get_verifier.cache_clear)
