"""Cognito helpers for the local stack: sign up and confirm members, sign them in.

These are the calls a client makes (sign-up, then an administrator confirms),
used by the demo seed and the tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def sign_up_member(
    cognito: Any,
    *,
    pool_id: str,
    client_id: str,
    email: str,
    password: str,
    name: str | None = None,
    groups: Iterable[str] = (),
) -> str:
    """Sign up, confirm as an administrator, add to groups; returns the member's `sub`."""
    attributes = [{"Name": "email", "Value": email}]
    if name:
        attributes.append({"Name": "name", "Value": name})
    response = cognito.sign_up(
        ClientId=client_id, Username=email, Password=password, UserAttributes=attributes
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=group)
    return str(response["UserSub"])


def sign_in(cognito: Any, *, client_id: str, email: str, password: str) -> dict[str, str]:
    """USER_PASSWORD_AUTH; returns IdToken, AccessToken and RefreshToken."""
    result = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return dict(result["AuthenticationResult"])
