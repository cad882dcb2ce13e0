"""Brand demo data for `make dev`: three owned brands, campaigns, and a few days of engagement.

Runs after the demo posts are published. The brand accounts (local/demo_data.py) get their
brands: brand@ owns Northpeak (seeded so), brewlab@ Brewlab, stride@ Stride Athletics. Each
gets a campaign over its first products for the last 3 days (the 3 before give it a lift).
Engagement: the last `DAYS` days of events for every post tagging their products, with a
realistic funnel (most
impressions never click: ~4% tap a hotspot, ~35% of those open the product). Past days go
through the aggregator's own code (services.engagement.aggregate_events, one deterministic
token per post and day, so a rerun adds nothing); today's batches are sent to `POST /events`
like a client would, so the queue -> aggregator path shows up within one aggregation interval.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import requests

from chalicelib.auth import Identity
from chalicelib.data import brands as brand_store
from chalicelib.schemas.brands import CampaignIn
from chalicelib.services import engagement, insights
from local.demo_data import products

log = logging.getLogger("flint.demo")

OWNERS = {
    "brand@demo.flint.dev": "brand-northpeak",
    "brewlab@demo.flint.dev": "brand-brewlab",
    "stride@demo.flint.dev": "brand-stride",
}
DAYS = 5
TAP_RATE, OPEN_RATE = 0.04, 0.35


def _tagged_posts(api_url: str, product_ids: Sequence[str]) -> dict[str, list[str]]:
    """post id -> the brand's products it tags (one listing page per product)."""
    found: dict[str, list[str]] = {}
    for product_id in product_ids:
        page = requests.get(
            f"{api_url}/products/{product_id}/posts", params={"limit": 100}, timeout=30
        ).json()
        for post in page.get("items", []):
            found.setdefault(post["id"], []).append(product_id)
    return found


def _events(
    rng: random.Random, post_id: str, tagged: Sequence[str], impressions: int
) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for _ in range(impressions):
        events.append({"type": "impression", "post_id": post_id, "product_id": None})
        if rng.random() < TAP_RATE:
            product_id = rng.choice(list(tagged))
            events.append({"type": "tag_click", "post_id": post_id, "product_id": product_id})
            if rng.random() < OPEN_RATE:
                events.append({"type": "product_click", "post_id": post_id, "product_id": product_id})
    return events


def seed_demo_brands(api_url: str, owner_ids: dict[str, str], seed: int = 11) -> dict[str, int]:
    """Owners, campaigns and events; returns accepted events per brand."""
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    catalog = products()
    summary: dict[str, int] = {}
    for email, brand_id in OWNERS.items():
        owner_id = owner_ids.get(email)
        if owner_id is None:
            continue
        brand_store.set_owner(brand_id, owner_id)
        product_ids = [p.product_id for p in catalog if p.brand_id == brand_id]
        identity = Identity(owner_id, frozenset({"brand"}), email)
        if not brand_store.list_campaigns(brand_id, 1, None).items:
            insights.create_campaign(
                identity,
                brand_id,
                CampaignIn(
                    name="Spring launch",
                    product_ids=product_ids[:4],
                    starts_at=today - timedelta(days=2),
                    ends_at=today,
                ),
            )
        posts = _tagged_posts(api_url, product_ids)
        accepted = 0
        for back in range(DAYS, 0, -1):
            day = (today - timedelta(days=back)).isoformat()
            messages = [
                {
                    "token": f"demo-{post_id}-{day}",
                    "actor": None,
                    "day": day,
                    "events": _events(rng, post_id, tagged, rng.randrange(20, 120)),
                }
                for post_id, tagged in posts.items()
            ]
            for start in range(0, len(messages), 25):
                engagement.aggregate_events(messages[start : start + 25])
            accepted += sum(len(m["events"]) for m in messages)
        for post_id, tagged in posts.items():  # today: through the API, in batches of 100
            events = [
                {k: v for k, v in e.items() if v is not None} for e in _events(rng, post_id, tagged, 40)
            ]
            for start in range(0, len(events), 100):
                body = {"batch_id": f"demo-{post_id[-20:]}-{start}", "events": events[start : start + 100]}
                answer = requests.post(f"{api_url}/events", json=body, timeout=30).json()
                accepted += int(answer.get("accepted", 0))
        summary[brand_id] = accepted
        log.info("brand %s: %d tagged posts, %d events", brand_id, len(posts), accepted)
    return summary


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
    cognito = boto3.client("cognito-idp", endpoint_url=aws_endpoint, region_name="us-east-1")
    return seed_demo_brands(api_url, owner_ids(cognito, pool_id))
