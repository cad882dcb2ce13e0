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

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.data import keys
from chalicelib.data.connection import cancellation_codes, run_transaction
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
from chalicelib.data.posts import LIVE, PostRecord

CONDITION_FAILED = "ConditionalCheckFailed"
MAX_TRANSACTION_ITEMS = 100


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


def _outcome(exc: TransactWriteError, edge_index: int = 0) -> EdgeChange:
    # A missing target wins over the edge's own condition: unfollowing an unknown member (no edge
    # either) is "no such member", not an idempotent "not following".
    codes = cancellation_codes(exc)
    if any(code == CONDITION_FAILED for i, code in enumerate(codes) if i != edge_index):
        return EdgeChange.TARGET_GONE
    if codes and codes[edge_index] == CONDITION_FAILED:
        return EdgeChange.UNCHANGED
    raise exc


def _transact(write: Any) -> EdgeChange:
    try:
        run_transaction(write)
    except TransactWriteError as exc:
        return _outcome(exc)
    return EdgeChange.CHANGED


def _score_updates(tx: TransactWrite, post: PostRecord, day: str, delta: int) -> None:
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


def add_smile(post: PostRecord, user_id: str, at: str) -> EdgeChange:
    """Smile once: the edge, the post's count, the author's total and today's interest scores."""
    smile = keys.smile(post.post_id, user_id)
    by_member = keys.smiles_by(user_id, post.post_id)
    post_key, author = keys.post(post.post_id), keys.user(post.author_id)

    def write(tx: TransactWrite) -> None:
        tx.save(
            SmileItem(
                smile.pk,
                smile.sk,
                GSI1PK=by_member.pk,
                GSI1SK=by_member.sk,
                user_id=user_id,
                post_id=post.post_id,
                author_id=post.author_id,
                interests=post.interests,
                created_at=at,
            ),
            condition=SmileItem.PK.does_not_exist(),
        )
        tx.update(
            PostItem(post_key.pk, post_key.sk),
            actions=[PostItem.smile_count.add(1)],
            condition=PostItem.state == LIVE,
        )
        tx.update(UserItem(author.pk, author.sk), actions=[UserItem.smiles_received.add(1)])
        _score_updates(tx, post, at[:10], 1)

    return _transact(write)


def get_smile(post_id: str, user_id: str) -> SmileItem | None:
    key = keys.smile(post_id, user_id)
    try:
        return SmileItem.get(key.pk, key.sk, consistent_read=True)
    except SmileItem.DoesNotExist:
        return None


def remove_smile(post: PostRecord, smile: SmileItem) -> EdgeChange:
    """Take a smile back, undoing exactly the counters it moved (its own day's scores)."""
    smile_key = keys.smile(post.post_id, smile.user_id)
    post_key, author = keys.post(post.post_id), keys.user(post.author_id)

    def write(tx: TransactWrite) -> None:
        tx.delete(SmileItem(smile_key.pk, smile_key.sk), condition=SmileItem.created_at == smile.created_at)
        tx.update(
            PostItem(post_key.pk, post_key.sk),
            actions=[PostItem.smile_count.add(-1)],
            condition=PostItem.state == LIVE,
        )
        tx.update(UserItem(author.pk, author.sk), actions=[UserItem.smiles_received.add(-1)])
        _score_updates(tx, post, smile.created_at[:10], -1)

    return _transact(write)


def post_counts(post_id: str) -> tuple[int, int] | None:
    """(smile_count, comment_count), read consistently after a change; None if gone."""
    key = keys.post(post_id)
    try:
        item = PostItem.get(
            key.pk, key.sk, consistent_read=True, attributes_to_get=["smile_count", "comment_count", "state"]
        )
    except PostItem.DoesNotExist:
        return None
    if item.state != LIVE:
        return None
    return int(item.smile_count or 0), int(item.comment_count or 0)


def smiles_of_post(post_id: str) -> list[SmileItem]:
    """Every smile of a post, read consistently: a smile that landed just before the delete counts."""
    key = keys.post(post_id)
    return list(SmileItem.query(key.pk, SmileItem.SK.startswith(keys.SMILE_PREFIX), consistent_read=True))


def settle_deleted_post_smiles(post: PostRecord, smiles: Sequence[SmileItem]) -> None:
    """A deleted post's smiles no longer count: take them off the author and the daily scores, once.

    A flag on the (hidden) post item rides in the same transaction, so a retried delete never
    subtracts twice.
    """
    if not smiles:
        return
    post_key, author = keys.post(post.post_id), keys.user(post.author_id)
    per_day: dict[str, int] = {}
    for smile in smiles:
        per_day[smile.created_at[:10]] = per_day.get(smile.created_at[:10], 0) + 1
    score_keys = [
        (keys.score(i, day, post.author_id), count)
        for day, count in sorted(per_day.items(), reverse=True)
        for i in post.interests
    ]

    def write(tx: TransactWrite) -> None:
        tx.update(
            PostItem(post_key.pk, post_key.sk),
            actions=[PostItem.smiles_settled.set(True)],
            condition=PostItem.smiles_settled.does_not_exist(),
        )
        tx.update(UserItem(author.pk, author.sk), actions=[UserItem.smiles_received.add(-len(smiles))])
        # Scores beyond one transaction's reach (smiles spread over many weeks) are clipped: the
        # Enthusiast job only reads the last 30 days anyway.
        for key, count in score_keys[: MAX_TRANSACTION_ITEMS - 2]:
            tx.update(ScoreItem(key.pk, key.sk), actions=[ScoreItem.smiles.add(-count)])

    try:
        run_transaction(write)
    except TransactWriteError as exc:
        if cancellation_codes(exc)[:1] == [CONDITION_FAILED]:
            return  # settled by an earlier attempt
        raise


def _comment(item: CommentItem) -> Comment:
    return Comment(item.comment_id, item.post_id, item.author_id, item.text, item.created_at)


def add_comment(comment: Comment) -> EdgeChange:
    key, post_key = keys.comment(comment.post_id, comment.comment_id), keys.post(comment.post_id)

    def write(tx: TransactWrite) -> None:
        tx.save(
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
        )
        tx.update(
            PostItem(post_key.pk, post_key.sk),
            actions=[PostItem.comment_count.add(1)],
            condition=PostItem.state == LIVE,
        )

    return _transact(write)


def get_comment_and_post(post_id: str, comment_id: str) -> tuple[Comment | None, PostItem | None]:
    """The comment and its post in one BatchGetItem."""
    comment: Comment | None = None
    post: PostItem | None = None
    wanted = [keys.comment(post_id, comment_id), keys.post(post_id)]
    for item in FlintItem.batch_get(wanted):
        if isinstance(item, CommentItem):
            comment = _comment(item)
        elif isinstance(item, PostItem) and item.state == LIVE:
            post = item
    return comment, post


def remove_comment(post_id: str, comment_id: str) -> EdgeChange:
    key, post_key = keys.comment(post_id, comment_id), keys.post(post_id)

    def write(tx: TransactWrite) -> None:
        tx.delete(CommentItem(key.pk, key.sk), condition=CommentItem.PK.exists())
        tx.update(
            PostItem(post_key.pk, post_key.sk),
            actions=[PostItem.comment_count.add(-1)],
            condition=PostItem.state == LIVE,
        )

    return _transact(write)


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
    edge, index = keys.follow(follower_id, followee_id), keys.follower(followee_id, follower_id)
    me, them = keys.user(follower_id), keys.user(followee_id)

    def write(tx: TransactWrite) -> None:
        tx.save(
            FollowItem(
                edge.pk,
                edge.sk,
                GSI1PK=index.pk,
                GSI1SK=index.sk,
                follower_id=follower_id,
                followee_id=followee_id,
                created_at=at,
            ),
            condition=FollowItem.PK.does_not_exist(),
        )
        tx.update(
            UserItem(them.pk, them.sk), actions=[UserItem.followers.add(1)], condition=UserItem.PK.exists()
        )
        tx.update(UserItem(me.pk, me.sk), actions=[UserItem.following.add(1)], condition=UserItem.PK.exists())

    return _transact(write)


def unfollow(follower_id: str, followee_id: str) -> EdgeChange:
    edge = keys.follow(follower_id, followee_id)
    me, them = keys.user(follower_id), keys.user(followee_id)

    def write(tx: TransactWrite) -> None:
        tx.delete(FollowItem(edge.pk, edge.sk), condition=FollowItem.PK.exists())
        tx.update(
            UserItem(them.pk, them.sk), actions=[UserItem.followers.add(-1)], condition=UserItem.PK.exists()
        )
        tx.update(
            UserItem(me.pk, me.sk), actions=[UserItem.following.add(-1)], condition=UserItem.PK.exists()
        )

    return _transact(write)


def following_ids(user_id: str, limit: int = 500) -> list[str]:
    """Whom a member follows (the feed worker's input), newest edges unordered."""
    key = keys.user(user_id)
    results = FollowItem.query(key.pk, FollowItem.SK.startswith(keys.FOLLOWS_PREFIX), limit=limit)
    return [f.followee_id for f in results]
