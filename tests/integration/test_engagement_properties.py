"""Campaign figures never exceed the brand's, and nothing counts twice: a property over random
engagement sent through the real pipeline.

Each example is a brand of its own (fresh ids: the table is shared) with three products, a few
posts tagging some of them on various days, a campaign over some products and days, and a random
sequence of what happens: client event batches (impressions, tag and product clicks, by members or
by the posts' own authors, on any of the last 35 days, some sent twice), smiles and comments and
their removals (stream batches, some delivered twice), deliveries of the engagement queue (some
batches delivered twice, as when an invocation dies after it wrote), and the campaign's creation
at some point among them. Everything goes where production sends it: `POST /events`' service
(`accept_events`: receipts, the once-an-hour rule, the queue), the stream worker's handler, the
FIFO queue of the embedded AWS, the engagement worker's handler. Then the brand's insights and the
campaign report are read through the API and compared with what the example itself counted:
- the brand's totals over a window are the sum of its series, and what the example counted;
- the campaign's figures over its window and the previous one are what the example counted for
  the campaign's products (each post once), never more than the brand's, and the baseline is
  the brand minus the campaign;
- so a redelivered message, a resent batch or a retried stream batch counted once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
from boto3.dynamodb.types import TypeSerializer
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chalicelib.data import posts as post_store
from chalicelib.data import users
from chalicelib.data.posts import PostRecord
from chalicelib.handlers.stream import table_change
from chalicelib.schemas.brands import EventBatchIn
from chalicelib.services import engagement, receipts
from chalicelib.settings import get_settings
from local.event_runner import lambda_context, sqs_event
from tests.conftest import SignedInMember
from tests.support.catalog import fresh_brand
from tests.support.community import call, ok

PRODUCTS = 3
AUTHORS = 2
ACTORS = AUTHORS + 3  # the authors act too: their engagement with their own posts never counts
DAYS = 35  # how far back events go; a window of DAYS + 1 days holds them all
COUNTED = ("posts", "impressions", "smiles", "comments", "tag_clicks", "product_clicks")
FIELD_OF = {"impression": "impressions", "tag_click": "tag_clicks", "product_click": "product_clicks"}
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:flint-dev-engagement.fifo"

_serialize = TypeSerializer().serialize


# --- what happens, drawn ---------------------------------------------------------------------------

days_ago = st.integers(0, DAYS)
hours_ago = st.integers(0, 3)
actor = st.integers(0, ACTORS - 1)
post_index = st.integers(0, 3)  # taken modulo the example's posts
posts_drawn = st.lists(
    st.tuples(st.frozensets(st.integers(0, PRODUCTS - 1), min_size=1), st.integers(0, AUTHORS - 1), days_ago),
    min_size=1,
    max_size=4,
)
a_view = st.tuples(post_index, st.sampled_from(sorted(FIELD_OF)), st.integers(0, PRODUCTS - 1))
steps_drawn = st.lists(
    st.one_of(
        # a client batch: viewer, when, its events, sent twice (a client retry)
        st.tuples(
            st.just("events"),
            actor,
            days_ago,
            hours_ago,
            st.lists(a_view, min_size=1, max_size=4),
            st.booleans(),
        ),
        # a smile or a comment, delivered by the stream once or twice (a retried stream batch)
        st.tuples(st.just("smile"), actor, post_index, days_ago, st.booleans()),
        st.tuples(st.just("comment"), actor, post_index, days_ago, st.booleans()),
        # the removal of the n-th smile or comment still there
        st.tuples(st.just("unsmile"), st.integers(0, 9), st.booleans()),
        st.tuples(st.just("uncomment"), st.integers(0, 9), st.booleans()),
        # one delivery of the queue, its batch delivered a second time or not
        st.tuples(st.just("deliver"), st.booleans()),
        st.tuples(
            st.just("campaign"),
        ),
    ),
    max_size=14,
)
campaign_drawn = st.tuples(
    st.frozensets(st.integers(0, PRODUCTS - 1), min_size=1),
    st.integers(-10, 30),  # starts this many days ago (negative: in the future)
    st.integers(2, 15),  # lasts this many days
)


# --- the example's own count -----------------------------------------------------------------------


@dataclass
class Expected:
    """What the example counted: (day, products of the post, figure, amount) per counted thing."""

    counted: list[tuple[str, frozenset[str], str, int]] = field(default_factory=list)

    def add(self, day: str, products: frozenset[str], figure: str, amount: int = 1) -> None:
        self.counted.append((day, products, figure, amount))

    def totals(self, first: date, last: date, campaign: frozenset[str] | None = None) -> dict[str, int]:
        out = dict.fromkeys(COUNTED, 0)
        for day, products, figure, amount in self.counted:
            if first.isoformat() <= day <= last.isoformat() and (campaign is None or products & campaign):
                out[figure] += amount
        return out


@dataclass
class World:
    brand_id: str
    products: list[str]
    owner: SignedInMember
    actors: list[str]  # member ids; the first AUTHORS are the posts' authors
    posts: list[tuple[str, str, frozenset[str]]]  # (post id, author id, products)
    now: datetime
    expected: Expected = field(default_factory=Expected)
    smiles: list[dict[str, Any]] = field(default_factory=list)  # still there (stream images)
    comments: list[dict[str, Any]] = field(default_factory=list)
    seen: set[tuple[str, str, str, int]] = field(default_factory=set)  # (viewer, post, type, hour)
    campaign: dict[str, Any] | None = None


def _moment(world: World, days: int, hours: int = 0) -> datetime:
    return world.now - timedelta(days=days, hours=hours)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _make_world(api: Any, owner: SignedInMember, posts: list[tuple[frozenset[int], int, int]]) -> World:
    brand = fresh_brand(owner.user_id, products=PRODUCTS)
    actors = [f"member-{uuid.uuid4().hex[:12]}" for _ in range(ACTORS)]
    for member_id in actors[:AUTHORS]:
        users.upsert_activity(member_id, "Author", "2026-01-01T00:00:00.000Z")
    world = World(brand.brand_id, brand.product_ids, owner, actors, [], datetime.now(UTC))
    for products, author, age in posts:
        tagged = frozenset(brand.product_ids[i] for i in products)
        created = _moment(world, age)
        record = PostRecord(
            post_id=f"post_{uuid.uuid4().hex[:16]}",
            author_id=actors[author],
            kind="idea",
            caption="Out on the trail",
            body="Notes.",
            interests=["hiking"],
            photos=[],
            created_at=_iso(created),
            product_ids=sorted(tagged),
        )
        assert post_store.create_post(record).committed
        world.posts.append((record.post_id, record.author_id, tagged))
    return world


# --- the pipeline, as production drives it ---------------------------------------------------------


def _stream(world: World, changes: list[tuple[str, dict[str, Any]]], twice: bool) -> None:
    """Stream records (INSERT/REMOVE, an image), decoded as the stream worker does, forwarded to the
    engagement queue as its last step does, once or twice."""
    records = [
        {
            "eventID": uuid.uuid4().hex,
            "eventName": name,
            "dynamodb": {
                ("NewImage" if name == "INSERT" else "OldImage"): {k: _serialize(v) for k, v in image.items()}
            },
        }
        for name, image in changes
    ]
    for _ in range(2 if twice else 1):
        engagement.forward_changes([table_change(r) for r in records])


def _deliver(world: World, redeliver: bool) -> int:
    """One delivery of the engagement queue to the worker's handler (twice: an invocation that died
    after it wrote, so SQS hands the same batch over again); then the batch is deleted. Other tests'
    brands may have messages queued too: they are delivered alike, only this brand's must succeed."""
    from app import app

    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=get_settings().engagement_queue)["QueueUrl"]
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
        "Messages", []
    )
    if not received:
        return 0
    handler = app.handler_map["engagement_worker"]
    failed: set[str] = set()
    for _ in range(2 if redeliver else 1):
        result = handler(sqs_event(received, QUEUE_ARN), lambda_context("engagement_worker"))
        failed |= {f["itemIdentifier"] for f in result["batchItemFailures"]}
    mine = [m["MessageId"] for m in received if json.loads(m["Body"]).get("b") == world.brand_id]
    assert not failed & set(mine), "the worker failed on this brand's messages"
    done = [m for m in received if m["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
        )
    return len(received)


def _drain(world: World) -> None:
    for _ in range(200):
        if not _deliver(world, redeliver=False):
            return
    raise AssertionError("the engagement queue did not drain")


def _events(
    world: World, who: int, days: int, hours: int, views: list[tuple[int, str, int]], resend: bool
) -> None:
    moment = max(_moment(world, days, hours), world.now - timedelta(days=DAYS))
    viewer = receipts.member_viewer(world.actors[who])
    batch = []
    for index, kind, product in views:
        post_id, author_id, tagged = world.posts[index % len(world.posts)]
        event: dict[str, Any] = {
            "type": kind,
            "post_id": post_id,
            "receipt": receipts.issue(post_id, author_id, viewer, moment),
        }
        if kind != "impression":
            event["product_id"] = sorted(tagged)[product % len(tagged)]
        batch.append(event)
        hour = receipts.hour_of(moment)
        if world.actors[who] != author_id and (viewer, post_id, kind, hour) not in world.seen:
            world.seen.add((viewer, post_id, kind, hour))
            world.expected.add(moment.date().isoformat(), tagged, FIELD_OF[kind])
    for _ in range(2 if resend else 1):
        engagement.accept_events(viewer, EventBatchIn.model_validate({"events": batch}), now=moment)


def _engage(world: World, kind: str, who: int, index: int, days: int, twice: bool) -> None:
    post_id, author_id, tagged = world.posts[index % len(world.posts)]
    member_id = world.actors[who]
    if kind == "smile" and any(s["post_id"] == post_id and s["user_id"] == member_id for s in world.smiles):
        return  # one smile per member and post
    created = _iso(_moment(world, days))
    if kind == "smile":
        image = {"type": "smile", "user_id": member_id, "post_id": post_id, "author_id": author_id}
        world.smiles.append(image := {**image, "created_at": created})
    else:
        image = {
            "type": "comment",
            "comment_id": uuid.uuid4().hex,
            "post_id": post_id,
            "author_id": member_id,
        }
        world.comments.append(image := {**image, "text": "Nice", "created_at": created})
    _stream(world, [("INSERT", image)], twice)
    if member_id != author_id:
        world.expected.add(created[:10], tagged, "smiles" if kind == "smile" else "comments")


def _remove(world: World, kind: str, nth: int, twice: bool) -> None:
    there = world.smiles if kind == "unsmile" else world.comments
    if not there:
        return
    image = there.pop(nth % len(there))
    _post_id, author_id, tagged = next(p for p in world.posts if p[0] == image["post_id"])
    _stream(world, [("REMOVE", image)], twice)
    actor_id = image["user_id"] if kind == "unsmile" else image["author_id"]
    if actor_id != author_id:
        world.expected.add(
            image["created_at"][:10], tagged, "smiles" if kind == "unsmile" else "comments", -1
        )


def _start_campaign(api: Any, world: World, drawn: tuple[frozenset[int], int, int]) -> None:
    products, ago, length = drawn
    starts = world.now.date() - timedelta(days=ago)
    body = {
        "name": "Autumn",
        "product_ids": sorted(world.products[i] for i in products),
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(days=length - 1)).isoformat(),
    }
    world.campaign = ok(call(api, "POST", f"/brands/{world.brand_id}/campaigns", world.owner, body), 201)


# --- what the brand sees ------------------------------------------------------------------------


def _insights(api: Any, world: World, first: date, last: date) -> dict[str, int]:
    """The brand's totals over first..last, checked against its own series and the example's count."""
    path = f"/brands/{world.brand_id}/insights?from={first.isoformat()}&to={last.isoformat()}"
    report = ok(call(api, "GET", path, world.owner))
    totals = report["totals"]
    for figure in COUNTED:
        assert totals[figure] == sum(day[figure] for day in report["series"]), (figure, first, last)
    assert totals["filtered"] == {"impressions": 0, "tag_clicks": 0, "product_clicks": 0}
    assert {f: totals[f] for f in COUNTED} == world.expected.totals(first, last), (first, last)
    return {f: totals[f] for f in COUNTED}


def _check(api: Any, world: World) -> None:
    today = world.now.date()
    _insights(api, world, today - timedelta(days=DAYS + 1), today)
    assert world.campaign is not None
    report = ok(call(api, "GET", f"/brands/{world.brand_id}/campaigns/{world.campaign['id']}", world.owner))
    first = date.fromisoformat(world.campaign["starts_at"])
    if first > today:  # scheduled: nothing to compare yet
        assert report["status"] == "scheduled" and report["compared_days"] == 0
        assert all(report[w][f] == 0 for w in ("metrics", "previous") for f in COUNTED)
        return
    last = min(date.fromisoformat(world.campaign["ends_at"]), today)
    compared = (last - first).days + 1
    assert report["compared_days"] == compared and report["status"] in ("running", "ended")
    before_first, before_last = first - timedelta(days=compared), first - timedelta(days=1)
    assert (report["previous_from"], report["previous_to"]) == (
        before_first.isoformat(),
        before_last.isoformat(),
    )
    campaign_products = frozenset(world.campaign["product_ids"])
    for shown, baseline, low, high in (
        (report["metrics"], report["baseline"]["metrics"], first, last),
        (report["previous"], report["baseline"]["previous"], before_first, before_last),
    ):
        brand = _insights(api, world, low, high)
        mine = {f: shown[f] for f in COUNTED}
        assert mine == world.expected.totals(low, high, campaign_products), (low, high)
        for figure in COUNTED:
            assert mine[figure] <= brand[figure], (figure, low, high)
            assert baseline[figure] == brand[figure] - mine[figure], (figure, low, high)


# --- the property -------------------------------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run: a CI failure replays
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
# What the property found (each fixed; kept so they stay fixed):
# a redelivered client batch about a past day counted twice when the redelivery's flush first
# compacted that day, which dropped the day's message tokens;
@example(
    posts=[(frozenset({0}), 0, 5)],
    replayed=False,
    steps=[("events", 2, 3, 0, [(0, "impression", 0)], False), ("deliver", True)],
    campaign=(frozenset({0}), 5, 10),
)
# a campaign created after it ended, or starting more than its length ahead, on a brand with
# counts today, never started: its backfill checked an item of today's it had not read, so the
# campaign message failed every attempt and held the brand's queue group until the dead-letter queue.
@example(
    posts=[(frozenset({0}), 0, 0)],
    replayed=False,
    steps=[],
    campaign=(frozenset({0}), 10, 3),
)
@example(
    posts=[(frozenset({1}), 1, 0)],
    replayed=False,
    steps=[("events", 3, 0, 0, [(0, "tag_click", 0)], False)],
    campaign=(frozenset({1}), -8, 3),
)
@given(posts=posts_drawn, replayed=st.booleans(), steps=steps_drawn, campaign=campaign_drawn)
def test_campaign_figures_never_exceed_the_brands_and_retries_count_once(
    api: Any,
    new_member: Callable[..., SignedInMember],
    posts: list[tuple[frozenset[int], int, int]],
    replayed: bool,
    steps: list[tuple[Any, ...]],
    campaign: tuple[frozenset[int], int, int],
) -> None:
    # Given a brand of its own with posts about some of its products (their stream records: once or twice)
    world = _make_world(api, new_member("brand"), posts)
    _stream(world, [("INSERT", {"type": "post", "post_id": p}) for p, _, _ in world.posts], twice=replayed)
    for (_post_id, _, tagged), (_, _, age) in zip(world.posts, posts, strict=True):
        world.expected.add(_moment(world, age).date().isoformat(), tagged, "posts")

    # When what was drawn happens, the campaign created at its place among it (or last)
    for step in steps:
        kind = step[0]
        if kind == "events":
            _events(world, *step[1:])
        elif kind in ("smile", "comment"):
            _engage(world, kind, *step[1:])
        elif kind in ("unsmile", "uncomment"):
            _remove(world, kind, *step[1:])
        elif kind == "deliver":
            _deliver(world, redeliver=step[1])
        elif world.campaign is None:
            _start_campaign(api, world, campaign)
    if world.campaign is None:
        _start_campaign(api, world, campaign)
    _drain(world)

    # Then the brand's and the campaign's figures are what happened, each thing once
    _check(api, world)
