"""Cognito adapter: the member's sign-in identity (only the erasure job and the export use it).

Members are found by their `sub` (the id every token and item carries): the pool's usernames
are e-mail addresses or generated ids. A member with no Cognito user (removed already, or a
locally minted test identity) is simply absent.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.settings import get_settings


def _username(user_id: str) -> str | None:
    pool = get_settings().user_pool_id
    if not pool:
        return None
    found = aws.client("cognito-idp").list_users(UserPoolId=pool, Filter=f'sub = "{user_id}"', Limit=1)
    users = found.get("Users", [])
    return str(users[0]["Username"]) if users else None


def _gone(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "UserNotFoundException"


def attributes(user_id: str) -> dict[str, str]:
    """The user's Cognito attributes (e-mail, name, ...), minus the id every item already carries."""
    username = _username(user_id)
    if username is None:
        return {}
    pool = get_settings().user_pool_id
    user: dict[str, Any] = aws.client("cognito-idp").admin_get_user(UserPoolId=pool, Username=username)
    return {a["Name"]: a["Value"] for a in user.get("UserAttributes", []) if a["Name"] != "sub"}


def sign_out_and_disable(user_id: str) -> None:
    """No new tokens from now on: refresh tokens revoked, sign-in refused (idempotent)."""
    username = _username(user_id)
    if username is None:
        return
    cognito, pool = aws.client("cognito-idp"), get_settings().user_pool_id
    for call in (cognito.admin_user_global_sign_out, cognito.admin_disable_user):
        try:
            call(UserPoolId=pool, Username=username)
        except ClientError as exc:  # a user deleted between the lookup and the call is what we want
            if not _gone(exc):
                raise


def delete(user_id: str) -> None:
    username = _username(user_id)
    if username is None:
        return
    try:
        aws.client("cognito-idp").admin_delete_user(UserPoolId=get_settings().user_pool_id, Username=username)
    except ClientError as exc:
        if not _gone(exc):
            raise
