"""`make dev`, driven as a client would: only HTTP to the API and Cognito calls to the embedded pool.

The stack is the tier's (tests/e2e/conftest.py): `local.devstack` started as `make dev` starts it
(free ports, schedules driven through the control API), stopped with Ctrl-C when the tier ends.
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
import requests

from local import demo_data
from tests.e2e.conftest import LocalStack
from tests.support.http import assert_error
from tests.support.members import cognito_client, id_token_of

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-horse-9"
TIMEOUT = 15


# --- a client's helpers -----------------------------------------------------------------------------


def api_get(stack: LocalStack, path: str, token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{stack.api}{path}", headers=headers, timeout=TIMEOUT)


def api_send(stack: LocalStack, method: str, path: str, body: Any, token: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.request(method, f"{stack.api}{path}", json=body, headers=headers, timeout=TIMEOUT)


# --- the checks -------------------------------------------------------------------------------------------


def test_config_points_clients_at_the_embedded_cognito(local_stack: LocalStack) -> None:
    # When a client reads the public configuration
    response = api_get(local_stack, "/config")
    assert response.status_code == 200
    config = response.json()
    # Then it names the pool and the local endpoint that serves it
    assert config["cognito_endpoint"].startswith("http://127.0.0.1:")
    assert config["user_pool_id"]
    assert config["user_pool_client_id"]
    assert config["min_interests"] == 5
    keys = requests.get(
        f"{config['cognito_endpoint']}/{config['user_pool_id']}/.well-known/jwks.json", timeout=TIMEOUT
    )
    assert keys.status_code == 200
    assert keys.json()["keys"]


def test_a_new_member_signs_up_onboards_and_shows_a_public_profile(local_stack: LocalStack) -> None:
    # Given a client that read /config
    config = api_get(local_stack, "/config").json()
    cognito = cognito_client(config)
    client_id, pool_id = config["user_pool_client_id"], config["user_pool_id"]
    email = f"e2e-{os.getpid()}-{time.time_ns()}@example.com"

    # When a new member signs up, is confirmed and signs in
    sign_up = cognito.sign_up(
        ClientId=client_id,
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
    token = id_token_of(config, email, PASSWORD)

    # Then their first profile is not onboarded
    me = api_get(local_stack, "/me", token)
    assert me.status_code == 200
    assert me.json()["id"] == sign_up["UserSub"]
    assert me.json()["onboarded"] is False
    assert "@" not in me.json()["display_name"]

    # When they choose five interests from the catalog
    interests = api_get(local_stack, "/interests").json()["items"]
    assert len(interests) >= 20
    chosen = [interest["id"] for interest in interests[:5]]
    chose = api_send(local_stack, "PUT", "/me/interests", {"interests": chosen}, token)
    assert chose.status_code == 200

    # Then they are onboarded with those interests
    me = api_get(local_stack, "/me", token).json()
    assert me["onboarded"] is True
    assert me["interests"] == chosen

    # When they rename themselves
    renamed = api_send(local_stack, "PATCH", "/me", {"display_name": "E2E Explorer"}, token)
    assert renamed.status_code == 200

    # Then anyone sees the new name on their public profile
    profile = api_get(local_stack, f"/users/{sign_up['UserSub']}")
    assert profile.status_code == 200
    assert profile.json()["display_name"] == "E2E Explorer"
    assert profile.json()["followed_by_me"] is False


def test_a_demo_prime_member_signs_in_and_is_prime(local_stack: LocalStack) -> None:
    # Given the demo Prime login the banner prints
    demo = next(m for m in demo_data.DEMO_MEMBERS if "prime" in m.groups)
    config = api_get(local_stack, "/config").json()
    # When they sign in
    token = id_token_of(config, demo.email, demo.password)
    # Then their seeded profile is Prime and onboarded
    me = api_get(local_stack, "/me", token).json()
    assert me["prime"] is True
    assert me["display_name"] == demo.name
    assert me["onboarded"] is True
    assert me["interests"] == list(demo.interests)


def test_the_demo_catalog_is_searchable(local_stack: LocalStack) -> None:
    response = api_get(local_stack, "/products?q=dutch%20oven&limit=100")
    assert response.status_code == 200
    titles = [item["title"] for item in response.json()["items"]]
    expected = [p.title for p in demo_data.products() if "Dutch Oven" in p.title]
    assert expected
    assert sorted(titles) == sorted(expected)


def test_a_product_page_is_served(local_stack: LocalStack) -> None:
    demo = demo_data.products()[0]
    product = api_get(local_stack, f"/products/{demo.product_id}").json()
    assert product["title"] == demo.title
    assert product["price"] == {"amount": f"{demo.price:.2f}", "currency": "USD"}


def test_a_member_route_without_a_token_is_a_contract_401(local_stack: LocalStack) -> None:
    assert_error(api_get(local_stack, "/me"), 401, "unauthorized", details=False)


def test_a_bad_token_is_a_contract_401(local_stack: LocalStack) -> None:
    assert_error(api_get(local_stack, "/me", token="not.a.jwt"), 401, "invalid_token", details=False)


def test_an_unknown_route_is_a_contract_404(local_stack: LocalStack) -> None:
    assert_error(api_get(local_stack, "/no/such/route"), 404, "not_found", details=False)


def test_the_openapi_document_is_served(local_stack: LocalStack) -> None:
    document = api_get(local_stack, "/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/me/interests" in document["paths"]
