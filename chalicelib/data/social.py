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

from chalicelib.data import keys, ownership
from chalicelib.data.connection import MAX_TRANSACTION_ITEMS, Outcome, Tx, transact
from chalicelib.data.models import (
    BlockListItem,
    CommentItem,
    FlintItem,
    FollowItem,
    PostItem,
    ScoreItem,
    SmileItem,
    UserItem,
)
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.data.posts import LIVE, PostRecord, get_post_any_state, to_post
from chalicelib.data.users import Member, not_banned, to_member

EDGE, TARGET, BLOCKED, SELF = "edge", "target", "blocked", "self"
# Kinds of a member's items in GSI4 (keys.member_owned; chalicelib/data/ownership.py).
SMILE_KIND, COMMENT_KIND, FOLLOWER_KIND, SCORE_KIND = "smile", "comment", "follower", "score"


class EdgeChange(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # already in the wanted state: the idempotent answer
    TARGET_GONE = "target_gone"  # the post or member does not exist (or is being deleted)
    BLOCKED = "blocked"  # one of the two members blocked the other
    BANNED = "banned"  # the member acting is banned


def check_not_blocked(tx: Tx, owner_id: str, member_id: str) -> None:
    """Add to a transaction: `owner_id` has not blocked `member_id` (label `blocked`)."""
    key = keys.block_list(owner_id)
    tx.check(BlockListItem, key, ~BlockListItem.ids.contains(member_id), label=BLOCKED)


@dataclass(frozen=True)
class Comment:
    comment_id: str
    post_id: str
    author_id: str
    text: str
    created_at: str
    hidden: bool = False


@dataclass(frozen=True)
class Smile:
    post_id: str
    user_id: str
    created_at: str


def edge_change(outcome: Outcome) -> EdgeChange:
    # A missing target wins over the edge's own condition: unfollowing an unknown member (no edge
    # either) is "no such member", not an idempotent "not following".
    if outcome.failed_on(TARGET):
        return EdgeChange.TARGET_GONE
    if outcome.failed_on(SELF):
        return EdgeChange.BANNED
    if outcome.failed_on(BLOCKED):
        return EdgeChange.BLOCKED
    if outcome.failed_on(EDGE):
        return EdgeChange.UNCHANGED
    return EdgeChange.CHANGED


def _score_updates(tx: Tx, post: PostRecord, day: str, delta: int) -> None:
    for interest_id in post.interests:
        key = keys.score(interest_id, day, post.author_id)
        owned = keys.member_owned(post.author_id, SCORE_KIND, f"{interest_id}#{day}")
        tx.update(
            ScoreItem(key.pk, key.sk),
            actions=[
                ScoreItem.entity.set(ScoreItem),  # type: ignore[arg-type]
                ScoreItem.GSI4PK.set(owned.pk),
                ScoreItem.GSI4SK.set(owned.sk),
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
    owned = keys.member_owned(user_id, SMILE_KIND, post.post_id)
    post_key, author = keys.post(post.post_id), keys.user(post.author_id)

    def write(tx: Tx) -> None:
        tx.put(
            SmileItem(
                smile.pk,
                smile.sk,
                GSI4PK=owned.pk,
                GSI4SK=owned.sk,
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

    return edge_change(transact(write))


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

    return edge_change(transact(write))


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


def comment_record(item: CommentItem) -> Comment:
    return Comment(
        item.comment_id, item.post_id, item.author_id, item.text, item.created_at, bool(item.hidden)
    )


def add_comment(comment: Comment, post_author_id: str) -> EdgeChange:
    """The comment and the post's count; conditions: the post is live (`target`) and its author
    has not blocked the commenter (`blocked`)."""
    key, post_key = keys.comment(comment.post_id, comment.comment_id), keys.post(comment.post_id)
    owned = keys.member_owned(comment.author_id, COMMENT_KIND, f"{comment.post_id}#{comment.comment_id}")

    def write(tx: Tx) -> None:
        tx.put(
            CommentItem(
                key.pk,
                key.sk,
                GSI4PK=owned.pk,
                GSI4SK=owned.sk,
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
        if post_author_id != comment.author_id:
            check_not_blocked(tx, post_author_id, comment.author_id)

    return edge_change(transact(write))


def post_and_member(post_id: str, user_id: str) -> tuple[PostRecord | None, Member | None]:
    """The live post and a member's profile, in one BatchGetItem (before commenting)."""
    post: PostRecord | None = None
    member: Member | None = None
    for item in FlintItem.batch_get([keys.post(post_id), keys.user(user_id)]):
        if isinstance(item, PostItem) and item.state == LIVE:
            post = to_post(item)
        elif isinstance(item, UserItem):
            member = to_member(item)
    return post, member


def get_comment_and_post(post_id: str, comment_id: str) -> tuple[Comment | None, PostRecord | None]:
    """The comment and its (live) post in one BatchGetItem."""
    comment: Comment | None = None
    post: PostRecord | None = None
    wanted = [keys.comment(post_id, comment_id), keys.post(post_id)]
    for item in FlintItem.batch_get(wanted):
        if isinstance(item, CommentItem):
            comment = comment_record(item)
        elif isinstance(item, PostItem) and item.state == LIVE:
            post = to_post(item)
    return comment, post


def remove_comment(post_id: str, comment_id: str, *, hidden: bool = False) -> EdgeChange:
    """Delete a comment; a comment hidden by a moderator is no longer counted, so it goes alone."""
    key, post_key = keys.comment(post_id, comment_id), keys.post(post_id)

    def write(tx: Tx) -> None:
        shown = CommentItem.hidden.does_not_exist()
        tx.delete(
            CommentItem(key.pk, key.sk),
            condition=CommentItem.PK.exists() & (~shown if hidden else shown),
            label=EDGE,
        )
        if not hidden:
            tx.update(
                PostItem(post_key.pk, post_key.sk),
                actions=[PostItem.comment_count.add(-1)],
                condition=PostItem.state == LIVE,
                label=TARGET,
            )

    return edge_change(transact(write))


def set_comment_hidden(tx: Tx, post_id: str, comment_id: str, hidden: bool) -> None:
    """Add to a transaction: hide (or show again) a comment, moving its post's count with it.

    Condition (label `edge`): the comment exists and is in the other state.
    """
    key, post_key = keys.comment(post_id, comment_id), keys.post(post_id)
    if hidden:
        tx.update(
            CommentItem(key.pk, key.sk),
            actions=[CommentItem.hidden.set(True)],
            condition=CommentItem.PK.exists() & CommentItem.hidden.does_not_exist(),
            label=EDGE,
        )
    else:
        tx.update(
            CommentItem(key.pk, key.sk),
            actions=[CommentItem.hidden.remove()],
            condition=CommentItem.PK.exists() & CommentItem.hidden.exists(),
            label=EDGE,
        )
    # A post being deleted takes its comments with it: its count no longer matters.
    tx.update(
        PostItem(post_key.pk, post_key.sk),
        actions=[PostItem.comment_count.add(-1 if hidden else 1)],
        condition=PostItem.PK.exists(),
        label=TARGET,
    )


def get_comment(post_id: str, comment_id: str) -> Comment | None:
    key = keys.comment(post_id, comment_id)
    try:
        return comment_record(CommentItem.get(key.pk, key.sk))
    except CommentItem.DoesNotExist:
        return None


def list_comments(post_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    key = keys.post(post_id)
    results = CommentItem.query(
        key.pk,
        CommentItem.SK.startswith(keys.COMMENT_PREFIX),
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )
    # Hidden comments stay in the partition (a moderator may restore them) but are never listed.
    return Page([comment_record(c) for c in results if not c.hidden], results.last_evaluated_key)


def follow(follower_id: str, followee_id: str, at: str) -> EdgeChange:
    edge = keys.follow(follower_id, followee_id)
    # Indexed on the followee: the edge is in the follower's partition, the followee finds it here.
    owned = keys.member_owned(followee_id, FOLLOWER_KIND, follower_id)
    me, them = keys.user(follower_id), keys.user(followee_id)

    def write(tx: Tx) -> None:
        tx.put(
            FollowItem(
                edge.pk,
                edge.sk,
                GSI4PK=owned.pk,
                GSI4SK=owned.sk,
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
            # The version tells the member's feed refresh to read the follow list again.
            actions=[UserItem.following.add(1), UserItem.follow_version.add(1)],
            condition=not_banned(),
            label=SELF,
        )
        # Neither may have blocked the other: a blocked member cannot follow, nor follow back.
        check_not_blocked(tx, followee_id, follower_id)
        check_not_blocked(tx, follower_id, followee_id)

    return edge_change(transact(write))


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
            actions=[UserItem.following.add(-1), UserItem.follow_version.add(1)],
            condition=UserItem.PK.exists(),
            label=TARGET,
        )

    return edge_change(transact(write))


def following_ids(user_id: str, limit: int = 500) -> list[str]:
    """Whom a member follows (the feed worker's input, after a follow change), by followee id."""
    key = keys.user(user_id)
    results = FollowItem.query(
        key.pk,
        FollowItem.SK.startswith(keys.FOLLOWS_PREFIX),
        limit=limit,
        attributes_to_get=["PK", "SK", "type", "followee_id"],
    )
    return [f.followee_id for f in results]


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------


def _post_exists(post_id: str) -> bool:
    return get_post_any_state(post_id) is not None


def _owned_page(member_id: str, kind: str, limit: int, start: dict[str, Any] | None, model: type) -> Page:
    page = ownership.find_owned(member_id, kind, limit, start)
    return Page([i for i in ownership.load(page.items) if isinstance(i, model)], page.last_key)


def _member_smiles(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    page = _owned_page(member_id, SMILE_KIND, limit, start, SmileItem)
    return Page([_smile(i) for i in page.items], page.last_key)


def _erase_smile(member_id: str, smile: Smile) -> Erased:
    post, current = post_and_smile(smile.post_id, member_id)
    if current is None:
        return Erased.GONE
    if post is None:
        if _post_exists(smile.post_id):
            return Erased.WAIT  # the post is being deleted: its cascade settles and removes the smile
        ownership.delete([keys.smile(smile.post_id, member_id)])
        return Erased.GONE
    return Erased.GONE if remove_smile(post, current) is EdgeChange.CHANGED else Erased.WAIT


def _member_comments(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    page = _owned_page(member_id, COMMENT_KIND, limit, start, CommentItem)
    return Page([comment_record(i) for i in page.items], page.last_key)


def _erase_comment(member_id: str, comment: Comment) -> Erased:
    current, post = get_comment_and_post(comment.post_id, comment.comment_id)
    if current is None:
        return Erased.GONE
    if post is None:
        if _post_exists(comment.post_id):
            return Erased.WAIT
        ownership.delete([keys.comment(comment.post_id, comment.comment_id)])
        return Erased.GONE
    changed = remove_comment(comment.post_id, comment.comment_id, hidden=current.hidden) is EdgeChange.CHANGED
    return Erased.GONE if changed else Erased.WAIT


@dataclass(frozen=True)
class FollowEdge:
    follower_id: str
    followee_id: str
    created_at: str


def _edge(item: FollowItem) -> FollowEdge:
    return FollowEdge(item.follower_id, item.followee_id, item.created_at)


def _member_following(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    key = keys.user(member_id)
    results = FollowItem.query(
        key.pk,
        FollowItem.SK.startswith(keys.FOLLOWS_PREFIX),
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
        consistent_read=True,
    )
    return Page([_edge(i) for i in results], results.last_evaluated_key)


def _member_followers(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    page = _owned_page(member_id, FOLLOWER_KIND, limit, start, FollowItem)
    return Page([_edge(i) for i in page.items], page.last_key)


def _erase_follow(member_id: str, edge: FollowEdge) -> Erased:
    if unfollow(edge.follower_id, edge.followee_id) is EdgeChange.TARGET_GONE:
        # One end's profile is gone already: no counter left to move, the edge simply goes.
        ownership.delete([keys.follow(edge.follower_id, edge.followee_id)])
    return Erased.GONE


def _member_scores(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    return _owned_page(member_id, SCORE_KIND, limit, start, ScoreItem)


def _erase_item(member_id: str, item: FlintItem) -> Erased:
    ownership.delete([(item.PK, item.SK)])
    return Erased.GONE


ownership.register(
    OwnedKind(
        "smiles",
        (SmileItem,),
        ("smile",),
        _member_smiles,
        _erase_smile,
        lambda s: {"post_id": s.post_id, "created_at": s.created_at},
    )
)
ownership.register(
    OwnedKind(
        "comments",
        (CommentItem,),
        ("comment",),
        _member_comments,
        _erase_comment,
        lambda c: {"post_id": c.post_id, "id": c.comment_id, "text": c.text, "created_at": c.created_at},
    )
)
ownership.register(
    OwnedKind(
        "following",
        (FollowItem,),
        ("follow",),
        _member_following,
        _erase_follow,
        lambda e: {"member_id": e.followee_id, "since": e.created_at},
    )
)
ownership.register(
    OwnedKind(
        "followers",
        (FollowItem,),
        ("follow",),
        _member_followers,
        _erase_follow,
        lambda e: {"member_id": e.follower_id, "since": e.created_at},
    )
)
# After the posts (phase 1): deleting a post settles its smiles into these daily scores.
ownership.register(
    OwnedKind(
        "daily_scores",
        (ScoreItem,),
        ("score",),
        _member_scores,
        _erase_item,
        lambda s: {"interest_id": s.interest_id, "day": s.day, "smiles_received": int(s.smiles or 0)},
        phase=2,
    )
)
