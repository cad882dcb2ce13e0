"""Access patterns for blocks: one block-list item per member, and the follow edges a block ends.

A member's blocks are one item, `USER#<id>` / `BLOCKS` (keys.block_list), holding a string set.
Reads add it to the BatchGetItem they already make (`posts.hydrate`, comments, profiles), and
writes that a block forbids (a comment on the blocker's post, a follow either way) check
`NOT contains(ids, :me)` on it inside their own transaction: enforcing a block costs no request.

Each block also writes one small edge item beside the list (keys.block_edge), in the same
transaction, carrying GSI4 `MEMBER#<blocked>`: no read uses it; it is how a member who leaves
is found on the lists of those who blocked them (erasure, below).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pynamodb.expressions.condition import size

from chalicelib import clock
from chalicelib.data import keys, ownership
from chalicelib.data.connection import Tx, transact
from chalicelib.data.models import BlockEdgeItem, BlockListItem, FlintItem, FollowItem, UserItem
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.data.social import EDGE, EdgeChange
from chalicelib.data.users import Member, to_member

# One item holds the set: ~40 bytes an id, so 1,000 blocks is ~40 KB, far under DynamoDB's 400 KB.
MAX_BLOCKS = 1000
FOLLOW_OUT, FOLLOW_IN, BLOCKER, BLOCKED_MEMBER = "follow_out", "follow_in", "blocker", "blocked_member"
BLOCKED_BY_KIND = "blocked_by"  # in GSI4 (keys.member_owned): the blocks naming a member


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
        tx.put(_edge_item(blocker_id, target_id, at))
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


def _edge_item(blocker_id: str, blocked_id: str, at: str) -> BlockEdgeItem:
    key = keys.block_edge(blocker_id, blocked_id)
    owned = keys.member_owned(blocked_id, BLOCKED_BY_KIND, blocker_id)
    return BlockEdgeItem(
        key.pk,
        key.sk,
        GSI4PK=owned.pk,
        GSI4SK=owned.sk,
        blocker_id=blocker_id,
        blocked_id=blocked_id,
        created_at=at,
    )


def unblock(blocker_id: str, target_id: str, at: str) -> EdgeChange:
    listed = keys.block_list(blocker_id)
    edge = keys.block_edge(blocker_id, target_id)

    def write(tx: Tx) -> None:
        tx.update(
            BlockListItem(listed.pk, listed.sk),
            actions=[BlockListItem.ids.delete({target_id}), BlockListItem.updated_at.set(at)],
            condition=BlockListItem.ids.contains(target_id),
            label=EDGE,
        )
        tx.delete(BlockEdgeItem(edge.pk, edge.sk))

    return EdgeChange.UNCHANGED if transact(write).failed_on(EDGE) else EdgeChange.CHANGED


def blocked_ids(user_id: str) -> list[str]:
    """Whom a member blocked, sorted (one GetItem)."""
    key = keys.block_list(user_id)
    try:
        item = BlockListItem.get(key.pk, key.sk)
    except BlockListItem.DoesNotExist:
        return []
    return sorted(item.ids or ())


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# Their own block list (with its edges), and their place on the lists of those who blocked them.


@dataclass(frozen=True)
class BlockList:
    member_id: str
    blocked: list[str]


def _own_list(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    found = blocked_ids(member_id)
    return Page([BlockList(member_id, found)] if found else [], None)


def _erase_own_list(member_id: str, own: BlockList) -> Erased:
    edges = [keys.block_edge(member_id, b) for b in own.blocked]
    listed = keys.block_list(member_id)
    ownership.delete([(k.pk, k.sk) for k in [*edges, listed]])
    return Erased.GONE


def _blocked_by(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    page = ownership.find_owned(member_id, BLOCKED_BY_KIND, limit, start)
    edges = [i for i in ownership.load(page.items) if isinstance(i, BlockEdgeItem)]
    return Page(edges, page.last_key)


def _erase_from_their_list(member_id: str, edge: BlockEdgeItem) -> Erased:
    if unblock(edge.blocker_id, member_id, clock.now_iso()) is EdgeChange.UNCHANGED:
        ownership.delete([(edge.PK, edge.SK)])  # not on the list any more: only the edge was left
    return Erased.GONE


ownership.register(
    OwnedKind(
        "blocks",
        (BlockListItem, BlockEdgeItem),
        ("block_list", "block_edge"),
        _own_list,
        _erase_own_list,
        lambda own: {"members": own.blocked},
    )
)
# Who blocked the member is the blockers' own data: not exported.
ownership.register(
    OwnedKind("blocked_by", (BlockEdgeItem,), ("block_edge",), _blocked_by, _erase_from_their_list)
)
