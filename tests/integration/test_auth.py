"""Token verification at the gateway: every bad token is a 401 with the contract's body."""

from __future__ import annotations

import time
from collections.abc import Callable

import jwt
import pytest
import requests

from local.provision import ProvisionedStack
from tests import tokens
from tests.conftest import SignedInMember


def _forged(stack: ProvisionedStack, **overrides: object) -> dict[str, object]:
    return tokens.claims(
        pool_id=stack.outputs["UserPoolId"], client_id=stack.outputs["UserPoolClientId"], **overrides
    )


def _get_me(http_api: str, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.get(f"{http_api}/me", headers=headers, timeout=10)


def test_a_signed_in_member_reads_their_profile(
    http_api: str, cognito_member: Callable[..., SignedInMember]
) -> None:
    member = cognito_member()
    response = _get_me(http_api, member.id_token)
    assert response.status_code == 200
    assert response.json()["id"] == member.user_id


def test_a_request_without_a_token_is_401(http_api: str) -> None:
    response = _get_me(http_api, None)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(
            lambda s: tokens.sign(_forged(s, exp=int(time.time()) - 120, iat=int(time.time()) - 4000)),
            id="expired",
        ),
        pytest.param(lambda s: tokens.sign(_forged(s), tokens.stranger_key()), id="wrong-signature"),
        pytest.param(lambda s: tokens.sign(_forged(s, aud="someone-elses-client")), id="wrong-audience"),
        pytest.param(
            lambda s: tokens.sign(_forged(s, iss="https://evil.example.com/pool")), id="wrong-issuer"
        ),
        pytest.param(lambda s: tokens.sign(_forged(s, token_use="access")), id="access-token-use"),
        pytest.param(lambda s: tokens.sign(_forged(s), algorithm="none"), id="alg-none"),
        pytest.param(lambda s: "not.a.jwt", id="garbage"),
    ],
)
def test_a_bad_token_is_401_with_the_error_body(
    http_api: str, stack: ProvisionedStack, make_token: Callable[[ProvisionedStack], str]
) -> None:
    response = _get_me(http_api, make_token(stack))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_a_real_access_token_is_refused(http_api: str, cognito_member: Callable[..., SignedInMember]) -> None:
    member = cognito_member()
    response = _get_me(http_api, member.access_token)
    assert response.status_code == 401


def test_a_bad_token_on_a_public_route_is_401_not_ignored(http_api: str, stack: ProvisionedStack) -> None:
    token = tokens.sign(_forged(stack), tokens.stranger_key())
    response = requests.get(
        f"{http_api}/users/anyone", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_groups_come_from_the_token(http_api: str, cognito_member: Callable[..., SignedInMember]) -> None:
    prime, brand, plain = cognito_member("prime"), cognito_member("brand"), cognito_member()
    assert _get_me(http_api, prime.id_token).json()["prime"] is True
    assert _get_me(http_api, brand.id_token).json()["brand"] is True
    assert _get_me(http_api, plain.id_token).json()["prime"] is False


def test_an_unknown_route_is_a_404_with_the_error_body(http_api: str) -> None:
    response = requests.get(f"{http_api}/no/such/route", timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_minted_member_carries_the_claims_a_sign_in_gives(
    http_api: str,
    new_member: Callable[..., SignedInMember],
    cognito_member: Callable[..., SignedInMember],
) -> None:
    # Given a member signed in through the embedded Cognito, and one minted locally (the suite's default)
    real, minted = cognito_member("prime"), new_member("prime")

    def claims_of(token: str) -> dict[str, object]:
        return dict(jwt.decode(token, options={"verify_signature": False}))

    # Then both tokens carry the same claims, of the same kinds, and both are accepted
    for kind in ("id_token", "access_token"):
        signed_in, made = claims_of(getattr(real, kind)), claims_of(getattr(minted, kind))
        assert set(made) == set(signed_in), kind
        assert {k: type(v) for k, v in made.items()} == {k: type(v) for k, v in signed_in.items()}, kind
        assert (made["iss"], made["token_use"]) == (signed_in["iss"], signed_in["token_use"])
    assert _get_me(http_api, minted.id_token).json()["prime"] is True
