"""Browser journey of issue 22, campaigns that reach people: a brand puts an approved post into a
campaign for an audience from its dashboard, a treated member of the audience sees the
"Featured by <brand>" card in their feed, and the brand reads the campaign's lift against its
holdout in the dashboard.

The brand, its product, the tagged photo post, its approved rights, the readers' smiles and the
audience are made through the API (the other journeys click through those); the stream, the
queues and the feed planner are driven through the event runner's control API, never waited for.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib.services.featured import in_holdout
from tests.browser.conftest import DESKTOP, Journey
from tests.browser.test_brand_pages import _api, brand_world
from tests.browser.test_community import member, signed_in
from tests.browser.test_journeys import assert_accessible
from tests.e2e.conftest import LocalStack

pytestmark = [pytest.mark.timeout(420), pytest.mark.xdist_group("browser")]


def test_a_brand_features_an_approved_post_for_its_audience_and_reads_the_lift_against_its_holdout(
    journey: Any, local_stack: LocalStack
) -> None:
    # Given a brand whose post's author approved its rights request, readers who smiled at the post
    # (potential customers), and an audience of them
    stack = local_stack
    owner, author, brand, _, post = brand_world(stack)
    brand_id, brand_name = brand["id"], brand["name"]
    terms = {"post_id": post["id"], "terms": "Featured in our autumn campaign, credited to you."}
    _api(stack, "POST", f"/brands/{brand_id}/rights-requests", owner, terms)
    _api(stack, "POST", f"/posts/{post['id']}/rights-requests/{brand_id}/approve", author)
    readers = [member(stack, "prime", name=f"Robin {uuid.uuid4().hex[:4]}") for _ in range(3)]
    for reader in readers:
        _api(stack, "PUT", f"/posts/{post['id']}/smile", reader)
    stack.drain()  # the brand's audience rows
    audience_name = f"Smilers {uuid.uuid4().hex[:4]}"
    _api(stack, "POST", f"/brands/{brand_id}/audiences", owner, {"name": audience_name})
    stack.drain()  # the audience fills from the rows

    # When the brand creates a campaign for the audience featuring the approved post, by clicking
    desk: Journey = signed_in(journey, DESKTOP, owner, "-brand")
    page = desk.page
    page.get_by_role("link", name="Brand dashboard").click()
    # Once the sections above and in the form have loaded (a click while they grow lands where the
    # checkbox no longer is)
    page.locator("section[aria-label='Campaigns']").get_by_text("No campaigns yet.").wait_for()
    desk.settled()
    form = page.get_by_role("form", name="New campaign")
    form.scroll_into_view_if_needed()
    form.get_by_label("Name").fill("Autumn reach")
    form.get_by_role("checkbox", name="Summit pack").check()
    expect(form.get_by_label("Audience").locator("option", has_text=audience_name)).to_have_count(1)
    form.get_by_label("Audience").select_option(label=audience_name)
    form.get_by_role("checkbox", name="Ridge at dawn").check()
    form.get_by_role("button", name="Create campaign").click()
    row = page.locator("tr", has_text="Autumn reach")
    expect(row).to_contain_text("1 featured")
    desk.shot("campaign for an audience")
    listed = _api(stack, "GET", f"/brands/{brand_id}/campaigns", owner)["items"]
    campaign = next(c for c in listed if c["name"] == "Autumn reach")
    treated = next(r for r in readers if not in_holdout(campaign["id"], r["id"]))

    # And the feed planner refreshes the active members' feeds (the queues delivered first)
    stack.drain()
    stack.run("feed_planner")
    stack.drain()

    # Then a treated member of the audience sees the post labelled "Featured by <brand>" in their feed
    fan: Journey = signed_in(journey, DESKTOP, treated, "-treated")
    card = fan.page.locator(f'article.card.featured[data-post-id="{post["id"]}"]')
    card.wait_for()
    label = card.locator(".featured-label")
    expect(label).to_have_text(f"Featured by {brand_name}")
    assert label.get_by_role("link", name=brand_name).get_attribute("href") == f"#/brands/{brand_id}"
    expect(card).to_have_attribute("aria-label", f"Featured by {brand_name}: Ridge at dawn")
    assert card.locator(".bag").count() == 1  # the shopping bag of its tagged product, as on any card
    fan.shot("featured card")
    assert_accessible(fan, "feed with a featured card")
    assert fan.errors == []

    # When the treated member comments on the post (another client) and the stream is delivered
    _api(stack, "POST", f"/posts/{post['id']}/comments", treated, {"text": "Where do I get one?"})
    stack.drain()

    # Then the brand reads the lift against the holdout: the treated group counts the member who engaged
    page.reload()
    page.get_by_role("link", name="Brand dashboard").click()
    cell = page.locator("tr", has_text="Autumn reach").get_by_label("Lift against the holdout")
    expect(cell).to_contain_text("Treated: 1 of")
    expect(cell).to_contain_text("Holdout:")
    desk.shot("lift against the holdout")
    assert desk.errors == []
