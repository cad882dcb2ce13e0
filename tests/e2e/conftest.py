"""The real local stack (`make dev`'s `local.devstack`), one for the whole tier
(tests/support/local_stack.py).

Tests talk to it only as a client would: HTTP to the API and Cognito calls to the `cognito_endpoint`
from GET /config, plus the event runner's control API where AWS would act on its own (a schedule
firing, queues being delivered): `local_stack.run(...)`, `local_stack.drain()`.

The stack is the one named by FLINT_E2E_API (the tier runner's, or the xdist controller's), else one
started for this session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.support.local_stack import PROJECT_DIR, LocalStack, tier_stack
from tests.support.members import minted_member

__all__ = ["PROJECT_DIR", "Client", "LocalStack"]


@dataclass(frozen=True)
class Client:
    """A signed-in member, as a client app holds one."""

    api: str
    user_id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.api}{path}", headers=headers, timeout=30, **kwargs)


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    with tier_stack() as stack:
        yield stack


@pytest.fixture(scope="session")
def sign_up(local_stack: LocalStack) -> Callable[..., Client]:
    """`sign_up(*groups, name=None)`: a member of those groups, signed in. Its ID token is minted with
    the embedded pool's key (tests/support/members.py), as a sign-in's would be; the tests of sign-up
    and sign-in themselves use Cognito (test_local_stack.py)."""
    pool_id, client_id = local_stack.config["user_pool_id"], local_stack.config["user_pool_client_id"]

    def create(*groups: str, name: str | None = None) -> Client:
        member = minted_member(pool_id=pool_id, client_id=client_id, groups=groups, name=name)
        return Client(local_stack.api, member.user_id, member.email, member.id_token)

    return create
