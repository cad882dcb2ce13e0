"""Measure one engagement pipeline's DynamoDB cost per 1,000 accepted events, in a fresh process.

    python bench/engagement_probe.py --tree <checkout> [--tags 2] [--requests 50] [--drain-every 0]

Runs inside `--tree` (this checkout, or the pipeline before issue 20 exported from git by
bench_engagement.py): starts that tree's embedded AWS, provisions its template, publishes 60
tagged posts through its data layer (not metered), then bills with bench/capacity.py (loaded by
path, so both trees are billed by the same rules) what the edge and the worker do for
`--requests` client batches of 20 events (18 impressions of distinct posts and 2 hotspot taps,
each from its own signed-in viewer), as API Gateway + SQS + Lambda would run them:

- the edge: `POST /events`'s service code, plus the abuse-limit write the route edge spends
  before it (today's routes spend it per request; issue 20's pipeline counts events in its own
  write);
- the worker: the engagement queue delivered in batches of up to 10 messages to the tree's own
  handler, after every `--drain-every` requests (0: once at the end, a queue with a backlog).

Prints one JSON object on stdout; logs go to stderr.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import sys
from pathlib import Path
from typing import Any

LIMIT_NAMES = (
    "uploads", "posts", "post_deletes", "comments", "comment_deletes", "smiles", "follows", "profile",
    "events", "sessions", "brands",
)  # fmt: skip
POSTS = 60
AUTHORS = 10
EVENTS_PER_REQUEST = 20
TAPS_PER_REQUEST = 2


def _load_capacity() -> Any:
    path = Path(__file__).resolve().parent / "capacity.py"
    spec = importlib.util.spec_from_file_location("flint_bench_capacity", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _environment(endpoint: str) -> None:
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            # Out of the way, in both trees (the older one does not merge overrides with defaults).
            "FLINT_RATE_LIMITS": json.dumps({name: [1_000_000, 3600] for name in LIMIT_NAMES}),
        }
    )


def _posts(tags: int, rng: random.Random) -> list[tuple[str, str, list[str]]]:
    """(post id, author id, product ids) of 60 posts, each tagging `tags` demo products."""
    from chalicelib import clock, ids
    from chalicelib.data import posts as post_store
    from chalicelib.data import users
    from chalicelib.data.posts import PostRecord
    from local.demo_data import products
    from local.seed import seed_interests, seed_products

    seed_interests()
    seed_products(None)
    catalog = [p.product_id for p in products()]
    made = []
    for i in range(POSTS):
        author = f"author-{i % AUTHORS}"
        users.upsert_activity(author, author, clock.now_iso())
        start = rng.randrange(0, len(catalog) - tags)
        tagged = catalog[start : start + tags]
        record = PostRecord(
            post_id=ids.new_id("post"),
            author_id=author,
            kind="idea",
            caption="bench",
            body="bench",
            interests=["hiking"],
            photos=[],
            created_at=clock.now_iso(),
            product_ids=tagged,
        )
        assert post_store.create_post(record).committed
        made.append((record.post_id, author, tagged))
    return made


Event = tuple[str, str, str, str | None]  # type, post id, author, product


def _batch(rng: random.Random, posts: list[tuple[str, str, list[str]]]) -> list[Event]:
    """20 events: 18 impressions of distinct posts, 2 taps among them."""
    shown = rng.sample(posts, EVENTS_PER_REQUEST - TAPS_PER_REQUEST)
    events: list[Event] = [("impression", post_id, author, None) for post_id, author, _ in shown]
    for post_id, author, tagged in shown[:TAPS_PER_REQUEST]:
        events.append(("tag_click", post_id, author, tagged[0]))
    return events


def _send(today: bool, viewer: str, events: list[Event]) -> int:
    """One `POST /events` as its route runs it; returns the events accepted."""
    import time

    from chalicelib.data import ratelimits
    from chalicelib.schemas.brands import EventBatchIn
    from chalicelib.services import engagement

    raw = [{"type": t, "post_id": p, **({"product_id": x} if x else {})} for t, p, _, x in events]
    if today:
        from chalicelib.services import receipts

        member = receipts.member_viewer(viewer)
        for event, (_, post_id, author, _) in zip(raw, events, strict=True):
            event["receipt"] = receipts.issue(post_id, author, member)
        return engagement.accept_events(member, EventBatchIn.model_validate({"events": raw})).accepted
    # Before issue 20 the route spent one unit of the `events` limit per request first.
    ratelimits.hit("events", viewer, limit=1_000_000, window_seconds=60, now=time.time())
    batch = EventBatchIn.model_validate({"events": raw})
    return engagement.accept_events(f"member:{viewer}", viewer, batch).accepted


def _drain() -> int:
    """Deliver the engagement queue to the tree's handler in batches of 10; returns batches."""
    import boto3

    from app import app
    from chalicelib.settings import get_settings
    from local.event_runner import lambda_context, sqs_event

    sqs = boto3.client("sqs", region_name="us-east-1")
    name = get_settings().engagement_queue
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    batches = 0
    while True:
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
            "Messages", []
        )
        if not received:
            return batches
        event = sqs_event(received, f"arn:aws:sqs:us-east-1:123456789012:{name}")
        result = app.handler_map["engagement_worker"](event, lambda_context("engagement_worker"))
        failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        assert not failed, result
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)],
        )
        batches += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", required=True)
    parser.add_argument("--tags", type=int, default=2)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--drain-every", type=int, default=0)
    parser.add_argument("--warm-up", type=int, default=10)
    args = parser.parse_args()
    tree = Path(args.tree).resolve()
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    capacity = _load_capacity()

    from local.aws_server import EmbeddedAws

    server = EmbeddedAws().start()
    _environment(server.endpoint)
    from local.provision import provision

    provision(str(tree / "infra" / "template.yaml"), endpoint_url=server.endpoint)
    rng = random.Random(20)
    posts = _posts(args.tags, rng)
    from chalicelib.services import engagement

    today = not hasattr(engagement, "aggregate_events")
    # Warm up, unmetered: each brand's first event of the day creates its day item and head once a
    # day, which is not what a thousand events cost in steady state.
    for index in range(args.warm_up):
        _send(today, f"warm-{index}", _batch(rng, posts))
    _drain()
    accepted, batches = 0, 0
    edge = capacity.Bill()
    worker = capacity.Bill()
    for index in range(args.requests):
        with capacity.meter() as bill:
            accepted += _send(today, f"viewer-{index}", _batch(rng, posts))
        edge.add(bill)
        if args.drain_every and (index + 1) % args.drain_every == 0:
            with capacity.meter() as bill:
                batches += _drain()
            worker.add(bill)
    with capacity.meter() as bill:
        batches += _drain()
    worker.add(bill)
    server.stop()
    per_thousand = 1000 / max(1, accepted)
    print(
        json.dumps(
            {
                "design": "issue 20" if today else "before issue 20",
                "tags": args.tags,
                "requests": args.requests,
                "accepted": accepted,
                "worker_batches": batches,
                "edge_write_units": edge.write_units * per_thousand,
                "worker_write_units": worker.write_units * per_thousand,
                "write_units": (edge.write_units + worker.write_units) * per_thousand,
                "read_units": (edge.read_units + worker.read_units) * per_thousand,
                "write_units_per_request": (edge.write_units + worker.write_units) / max(1, args.requests),
                "requests_per_thousand": (edge.requests + worker.requests) * per_thousand,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
