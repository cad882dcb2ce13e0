"""Browser journey of issue 22: a member finds a brand's page from a product, follows the brand, sees
the follower count move, and after the next feed refresh reads the brand's community post in their
feed "Because you follow <Brand>"; then the post's author sees a new follower in their inbox.

The brand, its product and a tagged photo post are made through the API (fresh names); the refresh
is driven through the event runner's control API (drain, then run the planner), never waited for.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from local.demo_images import jpeg, scene
from tests.browser.conftest import DESKTOP, Journey
from tests.browser.test_community import member, signed_in
from tests.browser.test_journeys import assert_accessible
from tests.e2e.conftest import LocalStack

pytestmark = [pytest.mark.timeout(420), pytest.mark.xdist_group("browser")]


def _api(stack: LocalStack, method: str, path: str, who: dict[str, str], body: Any = None) -> Any:
    response = requests.request(
        method,
        f"{stack.api}{path}",
        json=body,
        headers={"Authorization": f"Bearer {who['token']}"},
        timeout=60,
    )
    assert response.status_code in (200, 201), f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def _tagged_photo_post(stack: LocalStack, author: dict[str, str], product_id: str) -> dict[str, Any]:
    """A photo post tagging the product, through the real upload: presigned POST, thumbnailer, publish."""
    image, _ = scene("hiking", (640, 480), 22)
    upload = _api(stack, "POST", "/uploads", author, {"content_type": "image/jpeg", "size": len(jpeg(image))})
    sent = requests.post(upload["url"], data=upload["fields"], files={"file": jpeg(image)}, timeout=60)
    assert sent.status_code in (200, 201, 204), sent.text
    stack.drain()  # the thumbnailer
    assert _api(stack, "GET", f"/uploads/{upload['upload_id']}", author)["status"] == "ready"
    photo = {"upload_id": upload["upload_id"], "tags": [{"product_id": product_id, "x": 0.5, "y": 0.5}]}
    body = {"kind": "photo", "caption": "Ridge at dawn", "interests": ["hiking"], "photos": [photo]}
    return dict(_api(stack, "POST", "/posts", author, body))


def brand_world(
    stack: LocalStack,
) -> tuple[dict[str, str], dict[str, str], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A brand account's brand (a fresh name) with the product "Summit pack", and a Prime member's
    photo post "Ridge at dawn" tagging it, the stream delivered: (owner, author, brand, product, post)."""
    owner, author = member(stack, "brand"), member(stack, "prime")
    brand = _api(stack, "POST", "/brands", owner, {"name": f"Ridgeline {uuid.uuid4().hex[:6]}"})
    product_body = {
        "title": "Summit pack",
        "price": {"amount": "89.00", "currency": "USD"},
        "url": "https://x.test/p",
    }
    product = _api(stack, "POST", f"/brands/{brand['id']}/products", owner, product_body)
    post = _tagged_photo_post(stack, author, product["id"])
    stack.drain()  # the table's stream: the brand's community list
    return owner, author, brand, product, post


def test_a_member_follows_a_brand_from_its_page_and_its_posts_reach_their_feed_and_inbox(
    journey: Any, local_stack: LocalStack
) -> None:
    # Given a brand with a product, and a Prime member's photo post tagging it
    stack = local_stack
    _, author, brand, product, post = brand_world(stack)
    brand_name = brand["name"]

    # When a member opens the product and follows its brand's name to the brand page
    fan = member(stack)
    visitor: Journey = signed_in(journey, DESKTOP, fan)
    page = visitor.page
    visitor.open(f"/product/{product['id']}")
    page.get_by_role("link", name=brand_name).click()
    page.get_by_role("heading", name=brand_name, level=1).wait_for()
    followers = page.get_by_test_id("brand-followers")
    assert followers.inner_text() == "0 followers"
    page.locator(f'article.card[data-post-id="{post["id"]}"]').wait_for()
    page.get_by_role("link", name="Summit pack", exact=True).wait_for()
    visitor.shot("brand page")
    assert_accessible(visitor, "brand page")

    # And follows the brand
    page.get_by_role("button", name="Follow", exact=True).click()

    # Then the button and the count change
    page.get_by_role("button", name="Following").wait_for()
    expect(followers).to_have_text("1 follower")
    assert page.get_by_role("button", name="Following").get_attribute("aria-pressed") == "true"
    visitor.shot("following")

    # When the feed refresh runs (the event runner's control API: the planner, then the worker)
    stack.drain()
    stack.run("feed_planner")
    stack.drain()

    # Then the brand's post is in the member's feed, shown because they follow the brand
    visitor.open("/")
    card = page.locator(f'article.card[data-post-id="{post["id"]}"]')
    card.wait_for()
    reason = card.locator(".reason")
    expect(reason).to_have_text(f"Because you follow {brand_name}")
    assert reason.get_by_role("link", name=brand_name).get_attribute("href") == f"#/brands/{brand['id']}"
    visitor.shot("feed reason")
    assert visitor.errors == []

    # When the member also follows the post's author (another client), and the stream is delivered
    _api(stack, "PUT", f"/users/{author['id']}/follow", fan)
    stack.drain()

    # Then the author's bell counts it, and their inbox says who
    inbox: Journey = signed_in(journey, DESKTOP, author, "-author")
    bell = inbox.page.locator("#nav").get_by_role("link", name="Notifications")
    expect(bell.locator(".unread")).to_have_text("unread: 1")
    bell.click()
    inbox.page.get_by_role("heading", name="Notifications").wait_for()
    entry = inbox.page.locator("li.notification").first
    expect(entry).to_contain_text(f"{fan['name']} started following you")
    expect(inbox.page.locator("#nav .unread")).to_have_count(0)
    inbox.shot("inbox")
    assert_accessible(inbox, "notifications")
    assert inbox.errors == []
