"""Engagement rules: accepting client events, and folding events and table changes into brand counters.

Two feeds reach the same sharded daily counters (data/engagement.py):
- `POST /events` checks the batch against the table (one BatchGetItem), drops what names an
  unknown or deleted post or an untagged product, and queues the rest as one SQS message. The
  aggregator (handlers/engagement.py) ADDs them. The message carries a token: the client's
  `batch_id` hashed with the caller (member id, or anonymous client address), else a random id,
  so a replayed batch and a redelivered message count once.
- The table's stream: a new post counts as a post, a smile or comment adds, an unsmile or a
  deleted comment subtracts (on the day of the original smile or comment). Each stream record's
  eventID is its token.

A deleted post keeps its history: what it earned stays in the brand's past days, but from its
deletion on nothing about it counts (its events are dropped, and the smiles and comments its
deletion removes are not subtracted: the aggregator ignores changes to posts that are no
longer live).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib import clock
from chalicelib.data import engagement as store
from chalicelib.data import queues
from chalicelib.data.engagement import Deltas, PostFacts
from chalicelib.observability import logger
from chalicelib.schemas.brands import EventBatchIn, EventBatchOut
from chalicelib.settings import get_settings


def batch_token(caller: str, batch_id: str | None) -> str:
    """Replays of one client batch share a token; batches without an id never collide."""
    if batch_id is None:
        return f"evt-{uuid.uuid4().hex}"
    return "batch-" + hashlib.sha256(f"{caller}\n{batch_id}".encode()).hexdigest()[:40]


def _event_ok(event: Any, post: PostFacts | None) -> bool:
    if post is None or not post.live:
        return False
    if event.product_id is None:
        return True
    return event.product_id in post.product_ids


def accept_events(
    caller: str, actor_id: str | None, batch: EventBatchIn, now: datetime | None = None
) -> EventBatchOut:
    """Check a batch in one BatchGetItem, queue the known events, count the rest as dropped."""
    moment = now or clock.now()
    posts, _ = store.get_posts_and_products(e.post_id for e in batch.events)
    kept = [e for e in batch.events if _event_ok(e, posts.get(e.post_id))]
    if kept:
        message = {
            "token": batch_token(caller, batch.batch_id),
            "actor": actor_id,
            "day": moment.date().isoformat(),
            "events": [{"type": e.type, "post_id": e.post_id, "product_id": e.product_id} for e in kept],
        }
        queues.send(get_settings().engagement_queue, [json.dumps(message)])
    return EventBatchOut(accepted=len(kept), dropped=len(batch.events) - len(kept))


# --- aggregation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """Posts and their products' brands, fetched once for a batch of deliveries."""

    posts: Mapping[str, PostFacts]
    brands: Mapping[str, str]  # product id -> brand id

    def brands_of(self, post: PostFacts) -> dict[str, list[str]]:
        """brand id -> the post's products of that brand."""
        found: dict[str, list[str]] = {}
        for product_id in post.product_ids:
            brand_id = self.brands.get(product_id)
            if brand_id:
                found.setdefault(brand_id, []).append(product_id)
        return found


def load_context(post_ids: Iterable[str]) -> Context:
    """Two BatchGetItems per batch: the posts, then the brands of everything they tag."""
    posts, _ = store.get_posts_and_products(post_ids)
    product_ids = {p for post in posts.values() for p in post.product_ids}
    return Context(posts, store.product_brands(product_ids) if product_ids else {})


def event_deltas(message: Mapping[str, Any], context: Context) -> Deltas:
    deltas = Deltas()
    day, actor = str(message["day"]), message.get("actor")
    for event in message["events"]:
        post = context.posts.get(event["post_id"])
        if post is None or not post.live:
            continue  # deleted since it was accepted: it stops counting
        for brand_id, products in context.brands_of(post).items():
            kind, product_id = event["type"], event.get("product_id")
            if kind == "impression":
                deltas.add(brand_id, day, "T", impressions=1)
                deltas.add(brand_id, day, f"X#{post.post_id}", impressions=1)
                for p in products:
                    deltas.add(brand_id, day, f"P#{p}", impressions=1)
            elif product_id in products:
                field = "tag_clicks" if kind == "tag_click" else "product_clicks"
                deltas.add(brand_id, day, "T", **{field: 1})
                deltas.add(brand_id, day, f"X#{post.post_id}", **{field: 1})
                deltas.add(brand_id, day, f"P#{product_id}", **{field: 1})
                if kind == "tag_click":
                    _engagement(deltas, brand_id, day, post, actor, "tag_clicks", 1, products=())
    return deltas


def _engagement(
    deltas: Deltas,
    brand_id: str,
    day: str,
    post: PostFacts,
    actor: str | None,
    field: str,
    amount: int,
    products: Iterable[str],
) -> None:
    """Engagement a post earned: its author's, its interests', and the engaged member's."""
    deltas.add(brand_id, day, f"A#{post.author_id}", **{field: amount})
    for interest in dict.fromkeys(post.interests):
        deltas.add(brand_id, day, f"I#{interest}", **{field: amount})
    for product_id in products:
        deltas.add(brand_id, day, f"P#{product_id}", **{field: amount})
    if actor and actor != post.author_id:
        deltas.add(brand_id, day, f"E#{actor}", **{field: amount})


def aggregate_events(messages: list[Mapping[str, Any]], now: datetime | None = None) -> int:
    """ADD queued event batches into the counters; returns how many were new (not replays)."""
    moment = now or clock.now()
    context = load_context(e["post_id"] for m in messages for e in m["events"])
    applied = 0
    for message in messages:
        deltas = event_deltas(message, context)
        if store.apply_once(str(message["token"]), deltas, moment):
            applied += 1
        else:
            logger.info("event batch seen before", extra={"token": message["token"]})
    return applied


@dataclass(frozen=True)
class TableChange:
    """One stream record, its images already plain Python values."""

    event_id: str
    name: str  # INSERT | MODIFY | REMOVE
    new: Mapping[str, Any] | None
    old: Mapping[str, Any] | None

    @property
    def entity(self) -> str | None:
        image = self.new or self.old or {}
        return image.get("type")


RELEVANT = {"post", "smile", "comment"}


def _post_id_of(change: TableChange) -> str | None:
    image = change.new or change.old or {}
    return image.get("post_id") if change.entity in RELEVANT else None


def change_deltas(change: TableChange, context: Context) -> Deltas:
    deltas = Deltas()
    entity = change.entity
    post = context.posts.get(_post_id_of(change) or "")
    if post is None or not post.live:
        return deltas  # unknown, or deleted: it stops counting
    if entity == "post":
        if change.name != "INSERT":
            return deltas  # edits change nothing; a deletion keeps the history
        day = post.created_at[:10]
        for brand_id, products in context.brands_of(post).items():
            deltas.add(brand_id, day, "T", posts=1)
            deltas.add(brand_id, day, f"X#{post.post_id}", posts=1)
            deltas.add(brand_id, day, f"A#{post.author_id}", posts=1)
            for interest in dict.fromkeys(post.interests):
                deltas.add(brand_id, day, f"I#{interest}", posts=1)
            for label in dict.fromkeys(post.labels):
                deltas.add(brand_id, day, f"L#{label}", posts=1)
            for product_id in products:
                deltas.add(brand_id, day, f"P#{product_id}", posts=1)
            deltas.add_author(brand_id, post.author_id, 1)
        return deltas
    if change.name == "INSERT":
        image, amount = change.new or {}, 1
    elif change.name == "REMOVE":
        image, amount = change.old or {}, -1
    else:
        return deltas
    field = "smiles" if entity == "smile" else "comments"
    actor = image.get("user_id") if entity == "smile" else image.get("author_id")
    day = str(image.get("created_at", ""))[:10]
    for brand_id, products in context.brands_of(post).items():
        deltas.add(brand_id, day, "T", **{field: amount})
        deltas.add(brand_id, day, f"X#{post.post_id}", **{field: amount})
        _engagement(deltas, brand_id, day, post, actor, field, amount, products=products)
    return deltas


def relevant(change: TableChange) -> bool:
    return change.entity in RELEVANT and (change.entity != "post" or change.name == "INSERT")


def stream_context(changes: Iterable[TableChange]) -> Context:
    return load_context(p for c in changes if relevant(c) and (p := _post_id_of(c)))


def aggregate_change(change: TableChange, context: Context, now: datetime | None = None) -> bool:
    """ADD one table change into the counters, once per stream record."""
    if not relevant(change):
        return False
    deltas = change_deltas(change, context)
    if not deltas:
        return False
    return store.apply_once(f"stream-{change.event_id}", deltas, now or clock.now())
