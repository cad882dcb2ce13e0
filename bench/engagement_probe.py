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
- the worker: what the edge queued, delivered to the tree's own handler in batches of up to 10
  messages (one message group a batch on a FIFO queue, as SQS returns them), after every
  `--drain-every` requests (0: once at the end, a queue with a backlog).

Prints one JSON object on stdout; logs go to stderr.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import sys
import time
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


def _feed_probe() -> Any:
    """bench/feed_cost_probe.py, loaded by path: its capacity loader and environment are reused."""
    path = Path(__file__).resolve().parent / "feed_cost_probe.py"
    spec = importlib.util.spec_from_file_location("flint_feed_cost_probe", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _environment(feed_probe: Any, endpoint: str) -> None:
    feed_probe._environment(endpoint)
    # Out of the way, in both trees (the older one does not merge overrides with defaults).
    os.environ["FLINT_RATE_LIMITS"] = json.dumps({name: [1_000_000, 3600] for name in LIMIT_NAMES})


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


_sent: list[tuple[str, str | None]] = []  # (body, message group) as the edge queued them


def _capture_sends() -> None:
    """Keep what the edge queues instead of sending it: delivery is modelled below, the same way
    for both designs, and SQS is not what is billed here."""
    from chalicelib.data import queues

    def send(queue_name: str, bodies: list[Any]) -> int:
        for body in bodies:
            _sent.append((body, None) if isinstance(body, str) else (body.body, body.group))
        return len(bodies)

    queues.send = send  # type: ignore[assignment]


def _drain() -> int:
    """Deliver what was queued to the tree's handler as SQS and Lambda do: batches of up to 10; for
    a FIFO queue each batch holds one message group's messages, in order (SQS "returns as many
    messages with the same message group ID as possible"). Returns the batches delivered."""
    from app import app
    from local.event_runner import lambda_context, sqs_event

    pending, _sent[:] = list(_sent), []
    by_group: dict[str | None, list[str]] = {}
    for body, group in pending:
        by_group.setdefault(group, []).append(body)
    batches = 0
    for bodies in by_group.values():
        for start in range(0, len(bodies), 10):
            messages = [
                {"MessageId": f"m{start + i}", "ReceiptHandle": "r", "Body": body, "Attributes": {}}
                for i, body in enumerate(bodies[start : start + 10])
            ]
            event = sqs_event(messages, "arn:aws:sqs:us-east-1:123456789012:engagement")
            result = app.handler_map["engagement_worker"](event, lambda_context("engagement_worker"))
            assert not (result or {}).get("batchItemFailures"), result
            batches += 1
    return batches


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
    feed_probe = _feed_probe()
    capacity = feed_probe._load("capacity")

    from local.aws_server import EmbeddedAws

    server = EmbeddedAws().start()
    _environment(feed_probe, server.endpoint)
    from local.provision import provision

    provision(str(tree / "infra" / "template.yaml"), endpoint_url=server.endpoint)
    rng = random.Random(20)
    posts = _posts(args.tags, rng)
    from chalicelib.services import engagement

    today = not hasattr(engagement, "aggregate_events")
    _capture_sends()
    # Warm up, unmetered: each brand's first event of the day creates its day item and head once a
    # day, which is not what a thousand events cost in steady state.
    for index in range(args.warm_up):
        _send(today, f"warm-{index}", _batch(rng, posts))
    _drain()
    accepted, batches, messages = 0, 0, 0
    edge = capacity.Bill()
    worker = capacity.Bill()
    worker_cpu = 0.0

    def deliver() -> None:
        nonlocal batches, messages, worker_cpu
        messages += len(_sent)
        started = time.thread_time()
        with capacity.meter() as bill:
            batches += _drain()
        worker_cpu += time.thread_time() - started
        worker.add(bill)

    for index in range(args.requests):
        with capacity.meter() as bill:
            accepted += _send(today, f"viewer-{index}", _batch(rng, posts))
        edge.add(bill)
        if args.drain_every and (index + 1) % args.drain_every == 0:
            deliver()
    deliver()
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
                "worker_read_units": worker.read_units * per_thousand,
                "worker_requests": worker.requests * per_thousand,
                "worker_cpu_ms": worker_cpu * 1000 * per_thousand,
                "worker_invocations": batches * per_thousand,
                "messages_per_invocation": messages / max(1, batches),
                "write_units_per_request": (edge.write_units + worker.write_units) / max(1, args.requests),
                "requests_per_thousand": (edge.requests + worker.requests) * per_thousand,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
