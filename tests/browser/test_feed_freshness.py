"""A returning member's feed updates itself (issue 24): the feed they have at once, a notice that a
fresher one is on its way, then its new cards on top, with no reload.

The feed is made stale the way time would: its head's last check is moved an hour back in the
stack's table (the API's rule is "not checked for 5 minutes"), instead of waiting. The refresh the
read queued is delivered through the event runner's control API.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests

from chalicelib import clock
from chalicelib.data import keys
from tests.browser.conftest import DESKTOP, Journey
from tests.browser.test_community import PASSWORD, member, publish_idea
from tests.browser.test_journeys import assert_accessible
from tests.support.local_stack import LocalStack

pytestmark = [pytest.mark.timeout(420), pytest.mark.xdist_group("browser")]

# What the feed's status line said, in order (a MutationObserver from before the page's scripts):
# the notice may be replaced within seconds, so the test reads the record, not the screen.
RECORD_NOTICES = """
window.__notices = [];
new MutationObserver(() => {
  const notice = document.querySelector('.freshness');
  const text = notice && notice.textContent;
  if (text && window.__notices[window.__notices.length - 1] !== text) window.__notices.push(text);
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def age_feed(stack: LocalStack, member_id: str, hours: float) -> None:
    """Move the member's feed's last check `hours` back, as that long away would have left it."""
    table = boto3.resource(
        "dynamodb",
        endpoint_url=stack.config["cognito_endpoint"],  # the embedded AWS serves every service
        region_name=stack.config["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).Table("flint-dev")
    head = keys.feed_head(member_id)
    table.update_item(
        Key={"PK": head.pk, "SK": head.sk},
        UpdateExpression="SET checked_at = :then",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeValues={":then": clock.iso(datetime.now(UTC) - timedelta(hours=hours))},
    )


def test_a_returning_member_sees_a_fresher_feed_arrive_on_top_without_a_reload(
    journey: Any, local_stack: LocalStack
) -> None:
    # Given a member whose feed was built before they followed an author, who posted since; and
    # the feed last checked an hour ago
    author = member(local_stack, "prime", name=f"Robin {uuid.uuid4().hex[:4]}")
    reader = member(local_stack)
    followed = requests.put(
        f"{local_stack.api}/users/{author['id']}/follow",
        headers={"Authorization": f"Bearer {reader['token']}"},
        timeout=30,
    )
    assert followed.status_code == 200, followed.text
    idea = {"kind": "idea", "caption": "Dawn on the ridge", "body": "Worth the 4 am start."}
    post = publish_idea(local_stack, author, {**idea, "interests": ["hiking"]})
    age_feed(local_stack, reader["id"], hours=1)

    # When they come back to Flint
    visitor: Journey = journey(DESKTOP)
    page = visitor.page
    page.add_init_script(RECORD_NOTICES)
    # (the stack's queue pollers run on their own, so the queued refresh may be done, and its cards
    # drawn, seconds after the first page: the first page itself is read from its answer)
    feed_page = f"{local_stack.api}/feed"
    with page.expect_response(
        lambda r: r.request.method == "GET" and r.url.split("?")[0] == feed_page
    ) as first:
        visitor.sign_in(reader["email"], PASSWORD)
    page.get_by_role("heading", name="Your feed").wait_for()
    page.locator("article.card").first.wait_for()
    page.evaluate("window.__samePage = true")  # gone if anything reloads the page

    # Then their feed is there at once, with a notice that a fresher one is on its way
    page.wait_for_function("window.__notices.length > 0")
    assert page.evaluate("window.__notices[0]") == "A fresher feed is on its way\u2026"
    assert post["id"] not in [item["post"]["id"] for item in first.value.json()["items"]]
    visitor.shot("a fresher feed is on its way")
    # And once the refresh their read queued is done (the test delivers the queues, as AWS would)
    local_stack.drain()

    # Then the author's new post appears first, once, saying why, in the same page
    first = page.locator(".masonry .col:first-child > article.card").first
    page.wait_for_function(
        "(id) => document.querySelector('.masonry .col > article.card')?.dataset.postId === id",
        arg=post["id"],
    )
    assert first.locator(".reason").inner_text() == f"Because you follow {author['name']}"
    assert page.locator(f"article.card[data-post-id='{post['id']}']").count() == 1
    assert page.evaluate("window.__samePage") is True
    page.wait_for_function("window.__notices.includes('1 new post added at the top.')")
    shown = page.evaluate("[...document.querySelectorAll('article.card')].map(c => c.dataset.postId)")
    assert len(shown) == len(set(shown))
    visitor.shot("the fresher feed on top")
    assert_accessible(visitor, "feed with its fresher posts")
    assert not visitor.errors
