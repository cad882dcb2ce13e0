"""Access patterns for member profiles, follow edges and the interest catalog."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chalicelib.data import connection, keys
from chalicelib.data.models import FlintItem, FollowItem, InterestItem, UserItem


@dataclass(frozen=True)
class Member:
    user_id: str
    display_name: str
    bio: str
    interests: list[str]
    onboarded: bool
    badges: list[str]
    posts: int
    smiles_received: int
    followers: int
    following: int
    created_at: str
    # Left brand audiences: brands' member lists never show them (PATCH /me `brand_audiences`).
    audience_opt_out: bool = False


@dataclass(frozen=True)
class Interest:
    interest_id: str
    name: str


def to_member(item: UserItem) -> Member:
    return Member(
        user_id=item.user_id,
        display_name=item.display_name,
        bio=item.bio or "",
        interests=list(item.interests or []),
        onboarded=bool(item.onboarded),
        badges=list(item.badges or []),
        posts=int(item.posts or 0),
        smiles_received=int(item.smiles_received or 0),
        followers=int(item.followers or 0),
        following=int(item.following or 0),
        created_at=item.created_at,
        audience_opt_out=bool(item.audience_opt_out),
    )


def upsert_activity(user_id: str, display_name: str, now: str) -> bool:
    """Create the profile on first sight and mark the member active (one UpdateItem).

    False when the member asked to leave (DELETE /me): the profile is a tombstone until the
    erasure job ends, and nothing may bring it back.
    """
    key = keys.user(user_id)
    active = keys.active_member(user_id, now)
    item = UserItem(key.pk, key.sk)
    return connection.update(
        item,
        [
            UserItem.entity.set(UserItem),  # type: ignore[arg-type]
            UserItem.user_id.set(user_id),
            UserItem.display_name.set(UserItem.display_name | display_name),
            UserItem.created_at.set(UserItem.created_at | now),
            UserItem.last_active_at.set(now),
            UserItem.GSI2PK.set(active.pk),
            UserItem.GSI2SK.set(active.sk),
        ],
        condition=UserItem.erasing_since.does_not_exist(),
    )


def mark_erasing(user_id: str, now: str) -> str:
    """Turn the profile into a tombstone (DELETE /me): hidden everywhere, never re-created by activity.

    Idempotent: a second request keeps the first request's time, which the job's final sweep
    counts from. Leaves the active-members index, so no feed refresh is planned for the member.
    """
    key = keys.user(user_id)
    item = UserItem(key.pk, key.sk)
    item.update(
        actions=[
            UserItem.entity.set(UserItem),  # type: ignore[arg-type]
            UserItem.user_id.set(user_id),
            UserItem.display_name.set(UserItem.display_name | "member"),
            UserItem.created_at.set(UserItem.created_at | now),
            UserItem.erasing_since.set(UserItem.erasing_since | now),
            UserItem.GSI2PK.remove(),
            UserItem.GSI2SK.remove(),
        ]
    )
    return str(item.erasing_since)


def erasing_since(user_id: str) -> str | None:
    """When the member asked to leave; None if they did not (or the erasure has ended)."""
    key = keys.user(user_id)
    try:
        item = UserItem.get(key.pk, key.sk, consistent_read=True, attributes_to_get=["erasing_since"])
    except UserItem.DoesNotExist:
        return None
    return item.erasing_since


def delete_tombstone(user_id: str) -> None:
    """The erasure's last write: the profile goes, once it is a tombstone."""
    key = keys.user(user_id)
    connection.delete(UserItem(key.pk, key.sk), condition=UserItem.erasing_since.exists())


def _visible(item: UserItem) -> bool:
    return item.erasing_since is None  # a member being erased is gone for everyone


def get_member(user_id: str) -> Member | None:
    key = keys.user(user_id)
    try:
        item = UserItem.get(key.pk, key.sk)
    except UserItem.DoesNotExist:
        return None
    return to_member(item) if _visible(item) else None


def get_member_and_follow(user_id: str, viewer_id: str | None) -> tuple[Member | None, bool]:
    """The profile and whether the viewer follows it, in one BatchGetItem."""
    profile_key = keys.user(user_id)
    wanted = [profile_key]
    if viewer_id and viewer_id != user_id:
        wanted.append(keys.follow(viewer_id, user_id))
    member: Member | None = None
    follows = False
    for item in FlintItem.batch_get([(k.pk, k.sk) for k in wanted]):
        if isinstance(item, UserItem) and _visible(item):
            member = to_member(item)
        elif isinstance(item, FollowItem):
            follows = True
    return member, follows


def update_profile(
    user_id: str, *, display_name: str | None, bio: str | None, brand_audiences: bool | None = None
) -> Member | None:
    """Apply the given fields; None when the profile does not exist."""
    key = keys.user(user_id)
    actions = []
    if display_name is not None:
        actions.append(UserItem.display_name.set(display_name))
    if bio is not None:
        actions.append(UserItem.bio.set(bio))
    if brand_audiences is not None:
        actions.append(UserItem.audience_opt_out.set(not brand_audiences))
    item = UserItem(key.pk, key.sk)
    if not actions:
        return get_member(user_id)
    if not connection.update(item, actions, condition=UserItem.PK.exists()):
        return None
    return to_member(item)


def set_interests(user_id: str, interest_ids: Sequence[str]) -> Member | None:
    key = keys.user(user_id)
    item = UserItem(key.pk, key.sk)
    if not connection.update(
        item,
        [UserItem.interests.set(list(interest_ids)), UserItem.onboarded.set(True)],
        condition=UserItem.PK.exists(),
    ):
        return None
    return to_member(item)


def list_interests() -> list[Interest]:
    prefix = keys.interest_catalog_prefix()
    items = InterestItem.query(prefix.pk, InterestItem.SK.startswith(prefix.sk))
    return [Interest(i.interest_id, i.name) for i in items]


def find_interests(interest_ids: Iterable[str]) -> dict[str, Interest]:
    """The known interests among these ids, by id (one BatchGetItem)."""
    wanted = [keys.interest(i) for i in dict.fromkeys(interest_ids)]
    found = InterestItem.batch_get([(k.pk, k.sk) for k in wanted])
    return {i.interest_id: Interest(i.interest_id, i.name) for i in found}


def put_interests(interests: Iterable[Interest]) -> None:
    """Write catalog entries (demo data and operators; not a request path)."""
    with InterestItem.batch_write() as batch:
        for interest in interests:
            key = keys.interest(interest.interest_id)
            batch.save(InterestItem(key.pk, key.sk, interest_id=interest.interest_id, name=interest.name))


def get_members(user_ids: Iterable[str]) -> dict[str, Member]:
    """Profiles by id, in one BatchGetItem (missing members are simply absent)."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return {}
    return {
        i.user_id: to_member(i) for i in UserItem.batch_get([keys.user(u) for u in wanted]) if _visible(i)
    }


def set_badges(user_id: str, badges: list[str]) -> None:
    """Replace a member's badges (only the Enthusiast job awards or revokes them)."""
    key = keys.user(user_id)
    connection.update(UserItem(key.pk, key.sk), [UserItem.badges.set(badges)], condition=UserItem.PK.exists())
