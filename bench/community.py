"""A synthetic community written straight through a checkout's own data models (BatchWriteItem).

Used by bench/feed_cost_probe.py inside whichever tree it measures (today's, or an older design
exported from git): everything is imported from that tree's `chalicelib`, so each design is fed
the items its own code would have written. Posts are realistic in size (photos inline with three
renditions, palette, product-tag snapshots and image labels: 1.5-3 KB), because read and write
units follow item size; ids are UUIDs like Cognito's subs. Bench-only: nothing here ships.
"""

from __future__ import annotations

import functools
import itertools
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

INTERESTS_PER_MEMBER = 5
PHOTO_SHARE = 0.85  # posts with a photo (the rest are stories and ideas)
TAGGED_SHARE = 0.6  # photos tagging at least one product
BRANDS, PRODUCTS_PER_BRAND = 15, 16
LABELS = ["Outdoors", "Person", "Nature", "Food", "Furniture", "Plant", "Shoe", "Bag", "Cup", "Laptop"]
COLOURS = ["navy", "sand", "olive", "white", "black", "red", "teal", "grey"]


@functools.cache
def _cumulative(size: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1 / (rank + 1) ** exponent for rank in range(size)))


def power_law_choice(
    rng: random.Random, population: Sequence[str], k: int, exponent: float = 1.0
) -> list[str]:
    """k distinct picks, the i-th most popular weighted 1 / i^exponent."""
    k = min(k, len(population))
    cumulative = _cumulative(len(population), exponent)
    chosen: set[str] = set()
    while len(chosen) < k:
        chosen.update(rng.choices(population, cum_weights=cumulative, k=k - len(chosen)))
    return sorted(chosen)


def interest_ids() -> list[str]:
    from local.demo_data import INTERESTS

    return [interest_id for interest_id, _ in INTERESTS]


@dataclass(frozen=True)
class Catalog:
    product_ids: list[str]
    brand_of: dict[str, str]
    titles: dict[str, str]


def write_catalog() -> Catalog:
    """15 brands with 16 products each (the demo's size), through the tree's models."""
    from chalicelib import clock
    from chalicelib.data import keys
    from chalicelib.data.models import BrandItem, FlintItem, ProductItem

    now = clock.now_iso()
    brand_of: dict[str, str] = {}
    titles: dict[str, str] = {}
    with FlintItem.batch_write() as batch:
        for b in range(BRANDS):
            brand_id = f"brand-bench-{b:02d}"
            key = keys.brand(brand_id)
            batch.save(BrandItem(key.pk, key.sk, brand_id=brand_id, name=f"Bench brand {b}", created_at=now))
            for p in range(PRODUCTS_PER_BRAND):
                product_id = f"prod-bench-{b:02d}-{p:02d}"
                key = keys.product(product_id)
                by_brand = keys.brand_product(brand_id, product_id)
                titles[product_id] = f"Bench product {b}-{p} with a longer descriptive title"
                batch.save(
                    ProductItem(
                        key.pk,
                        key.sk,
                        GSI1PK=by_brand.pk,
                        GSI1SK=by_brand.sk,
                        product_id=product_id,
                        brand_id=brand_id,
                        brand_name=f"Bench brand {b}",
                        title=titles[product_id],
                        price_amount="49.90",
                        currency="USD",
                        url=f"https://example.com/products/{product_id}",
                        created_at=now,
                    )
                )
                brand_of[product_id] = brand_id
    return Catalog(sorted(brand_of), brand_of, titles)


def post_record(
    rng: random.Random, author_id: str, interests: Sequence[str], created_at: datetime, catalog: Catalog
) -> Any:
    """A post like the app publishes: most with a photo, many tagging products."""
    from chalicelib import clock, ids
    from chalicelib.data.posts import PhotoRecord, PostRecord, TagRecord

    try:
        post_id = ids.new_id("post", at=created_at)  # today's ids carry the publication time
    except TypeError:
        post_id = ids.new_id("post")
    photos = []
    product_ids: list[str] = []
    if rng.random() < PHOTO_SHARE:
        upload_id = ids.new_id("up")
        tagged = (
            rng.sample(catalog.product_ids, rng.randint(1, 3))
            if catalog.product_ids and rng.random() < TAGGED_SHARE
            else []
        )
        product_ids = tagged
        photos.append(
            PhotoRecord(
                upload_id=upload_id,
                width=3024,
                height=4032,
                renditions={
                    name: {"key": f"media/{upload_id}/{name}.jpg", "width": size, "height": size * 4 // 3}
                    for name, size in (("small", 320), ("medium", 640), ("large", 1280))
                },
                palette=[f"#{rng.randrange(16**6):06x}" for _ in range(5)],
                tags=[
                    TagRecord(
                        p,
                        round(rng.random(), 3),
                        round(rng.random(), 3),
                        catalog.titles[p],
                        "49.90",
                        "USD",
                        f"https://example.com/products/{p}",
                    )
                    for p in tagged
                ],
            )
        )
    fields: dict[str, Any] = {
        "post_id": post_id,
        "author_id": author_id,
        "kind": "photo" if photos else rng.choice(["story", "idea"]),
        "caption": "A caption of a usual length, with a few words about the picture "
        + "x" * rng.randint(0, 60),
        "body": None if photos else "A short body. " * rng.randint(3, 12),
        "interests": list(dict.fromkeys(interests)),
        "photos": photos,
        "created_at": clock.iso(created_at),
        "product_ids": product_ids,
    }
    if "labels" in PostRecord.__dataclass_fields__:
        fields["labels"] = rng.sample(LABELS, 4) + rng.sample(COLOURS, 3) if photos else []
    return PostRecord(**fields)


def post_item(post: Any) -> Any:
    """The post item publishing writes (the tree's model: older trees index authors on GSI1 and
    posts by day on GSI2)."""
    from chalicelib.data import keys
    from chalicelib.data import posts as post_store
    from chalicelib.data.models import FlintItem, PostItem

    author_index = "GSI3" if hasattr(FlintItem, "GSI3PK") else "GSI1"
    key = keys.post(post.post_id)
    by_author = keys.post_by_author(post.author_id, post.post_id)
    attributes: dict[str, Any] = {
        f"{author_index}PK": by_author.pk,
        f"{author_index}SK": by_author.sk,
        "post_id": post.post_id,
        "author_id": post.author_id,
        "kind": post.kind,
        "caption": post.caption,
        "body": post.body,
        "interests": post.interests,
        "photos": [post_store._photo_json(p) for p in post.photos],
        "product_ids": post.product_ids,
        "smile_count": 0,
        "comment_count": 0,
        "created_at": post.created_at,
        "state": post_store.LIVE,
    }
    if hasattr(PostItem, "labels"):
        attributes["labels"] = list(getattr(post, "labels", []))
    if hasattr(keys, "recent_post"):  # the earlier designs read posts by day (GSI2)
        recent = keys.recent_post(post.created_at[:10], post.post_id)
        attributes.update(GSI2PK=recent.pk, GSI2SK=recent.sk)
    return PostItem(key.pk, key.sk, **attributes)


def write_posts(posts: Sequence[Any]) -> None:
    """What publishing writes for each post (the post, its interest and product listing entries),
    in BatchWriteItem calls; the authors' profiles are written by `write_members`."""
    from chalicelib.data import keys
    from chalicelib.data.models import FlintItem, PostRefItem

    with FlintItem.batch_write() as batch:
        for post in posts:
            batch.save(post_item(post))
            refs = [keys.interest_post(i, post.post_id) for i in post.interests]
            refs += [keys.product_post(p, post.post_id) for p in post.product_ids]
            for ref in refs:
                batch.save(
                    PostRefItem(
                        ref.pk,
                        ref.sk,
                        post_id=post.post_id,
                        author_id=post.author_id,
                        created_at=post.created_at,
                    )
                )


def write_members(
    member_ids: Sequence[str],
    interests: dict[str, list[str]],
    posts: Sequence[Any],
    follows: dict[str, list[str]],
    badges: dict[str, list[str]],
    active_at: str,
) -> None:
    """Profiles as sign-up, onboarding, publishing, following and the activity mark leave them."""
    from chalicelib.data import keys
    from chalicelib.data.models import UserItem

    by_author: dict[str, list[Any]] = {}
    for post in posts:
        by_author.setdefault(post.author_id, []).append(post)
    followers: dict[str, int] = {}
    for followees in follows.values():
        for followee in followees:
            followers[followee] = followers.get(followee, 0) + 1
    has_recent = hasattr(UserItem, "recent_posts")
    with UserItem.batch_write() as batch:
        for user_id in member_ids:
            key, active = keys.user(user_id), keys.active_member(user_id, active_at)
            own = sorted(by_author.get(user_id, []), key=lambda p: p.created_at)
            attributes: dict[str, Any] = {
                "GSI2PK": active.pk,
                "GSI2SK": active.sk,
                "user_id": user_id,
                "display_name": f"Member {user_id[:8]}",
                "bio": "Weekend hiker, coffee person.",
                "interests": interests[user_id],
                "onboarded": True,
                "badges": badges.get(user_id, []),
                "posts": len(own),
                "smiles_received": 3 * len(own),
                "followers": followers.get(user_id, 0),
                "following": len(follows.get(user_id, [])),
                "created_at": active_at,
                "last_active_at": active_at,
                "last_posted_at": own[-1].created_at if own else None,
            }
            if has_recent:
                attributes["recent_posts"] = {p.post_id for p in own[-10:]} or None
                attributes["follow_version"] = len(follows.get(user_id, []))
            batch.save(UserItem(key.pk, key.sk, **attributes))


def write_follows(follows: dict[str, list[str]], at: str) -> None:
    from chalicelib.data import keys
    from chalicelib.data.models import FollowItem

    with FollowItem.batch_write() as batch:
        for follower, followees in follows.items():
            for followee in followees:
                edge = keys.follow(follower, followee)
                batch.save(
                    FollowItem(edge.pk, edge.sk, follower_id=follower, followee_id=followee, created_at=at)
                )


def write_enthusiasts(holders: Sequence[str], at: str) -> None:
    """The daily job's overall ranking item (today's planner reads the holders there)."""
    from chalicelib.data import keys
    from chalicelib.data.models import EnthusiastsItem

    key = keys.enthusiasts(None)
    EnthusiastsItem(
        key.pk,
        key.sk,
        ranking=[{"user_id": u, "smiles": 50 - i} for i, u in enumerate(holders)],
        computed_at=at,
    ).save()


@dataclass(frozen=True)
class Community:
    member_ids: list[str]
    popularity: list[str]  # most followed (and most posting) first
    interests: dict[str, list[str]]
    follows: dict[str, list[str]]
    posts: list[Any]
    catalog: Catalog


def build(
    rng: random.Random,
    members: int,
    follows_per_member: int,
    posts_per_member_per_day: float,
    window_hours: float,
    *,
    posts_total: int | None = None,
) -> Community:
    """Members with 5 interests and power-law follows and posting, posts spread over the window."""
    from chalicelib import clock
    from local.seed import seed_interests

    seed_interests()
    catalog = write_catalog()
    topics = interest_ids()
    now = clock.now()
    member_ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(members)]
    popularity = member_ids[:]
    rng.shuffle(popularity)
    interests = {m: power_law_choice(rng, topics, INTERESTS_PER_MEMBER, 0.7) for m in member_ids}
    follows = {
        m: [f for f in power_law_choice(rng, popularity, follows_per_member + 1, 0.8) if f != m][
            :follows_per_member
        ]
        for m in member_ids
    }
    count = (
        posts_total
        if posts_total is not None
        else int(members * posts_per_member_per_day * window_hours / 24)
    )
    posts = []
    for _ in range(count):
        author = power_law_choice(rng, popularity, 1, 0.8)[0]
        created = now - timedelta(minutes=rng.uniform(5, window_hours * 60))
        chosen = power_law_choice(rng, interests[author], rng.randint(1, 3), 0.7)
        posts.append(post_record(rng, author, chosen, created, catalog))
    write_posts(posts)
    today = clock.iso(now)
    badges = {m: ["enthusiast"] for m in popularity[:20]}
    write_members(member_ids, interests, posts, follows, badges, today)
    write_follows(follows, today)
    write_enthusiasts(popularity[:20], today)
    return Community(member_ids, popularity, interests, follows, posts, catalog)
