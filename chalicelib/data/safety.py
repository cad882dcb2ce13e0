"""Access patterns for blocks: one block-list item per member, and the follow edges a block ends.

A member's blocks are one item, `USER#<id>` / `BLOCKS` (keys.block_list), holding a string set.
Reads add it to the BatchGetItem they already make (`posts.hydrate`, comments, profiles), and
writes that a block forbids (a comment on the blocker's post, a follow either way) check
`NOT contains(ids, :me)` on it inside their own transaction: enforcing a block costs no request.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pynamodb.expressions.condition import size

from chalicelib.data import keys
from chalicelib.data.connection import Tx, transact
from chalicelib.data.models import BlockListItem, FlintItem, FollowItem, UserItem
from chalicelib.data.social import EDGE, EdgeChange
from chalicelib.data.users import Member, to_member

# One item holds the set: ~40 bytes an id, so 1,000 blocks is ~40 KB, far under DynamoDB's 400 KB.
MAX_BLOCKS = 1000
FOLLOW_OUT, FOLLOW_IN, BLOCKER, BLOCKED_MEMBER = "follow_out", "follow_in", "blocker", "blocked_member"


class BlockChange(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # already blocked (or the list is full: the caller checked before)
    STALE = "stale"  # a follow edge changed since it was read: read again and retry


@dataclass(frozen=True)
class BlockState:
    """What a block changes, read in one consistent BatchGetItem."""

    blocker: Member | None
    target: Member | None
    blocked: frozenset[str]
    follows_them: bool
    followed_by_them: bool


def block_state(blocker_id: str, target_id: str) -> BlockState:
    wanted = [
        keys.user(blocker_id),
        keys.user(target_id),
        keys.block_list(blocker_id),
        keys.follow(blocker_id, target_id),
        keys.follow(target_id, blocker_id),
    ]
    blocker = target = None
    blocked: frozenset[str] = frozenset()
    follows_them = followed_by_them = False
    for item in FlintItem.batch_get(wanted, consistent_read=True):
        if isinstance(item, UserItem):
            if item.user_id == blocker_id:
                blocker = to_member(item)
            else:
                target = to_member(item)
        elif isinstance(item, BlockListItem):
            blocked = frozenset(item.ids or ())
        elif isinstance(item, FollowItem):
            follows_them = follows_them or item.follower_id == blocker_id
            followed_by_them = followed_by_them or item.follower_id == target_id
    return BlockState(blocker, target, blocked, follows_them, followed_by_them)


def block(state: BlockState, blocker_id: str, target_id: str, at: str) -> BlockChange:
    """Add the member to the block list and end the follow edges between the two, atomically.

    Conditions: the list does not hold them yet and has room (`edge`); each follow edge read is
    still there (`follow_out`, `follow_in`; a failure means it changed meanwhile: read again).
    """
    listed = keys.block_list(blocker_id)
    me, them = keys.user(blocker_id), keys.user(target_id)
    out, back = int(state.follows_them), int(state.followed_by_them)

    def write(tx: Tx) -> None:
        tx.update(
            BlockListItem(listed.pk, listed.sk),
            actions=[
                BlockListItem.entity.set(BlockListItem),  # type: ignore[arg-type]
                BlockListItem.ids.add({target_id}),
                BlockListItem.updated_at.set(at),
            ],
            condition=~BlockListItem.ids.contains(target_id)
            & (BlockListItem.ids.does_not_exist() | (size(BlockListItem.ids) < MAX_BLOCKS)),
            label=EDGE,
        )
        if out:
            edge = keys.follow(blocker_id, target_id)
            tx.delete(FollowItem(edge.pk, edge.sk), condition=FollowItem.PK.exists(), label=FOLLOW_OUT)
        if back:
            edge = keys.follow(target_id, blocker_id)
            tx.delete(FollowItem(edge.pk, edge.sk), condition=FollowItem.PK.exists(), label=FOLLOW_IN)
        if out or back:
            tx.update(
                UserItem(me.pk, me.sk),
                actions=[UserItem.following.add(-out), UserItem.followers.add(-back)],
                condition=UserItem.PK.exists(),
                label=BLOCKER,
            )
            tx.update(
                UserItem(them.pk, them.sk),
                actions=[UserItem.followers.add(-out), UserItem.following.add(-back)],
                condition=UserItem.PK.exists(),
                label=BLOCKED_MEMBER,
            )

    outcome = transact(write)
    if outcome.failed_on(EDGE):
        return BlockChange.UNCHANGED
    if outcome.failed:
        return BlockChange.STALE
    return BlockChange.CHANGED


def unblock(blocker_id: str, target_id: str, at: str) -> EdgeChange:
    listed = keys.block_list(blocker_id)

    def write(tx: Tx) -> None:
        tx.update(
            BlockListItem(listed.pk, listed.sk),
            actions=[BlockListItem.ids.delete({target_id}), BlockListItem.updated_at.set(at)],
            condition=BlockListItem.ids.contains(target_id),
            label=EDGE,
        )

    return EdgeChange.UNCHANGED if transact(write).failed_on(EDGE) else EdgeChange.CHANGED


def blocked_ids(user_id: str) -> list[str]:
    """Whom a member blocked, sorted (one GetItem)."""
    key = keys.block_list(user_id)
    try:
        item = BlockListItem.get(key.pk, key.sk)
    except BlockListItem.DoesNotExist:
        return []
    return sorted(item.ids or ())
