"""Access patterns for member profiles, follow edges and the interest catalog."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.condition import Condition

from chalicelib.data import connection, keys, ownership, search
from chalicelib.data.connection import Outcome, Tx, transact
from chalicelib.data.models import (
    BlockListItem,
    FlintItem,
    FollowItem,
    InterestItem,
    SearchTermItem,
    UploadItem,
    UserItem,
)
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page


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
    banned: bool = False
    # The avatar's renditions: {"<size>": {"key", "width", "height"}} (None: no avatar).
    avatar: dict[str, dict[str, Any]] | None = None
    avatar_upload_id: str | None = None
    search_words: list[str] | None = None


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
        banned=bool(item.banned),
        avatar=item.avatar or None,
        avatar_upload_id=item.avatar_upload_id,
        search_words=list(item.search_words) if item.search_words is not None else None,
    )


def not_banned() -> Condition:
    """The profile exists and is not banned: the condition on every write a member makes as themself."""
    return UserItem.PK.exists() & UserItem.banned.does_not_exist()


def upsert_activity(user_id: str, display_name: str, now: str) -> bool:
    """Create the profile on first sight and mark the member active (one UpdateItem; the
    authorizer's narrow policy allows exactly this).

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


def index_member(user_id: str, display_name: str) -> list[str] | None:
    """Write the member's search entries and remember them, unless a rename got there first (or
    another request indexed them): one transaction, once per member."""
    key = keys.user(user_id)
    found = search.member_words(display_name)

    def write(tx: Tx) -> None:
        tx.update(
            UserItem(key.pk, key.sk),
            actions=[UserItem.search_words.set(found)],
            condition=(UserItem.display_name == display_name) & UserItem.search_words.does_not_exist(),
            label="profile",
        )
        search.put_entries(tx, search.MEMBER, user_id, found)

    # A failed condition: renamed or indexed meanwhile, and that wrote the entries (None: read them).
    return found if transact(write).committed else None


def get_member(user_id: str) -> Member | None:
    key = keys.user(user_id)
    try:
        item = UserItem.get(key.pk, key.sk)
    except UserItem.DoesNotExist:
        return None
    return to_member(item) if _visible(item) else None


@dataclass(frozen=True)
class Viewed:
    """A profile as one viewer sees it: whether they follow and whether they blocked the member."""

    member: Member | None
    followed: bool
    blocked: bool


def get_member_and_follow(user_id: str, viewer_id: str | None) -> Viewed:
    """The profile, whether the viewer follows it and whether they blocked it, in one BatchGetItem."""
    profile_key = keys.user(user_id)
    wanted = [profile_key]
    if viewer_id and viewer_id != user_id:
        wanted += [keys.follow(viewer_id, user_id), keys.block_list(viewer_id)]
    member: Member | None = None
    follows = blocked = False
    for item in FlintItem.batch_get([(k.pk, k.sk) for k in wanted]):
        if isinstance(item, UserItem) and _visible(item):
            member = to_member(item)
        elif isinstance(item, FollowItem):
            follows = True
        elif isinstance(item, BlockListItem):
            blocked = user_id in (item.ids or set())
    return Viewed(member, follows, blocked)


def members_and_blocks(user_ids: Iterable[str], viewer_id: str | None) -> tuple[dict[str, Member], set[str]]:
    """Profiles by id and the viewer's block list, in one BatchGetItem."""
    wanted = [keys.user(u) for u in dict.fromkeys(user_ids)]
    if viewer_id:
        wanted.append(keys.block_list(viewer_id))
    members: dict[str, Member] = {}
    blocked: set[str] = set()
    if not wanted:
        return members, blocked
    for item in FlintItem.batch_get(wanted):
        if isinstance(item, UserItem) and _visible(item):
            members[item.user_id] = to_member(item)
        elif isinstance(item, BlockListItem):
            blocked = set(item.ids or ())
    return members, blocked


@dataclass(frozen=True)
class ProfileChange:
    """What PATCH /me changes; None leaves a field as it is."""

    display_name: str | None = None
    bio: str | None = None
    interests: list[str] | None = None
    avatar: dict[str, dict[str, Any]] | None = None
    avatar_upload_id: str | None = None
    remove_avatar: bool = False
    brand_audiences: bool | None = None  # false: leave brands' audiences (PATCH /me)


PROFILE, AVATAR = "profile", "avatar"


def change_profile(current: Member, change: ProfileChange) -> Outcome:
    """Apply a profile change atomically (one TransactWriteItems).

    Conditions, named in a failed outcome: `profile` (the profile exists, is not banned and still
    has the display name read), `avatar` (the new avatar upload is the member's, ready and unused).
    A rename replaces the member's search entries in the same transaction.
    """
    key = keys.user(current.user_id)
    actions: list[Any] = []
    condition = not_banned()
    renamed = change.display_name is not None and change.display_name != current.display_name
    new_words = search.member_words(change.display_name) if renamed and change.display_name else []
    if change.display_name is not None:
        actions.append(UserItem.display_name.set(change.display_name))
    if renamed:
        condition &= UserItem.display_name == current.display_name
        actions.append(UserItem.search_words.set(new_words))
    if change.bio is not None:
        actions.append(UserItem.bio.set(change.bio))
    if change.interests is not None:
        actions += [UserItem.interests.set(change.interests), UserItem.onboarded.set(True)]
    if change.avatar_upload_id is not None:
        actions += [
            UserItem.avatar.set(change.avatar or {}),
            UserItem.avatar_upload_id.set(change.avatar_upload_id),
        ]
    elif change.remove_avatar:
        actions += [UserItem.avatar.remove(), UserItem.avatar_upload_id.remove()]
    if change.brand_audiences is not None:
        actions.append(UserItem.audience_opt_out.set(not change.brand_audiences))
    if not actions:
        return connection.COMMITTED

    def write(tx: Tx) -> None:
        tx.update(UserItem(key.pk, key.sk), actions=actions, condition=condition, label=PROFILE)
        if renamed:
            # Words kept by the new name are rewritten (their entries carry all the name's words).
            gone = [w for w in current.search_words or [] if w not in new_words]
            search.delete_entries(tx, search.MEMBER, current.user_id, gone)
            search.put_entries(tx, search.MEMBER, current.user_id, new_words)
        if change.avatar_upload_id is not None:
            upload = keys.upload(change.avatar_upload_id)
            tx.update(
                UploadItem(upload.pk, upload.sk),
                actions=[UploadItem.avatar_of.set(current.user_id), UploadItem.expires_at.remove()],
                condition=(UploadItem.owner_id == current.user_id)
                & (UploadItem.status == "ready")
                & UploadItem.post_id.does_not_exist()
                & (UploadItem.avatar_of.does_not_exist() | (UploadItem.avatar_of == current.user_id)),
                label=AVATAR,
            )

    return transact(write)


def set_banned(tx: Tx, member: Member, banned: bool) -> None:
    """Add a ban or unban of `member` to a transaction: the flag and the member's search entries.

    Condition (label `profile`): the member is in the other state (so a repeat changes nothing).
    """
    key = keys.user(member.user_id)
    if banned:
        tx.update(
            UserItem(key.pk, key.sk),
            actions=[UserItem.banned.set(True)],
            condition=not_banned(),
            label=PROFILE,
        )
        search.delete_entries(tx, search.MEMBER, member.user_id, member.search_words or [])
    else:
        tx.update(
            UserItem(key.pk, key.sk),
            actions=[UserItem.banned.remove()],
            condition=UserItem.banned.exists(),
            label=PROFILE,
        )
        search.put_entries(tx, search.MEMBER, member.user_id, member.search_words or [])


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
    """Write catalog entries and their search entries (demo data and operators; not a request path)."""
    interests = list(interests)
    with InterestItem.batch_write() as batch:
        for interest in interests:
            key = keys.interest(interest.interest_id)
            batch.save(InterestItem(key.pk, key.sk, interest_id=interest.interest_id, name=interest.name))
    search.batch_put(
        search.INTEREST,
        ((i.interest_id, search.indexable([i.name, i.interest_id.replace("-", " ")])) for i in interests),
    )


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


# --- screening track record (services/screening.py's trust rule) ------------------------------


def screened_clean(user_id: str) -> int:
    """Photos of the member screening passed since their last strike (one GetItem of one
    attribute, 0.5 read unit); 0 for a member without a profile."""
    key = keys.user(user_id)
    try:
        item = UserItem.get(key.pk, key.sk, attributes_to_get=["screened_clean"])
    except UserItem.DoesNotExist:
        return 0
    return int(item.screened_clean or 0)


def count_screened_clean(user_id: str) -> None:
    """One more photo screening passed (ADD, one write unit); nothing for a profile that is gone."""
    key = keys.user(user_id)
    connection.update(
        UserItem(key.pk, key.sk), [UserItem.screened_clean.add(1)], condition=UserItem.PK.exists()
    )


def reset_screened_clean(user_id: str) -> None:
    """A strike: screening held a photo, or a moderator upheld something against the member.
    Their uploads are screened every time again until they build a new record."""
    key = keys.user(user_id)
    connection.update(
        UserItem(key.pk, key.sk), [UserItem.screened_clean.set(0)], condition=UserItem.PK.exists()
    )


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# Their entries in the search index, named by the profile's `search_words` (the profile itself is
# erasure's last step, services/erasure.py). Their posts' entries go with the posts.


def _search_words(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    key = keys.user(member_id)
    try:
        item = UserItem.get(key.pk, key.sk, consistent_read=True, attributes_to_get=["search_words"])
    except UserItem.DoesNotExist:
        return Page([], None)
    return Page([list(item.search_words)] if item.search_words else [], None)


def _erase_search_entries(member_id: str, found_words: list[str]) -> Erased:
    key = keys.user(member_id)

    def write(tx: Tx) -> None:
        search.delete_entries(tx, search.MEMBER, member_id, found_words)
        tx.update(
            UserItem(key.pk, key.sk),
            actions=[UserItem.search_words.remove()],
            condition=UserItem.search_words == found_words,
            label=PROFILE,
        )

    # A failed condition: the words changed meanwhile (a rename): the next pass reads them again.
    return Erased.GONE if transact(write).committed else Erased.WAIT


# The index is derived from the display name (in the export's `member` block): not exported.
ownership.register(
    OwnedKind("search_entries", (SearchTermItem,), ("search_word",), _search_words, _erase_search_entries)
)
