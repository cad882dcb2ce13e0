"""Helpers for the safety, moderation, search and profile tests (over the `api` client)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.community import call, ok


def cast_of(api: Any, new_member: Callable[..., SignedInMember]) -> dict[str, SignedInMember]:
    """An author and a reader (both Prime) and a moderator, each with a profile (the first
    authenticated call makes it)."""
    seed_interests()
    members = {
        "author": new_member("prime"),
        "reader": new_member("prime"),
        "moderator": new_member("moderator"),
    }
    for member in members.values():
        ok(call(api, "GET", "/me", member))
    return members


def unique_word(prefix: str = "zq") -> str:
    """A searchable word no other test writes (letters only, so it is one search term)."""
    return prefix + "".join(c for c in uuid.uuid4().hex if c.isalpha())[:10].ljust(10, "x")


def target(kind: str, target_id: str, post_id: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"type": kind, "id": target_id}
    if post_id:
        found["post_id"] = post_id
    return found


def report(
    api: Any,
    member: SignedInMember | None,
    about: dict[str, Any],
    reason: str = "spam",
    text: str | None = None,
) -> Any:
    payload: dict[str, Any] = {"target": about, "reason": reason}
    if text is not None:
        payload["text"] = text
    return call(api, "POST", "/reports", member, payload)


def act(
    api: Any, moderator: SignedInMember, action: str, about: dict[str, Any], note: str | None = None
) -> Any:
    payload: dict[str, Any] = {"action": action, "target": about}
    if note is not None:
        payload["note"] = note
    return call(api, "POST", "/moderation/actions", moderator, payload)


def acted(api: Any, moderator: SignedInMember, action: str, about: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(act(api, moderator, action, about)))


def open_cases(api: Any, moderator: SignedInMember) -> list[dict[str, Any]]:
    """Every open case in the queue (all pages)."""
    cases: list[dict[str, Any]] = []
    cursor = None
    while True:
        path = "/moderation/queue?limit=30" + (f"&cursor={cursor}" if cursor else "")
        page = ok(call(api, "GET", path, moderator))
        cases += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return cases


def case_of(api: Any, moderator: SignedInMember, kind: str, target_id: str) -> dict[str, Any] | None:
    return next(
        (
            c
            for c in open_cases(api, moderator)
            if c["target"]["type"] == kind and c["target"]["id"] == target_id
        ),
        None,
    )


def search(
    api: Any, q: str, viewer: SignedInMember | None = None, kind: str | None = None, limit: int = 20
) -> Any:
    path = f"/search?q={q}&limit={limit}" + (f"&type={kind}" if kind else "")
    return ok(call(api, "GET", path, viewer))


def hit_ids(page: dict[str, Any], kind: str) -> list[str]:
    return [h[kind]["id"] for h in page["items"] if h["type"] == kind]


def listed_ids(api: Any, path: str, viewer: SignedInMember | None = None) -> list[str]:
    """Post ids of the first page of a post listing (member, interest, product posts)."""
    return [p["id"] for p in ok(call(api, "GET", path, viewer))["items"]]
