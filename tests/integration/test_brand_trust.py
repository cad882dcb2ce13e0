"""Brand numbers a marketer can trust: the review's attacks, self-engagement, limits, spikes, privacy,
fairness between brands, exactly-once under retries, real-time, and the lists' pages and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from chalicelib import caches
from chalicelib.data import engagement as engagement_store
from chalicelib.data import queues
from chalicelib.services import engagement, receipts
from chalicelib.services.summaries import IMPRESSION, Fact
from chalicelib.settings import get_settings
from local.event_runner import lambda_context, sqs_event
from tests.conftest import SignedInMember
from tests.support.brands import (
    begin,
    event,
    insights,
    make_brand_world,
    new_session,
    receipt,
    run_aggregators,
    runner,
    send_events,
    today,
)
from tests.support.community import assert_error, call, comment, ok, smile

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:flint-dev-engagement.fifo"


@pytest.fixture(autouse=True)
def _stream_start(stack: Any) -> None:
    begin()


@pytest.fixture
def brand_world(api: Any, new_member: Callable[..., SignedInMember]) -> dict[str, Any]:
    return make_brand_world(api, new_member)


def _counted(api: Any, world: dict[str, Any]) -> dict[str, Any]:
    run_aggregators()
    return insights(api, world["owner"], world["brand"]["id"])


# --- the review's attacks ------------------------------------------------------------------------


def test_2000_anonymous_impressions_move_the_brand_by_one(
    api: Any, new_member: Callable[..., SignedInMember], brand_world: dict[str, Any]
) -> None:
    # Given a post with one impression, one tap: a tap rate of 1
    post, product_id = brand_world["post"], brand_world["product"]["id"]
    viewer = new_member()
    seen = receipt(api, post["id"], viewer)
    send_events(
        api, [event("impression", post["id"], seen), event("tag_click", post["id"], seen, product_id)], viewer
    )
    before = _counted(api, brand_world)["totals"]
    assert (before["impressions"], before["tag_click_rate"]) == (1, 1.0)

    # When an anonymous caller sends 2,000 impressions of it, with its session's receipt, a forged
    # one, another viewer's, and none
    session = new_session(api)
    mine = receipt(api, post["id"], session=session)
    accepted = 0
    for batch in range(20):
        kinds = [mine, mine[:-2] + "AA", seen, None] if batch == 0 else [mine]
        events = [event("impression", post["id"], kinds[i % len(kinds)]) for i in range(100)]
        accepted += send_events(api, events, session=session)["accepted"]

    # Then one counted: the brand's day went from 1 to 2 impressions, not 2,001
    after = _counted(api, brand_world)["totals"]
    assert accepted == 1
    assert (after["impressions"], after["tag_clicks"], after["tag_click_rate"]) == (2, 1, 0.5)


def test_500_anonymous_tag_clicks_move_the_brand_and_the_author_by_one(
    api: Any, new_member: Callable[..., SignedInMember], brand_world: dict[str, Any]
) -> None:
    post, product_id = brand_world["post"], brand_world["product"]["id"]
    fan = new_member("prime")
    smile(api, fan, post["id"])
    before = _counted(api, brand_world)
    session = new_session(api)
    mine = receipt(api, post["id"], session=session)
    taps = [event("tag_click", post["id"], mine, product_id)] * 100
    assert sum(send_events(api, taps, session=session)["accepted"] for _ in range(5)) == 1
    after = _counted(api, brand_world)
    assert after["totals"]["tag_clicks"] - before["totals"]["tag_clicks"] == 1
    [leader_before], [leader_after] = before["opinion_leaders"], after["opinion_leaders"]
    assert (leader_before["engagement_per_post"], leader_after["engagement_per_post"]) == (1.0, 2.0)
    assert after["potential_customers"] == before["potential_customers"]  # taps never name a member


@pytest.mark.usefixtures("steady_limit_windows")
def test_a_session_issued_anew_is_a_new_viewer_only_within_its_limit(
    private_table: str, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a limit of 3 anonymous sessions an hour per client address (every test client shares
    # one address: a table of the test's own starts its count at zero)
    monkeypatch.setenv("FLINT_RATE_LIMITS", json.dumps({"sessions": [3, 3600]}))
    caches.reset()
    # When a client asks for a fourth
    sessions = {new_session(api) for _ in range(3)}
    fourth = call(api, "POST", "/sessions")
    # Then it is refused, and the three it got are distinct, valid, unforgeable
    assert fourth.status_code == 429 and json.loads(fourth.body)["error"]["code"] == "rate_limited"
    assert len(sessions) == 3 and all(receipts.session_id(s) for s in sessions)
    assert receipts.session_id(next(iter(sessions))[:-3] + "xyz") is None


def test_an_authors_own_events_smiles_and_comments_never_count(api: Any, brand_world: dict[str, Any]) -> None:
    author, post, product_id = brand_world["author"], brand_world["post"], brand_world["product"]["id"]
    own = receipt(api, post["id"], author)
    sent = send_events(
        api, [event("impression", post["id"], own), event("tag_click", post["id"], own, product_id)], author
    )
    assert sent == {"accepted": 0, "dropped": 2}
    smile(api, author, post["id"])
    comment(api, author, post["id"], "My own tent, great")
    report = _counted(api, brand_world)
    totals = report["totals"]
    assert (totals["impressions"], totals["smiles"], totals["comments"], totals["tag_clicks"]) == (0, 0, 0, 0)
    assert report["opinion_leaders"] == [] and report["potential_customers"] == []


@pytest.mark.usefixtures("steady_limit_windows")
def test_the_events_limit_counts_events_not_requests(
    api: Any,
    new_member: Callable[..., SignedInMember],
    brand_world: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLINT_RATE_LIMITS", json.dumps({"events": [5, 3600]}))
    caches.reset()
    post, product_id = brand_world["post"], brand_world["product"]["id"]
    viewer = new_member()
    mine = receipt(api, post["id"], viewer)
    three = [
        event(k, post["id"], mine, None if k == "impression" else product_id)
        for k in ("impression", "tag_click", "product_click")
    ]
    assert send_events(api, three, viewer) == {"accepted": 3, "dropped": 0}
    # 3 more events would make 6 of 5 this hour: refused whole, with when to retry
    response = api.http.post(
        "/events",
        headers={**viewer.headers, "Content-Type": "application/json"},
        body=json.dumps({"events": three}),
    )
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert json.loads(response.body)["error"]["code"] == "rate_limited"


# --- spikes ---------------------------------------------------------------------------------------


def _facts_message(brand_id: str, facts: list[Fact], token: str) -> dict[str, Any]:
    return {"v": 2, "t": token, "b": brand_id, "f": [f.to_json() for f in facts]}


def test_a_spike_far_above_a_posts_usual_rate_is_held_as_filtered_and_shown(
    api: Any, brand_world: dict[str, Any]
) -> None:
    # Given 130 impressions of a new post from as many viewers in one hour (its usual rate: none)
    post, brand_id, product_id = brand_world["post"], brand_world["brand"]["id"], brand_world["product"]["id"]
    now = datetime.now(UTC)
    facts = [
        Fact(
            IMPRESSION,
            post["id"],
            brand_world["author"].user_id,
            (product_id,),
            today(),
            hour=receipts.hour_of(now),
        )
        for _ in range(130)
    ]
    # When the aggregator applies them (as 2 queued messages)
    engagement.aggregate(
        [_facts_message(brand_id, facts[:70], "evt-a"), _facts_message(brand_id, facts[70:], "evt-b")], now
    )
    # Then 100 count and 30 are held as filtered, shown apart from the totals and rates
    report = insights(api, brand_world["owner"], brand_id)
    assert report["totals"]["impressions"] == 100
    assert report["totals"]["filtered"] == {"impressions": 30, "tag_clicks": 0, "product_clicks": 0}
    assert report["series"][-1]["filtered"] == 30
    assert report["top_posts"][0]["impressions"] == 100


# --- privacy --------------------------------------------------------------------------------------


def test_a_member_who_opts_out_is_left_out_of_every_brand_list(
    api: Any, new_member: Callable[..., SignedInMember], brand_world: dict[str, Any]
) -> None:
    post, author = brand_world["post"], brand_world["author"]
    fan = new_member("prime", name="Fan")
    smile(api, fan, post["id"])
    comment(api, fan, post["id"], "Nice")
    report = _counted(api, brand_world)
    assert [p["member"]["id"] for p in report["potential_customers"]] == [fan.user_id]
    assert [f["member"]["id"] for f in report["fans"]] == [author.user_id]

    # When both leave brand audiences in their settings
    for member in (fan, author):
        me = ok(call(api, "PATCH", "/me", member, {"brand_audiences": False}))
        assert me["brand_audiences"] is False
    report = insights(api, brand_world["owner"], brand_world["brand"]["id"])

    # Then no list shows them, though what they did still counts as numbers
    assert report["potential_customers"] == [] and report["fans"] == [] and report["opinion_leaders"] == []
    assert (report["totals"]["smiles"], report["totals"]["comments"]) == (1, 1)
    for name in ("fans", "opinion-leaders", "potential-customers"):
        page = ok(
            call(api, "GET", f"/brands/{brand_world['brand']['id']}/insights/{name}", brand_world["owner"])
        )
        assert page["items"] == [], name
    # And their later public actions never enter a list
    smile(api, new_member("prime"), post["id"])
    assert_error(call(api, "PATCH", "/me", fan, {"brand_audiences": "no"}), 422, "validation_error")
    assert ok(call(api, "GET", "/me", fan))["brand_audiences"] is False


# --- fairness between brands ----------------------------------------------------------------------


def test_one_brands_flood_does_not_queue_ahead_of_another_brand(
    api: Any, new_member: Callable[..., SignedInMember], brand_world: dict[str, Any]
) -> None:
    # Given brand A flooded with 100 queued messages, then one real event for brand B
    flooded, quiet = "brand_flood_" + brand_world["brand"]["id"][-8:], brand_world
    fact = Fact(
        IMPRESSION,
        "post_flood",
        "someone",
        ("prod_flood",),
        today(),
        hour=receipts.hour_of(datetime.now(UTC)),
    )
    queues.send(
        get_settings().engagement_queue,
        [
            queues.FifoMessage(
                json.dumps(_facts_message(flooded, [fact], f"flood-{i}")), flooded, f"flood-{i}-{flooded}"
            )
            for i in range(100)
        ],
    )
    run_aggregators_stream_only()
    viewer = new_member()
    send_events(
        api, [event("impression", quiet["post"]["id"], receipt(api, quiet["post"]["id"], viewer))], viewer
    )

    # When two workers poll, as Lambda's FIFO poller does (one batch in flight per brand)
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=get_settings().engagement_queue)["QueueUrl"]
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]

    # Then the first holds only the flood, and the second gets brand B's event at once
    assert {json.loads(m["Body"])["b"] for m in first} == {flooded}
    assert quiet["brand"]["id"] in {json.loads(m["Body"])["b"] for m in second}
    from app import app

    app.handler_map["engagement_worker"](sqs_event(second, QUEUE_ARN), lambda_context("engagement_worker"))
    assert insights(api, quiet["owner"], quiet["brand"]["id"])["totals"]["impressions"] == 1
    for message in first:  # let the flood drain for the next tests
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )


def run_aggregators_stream_only() -> None:
    events = runner()
    stream = next(s for s in events.stream_sources if s.name == "stream_worker")
    while events.poll_stream_once(stream):
        pass


# --- exactly once ---------------------------------------------------------------------------------


def test_a_retry_after_the_post_was_deleted_counts_what_was_accepted_once(
    api: Any,
    new_member: Callable[..., SignedInMember],
    brand_world: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given an accepted impression, and an aggregator whose first attempt fails before it writes
    post, author = brand_world["post"], brand_world["author"]
    run_aggregators()
    viewer = new_member()
    send_events(api, [event("impression", post["id"], receipt(api, post["id"], viewer))], viewer)
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=get_settings().engagement_queue)["QueueUrl"]
    messages = [
        m
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
        if json.loads(m["Body"])["b"] == brand_world["brand"]["id"]
    ]
    from app import app

    failing = {"left": 1}
    original = engagement_store.save

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if failing["left"]:
            failing["left"] -= 1
            raise RuntimeError("the worker died")
        return original(*args, **kwargs)

    monkeypatch.setattr(engagement_store, "save", flaky)
    handler = app.handler_map["engagement_worker"]
    first = handler(sqs_event(messages, QUEUE_ARN), lambda_context("engagement_worker"))
    assert [f["itemIdentifier"] for f in first["batchItemFailures"]] == [m["MessageId"] for m in messages]

    # When the post is deleted before the retry, and the retry is delivered twice
    assert call(api, "DELETE", f"/posts/{post['id']}", author).status_code == 204
    for _ in range(2):
        assert handler(sqs_event(messages, QUEUE_ARN), lambda_context("engagement_worker")) == {
            "batchItemFailures": []
        }

    # Then the impression it accepted counts exactly once
    assert insights(api, brand_world["owner"], brand_world["brand"]["id"])["totals"]["impressions"] == 1


# --- real time ------------------------------------------------------------------------------------


def test_an_event_and_a_smile_show_after_one_delivery_of_the_stream_and_the_queue(
    api: Any, new_member: Callable[..., SignedInMember], brand_world: dict[str, Any]
) -> None:
    # Given the brand's post already counted
    run_aggregators()
    fan = new_member("prime")
    smile(api, fan, post_id := brand_world["post"]["id"])
    send_events(api, [event("impression", post_id, receipt(api, post_id, fan))], fan)

    # When Lambda delivers the stream once and the queue once (no schedule, no wait)
    events = runner()
    stream = next(s for s in events.stream_sources if s.name == "stream_worker")
    queue = next(s for s in events.queue_sources if s.name == "engagement_worker")
    while events.poll_stream_once(stream):
        pass  # a fresh runner reads the stream from its start: the smile is in its last batch
    events.poll_queue_once(queue)

    # Then both are in the insights
    totals = insights(api, brand_world["owner"], brand_world["brand"]["id"])["totals"]
    assert (totals["smiles"], totals["impressions"]) == (1, 1)


# --- lists: pages and CSV -------------------------------------------------------------------------


def test_every_list_pages_with_cursors_and_exports_as_csv(
    api: Any, new_member: Callable[..., SignedInMember], brand_world: dict[str, Any]
) -> None:
    post, owner, brand_id = brand_world["post"], brand_world["owner"], brand_world["brand"]["id"]
    fans = [new_member("prime") for _ in range(25)]
    for fan in fans:
        smile(api, fan, post["id"])
    run_aggregators()
    day = today()
    base = f"/brands/{brand_id}/insights/potential-customers?from={day}&to={day}&limit=10"
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        page = ok(call(api, "GET", base + (f"&cursor={cursor}" if cursor else ""), owner))
        seen += [p["member"]["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(f.user_id for f in fans) and len(seen) == 25
    assert_error(call(api, "GET", base + "&cursor=forged", owner), 400, "bad_cursor")

    response = call(api, "GET", f"/brands/{brand_id}/insights/potential-customers?format=csv", owner)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.decode())))
    assert len(rows) == 25 and {"member.id", "member.display_name", "smiles", "comments"} <= set(rows[0])
    for name in ("products", "fans", "opinion-leaders", "top-posts", "interests", "labels"):
        exported = call(api, "GET", f"/brands/{brand_id}/insights/{name}?format=csv", owner)
        assert exported.status_code == 200 and exported.body.decode().count("\n") >= 2, name


def test_an_empty_list_still_exports_its_columns(api: Any, brand_world: dict[str, Any]) -> None:
    # Given a brand whose potential customers list is empty on a day nothing happened
    owner, brand_id = brand_world["owner"], brand_world["brand"]["id"]
    empty_day = "2001-01-01"
    # When it is exported as CSV
    response = call(
        api,
        "GET",
        f"/brands/{brand_id}/insights/potential-customers?from={empty_day}&to={empty_day}&format=csv",
        owner,
    )
    # Then the file is just the header a spreadsheet needs, with the list's own columns
    assert response.status_code == 200
    lines = response.body.decode().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("member.id,") and "smiles" in lines[0].split(",")
