"""Brand demo data for `make dev`: three owned brands, a running campaign each, and engagement on
every post that tags their products, from the moment the post exists.

Runs after the demo posts are published. The brand accounts (local/demo_data.py) get their
brands: brand@ owns Northpeak (seeded so), brewlab@ Brewlab, stride@ Stride Athletics. Each gets
a "Spring launch" campaign over its first four products, started two days ago.

Engagement follows each post from its `created_at` to now, hour by hour: impressions fade as a
post ages, and each product has its own believable funnel (2 to 9% of impressions tap its
hotspot, 20 to 55% of those open the product), so the per-product funnel differs by product.
No event is dated before its post exists. One Brewlab post gets a burst far above its usual
rate in the current hour, so the dashboard shows events held as filtered.

Fast: no HTTP. The events go through the aggregator's own code (services/engagement.py
`aggregate`, what the engagement queue's worker runs), a brand and an hour at a time, with
deterministic tokens, so a rerun within the hour adds nothing.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from chalicelib import clock
from chalicelib.data import brands as brand_store
from chalicelib.data import catalog as catalog_store
from chalicelib.data import posts as post_store
from chalicelib.data.brands import Campaign
from chalicelib.data.engagement import PostFacts, post_facts
from chalicelib.services import engagement, insights, receipts
from chalicelib.services.summaries import IMPRESSION, PRODUCT_CLICK, TAG_CLICK, Fact
from local.demo_data import products

log = logging.getLogger("flint.demo")

OWNERS = {
    "brand@demo.flint.dev": "brand-northpeak",
    "brewlab@demo.flint.dev": "brand-brewlab",
    "stride@demo.flint.dev": "brand-stride",
}
SPIKE_BRAND = "brand-brewlab"
FIRST_HOUR_IMPRESSIONS = (25, 60)  # a post's first hour; later hours fade
MAX_HOURLY_IMPRESSIONS = 70  # below the spike rule's floor (100 an hour): demo posts are not filtered
SPIKE_IMPRESSIONS = 150
MESSAGE_FACTS = 100


def _tagged_posts(product_ids: Sequence[str]) -> list[tuple[PostFacts, list[str]]]:
    """Live posts tagging the brand's products, each with the brand's products it tags (one
    BatchGetItem of the products, one Query of the listing of each product that is tagged, one
    BatchGetItem of the posts)."""
    tagged: dict[str, list[str]] = {}
    in_use = [p for p, product in catalog_store.get_products(product_ids).items() if product.tag_count > 0]
    for product_id in in_use:
        for ref in post_store.list_product_post_ids(product_id, 100, None).items:
            tagged.setdefault(ref.post_id, []).append(product_id)
    facts = post_facts(tagged)
    return [(facts[p], sorted(set(ps))) for p, ps in tagged.items() if p in facts and facts[p].live]


def _hours(since: datetime, now: datetime) -> list[int]:
    return list(range(receipts.hour_of(since), receipts.hour_of(now) + 1))


def _post_events(
    rng: random.Random,
    post: PostFacts,
    tagged: list[str],
    funnel: dict[str, tuple[float, float]],
    now: datetime,
) -> dict[int, list[Fact]]:
    """hour -> the post's events in that hour, from the hour it was created to now."""
    created = datetime.fromisoformat(post.created_at.replace("Z", "+00:00"))
    out: dict[int, list[Fact]] = {}
    first = rng.randint(*FIRST_HOUR_IMPRESSIONS)
    for age, hour in enumerate(_hours(created, now)):
        shown = min(MAX_HOURLY_IMPRESSIONS, int(first / (1 + 0.35 * age) * rng.uniform(0.7, 1.3)))
        day = receipts.hour_start(hour).date().isoformat()
        facts: list[Fact] = []
        for _ in range(shown):
            facts.append(_fact(IMPRESSION, post, tagged, day, hour))
            product = rng.choice(tagged)
            tap_rate, open_rate = funnel[product]
            if rng.random() < tap_rate:
                facts.append(_fact(TAG_CLICK, post, tagged, day, hour, product))
                if rng.random() < open_rate:
                    facts.append(_fact(PRODUCT_CLICK, post, tagged, day, hour, product))
        if facts:
            out[hour] = facts
    return out


def _fact(
    kind: str, post: PostFacts, tagged: list[str], day: str, hour: int, product: str | None = None
) -> Fact:
    return Fact(
        kind,
        post.post_id,
        post.author_id,
        tuple(tagged),
        day,
        product=product,
        interests=tuple(post.interests),
        hour=hour,
    )


def _campaign(brand_id: str, product_ids: Sequence[str], today: datetime) -> Campaign | None:
    """The brand's "Spring launch", created once (a rerun finds it)."""
    if brand_store.list_campaigns(brand_id, 1, None).items:
        return None
    start = today.date() - timedelta(days=2)
    campaign = Campaign(
        campaign_id=f"camp-demo-{brand_id}",
        brand_id=brand_id,
        name="Spring launch",
        product_ids=list(product_ids[:4]),
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(days=13)).isoformat(),
    )
    if not brand_store.put_campaign(campaign, clock.now_iso()):
        raise RuntimeError(f"demo campaign {campaign.campaign_id} exists already")
    return campaign


def seed_brand(
    brand_id: str,
    owner_id: str,
    rng: random.Random,
    now: datetime,
    product_ids: Sequence[str] | None = None,
    spike: bool | None = None,
) -> int:
    """One demo brand: owner, campaign, engagement. Returns the events counted."""
    if not brand_store.set_owner(brand_id, owner_id):
        raise RuntimeError(f"demo brand {brand_id} is not in the catalog")
    if product_ids is None:
        product_ids = [p.product_id for p in products() if p.brand_id == brand_id]
    funnel = {p: (rng.uniform(0.02, 0.09), rng.uniform(0.2, 0.55)) for p in product_ids}
    posts = _tagged_posts(product_ids)
    in_posts = {p for _, tagged in posts for p in tagged}
    campaign = _campaign(brand_id, sorted(product_ids, key=lambda p: p not in in_posts), now)
    if campaign is not None:  # attributed from here on, before any event: nothing to backfill
        engagement.aggregate([engagement.campaign_message(brand_id, insights.tracked(campaign))], now)
    by_hour: dict[int, list[Fact]] = {}
    for post, tagged in posts:
        for hour, facts in _post_events(rng, post, tagged, funnel, now).items():
            by_hour.setdefault(hour, []).extend(facts)
    if (brand_id == SPIKE_BRAND if spike is None else spike) and posts:
        post, tagged = posts[0]
        hour, day = receipts.hour_of(now), now.date().isoformat()
        by_hour.setdefault(hour, []).extend(
            _fact(IMPRESSION, post, tagged, day, hour) for _ in range(SPIKE_IMPRESSIONS)
        )
    # A day's hours in one aggregate() call, their messages in hour order, at the day's last
    # hour: what the aggregator keeps per hour (the spike rule's counts) is keyed by the facts'
    # own hour, and `today` is the same date for each of those hours, so the summaries are those
    # of one call per hour; the brand's items are written once a day instead of once an hour.
    by_day: dict[str, list[int]] = {}
    for hour in sorted(by_hour):
        by_day.setdefault(receipts.hour_start(hour).date().isoformat(), []).append(hour)
    counted = 0
    for hours in by_day.values():
        messages: list[dict[str, Any]] = []
        for hour in hours:
            facts = by_hour[hour]
            messages += [
                {
                    "v": engagement.MESSAGE_VERSION,
                    "t": f"demo-{brand_id}-{hour}-{i}",
                    "b": brand_id,
                    "f": [f.to_json() for f in facts[i : i + MESSAGE_FACTS]],
                }
                for i in range(0, len(facts), MESSAGE_FACTS)
            ]
            counted += len(facts)
        engagement.aggregate(messages, min(now, receipts.hour_start(hours[-1]) + timedelta(minutes=59)))
    log.info("brand %s: %d tagged posts, %d events", brand_id, len(posts), counted)
    return counted


def seed_demo_brands(
    owner_ids: dict[str, str], now: datetime | None = None, seed: int = 11
) -> dict[str, int]:
    """Owners, campaigns and events; returns events per brand."""
    rng = random.Random(seed)
    moment = now or datetime.now(UTC)
    owned = [brand_id for email, brand_id in OWNERS.items() if email in owner_ids]
    # The burst goes to SPIKE_BRAND, or (a stack with a few demo posts) the first brand with any.
    with_posts = [b for b in owned if _tagged_posts([p.product_id for p in products() if p.brand_id == b])]
    spiked = SPIKE_BRAND if SPIKE_BRAND in with_posts else next(iter(with_posts), None)
    return {
        brand_id: seed_brand(brand_id, owner_ids[email], rng, moment, spike=brand_id == spiked)
        for email, brand_id in OWNERS.items()
        if email in owner_ids
    }


def owner_ids(cognito: Any, pool_id: str) -> dict[str, str]:
    """Cognito user id (sub) of each demo brand account that exists."""
    found = {}
    for email in OWNERS:
        try:
            attributes = cognito.admin_get_user(UserPoolId=pool_id, Username=email)["UserAttributes"]
        except cognito.exceptions.UserNotFoundException:
            continue
        found[email] = next(a["Value"] for a in attributes if a["Name"] == "sub")
    return found


def seed_for_stack(api_url: str, aws_endpoint: str, pool_id: str) -> dict[str, int]:
    """What `make dev` calls once the demo posts exist (`api_url` is no longer needed: no HTTP)."""
    cognito = boto3.client("cognito-idp", endpoint_url=aws_endpoint, region_name="us-east-1")
    return seed_demo_brands(owner_ids(cognito, pool_id))
