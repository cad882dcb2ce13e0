"""The local gateway answers its own errors (no token, denied token, unknown route) as production's
gateway responses do: with the contract's error body, never API Gateway's raw defaults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from chalice.local import ForbiddenError, InvalidAuthorizerError, NotAuthorizedError

from local.api_server import gateway_error, gateway_response_type
from tests.support.local_stack import api_server_in_thread

REQUEST_ID = {"x-amzn-RequestId": "req-1"}

# The exceptions chalice local raises, with the headers it raises them with.
NO_TOKEN = NotAuthorizedError(
    {**REQUEST_ID, "x-amzn-ErrorType": "UnauthorizedException"}, b'{"message":"Unauthorized"}'
)
DENIED = ForbiddenError(
    {**REQUEST_ID, "x-amzn-ErrorType": "AccessDeniedException"},
    b'{"Message": "User is not authorized to access this resource"}',
)
NO_ROUTE = ForbiddenError(
    {**REQUEST_ID, "x-amzn-ErrorType": "UnauthorizedException"},
    b'{"message": "Missing Authentication Token"}',
)
AUTHORIZER_BROKE = InvalidAuthorizerError(
    {**REQUEST_ID, "x-amzn-ErrorType": "AuthorizerConfigurationException"}, b'{"message":null}'
)


# --- the mapping ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "response_type", "status", "code"),
    [
        (NO_TOKEN, "UNAUTHORIZED", 401, "unauthorized"),
        (DENIED, "ACCESS_DENIED", 401, "invalid_token"),
        (NO_ROUTE, "MISSING_AUTHENTICATION_TOKEN", 404, "not_found"),
        (AUTHORIZER_BROKE, "AUTHORIZER_FAILURE", 500, "internal_error"),
    ],
    ids=["no-token", "denied-token", "unknown-route", "authorizer-failure"],
)
def test_each_gateway_error_maps_to_the_contract(
    error: Exception, response_type: str, status: int, code: str
) -> None:
    assert gateway_response_type(error) == response_type  # type: ignore[arg-type]
    mapped_status, body = gateway_error(error)  # type: ignore[arg-type]
    assert mapped_status == status
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_a_denied_token_is_a_401_not_api_gateways_403() -> None:
    status, _ = gateway_error(DENIED)
    assert status == 401


def test_a_forbidden_error_without_headers_is_an_unknown_route() -> None:
    assert gateway_error(ForbiddenError({}, None))[0] == 404


# --- the local server, end to end (no AWS needed for these answers) -------------------------------


@pytest.fixture(scope="module")
def local_api() -> Iterator[str]:
    with api_server_in_thread() as url:
        yield url


def _assert_contract_error(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code


def test_the_local_server_answers_health(local_api: str) -> None:
    response = requests.get(f"{local_api}/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_no_token_on_a_member_route_is_a_contract_401(local_api: str) -> None:
    _assert_contract_error(requests.get(f"{local_api}/me", timeout=10), 401, "unauthorized")


def test_a_malformed_token_is_a_contract_401(local_api: str) -> None:
    response = requests.get(f"{local_api}/me", headers={"Authorization": "Bearer not.a.jwt"}, timeout=10)
    _assert_contract_error(response, 401, "invalid_token")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer x"}], ids=["anonymous", "with-token"])
def test_an_unknown_route_is_a_contract_404(local_api: str, headers: dict[str, str]) -> None:
    response = requests.get(f"{local_api}/no/such/route", headers=headers, timeout=10)
    _assert_contract_error(response, 404, "not_found")


@pytest.mark.parametrize(("method", "path"), [("DELETE", "/health"), ("POST", "/me"), ("PUT", "/products")])
def test_a_method_the_route_lacks_is_a_contract_404_like_api_gateway(
    local_api: str, method: str, path: str
) -> None:
    response = requests.request(method, f"{local_api}{path}", json={"x": 1}, timeout=10)
    _assert_contract_error(response, 404, "not_found")


def test_the_connection_stays_usable_after_a_refused_method(local_api: str) -> None:
    # Given one keep-alive connection
    with requests.Session() as session:
        # When a refused request with a body is followed by a good one
        refused = session.post(f"{local_api}/health", json={"padding": "x" * 5000}, timeout=10)
        good = session.get(f"{local_api}/health", timeout=10)
    # Then the second is answered normally
    assert refused.status_code == 404
    assert good.status_code == 200


def test_a_cors_preflight_is_answered_not_refused(local_api: str) -> None:
    response = requests.options(
        f"{local_api}/me",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "PATCH"},
        timeout=10,
    )
    assert response.status_code == 200
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "BREW"])
def test_an_unknown_http_method_is_a_contract_405_not_an_html_501(local_api: str, method: str) -> None:
    response = requests.request(method, f"{local_api}/health", timeout=10)
    _assert_contract_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_the_connection_stays_usable_after_an_unknown_method(local_api: str) -> None:
    with requests.Session() as session:
        refused = session.request("TRACE", f"{local_api}/health", data="x" * 5000, timeout=10)
        good = session.get(f"{local_api}/health", timeout=10)
    assert (refused.status_code, good.status_code) == (405, 200)


def test_the_gateways_own_413_415_and_429_carry_the_contract_body() -> None:
    from local.api_server import GATEWAY_RESPONSES

    assert GATEWAY_RESPONSES["UNSUPPORTED_MEDIA_TYPE"][:2] == (415, "unsupported_media_type")
    assert GATEWAY_RESPONSES["REQUEST_TOO_LARGE"][:2] == (413, "too_large")
    assert GATEWAY_RESPONSES["THROTTLED"][:2] == (429, "throttled")
