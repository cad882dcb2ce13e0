"""Who may call the safety, moderation, search and profile routes: every route x every kind of caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.community import body, call, publish

ROLES = ("anonymous", "member", "prime", "moderator", "brand")
MOD = "403 moderator_required"

# fmt: off
MATRIX = [
    # route                                     anonymous member   prime    moderator brand
    ("POST /reports",                           "401",    "201",   "201",   "201",    "201"),
    ("PUT /users/{target}/block",               "401",    "200",   "200",   "200",    "200"),
    ("DELETE /users/{target}/block",            "401",    "200",   "200",   "200",    "200"),
    ("GET /me/blocks",                          "401",    "200",   "200",   "200",    "200"),
    ("GET /moderation/queue",                   "401",    MOD,     MOD,     "200",    MOD),
    ("POST /moderation/actions",                "401",    MOD,     MOD,     "200",    MOD),
    ("GET /moderation/audit",                   "401",    MOD,     MOD,     "200",    MOD),
    ("GET /search?q=trail",                     "200",    "200",   "200",   "200",    "200"),
    ("POST /me/avatar",                         "401",    "201",   "201",   "201",    "201"),
    ("PATCH /me",                               "401",    "200",   "200",   "200",    "200"),
]
# fmt: on


@pytest.fixture
def world(api: Any, new_member: Callable[..., SignedInMember]) -> dict[str, Any]:
    seed_interests()
    groups = {"member": (), "prime": ("prime",), "moderator": ("moderator",), "brand": ("brand",)}
    members = {role: new_member(*g) for role, g in groups.items()}
    target = new_member("prime")
    for member in [*members.values(), target]:
        call(api, "GET", "/me", member)
    return {"members": members, "target": target, "post": publish(api, target)}


def _payload(route: str, world: dict[str, Any]) -> Any:
    if route == "POST /reports":
        return {"target": {"type": "post", "id": world["post"]["id"]}, "reason": "spam"}
    if route == "POST /moderation/actions":
        return {"action": "dismiss", "target": {"type": "post", "id": world["post"]["id"]}}
    if route == "POST /me/avatar":
        return {"content_type": "image/jpeg", "size": 1000}
    if route == "PATCH /me":
        return {"bio": "Hello"}
    return None


@pytest.mark.parametrize(("route", "cells"), [(m[0], m[1:]) for m in MATRIX], ids=[m[0] for m in MATRIX])
def test_each_role_gets_what_the_matrix_says(
    api: Any, world: dict[str, Any], route: str, cells: tuple[str, ...]
) -> None:
    method, path = route.split(" ", 1)
    path = path.replace("{target}", world["target"].user_id)
    for role, expected in zip(ROLES, cells, strict=True):
        member = world["members"].get(role)
        response = call(api, method, path, member, _payload(route, world))
        got = str(response.status_code)
        if expected.startswith("403"):
            got += " " + body(response)["error"]["code"]
        assert got == expected, f"{route} as {role}: {response.body!r}"
