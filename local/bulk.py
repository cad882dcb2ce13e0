"""Posts written in bulk through the data layer's own items, for fixtures of hundreds of posts
(benchmarks, tests, demo data) where the publish path itself is not what is measured.

`bulk_posts` writes what `chalicelib.data.posts.create_post` writes (the same items, built by
`post_items`) in BatchWriteItem calls instead of one transaction per post; the authors' `posts`
count and `last_posted_at` are updated once per author. tests/integration/test_feed_scale.py checks
the items match create_post's.
"""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib import ids
from chalicelib.data import keys
from chalicelib.data import posts as post_store
from chalicelib.data.models import FlintItem, UserItem
from chalicelib.data.posts import PostRecord


def post_record(
    author_id: str, interests: Sequence[str], created_at: str, caption: str = "stored"
) -> PostRecord:
    """A photo-less post (an idea), so no uploads are needed."""
    return PostRecord(
        post_id=ids.new_id("post"),
        author_id=author_id,
        kind="idea",
        caption=caption,
        body="Details.",
        interests=list(dict.fromkeys(interests)),
        photos=[],
        created_at=created_at,
    )


def bulk_posts(posts: Sequence[PostRecord], *, update_authors: bool = True) -> None:
    """What `create_post` writes for photo-less, untagged posts, in BatchWriteItem calls.

    Without `update_authors`, the caller writes the authors' `posts` and `last_posted_at` itself.
    """
    latest: dict[str, tuple[int, str]] = {}
    with FlintItem.batch_write() as batch:
        for post in posts:
            item, listings = post_store.post_items(post)
            for written in (item, *listings):
                batch.save(written)
            count, last = latest.get(post.author_id, (0, ""))
            latest[post.author_id] = (count + 1, max(last, post.created_at))
    for author_id, (count, last) in latest.items() if update_authors else ():
        author = keys.user(author_id)
        UserItem(author.pk, author.sk).update(
            actions=[UserItem.posts.add(count), UserItem.last_posted_at.set(last)],
            condition=UserItem.PK.exists(),
        )
