"""Browser journey of issue 22, rights and galleries: a brand requests the rights to a member's post
from its dashboard, the author approves in the inbox, the brand builds a gallery from the approved
post, and the gallery embedded on a stand-in brand site (embed-demo.html) shows it with a hotspot
that opens the product.

The brand, its product and the tagged photo post are made through the API (fresh names); the
table's stream (the author's notification) is delivered through the event runner's control API.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, Journey
from tests.browser.test_brand_pages import brand_world
from tests.browser.test_community import signed_in
from tests.browser.test_journeys import assert_accessible
from tests.e2e.conftest import LocalStack

pytestmark = [pytest.mark.timeout(420), pytest.mark.xdist_group("browser")]


def test_a_brand_requests_rights_the_author_approves_and_the_gallery_embed_shows_the_post(
    journey: Any, local_stack: LocalStack
) -> None:
    # Given a brand with a product, and a Prime member's photo post tagging it
    stack = local_stack
    owner, author, brand, _, post = brand_world(stack)
    brand_name = brand["name"]

    # When the brand asks for the post's rights from its dashboard
    desk: Journey = signed_in(journey, DESKTOP, owner, "-brand")
    page = desk.page
    desk.open("/brand")
    rights = page.locator('section[aria-label="Rights & galleries"]')
    rights.wait_for()
    by_id = rights.locator("form.rights-by-id")
    by_id.get_by_label("Post id").fill(post["id"])
    by_id.get_by_role("button", name="Request rights").click()

    # Then the request is listed, waiting for the author
    request = rights.locator(f'.rights-list li[data-post-id="{post["id"]}"]')
    expect(request).to_contain_text("Waiting for the author")
    desk.shot("requested")

    # When the stream is delivered, the author reads the request in the inbox and approves it
    stack.drain()
    inbox: Journey = signed_in(journey, DESKTOP, author, "-author")
    inbox.open("/notifications")
    entry = inbox.page.locator('li.notification[data-type="rights_request"]').first
    expect(entry).to_contain_text(f"{brand_name} asks to feature your post")
    expect(entry).to_contain_text("credited to you")
    inbox.shot("inbox request")
    assert_accessible(inbox, "notifications with a rights request")
    entry.get_by_role("button", name="Approve").click()
    expect(entry.get_by_role("status")).to_have_text("Approved")
    assert inbox.errors == []

    # Then the brand sees it approved and builds a gallery from it
    desk.open("/")
    desk.open("/brand")
    rights.wait_for()
    expect(request).to_contain_text("Approved")
    builder = rights.locator("form.gallery-form")
    builder.get_by_label("Gallery name").fill("On the ridge")
    builder.get_by_role("checkbox", name="Add to the gallery: Ridge at dawn").check()
    builder.get_by_role("button", name="Create gallery").click()
    row = rights.locator(".gallery-row", has_text="On the ridge")
    row.wait_for()
    assert "/embed/gallery.html?id=" in row.get_by_role("textbox").input_value()
    desk.shot("gallery")
    assert_accessible(desk, "brand dashboard with rights and galleries")
    assert desk.errors == []
    gallery_id = row.get_attribute("data-gallery-id")

    # When the brand's own site embeds it (the demo page, with embed.js)
    site: Journey = journey(DESKTOP, "-site")
    site.page.goto(f"{stack.web}/embed-demo.html?gallery={gallery_id}")
    frame = site.page.frame_locator("iframe.flint-gallery")

    # Then the gallery shows the post with a hotspot that opens the product and its shop link
    frame.locator(f'figure[data-post-id="{post["id"]}"]').wait_for()
    hotspot = frame.get_by_role("button", name="Product: Summit pack")
    hotspot.click()
    expect(hotspot).to_have_attribute("aria-expanded", "true")
    shop = frame.get_by_role("link", name="Shop")
    expect(shop).to_have_attribute("href", "https://x.test/p")
    site.shot("embedded gallery")
    assert site.errors == []
