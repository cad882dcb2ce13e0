"""The brand demo data: events only after each post exists, a funnel per product, filtered events
shown, written through the aggregator's own code (no HTTP)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib import ids
from chalicelib.data import posts as post_store
from chalicelib.data.posts import PostRecord
from local.demo_brands import seed_brand
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.brands import fresh_name
from tests.support.community import call, ok


def _product(api: Any, owner: SignedInMember, brand_id: str, title: str) -> str:
    body = {"title": title, "price": {"amount": "12.00", "currency": "USD"}, "url": "https://x.test/p"}
    return str(ok(call(api, "POST", f"/brands/{brand_id}/products", owner, body), 201)["id"])


def _post(author_id: str, products: list[str], created: datetime) -> str:
    record = PostRecord(
        post_id=ids.new_id("post"),
        author_id=author_id,
        kind="idea",
        caption="Brew day",
        body="Notes.",
        interests=["coffee"],
        photos=[],
        created_at=created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        product_ids=products,
    )
    assert post_store.create_post(record).committed
    return record.post_id


def test_demo_events_start_when_each_post_exists_with_a_funnel_per_product(
    api: Any, new_member: Callable[..., SignedInMember]
) -> None:
    # Given a brand with three products, a post published three days ago and one published now
    seed_interests()
    owner, author = new_member("brand"), new_member("prime")
    assert call(api, "GET", "/me", author).status_code == 200
    brand_id = ok(call(api, "POST", "/brands", owner, {"name": fresh_name("Demo Brew")}), 201)["id"]
    products = [_product(api, owner, brand_id, t) for t in ("Kettle", "Grinder", "Scale")]
    now = datetime.now(UTC)
    three_days_ago = now - timedelta(days=3, hours=2)
    _post(author.user_id, products[:2], three_days_ago)
    _post(author.user_id, products[1:], now - timedelta(minutes=5))

    # When the demo seeds the brand (with a burst on one post)
    counted = seed_brand(brand_id, owner.user_id, random.Random(5), now, product_ids=products, spike=True)

    # Then no day before the first post has an event, and every day since has some
    first, today = (now - timedelta(days=6)).date(), now.date()
    report = ok(call(api, "GET", f"/brands/{brand_id}/insights?from={first}&to={today}", owner))
    by_day = {d["date"]: d["impressions"] for d in report["series"]}
    created_day = three_days_ago.date()
    assert all(n == 0 for d, n in by_day.items() if d < created_day.isoformat())
    assert all(n > 0 for d, n in by_day.items() if d >= created_day.isoformat())
    assert report["data_from"] == created_day.isoformat()
    # And each product has a believable funnel of its own: some taps, fewer opens
    funnel = {p["product_id"]: p for p in report["products"]}
    assert set(funnel) == set(products)
    for product in funnel.values():
        assert 0 < product["tag_clicks"] < 0.2 * product["impressions"]
        assert product["product_clicks"] <= product["tag_clicks"]
    # And the burst is held as filtered, shown apart
    assert report["totals"]["filtered"]["impressions"] > 0
    assert counted > report["totals"]["impressions"]
    # And its campaign is running, with figures of its own products' posts
    [campaign] = ok(call(api, "GET", f"/brands/{brand_id}/campaigns", owner))["items"]
    figures = ok(call(api, "GET", f"/brands/{brand_id}/campaigns/{campaign['id']}", owner))
    assert figures["status"] == "running" and figures["metrics"]["impressions"] > 0
