"""Who may do what on the community routes: every route x every kind of caller, over real HTTP.

Requests go through the local API server with production's gateway responses, so an anonymous
call to a member route is the gateway's 401 with the contract's body. The session's stack and one
cast of members serve the whole table; cases that destroy something get a fresh target of their own.

The cast: the owner is a Prime member who wrote the post and its first comment; another Prime
member is a fan (who wrote the post's second comment); a member has no groups; a brand account is
in the `brand` group only.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from local.api_server import create_server
from tests import tokens as minted
from tests.conftest import SessionStack
from tests.support.aws import environment
from tests.support.members import minted_member

ROLES = ("anonymous", "member", "prime", "other_prime", "brand")
NO_PRIME, NOT_OWNER, SELF = "403 prime_required", "403 not_owner", "422 validation_error"

# A cell is the status, with the error code when refused. `prime` owns the post and its first
# comment, and is the member followed; `other_prime` wrote the post's second comment.
# fmt: off
MATRIX = [
    # route                                          anonymous member     prime      other      brand
    ("PUT /posts/{post}/smile",                        "401",    NO_PRIME,  "200",     "200",     NO_PRIME),
    ("DELETE /posts/{post}/smile",                     "401",    NO_PRIME,  "200",     "200",     NO_PRIME),
    ("GET /posts/{post}/comments",                     "200",    "200",     "200",     "200",     "200"),
    ("POST /posts/{post}/comments",                    "401",    NO_PRIME,  "201",     "201",     NO_PRIME),
    ("DELETE /posts/{post}/comments/{own_comment}",    "401",    NOT_OWNER, "204",     NOT_OWNER, NOT_OWNER),
    ("DELETE /posts/{post}/comments/{fan_comment}",    "401",    NOT_OWNER, "204",     "204",     NOT_OWNER),
    ("PUT /users/{owner}/follow",                      "401",    "200",     SELF,      "200",     "200"),
    ("DELETE /users/{owner}/follow",                   "401",    "200",     "200",     "200",     "200"),
    ("GET /users/{owner}",                             "200",    "200",     "200",     "200",     "200"),
    ("GET /users/{owner}/posts",                       "200",    "200",     "200",     "200",     "200"),
    ("GET /enthusiasts",                               "200",    "200",     "200",     "200",     "200"),
    ("GET /enthusiasts?interest=hiking",               "200",    "200",     "200",     "200",     "200"),
    ("POST /posts",                                    "401",    NO_PRIME,  "201",     "201",     NO_PRIME),
    ("DELETE /posts/{fresh_post}",                     "401",    NOT_OWNER, "204",     NOT_OWNER, NOT_OWNER),
]
# fmt: on

CASES = [
    (route, role, expected) for route, *cells in MATRIX for role, expected in zip(ROLES, cells, strict=True)
]

# Brand routes: `brand` owns {brand} (with {product} and {campaign}); `other_brand` owns another.
BRAND_ROLES = ("anonymous", "member", "prime", "brand", "other_brand")
NO_BRAND = "403 brand_required"
# fmt: off
BRAND_MATRIX = [
    # route                                           anonymous member     prime      owner  other brand
    ("POST /brands",                                    "401",    NO_BRAND,  NO_BRAND,  "201", "201"),
    ("POST /brands/{brand}/products",                   "401",    NO_BRAND,  NO_BRAND,  "201", NOT_OWNER),
    ("GET /brands/{brand}/insights",                    "401",    NO_BRAND,  NO_BRAND,  "200", NOT_OWNER),
    ("POST /brands/{brand}/campaigns",                  "401",    NO_BRAND,  NO_BRAND,  "201", NOT_OWNER),
    ("GET /brands/{brand}/campaigns",                   "401",    NO_BRAND,  NO_BRAND,  "200", NOT_OWNER),
    ("GET /brands/{brand}/campaigns/{campaign}",        "401",    NO_BRAND,  NO_BRAND,  "200", NOT_OWNER),
    ("GET /brands/{brand}/insights/fans",               "401",    NO_BRAND,  NO_BRAND,  "200", NOT_OWNER),
    ("GET /brands/{brand}/insights/top-posts?format=csv", "401",  NO_BRAND,  NO_BRAND,  "200", NOT_OWNER),
    ("POST /events",                                    "202",    "202",     "202",     "202", "202"),
    ("POST /sessions",                                  "201",    "201",     "201",     "201", "201"),
]
# fmt: on
BRAND_CASES = [
    (route, role, expected)
    for route, *cells in BRAND_MATRIX
    for role, expected in zip(BRAND_ROLES, cells, strict=True)
]
IDEA = {"kind": "idea", "caption": "Matrix", "body": "A body.", "interests": ["hiking"]}
PRODUCT = {"title": "Matrix tent", "price": {"amount": "10.00", "currency": "USD"}, "url": "https://x.test/t"}


@dataclass
class World:
    url: str
    tokens: dict[str, str]
    user_ids: dict[str, str]
    post_id: str
    brand: dict[str, str] = field(default_factory=dict)

    def request(self, role: str, method: str, path: str, payload: Any = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role in self.tokens else {}
        return requests.request(method, self.url + path, headers=headers, json=payload, timeout=30)

    def made(self, role: str, method: str, path: str, payload: Any = None) -> str:
        response = self.request(role, method, path, payload)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


@pytest.fixture(scope="module")
def world(session_stack: SessionStack) -> Iterator[World]:
    """The local API server over the session's stack and the cast, shared by every case of this module."""
    with environment(session_stack.env):
        pool_id, client_id = (
            session_stack.env["FLINT_USER_POOL_ID"],
            session_stack.env["FLINT_USER_POOL_CLIENT_ID"],
        )
        groups = {
            "member": (),
            "prime": ("prime",),
            "other_prime": ("prime",),
            "brand": ("brand",),
            "other_brand": ("brand",),
        }
        cast = {
            role: minted_member(pool_id=pool_id, client_id=client_id, groups=role_groups)
            for role, role_groups in groups.items()
        }
        tokens = {role: member.id_token for role, member in cast.items()}
        user_ids = {role: member.user_id for role, member in cast.items()}
        tokens["expired"] = expired_token(pool_id, client_id, int(time.time()))
        server = create_server("127.0.0.1", 0, "dev")
        threading.Thread(target=server.server.serve_forever, daemon=True).start()
        host, port = server.server.server_address[:2]
        world = World(f"http://{host}:{port}", tokens, user_ids, post_id="")
        for role in groups:  # every member has a profile, as after their first call
            assert world.request(role, "GET", "/me").status_code == 200
        world.post_id = world.made("prime", "POST", "/posts", IDEA)
        brand_id = world.made("brand", "POST", "/brands", {"name": "Matrix"})
        product_id = world.made("brand", "POST", f"/brands/{brand_id}/products", PRODUCT)
        campaign = {
            "name": "c",
            "product_ids": [product_id],
            "starts_at": "2026-01-01",
            "ends_at": "2026-01-31",
        }
        campaign_id = world.made("brand", "POST", f"/brands/{brand_id}/campaigns", campaign)
        world.brand = {"brand": brand_id, "product": product_id, "campaign": campaign_id}
        try:
            yield world
        finally:
            server.server.shutdown()
            server.server.server_close()


def expired_token(pool_id: str, client_id: str, now: int) -> str:
    """A real-looking ID token of the pool, expired two minutes ago."""
    return minted.sign(minted.claims(pool_id=pool_id, client_id=client_id, exp=now - 120, iat=now - 4000))


def _path(world: World, template: str) -> str:
    """Fill the route's placeholders; a destructive case gets a fresh target made for it."""
    values = {"post": world.post_id, "owner": world.user_ids["prime"]}
    comments = f"/posts/{world.post_id}/comments"
    if "{own_comment}" in template:
        values["own_comment"] = world.made("prime", "POST", comments, {"text": "mine"})
    if "{fan_comment}" in template:
        values["fan_comment"] = world.made("other_prime", "POST", comments, {"text": "a fan's"})
    if "{fresh_post}" in template:
        values["fresh_post"] = world.made("prime", "POST", "/posts", IDEA)
    return template.format(**values)


def _still_there(world: World, path: str) -> bool:
    if "/comments/" in path:
        listing, _, comment_id = path.rpartition("/")
        ids = [c["id"] for c in world.request("anonymous", "GET", f"{listing}?limit=100").json()["items"]]
        return comment_id in ids
    return world.request("anonymous", "GET", path).status_code == 200


@pytest.mark.parametrize(("route", "role", "expected"), CASES, ids=[f"{r} as {who}" for r, who, _ in CASES])
def test_access(world: World, route: str, role: str, expected: str) -> None:
    # Given the caller and the route's target
    method, template = route.split(" ", 1)
    path = _path(world, template)
    status, _, code = expected.partition(" ")
    payload = ({"text": "Nice!"} if path.endswith("/comments") else IDEA) if method == "POST" else None

    # When the caller calls the route
    response = world.request(role, method, path, payload)

    # Then the status is the table's, with the contract's error body when refused
    assert response.status_code == int(status), response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"] == (code or "unauthorized"), error  # a bare 401 is the gateway's
        assert error["message"]
    # And a refused delete leaves its target in place
    if (
        method == "DELETE"
        and response.status_code >= 400
        and ("_comment}" in template or "_post}" in template)
    ):
        assert _still_there(world, path), path


def _brand_payload(world: World, path: str) -> Any:
    if path == "/brands":  # brand names are unique: each creation needs its own
        return {"name": f"Another {uuid.uuid4().hex[:8]}"}
    if path.endswith("/products"):
        return PRODUCT
    if path.endswith("/campaigns"):
        return {
            "name": "c",
            "product_ids": [world.brand["product"]],
            "starts_at": "2026-02-01",
            "ends_at": "2026-02-10",
        }
    if path == "/sessions":
        return None
    return {"events": [{"type": "impression", "post_id": world.post_id}]}


@pytest.mark.parametrize(
    ("route", "role", "expected"), BRAND_CASES, ids=[f"{r} as {who}" for r, who, _ in BRAND_CASES]
)
def test_brand_access(world: World, route: str, role: str, expected: str) -> None:
    # Given the caller and a brand owned by `brand`
    method, template = route.split(" ", 1)
    path = template.format(**world.brand)
    status, _, code = expected.partition(" ")

    # When the caller calls the brand route
    response = world.request(role, method, path, _brand_payload(world, path) if method == "POST" else None)

    # Then the status is the table's, with the contract's error body when refused
    assert response.status_code == int(status), response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"] == (code or "unauthorized"), error


# An expired token: routes whose answer is the same for everyone ignore it (a client that always
# sends its token can still fetch /config to refresh it); routes that read it refuse it.
# fmt: off
EXPIRED_TOKEN = [
    ("GET /health",                    "200"),
    ("GET /config",                    "200"),
    ("GET /openapi.json",              "200"),
    ("GET /interests",                 "200"),
    ("GET /products",                  "200"),
    ("GET /posts/{post}/comments",     "401 invalid_token"),  # personalised: a reader's blocks
    ("GET /posts/{post}",              "401 invalid_token"),
    ("GET /users/{owner}",             "401 invalid_token"),
    ("GET /feed",                      "401 invalid_token"),
    ("GET /me",                        "401 invalid_token"),
    ("PUT /posts/{post}/smile",        "401 invalid_token"),
    ("DELETE /users/{owner}/follow",   "401 invalid_token"),
]
# fmt: on


@pytest.mark.parametrize(("route", "expected"), EXPIRED_TOKEN, ids=[r for r, _ in EXPIRED_TOKEN])
def test_an_expired_token(world: World, route: str, expected: str) -> None:
    method, template = route.split(" ", 1)
    response = world.request("expired", method, _path(world, template))
    status, _, code = expected.partition(" ")
    assert response.status_code == int(status), response.text
    if code:
        assert response.json()["error"]["code"] == code
