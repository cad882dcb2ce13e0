"""Helpers for the community tests (smiles, comments, follows, Enthusiasts) over the `api` client.

Posts here are `idea` posts (a body, no photos): publishing one needs no upload or thumbnailer run,
so a test that only needs *a* post to smile at stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

# The one `assert_error`, `body` and `ok` (tests/support/http.py), also importable from here.
from tests.support.http import assert_error as assert_error
from tests.support.http import body as body
from tests.support.http import ok
from tests.support.members import SignedInMember


def call(api: Any, method: str, path: str, member: SignedInMember | None = None, payload: Any = None) -> Any:
    """One request as `member` (anonymous when None), with a JSON body when `payload` is given."""
    headers = dict(member.headers) if member else {}
    raw = b""
    if payload is not None:
        raw = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    return api.http.request(method, path, headers=headers, body=raw)


def publish(
    api: Any, author: SignedInMember, *, interests: Iterable[str] = ("hiking",), caption: str = "Trail notes"
) -> dict[str, Any]:
    """POST /posts an idea post (no photos); returns the post."""
    payload = {"kind": "idea", "caption": caption, "body": "Pack light.", "interests": list(interests)}
    return dict(ok(call(api, "POST", "/posts", author, payload), 201))


def smile(api: Any, member: SignedInMember, post_id: str) -> dict[str, Any]:
    return dict(ok(call(api, "PUT", f"/posts/{post_id}/smile", member)))


def unsmile(api: Any, member: SignedInMember, post_id: str) -> dict[str, Any]:
    return dict(ok(call(api, "DELETE", f"/posts/{post_id}/smile", member)))


def comment(api: Any, member: SignedInMember, post_id: str, text: str = "Nice!") -> dict[str, Any]:
    return dict(ok(call(api, "POST", f"/posts/{post_id}/comments", member, {"text": text}), 201))


def post_of(api: Any, post_id: str, viewer: SignedInMember | None = None) -> dict[str, Any]:
    return dict(ok(call(api, "GET", f"/posts/{post_id}", viewer)))


def profile(api: Any, user_id: str, viewer: SignedInMember | None = None) -> dict[str, Any]:
    return dict(ok(call(api, "GET", f"/users/{user_id}", viewer)))


def counts(api: Any, user_id: str) -> dict[str, int]:
    return dict(profile(api, user_id)["counts"])


def transaction_conflict() -> ClientError:
    """What DynamoDB answers when a concurrent transaction touched the same item."""
    return ClientError(
        {
            "Error": {
                "Code": "TransactionCanceledException",
                "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons "
                "[None, TransactionConflict]",
            },
            "CancellationReasons": [
                {"Code": "None"},
                {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
            ],
        },
        "TransactWriteItems",
    )
