"""Signed-in members for every tier: minted locally (the default), or signed up through Cognito.

A minted member is what a sign-in would give the client: a fresh `sub`, an e-mail address and an ID
token carrying the member's groups, signed with the emulator's key (tests/tokens.py). The app never
calls Cognito about a member (the authorizer only verifies the token against the pool's JWKS), so a
minted member behaves as a signed-up one everywhere except in Cognito itself: only the tests of
sign-up and sign-in need `sign_up_and_in`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import boto3

from local.cognito import sign_in, sign_up_member
from tests import tokens

PASSWORD = "Correct-horse-9"


@dataclass(frozen=True)
class SignedInMember:
    user_id: str
    email: str
    id_token: str
    access_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.id_token}"}


def fresh_email(prefix: str = "member") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def minted_member(
    *, pool_id: str, client_id: str, groups: Iterable[str] = (), name: str | None = None
) -> SignedInMember:
    """A member of `groups` as after a sign-in, without calling Cognito."""
    sub, email, groups = str(uuid.uuid4()), fresh_email(), list(groups)
    return SignedInMember(
        user_id=sub,
        email=email,
        id_token=tokens.id_token(
            pool_id=pool_id, client_id=client_id, sub=sub, email=email, groups=groups, name=name
        ),
        access_token=tokens.access_token(pool_id=pool_id, client_id=client_id, sub=sub, groups=groups),
    )


def sign_up_and_in(
    cognito: Any,
    *,
    pool_id: str,
    client_id: str,
    groups: Iterable[str] = (),
    name: str | None = None,
    password: str = PASSWORD,
) -> SignedInMember:
    """Sign up, confirm (as an administrator: the emulator sends no mail), join groups, sign in."""
    email = fresh_email()
    user_id = sign_up_member(
        cognito,
        pool_id=pool_id,
        client_id=client_id,
        email=email,
        password=password,
        name=name,
        groups=groups,
    )
    signed_in = sign_in(cognito, client_id=client_id, email=email, password=password)
    return SignedInMember(user_id, email, signed_in["IdToken"], signed_in["AccessToken"])


def cognito_client(config: dict[str, Any]) -> Any:
    """The Cognito client a mobile app builds from GET /config (fake keys: the emulator's admin steps)."""
    return boto3.client(
        "cognito-idp",
        region_name=config["region"],
        endpoint_url=config["cognito_endpoint"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def id_token_of(config: dict[str, Any], email: str, password: str) -> str:
    """Sign in with USER_PASSWORD_AUTH at the pool GET /config names; the ID token."""
    cognito = cognito_client(config)
    return sign_in(cognito, client_id=config["user_pool_client_id"], email=email, password=password)[
        "IdToken"
    ]
