"""Browser journey of issue 22's one-click brand community: a brand builds an audience by clicking
filters in its dashboard, sees the member with their tags, creates the community in one click; the
member accepts the invitation in their inbox; the brand sees them join, then deletes the audience.

The brand, its product, a tagged photo post and a reader's smile are made through the API (fresh
names); the stream is delivered through the event runner's control API (`drain`), never waited for.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, Journey
from tests.browser.test_brand_pages import _api, _tagged_photo_post
from tests.browser.test_community import member, signed_in
from tests.e2e.conftest import LocalStack

pytestmark = [pytest.mark.timeout(420), pytest.mark.xdist_group("browser")]


def test_a_brand_builds_an_audience_invites_it_in_one_click_and_sees_a_member_join(
    journey: Any, local_stack: LocalStack
) -> None:
    # Given a brand with a product, a fan's photo tagging it, and a reader who smiled at it
    stack = local_stack
    owner, author = member(stack, "brand"), member(stack, "prime")
    reader = member(stack, "prime", name=f"Robin {uuid.uuid4().hex[:4]}")
    brand_name = f"Cairn {uuid.uuid4().hex[:6]}"
    brand = _api(stack, "POST", "/brands", owner, {"name": brand_name})
    product_body = {
        "title": "Trail mug",
        "price": {"amount": "19.00", "currency": "USD"},
        "url": "https://x.test/m",
    }
    product = _api(stack, "POST", f"/brands/{brand['id']}/products", owner, product_body)
    post = _tagged_photo_post(stack, author, product["id"])
    _api(stack, "PUT", f"/posts/{post['id']}/smile", reader)
    stack.drain()  # the table's stream: the brand's audience rows

    # When the brand opens its dashboard and builds an audience of potential customers by clicking
    brand_user: Journey = signed_in(journey, DESKTOP, owner, "-brand")
    page = brand_user.page
    page.get_by_role("link", name="Brand dashboard").click()
    builder = page.get_by_role("form", name="New audience")
    builder.wait_for()
    builder.get_by_label("Name").fill("Smilers")
    segments = builder.get_by_role("group", name="Segments")
    segments.get_by_role("button", name="Fans", exact=True).click()
    segments.get_by_role("button", name="Opinion leaders").click()
    expect(segments.get_by_role("button", name="Potential customers")).to_have_attribute(
        "aria-pressed", "true"
    )
    builder.get_by_role("button", name="Save audience").click()
    card = page.locator("article.audience", has_text="Smilers")
    card.wait_for()
    stack.drain()  # the stream fills the audience from the brand's rows

    # Then, refreshed, the audience lists the reader with their automatic tags
    page.get_by_role("button", name="Refresh").click()
    card = page.locator("article.audience", has_text="Smilers")
    expect(card.get_by_role("button", name="Create community")).to_be_enabled()
    card.get_by_role("button", name="Members").click()
    row = card.locator("li.member", has_text=reader["name"])
    expect(row).to_contain_text("potential customer")
    expect(row).to_contain_text("hiking")
    brand_user.shot("audience members")

    # When the brand creates the community in one click, and the stream sends the invitations
    card.get_by_role("button", name="Create community").click()
    expect(
        page.locator("article.audience", has_text="Smilers").get_by_test_id("community-counts")
    ).to_be_visible()
    stack.drain()
    page.get_by_role("button", name="Refresh").click()
    counts = page.locator("article.audience", has_text="Smilers").get_by_test_id("community-counts")
    expect(counts).to_contain_text("1 invited · 0 joined")

    # Then the reader sees the invitation in their inbox and accepts it
    invited: Journey = signed_in(journey, DESKTOP, reader, "-reader")
    invited.open("/notifications")
    entry = invited.page.locator('li.notification[data-type="invitation"]')
    expect(entry).to_contain_text(f"{brand_name} invites you to join its community")
    invited.shot("invitation")
    entry.get_by_role("button", name="Accept").click()
    expect(entry.get_by_role("status")).to_have_text("Accepted")
    assert invited.errors == []

    # And the brand sees them join
    page.get_by_role("button", name="Refresh").click()
    counts = page.locator("article.audience", has_text="Smilers").get_by_test_id("community-counts")
    expect(counts).to_contain_text("1 invited · 1 joined")
    brand_user.shot("joined")

    # When the brand deletes the audience (and confirms), it leaves the dashboard
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete audience Smilers").click()
    expect(page.locator("article.audience", has_text="Smilers")).to_have_count(0)
    assert brand_user.errors == []
