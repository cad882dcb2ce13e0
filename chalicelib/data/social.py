"""Access patterns for smiles, comments and follows: each edge and its counters change together.

Every change is one TransactWriteItems: the edge with an existence condition,
plus the counters it moves. A failed edge condition is the idempotent answer
("already smiled"), not an error; contention is retried (connection.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chalicelib.data import keys
from chalicelib.data.connection import MAX_TRANSACTION_ITEMS, Outcome, Tx, transact
from chalicelib.data.models import (
    CommentItem,
    FlintItem,
    FollowItem,
    PostItem,
    ScoreItem,
    SmileItem,
    UserItem,
)
from chalicelib.data.pages import Page
from chalicelib.data.posts import LIVE, PostRecord, to_post

EDGE, TARGET = "edge", "target"


class EdgeChange(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # already in the wanted state: the idempotent answer
    TARGET_GONE = "target_gone"  # the post or member does not exist (or is being deleted)


@dataclass(frozen=True)
class Comment:
    comment_id: str
    post_id: str
    author_id: str
    text: str
    created_at: str


@dataclass(frozen=True)
class Smile:
    post_id: str
    user_id: str
    created_at: str


def _change(outcome: Outcome) -> EdgeChange:
    # A missing target wins over the edge's own condition: unfollowing an unknown member (no edge
    # either) is "no such member", not an idempotent "not following".
    if outcome.failed_on(TARGET):
        return EdgeChange.TARGET_GONE
    if outcome.failed_on(EDGE):
        return EdgeChange.UNCHANGED
    return EdgeChange.CHANGED


def _score_updates(tx: Tx, post: PostRecord, day: str, delta: int) -> None:
    for interest_id in post.interests:
        key = keys.score(interest_id, day, post.author_id)
        tx.update(
            ScoreItem(key.pk, key.sk),
            actions=[
                ScoreItem.entity.set(ScoreItem),  # type: ignore[arg-type]
                ScoreItem.author_id.set(post.author_id),
                ScoreItem.interest_id.set(interest_id),
                ScoreItem.day.set(day),
                ScoreItem.smiles.add(delta),
            ],
        )


def earns_credit(post: PostRecord, user_id: str) -> bool:
    """Whether a smile counts for the post's author: the profile's `smiles_received` and the daily
    scores the Enthusiast badge (and the feeds' enthusiast reasons) are ranked on.

    An author's smile on their own post is a visible smile like any other (in the post's
    `smile_count`, `smiled_by_me`) but earns its author nothing: badges reward what others think.
    Every writer of those counters asks this one function, so a smile and its removal move them
    together or not at all.
    """
    return user_id != post.author_id


def add_smile(post: PostRecord, user_id: str, at: str) -> EdgeChange:
    """Smile once: the edge, the post's count and, unless the author smiles at their own post,
    the author's total and today's interest scores."""
    smile = keys.smile(post.post_id, user_id)
    post_key, author = keys.post(post.post_id), keys.user(post.author_id)

    def write(tx: Tx) -> None:
        tx.put(
            SmileItem(
                smile.pk,
                smile.sk,
                user_id=user_id,
                post_id=post.post_id,
                author_id=post.author_id,
                interests=post.interests,
                created_at=at,
            ),
            condition=SmileItem.PK.does_not_exist(),
            label=EDGE,
        )
        tx.update(
            PostItem(post_key.pk, post_key.sk),
            actions=[PostItem.smile_count.add(1)],
            condition=PostItem.state == LIVE,
            label=TARGET,
        )
        if earns_credit(post, user_id):
            tx.update(UserItem(author.pk, author.sk), actions=[UserItem.smiles_received.add(1)])
            _score_updates(tx, post, at[:10], 1)

    return _change(transact(write))


def _smile(item: SmileItem) -> Smile:
    return Smile(item.post_id, item.user_id, item.created_at)


def post_and_smile(post_id: str, user_id: str) -> tuple[PostRecord | None, Smile | None]:
    """The live post and the member's smile on it, read consistently in one BatchGetItem."""
    post: PostRecord | None = None
    smile: Smile | None = None
    for item in FlintItem.batch_get([keys.post(post_id), keys.smile(post_id, user_id)], consistent_read=True):
        if isinstance(item, PostItem) and item.state == LIVE:
            post = to_post(item)
        elif isinstance(item, SmileItem):
            smile = _smile(item)
    return post, smile


def remove_smile(post: PostRecord, smile: Smile) -> EdgeChange:
    """Take a smile back, undoing exactly the counters it moved (its own day's scores)."""
    smile_key = keys.smile(post.post_id, smile.user_id)
    post_key, author = keys.post(post.post_id), keys.user(post.author_id)

    def write(tx: Tx) -> None:
        tx.delete(
            SmileItem(smile_key.pk, smile_key.sk),
            condition=SmileItem.created_at == smile.created_at,
            label=EDGE,
        )
        tx.update(
            PostItem(post_key.pk, post_key.sk),
            actions=[PostItem.smile_count.add(-1)],
            condition=PostItem.state == LIVE,
            label=TARGET,
        )
        if earns_credit(post, smile.user_id):
            tx.update(UserItem(author.pk, author.sk), actions=[UserItem.smiles_received.add(-1)])
            _score_updates(tx, post, smile.created_at[:10], -1)

    return _change(transact(write))


def smiles_of_post(post_id: str) -> list[Smile]:
    """Every smile of a post, read consistently: a smile that landed just before the delete counts."""
    key = keys.post(post_id)
    return [
        _smile(item)
        for item in SmileItem.query(key.pk, SmileItem.SK.startswith(keys.SMILE_PREFIX), consistent_read=True)
    ]


def settle_deleted_post_smiles(post: PostRecord, smiles: Sequence[Smile]) -> None:
    """A deleted post's smiles no longer count: take them off the author and the daily scores, once.

    A flag on the (hidden) post item rides in the same transaction, so a retried delete never
    subtracts twice.
    """
    credited = [smile for smile in smiles if earns_credit(post, smile.user_id)]
    if not credited:
        return
    post_key, author = keys.post(post.post_id), keys.user(post.author_id)
    per_day: dict[str, int] = {}
    for smile in credited:
        per_day[smile.created_at[:10]] = per_day.get(smile.created_at[:10], 0) + 1
    score_keys = [
        (keys.score(i, day, post.author_id), count)
        for day, count in sorted(per_day.items(), reverse=True)
        for i in post.interests
    ]

    def write(tx: Tx) -> None:
        tx.update(
            PostItem(post_key.pk, post_key.sk),
            actions=[PostItem.smiles_settled.set(True)],
            condition=PostItem.smiles_settled.does_not_exist(),
            label="settled",
        )
        tx.update(UserItem(author.pk, author.sk), actions=[UserItem.smiles_received.add(-len(credited))])
        # Scores beyond one transaction's reach (smiles spread over many weeks) are clipped: the
        # Enthusiast job only reads the last 30 days anyway.
        for key, count in score_keys[: MAX_TRANSACTION_ITEMS - 2]:
            tx.update(ScoreItem(key.pk, key.sk), actions=[ScoreItem.smiles.add(-count)])

    transact(write)  # a failed "settled" condition: an earlier attempt already did it


def _comment(item: CommentItem) -> Comment:
    return Comment(item.comment_id, item.post_id, item.author_id, item.text, item.created_at)


def add_comment(comment: Comment) -> EdgeChange:
    key, post_key = keys.comment(comment.post_id, comment.comment_id), keys.post(comment.post_id)

    def write(tx: Tx) -> None:
        tx.put(
            CommentItem(
                key.pk,
                key.sk,
                comment_id=comment.comment_id,
                post_id=comment.post_id,
                author_id=comment.author_id,
                text=comment.text,
                created_at=comment.created_at,
            ),
            condition=CommentItem.PK.does_not_exist(),
            label=EDGE,
        )
        tx.update(
            PostItem(post_key.pk, post_key.sk),
            actions=[PostItem.comment_count.add(1)],
            condition=PostItem.state == LIVE,
            label=TARGET,
        )

    return _change(transact(write))


def get_comment_and_post(post_id: str, comment_id: str) -> tuple[Comment | None, PostRecord | None]:
    """The comment and its (live) post in one BatchGetItem."""
    comment: Comment | None = None
    post: PostRecord | None = None
    wanted = [keys.comment(post_id, comment_id), keys.post(post_id)]
    for item in FlintItem.batch_get(wanted):
        if isinstance(item, CommentItem):
            comment = _comment(item)
        elif isinstance(item, PostItem) and item.state == LIVE:
            post = to_post(item)
    return comment, post


def remove_comment(post_id: str, comment_id: str) -> EdgeChange:
    key, post_key = keys.comment(post_id, comment_id), keys.post(post_id)

    def write(tx: Tx) -> None:
        tx.delete(CommentItem(key.pk, key.sk), condition=CommentItem.PK.exists(), label=EDGE)
        tx.update(
            PostItem(post_key.pk, post_key.sk),
            actions=[PostItem.comment_count.add(-1)],
            condition=PostItem.state == LIVE,
            label=TARGET,
        )

    return _change(transact(write))


def list_comments(post_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    key = keys.post(post_id)
    results = CommentItem.query(
        key.pk,
        CommentItem.SK.startswith(keys.COMMENT_PREFIX),
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )
    return Page([_comment(c) for c in results], results.last_evaluated_key)


def follow(follower_id: str, followee_id: str, at: str) -> EdgeChange:
    edge = keys.follow(follower_id, followee_id)
    me, them = keys.user(follower_id), keys.user(followee_id)

    def write(tx: Tx) -> None:
        tx.put(
            FollowItem(
                edge.pk,
                edge.sk,
                follower_id=follower_id,
                followee_id=followee_id,
                created_at=at,
            ),
            condition=FollowItem.PK.does_not_exist(),
            label=EDGE,
        )
        tx.update(
            UserItem(them.pk, them.sk),
            actions=[UserItem.followers.add(1)],
            condition=UserItem.PK.exists(),
            label=TARGET,
        )
        tx.update(
            UserItem(me.pk, me.sk),
            actions=[UserItem.following.add(1)],
            condition=UserItem.PK.exists(),
            label=TARGET,
        )

    return _change(transact(write))


def unfollow(follower_id: str, followee_id: str) -> EdgeChange:
    edge = keys.follow(follower_id, followee_id)
    me, them = keys.user(follower_id), keys.user(followee_id)

    def write(tx: Tx) -> None:
        tx.delete(FollowItem(edge.pk, edge.sk), condition=FollowItem.PK.exists(), label=EDGE)
        tx.update(
            UserItem(them.pk, them.sk),
            actions=[UserItem.followers.add(-1)],
            condition=UserItem.PK.exists(),
            label=TARGET,
        )
        tx.update(
            UserItem(me.pk, me.sk),
            actions=[UserItem.following.add(-1)],
            condition=UserItem.PK.exists(),
            label=TARGET,
        )

    return _change(transact(write))


def following_ids(user_id: str, limit: int = 500) -> list[str]:
    """Whom a member follows (the feed worker's input), newest edges unordered."""
    key = keys.user(user_id)
    results = FollowItem.query(key.pk, FollowItem.SK.startswith(keys.FOLLOWS_PREFIX), limit=limit)
    return [f.followee_id for f in results]
