"""Browser journey of issue 22 (image discovery): a brand finds an untagged photo of its product
among its mentions, suggests the tag; the author accepts it in the inbox; the post shows the tag.

The brand's packshot and the member's photo are synthetic pictures (tests/support/discovery.py)
sent through the real upload path; the thumbnailer and the table's stream are delivered through
the event runner's control API (drain), never waited for.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, Journey
from tests.browser.test_brand_pages import _api
from tests.browser.test_community import member, signed_in
from tests.browser.test_journeys import assert_accessible
from tests.e2e.conftest import LocalStack
from tests.support.discovery import packshot, photo_showing

pytestmark = [pytest.mark.timeout(420), pytest.mark.xdist_group("browser")]
BOTTLE = (20, 130, 130)


def _upload(stack: LocalStack, who: dict[str, str], data: bytes) -> str:
    """A ready upload through the presigned POST and the thumbnailer."""
    ticket = _api(stack, "POST", "/uploads", who, {"content_type": "image/jpeg", "size": len(data)})
    sent = requests.post(ticket["url"], data=ticket["fields"], files={"file": data}, timeout=60)
    assert sent.status_code in (200, 201, 204), sent.text
    stack.drain()  # the thumbnailer
    assert _api(stack, "GET", f"/uploads/{ticket['upload_id']}", who)["status"] == "ready"
    return str(ticket["upload_id"])


def test_a_brand_gets_an_untagged_photo_of_its_product_tagged_through_the_authors_inbox(
    journey: Any, local_stack: LocalStack
) -> None:
    # Given a brand whose product has a packshot, and a member's photo showing it, untagged
    stack = local_stack
    owner, author = member(stack, "brand", "prime"), member(stack, "prime")
    brand = _api(stack, "POST", "/brands", owner, {"name": f"Bottleworks {uuid.uuid4().hex[:6]}"})
    title = f"Teal bottle {uuid.uuid4().hex[:4]}"
    body = {"title": title, "price": {"amount": "24.00", "currency": "USD"}, "url": "https://x.test/b"}
    product = _api(stack, "POST", f"/brands/{brand['id']}/products", owner, body)
    shot = _upload(stack, owner, packshot(BOTTLE))
    _api(stack, "PUT", f"/brands/{brand['id']}/products/{product['id']}/image", owner, {"upload_id": shot})
    photo = _upload(stack, author, photo_showing(BOTTLE, (0.35, 0.6)))
    post = _api(
        stack,
        "POST",
        "/posts",
        author,
        {
            "kind": "photo",
            "caption": "Trail water",
            "interests": ["hiking"],
            "photos": [{"upload_id": photo, "tags": []}],
        },
    )
    stack.drain()  # the table's stream: the brand's mentions

    # When the brand opens its dashboard, finds the photo among its mentions and suggests the tag
    brand_view: Journey = signed_in(journey, DESKTOP, owner, "-brand")
    page = brand_view.page
    brand_view.open("/brand")
    mention = page.locator(f'li.mention[data-post="{post["id"]}"]')
    mention.wait_for()
    expect(mention).to_contain_text(title)
    mention.scroll_into_view_if_needed()
    brand_view.shot("mentions")
    mention.get_by_role("button", name="Suggest tag").click()
    expect(mention).to_contain_text("Suggestion sent")
    assert_accessible(brand_view, "brand mentions")
    assert brand_view.errors == []
    stack.drain()  # the stream: the author's notification

    # Then the author sees the suggestion in the inbox and accepts it
    inbox: Journey = signed_in(journey, DESKTOP, author, "-author")
    inbox.open("/notifications")
    entry = inbox.page.locator("li.notification", has_text="suggests tagging").first
    entry.wait_for()
    inbox.shot("suggestion")
    entry.get_by_role("button", name="Accept").click()
    expect(entry).to_contain_text("Accepted")
    assert_accessible(inbox, "notifications with actions")

    # And the post shows the product's tag
    inbox.open(f"/post/{post['id']}")
    hotspot = inbox.page.locator(f'button.hotspot[data-product-id="{product["id"]}"]')
    hotspot.wait_for(state="attached")  # hotspots show on hover or tap
    assert title in (hotspot.get_attribute("aria-label") or "")
    inbox.shot("tagged post")
    assert inbox.errors == []
