"""The second adversarial review's requests (issue 21, findings 3, 5, 6, 7, 8, 9), replayed through the app.

Each test is what the reviewer sent, and what the contract says the answer is; docs/security.md
("Review round 3 findings") names the fix each one pins. Every test works on its own fresh ids,
so it passes on a table shared with other tests.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib import caches
from local.provision import ProvisionedStack
from local.seed import seed_interests
from tests import tokens
from tests.conftest import SignedInMember
from tests.support.posts import post_body, published

NewMember = Callable[..., SignedInMember]


def _body(response: Any) -> Any:
    return json.loads(response.body)


def _send(api: Any, method: str, path: str, payload: Any, headers: dict[str, str]) -> Any:
    return api.http.request(
        method,
        path,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", **headers},
    )


# --- finding 3: the identity provider's `name` claim goes through the display-name rules -------------


@pytest.mark.parametrize(
    "claimed",
    ["Priya\u202eemirP", "\u200b\u200c\u200d", "Alex\u200bTrail", "\u3164"],
    ids=["rtl-override", "zero-width-only", "zero-width-inside", "blank-filler"],
)
def test_a_name_claim_the_display_name_rules_refuse_never_reaches_the_profile(
    api: Any, stack: ProvisionedStack, claimed: str
) -> None:
    # Given an ID token whose `name` claim PATCH /me would refuse (Cognito stores any `name`; the
    # emulator puts none in its tokens, so the token is minted with the emulator's key)
    sub = str(uuid.uuid4())
    token = tokens.sign(
        tokens.claims(
            pool_id=stack.outputs["UserPoolId"],
            client_id=stack.outputs["UserPoolClientId"],
            sub=sub,
            name=claimed,
            email=f"{sub}@example.com",
        )
    )
    headers = {"Authorization": f"Bearer {token}"}
    # When the member first calls the API, and someone looks at their public profile
    me = _body(api.http.get("/me", headers=headers))
    profile = _body(api.http.get(f"/users/{sub}"))
    # Then the first profile has the safe default name, not the claim
    assert me["display_name"] == profile["display_name"] == f"member-{sub[:8]}"
    # And it is the same rule PATCH /me applies
    assert _send(api, "PATCH", "/me", {"display_name": claimed}, headers).status_code == 422


# --- finding 9: deleting comments does not spend the budget for writing them ---------------------------


def test_a_member_who_deletes_their_comment_may_still_comment(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a comment limit of 2 per window
    monkeypatch.setenv("FLINT_RATE_LIMITS", json.dumps({"comments": [2, 600]}))
    caches.reset()
    seed_interests()
    author, fan = new_member("prime"), new_member("prime")
    post = published(api, author, post_body("idea", body="A body."))
    path = f"/posts/{post['id']}/comments"
    # When a member comments, deletes the comment and comments again
    draft = _send(api, "POST", path, {"text": "draft"}, fan.headers)
    assert draft.status_code == 201
    assert api.http.delete(f"{path}/{_body(draft)['id']}", headers=fan.headers).status_code == 204
    final = _send(api, "POST", path, {"text": "final"}, fan.headers)
    # Then the second comment is taken: the delete spent nothing of the comment budget
    assert final.status_code == 201, final.body
    # And the budget still holds: a third comment in the window is refused
    third = _send(api, "POST", path, {"text": "one more"}, fan.headers)
    assert (third.status_code, _body(third)["error"]["code"]) == (429, "rate_limited")
