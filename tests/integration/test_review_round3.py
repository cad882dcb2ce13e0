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

from local.provision import ProvisionedStack
from tests import tokens
from tests.conftest import SignedInMember

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
