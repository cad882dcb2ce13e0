"""The route edge against hostile input: regression tests for issue 13, defects 2, 3, 4, 7, 8, 9,
the body cap, abuse limits and unfollowing yourself, through the real app and the local server."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from chalicelib import caches
from chalicelib.settings import get_settings
from local.provision import ProvisionedStack
from local.seed import seed_interests
from tests import tokens
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.http import assert_error

NewMember = Callable[..., SignedInMember]
JSON = {"Content-Type": "application/json"}
IDEA = {"kind": "idea", "caption": "Edge", "body": "A body.", "interests": ["hiking"]}


def _send(api: Any, method: str, path: str, raw: bytes | str, headers: dict[str, str]) -> Any:
    body = raw if isinstance(raw, bytes) else raw.encode()
    return api.http.request(method, path, body=body, headers=headers)


def _expired_token(stack: ProvisionedStack) -> str:
    now = int(time.time())
    return tokens.sign(
        tokens.claims(
            pool_id=stack.outputs["UserPoolId"],
            client_id=stack.outputs["UserPoolClientId"],
            exp=now - 120,
            iat=now - 4000,
        )
    )


# --- defect 2: any body that cannot be parsed is a 400 bad_json ----------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 1000 + "]" * 1000,
        '{"display_name": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"display_name": "a\\ud800b"}',
        b"\xff\xfe{}",
        "{",
        "null",
    ],
    ids=["nested-1000", "nested-5000-in-a-field", "lone-surrogate", "not-utf8", "truncated", "null"],
)
def test_a_body_that_cannot_be_parsed_is_400_bad_json(api: Any, new_member: NewMember, raw: Any) -> None:
    member = new_member()
    assert_error(_send(api, "PATCH", "/me", raw, {**JSON, **member.headers}), 400, "bad_json")


def test_nesting_under_the_parser_limit_is_a_422_not_a_500(api: Any, new_member: NewMember) -> None:
    member = new_member()
    raw = '{"display_name": ' + "[" * 400 + "]" * 400 + "}"
    assert_error(_send(api, "PATCH", "/me", raw, {**JSON, **member.headers}), 422, "validation_error")


# --- defect 3: a wrong or missing Content-Type is the contract's 415 ------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Content-Type": "application/x-www-form-urlencoded"}, {"Content-Type": "text/plain"}],
    ids=["missing", "form-encoded (curl -d)", "text-plain"],
)
def test_a_body_not_sent_as_json_is_415_unsupported_media_type(
    api: Any, new_member: NewMember, headers: dict[str, str]
) -> None:
    member = new_member()
    response = _send(api, "PATCH", "/me", '{"bio": "hi"}', {**headers, **member.headers})
    error = assert_error(response, 415, "unsupported_media_type")
    assert "Content-Type" in error["message"]


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "APPLICATION/JSON"])
def test_json_with_parameters_or_in_capitals_is_accepted(
    api: Any, new_member: NewMember, content_type: str
) -> None:
    member = new_member()
    response = _send(api, "PATCH", "/me", '{"bio": "hi"}', {"Content-Type": content_type, **member.headers})
    assert response.status_code == 200, response.body


def test_a_route_without_a_body_ignores_the_content_type(api: Any, new_member: NewMember) -> None:
    # chalice's own check used to answer 415 {"Code": "UnsupportedMediaType"} here
    member = new_member()
    response = api.http.get("/me", headers={"Content-Type": "text/plain", **member.headers})
    assert response.status_code == 200, response.body


def test_curl_d_through_the_local_server_gets_the_contract_415(http_api: str, new_member: NewMember) -> None:
    member = new_member()
    response = requests.patch(f"{http_api}/me", data="bio=hi", headers=member.headers, timeout=10)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


# --- the body cap: 413 before parsing -------------------------------------------------------------


def test_a_body_over_the_byte_cap_is_413_too_large(api: Any, new_member: NewMember) -> None:
    member = new_member()
    raw = json.dumps({"bio": "x" * (get_settings().max_body_bytes + 1)})
    assert_error(_send(api, "PATCH", "/me", raw, {**JSON, **member.headers}), 413, "too_large")


# --- defect 4: echoed values and ids are bounded at the edge --------------------------------------


def test_a_huge_interest_id_is_refused_without_echoing_it(api: Any, new_member: NewMember) -> None:
    # (a 1 MB one is over the body cap: 413 before parsing)
    member = new_member()
    raw = json.dumps({"interests": ["a", "b", "c", "d", "x" * 100_000]})
    response = _send(api, "PUT", "/me/interests", raw, {**JSON, **member.headers})
    error = assert_error(response, 422, "validation_error")
    assert {d["field"] for d in error["details"]} == {"interests.4"}
    assert len(response.body) < 2000


def test_a_huge_unknown_field_name_and_many_errors_are_clipped(api: Any, new_member: NewMember) -> None:
    member = new_member()
    raw = json.dumps({"k" * 50_000: 1, **{f"f{i}": i for i in range(500)}})
    response = _send(api, "PATCH", "/me", raw, {**JSON, **member.headers})
    error = assert_error(response, 422, "validation_error")
    assert len(error["details"]) <= 20
    assert len(response.body) < 10_000


@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("GET", "/posts/{id}"),
        ("GET", "/users/{id}"),
        ("GET", "/products/{id}/posts"),
        ("PUT", "/posts/{id}/smile"),
        ("DELETE", "/posts/{id}"),
    ],
)
def test_a_5000_character_id_is_400_without_touching_dynamodb(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch, method: str, template: str
) -> None:
    member = new_member("prime")
    api.http.get("/me", headers=member.headers)  # profile made, activity marked
    with count_dynamodb_calls(monkeypatch) as calls:
        response = api.http.request(method, template.format(id="x" * 5000), headers=member.headers)
    error = assert_error(response, 400, "bad_parameter")
    assert len(response.body) < 1000
    assert error["details"][0]["type"] == "bad_id"
    assert calls.total == 0, calls


# --- defect 8: an expired token does not block routes that do not personalise -------------------


@pytest.mark.parametrize("path", ["/health", "/config", "/openapi.json", "/interests", "/products"])
def test_an_expired_token_is_ignored_where_nothing_is_personalised(
    api: Any, stack: ProvisionedStack, path: str
) -> None:
    response = api.http.get(path, headers={"Authorization": f"Bearer {_expired_token(stack)}"})
    assert response.status_code == 200, response.body


@pytest.mark.parametrize("path", ["/feed", "/users/someone", "/enthusiasts"])
def test_an_expired_token_on_a_personalising_public_route_is_still_401(
    api: Any, stack: ProvisionedStack, path: str
) -> None:
    response = api.http.get(path, headers={"Authorization": f"Bearer {_expired_token(stack)}"})
    assert_error(response, 401, "invalid_token")


# --- defect 9: unknown query parameters are ignored, known ones validated ------------------------


@pytest.mark.parametrize("query", ["_=1712345678", "utm_source=news&utm_campaign=x", "limit=5&fbclid=abc"])
def test_unknown_query_parameters_are_ignored(api: Any, stack: ProvisionedStack, query: str) -> None:
    assert api.http.get(f"/products?{query}").status_code == 200
    assert api.http.get(f"/feed?{query}").status_code == 200


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "limit=101", "cursor=garbage"])
def test_known_query_parameters_are_still_validated(api: Any, stack: ProvisionedStack, query: str) -> None:
    response = api.http.get(f"/products?{query}&_=1")
    assert response.status_code == 400, response.body


# --- unfollowing yourself -------------------------------------------------------------------------


def test_unfollowing_yourself_is_an_idempotent_200_and_following_yourself_a_422(
    api: Any, new_member: NewMember
) -> None:
    member = new_member()
    response = api.http.delete(f"/users/{member.user_id}/follow", headers=member.headers)
    assert response.status_code == 200, response.body
    assert json.loads(response.body) == {"following": False}
    assert_error(
        api.http.put(f"/users/{member.user_id}/follow", headers=member.headers), 422, "validation_error"
    )


# --- abuse limits ---------------------------------------------------------------------------------


@pytest.fixture
def tight_limits(
    stack: ProvisionedStack, steady_limit_windows: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLINT_RATE_LIMITS", json.dumps({"comments": [2, 600], "posts": [1, 600]}))
    caches.reset()


def test_a_member_over_the_comment_limit_gets_429_rate_limited_with_retry_after(
    api: Any, new_member: NewMember, tight_limits: None
) -> None:
    seed_interests()
    author, fan, other = new_member("prime"), new_member("prime"), new_member("prime")
    created = _send(api, "POST", "/posts", json.dumps(IDEA), {**JSON, **author.headers})
    assert created.status_code == 201, created.body
    post_id = json.loads(created.body)["id"]
    path, comment = f"/posts/{post_id}/comments", json.dumps({"text": "hi"})
    sent = [_send(api, "POST", path, comment, {**JSON, **fan.headers}).status_code for _ in range(2)]
    assert sent == [201, 201]
    refused = _send(api, "POST", path, comment, {**JSON, **fan.headers})
    assert_error(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    # Another member has a window of their own; the refused comment was not stored
    assert _send(api, "POST", path, comment, {**JSON, **other.headers}).status_code == 201
    assert len(json.loads(api.http.get(path).body)["items"]) == 3


def test_a_limited_write_costs_one_conditional_update_and_no_read(
    api: Any, new_member: NewMember, tight_limits: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_interests()
    author = new_member("prime")
    api.http.get("/me", headers=author.headers)
    assert _send(api, "POST", "/posts", json.dumps(IDEA), {**JSON, **author.headers}).status_code == 201
    with count_dynamodb_calls(monkeypatch) as calls:
        refused = _send(api, "POST", "/posts", json.dumps(IDEA), {**JSON, **author.headers})
    assert_error(refused, 429, "rate_limited")
    assert dict(calls) == {"UpdateItem": 1}


def test_anonymous_callers_are_limited_per_client_address(stack: ProvisionedStack) -> None:
    from chalicelib.data import keys, ratelimits

    # Addresses of this test's own (the documentation ranges, with random hosts)
    mine, other = f"203.0.113.{random.randrange(1, 255)}", f"198.51.100.{random.randrange(1, 255)}"
    here, there = keys.anonymous_subject(mine), keys.anonymous_subject(other)
    assert mine not in here
    now = time.time()
    verdicts = [ratelimits.hit("events", here, limit=2, window_seconds=60, now=now).allowed for _ in range(3)]
    assert verdicts == [True, True, False]
    assert ratelimits.hit("events", there, limit=2, window_seconds=60, now=now).allowed
    # the next window starts afresh
    assert ratelimits.hit("events", here, limit=2, window_seconds=60, now=now + 60).allowed
