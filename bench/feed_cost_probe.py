"""Measure one design's costs on a synthetic community, in a fresh process.

    python bench/feed_cost_probe.py --tree <checkout> --mode feeds --members 1000 --follows 150
    python bench/feed_cost_probe.py --tree <checkout> --mode planner --window 100000
    python bench/feed_cost_probe.py --tree <checkout> --mode ops

Runs inside `--tree` (this checkout, or an older design exported from git by bench_feeds.py):
starts that tree's embedded AWS, provisions that tree's template, writes a community through that
tree's data models (bench/community.py) and bills every DynamoDB request with bench/capacity.py
(loaded by path, so every design is billed by the same rules). CPU is the calling thread's
(`time.thread_time`): the embedded AWS serves from other threads and is not counted.

Modes:
- feeds: one planner run and member refreshes in steady state, at a 5-minute tick's news: the
  first refresh of a member, a refresh with news ("changed") and one with none ("unchanged").
  `--follows` is the sampled readers' follow count (everyone else follows 15).
- planner (today's design): a planner run at a 1 million-member change rate with `--window`
  posts in the window, the lists already built from them.
- ops: one request of each kind through the app (chalice's test client, real tokens from the
  embedded Cognito): feed pages, a post page, smile, comment, follow, publish, an events batch
  and its worker, and the stream worker's share per post.

Prints one JSON object on stdout; logs go to stderr.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
POSTS_PER_MEMBER_PER_DAY = 0.3
WINDOW_HOURS = 70  # posts spread over the trending window (3 days)
GENERATIONS_KEPT = 12
BASE_FOLLOWS = 15
# A 5-minute tick at 1 million weekly members on the 0.47-daily trace (bench/cost_model.py):
# 1,042 posts, 3,264 smiles and 326 comments on ~2,000 distinct posts, 5 deletions, logged by
# the stream handler in ~100 batches.
TICK_POSTS, TICK_COUNTER_POSTS, TICK_DELETIONS, TICK_BATCHES = 1042, 2000, 5, 100


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"flint_bench_{name}", BENCH / f"{name}.py")
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
            "POWERTOOLS_METRICS_NAMESPACE": "Flint",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
    )


def _partition_first_queries() -> None:
    """Speed only: moto sorts the whole table for every Query; its Query code sorts matches itself."""
    from moto.dynamodb.models.table import Table

    def unsorted_items(table: Table) -> list[Any]:
        if not table.range_key_attr:
            return list(table.items.values())
        return [item for partition in table.items.values() for item in partition.values()]

    Table.all_items = unsorted_items  # type: ignore[method-assign]


def _design() -> str:
    from chalicelib.services import feeds

    if hasattr(feeds, "update_shared_lists"):
        return "today"
    if hasattr(feeds, "write_shared_lists"):
        return "previous"
    return "first"


class Meter:
    """DynamoDB units, requests and the calling thread's CPU of a block, summed over blocks."""

    def __init__(self, capacity: Any):
        self.capacity = capacity
        self.bill = capacity.Bill()
        self.cpu = 0.0
        self.count = 0

    def run(self, action: Callable[[], Any]) -> Any:
        with self.capacity.meter() as bill:
            started = time.thread_time()
            result = action()
            self.cpu += time.thread_time() - started
        self.bill.add(bill)
        self.count += 1
        return result

    def per(self, n: int | None = None) -> dict[str, Any]:
        n = n or max(1, self.count)
        return {
            "requests": self.bill.requests / n,
            "read_units": self.bill.read_units / n,
            "write_units": self.bill.write_units / n,
            "cost": self.bill.cost / n,
            "cpu_ms": 1000 * self.cpu / n,
            "by_operation": {k: v / n for k, v in sorted(self.bill.by_operation.items())},
        }


# --- today's design: the change log the stream handler writes -------------------------------


def _changes_of(posts: list[Any], *, new: bool, live: bool = True, smiles: int = 0) -> list[Any]:
    from chalicelib.data.feeds import PostChange

    return [
        PostChange(p.post_id, p.author_id, p.created_at, list(p.interests), smiles, 0, live, new)
        for p in posts
    ]


def _log(changes: list[Any], batch: int = 200, at: Any = None) -> None:
    """Log changes as the stream handler does; `at` dates the items (the window's, in the past)."""
    from chalicelib.services import feeds

    for start in range(0, len(changes), batch):
        feeds.log_post_changes(changes[start : start + batch], f"bench-{start}-{random.random():.6f}", now=at)


def _plan_shards(now: Any) -> int:
    """Today's design: what the worker does with the planner's shard messages (members queued)."""
    from chalicelib import clock
    from chalicelib.data import keys
    from chalicelib.services import feeds
    from chalicelib.settings import get_settings

    since = clock.iso(now - timedelta(minutes=get_settings().feed_active_minutes))
    return sum(feeds.plan_shard(shard, since, clock.iso(now)) for shard in range(keys.ACTIVE_SHARDS))


def _steady_state(member_id: str, table: str) -> None:
    """Give the member the 12 generations a long-running feed has (the first refresh reads them all)."""
    import boto3

    from chalicelib.data import keys

    client = boto3.client("dynamodb")
    found = client.query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :gen)",
        ExpressionAttributeValues={
            ":pk": {"S": keys.feed_partition(member_id)},
            ":gen": {"S": keys.GENERATION_PREFIX},
        },
        ScanIndexForward=False,
        ConsistentRead=True,
    )["Items"]
    if not found:
        return
    newest = found[0]
    for i in range(GENERATIONS_KEPT - 1):
        old = f"2020-01-01T00:00:{i:02d}.000Z"  # older than any real generation
        item = dict(newest)
        item["SK"] = {"S": f"{keys.GENERATION_PREFIX}{old}"}
        item["generation"] = {"S": old}
        client.put_item(TableName=table, Item=item)


def _news(community: Any, member_id: str, rng: random.Random) -> list[Any]:
    """A tick's news for one reader: a post by someone they follow and one by someone they do not
    follow in one of their interests (published through the tree's own transaction): their feed
    has the same news whatever their follow count."""
    from chalicelib import clock
    from chalicelib.data import posts as post_store

    community_module = sys.modules["flint_bench_community"]
    now = clock.now()
    posts = []
    followee = rng.choice(community.follows[member_id])
    followed = set(community.follows[member_id])
    stranger = rng.choice([m for m in community.member_ids if m != member_id and m not in followed])
    for author in (followee, stranger):
        interests = [rng.choice(community.interests[member_id])]
        record = community_module.post_record(rng, author, interests, now, community.catalog)
        record = type(record)(
            **{**record.__dict__, "photos": [], "product_ids": [], "kind": "idea", "body": "x"}
        )
        post_store.create_post(record)
        posts.append(record)
    return posts


def feeds_mode(args: argparse.Namespace, capacity: Any, community_module: Any) -> dict[str, Any]:
    from chalicelib import clock
    from chalicelib.services import feeds
    from chalicelib.settings import get_settings

    design = _design()
    rng = random.Random(2026 + args.members + args.follows)
    started = time.monotonic()
    community = community_module.build(
        rng, args.members, BASE_FOLLOWS, POSTS_PER_MEMBER_PER_DAY, WINDOW_HOURS
    )
    sample = rng.sample(community.member_ids, args.sample)
    if args.follows != BASE_FOLLOWS:
        extra = {m: [f for f in community.popularity if f != m][: args.follows] for m in sample}
        # the readers' profiles carry their new follow count (today: the follow version too)
        community_module.write_follows(extra, clock.now_iso())
        community.follows.update(extra)
        community_module.write_members(
            sample,
            community.interests,
            [p for p in community.posts if p.author_id in sample],
            community.follows,
            {},
            clock.now_iso(),
        )
    built = time.monotonic() - started
    table = get_settings().table_name
    now = clock.now()
    if design == "today":
        # The window's posts were ingested over the past days, one tick at a time: the settling
        # run is dated before the refreshes' run-record overlap, so its one record naming every
        # author is not mistaken for a tick's news.
        _log(_changes_of(community.posts, new=True), at=now - timedelta(minutes=30))
        feeds.update_shared_lists(now - timedelta(minutes=15))
    feeds.plan(now)

    first = Meter(capacity)
    for member_id in sample:
        first.run(lambda m=member_id: feeds.refresh_member(m, clock.now_iso()))
        if design != "today":
            _steady_state(member_id, table)

    # Each reader in turn: brought up to date, then one tick's news for them, the planner run
    # (the stream handler's log first, today), a refresh with that news, and one with none.
    stream_log, planner, shards = Meter(capacity), Meter(capacity), Meter(capacity)
    changed, unchanged = Meter(capacity), Meter(capacity)
    queued = 0
    for member_id in sample:
        feeds.refresh_member(member_id, clock.now_iso())
        news = _news(community, member_id, rng)
        if design == "today":
            stream_log.run(lambda n=news: _log(_changes_of(n, new=True), batch=len(n)))
        tick = clock.now()
        planner.run(lambda t=tick: feeds.plan(t))
        if design == "today":
            # today's planner fans the active tier out: the worker queries each index shard and
            # queues the members (the earlier designs do it inside the run): billed per member
            queued += shards.run(lambda t=tick: _plan_shards(t))
        changed.run(lambda m=member_id: feeds.refresh_member(m, clock.now_iso()))
        unchanged.run(lambda m=member_id: feeds.refresh_member(m, clock.now_iso()))
    return {
        "design": design,
        "members": args.members,
        "follows": args.follows,
        "sample": len(sample),
        "posts": len(community.posts),
        "seconds_to_build": round(built, 1),
        "planner": planner.per(),
        "active_members": args.members,
        "shards_per_member_queued": shards.per(max(1, queued)) if design == "today" else None,
        "stream_log": stream_log.per(2 * len(sample)) if design == "today" else None,
        "first": first.per(),
        "changed": changed.per(),
        "unchanged": unchanged.per(),
    }


# --- today's planner at a million members' change rate ---------------------------------------


def _insert_posts(posts: list[Any]) -> None:
    """Speed only: the window's posts put straight into the embedded table (in this process),
    item for item what the tree's models write, without a request each."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.settings import get_settings

    community_module = sys.modules["flint_bench_community"]
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(get_settings().table_name)
    for post in posts:
        table.put_item(community_module.post_item(post).serialize())


def planner_mode(args: argparse.Namespace, capacity: Any, community_module: Any) -> dict[str, Any]:
    """The lists built from `window` posts (they are in the table too), then one planner run with a
    tick's changes at the 1 million-member rate. The run reads the change log and the lists it
    touches, never the posts: its cost should not move with the window."""
    from chalicelib import clock
    from chalicelib.services import feeds

    assert _design() == "today", "the planner mode measures today's incremental planner"
    rng = random.Random(7 + args.window)
    community_module.write_catalog()
    from local.seed import seed_interests

    seed_interests()
    topics = community_module.interest_ids()
    authors = [f"author-{i:06d}" for i in range(max(1000, args.window // 10))]
    now = clock.now()
    started = time.monotonic()
    window: list[Any] = []
    for start in range(0, args.window, 5000):
        chunk = [
            community_module.post_record(
                rng,
                rng.choice(authors),
                rng.sample(topics, rng.randint(1, 3)),
                now - timedelta(minutes=rng.uniform(10, WINDOW_HOURS * 60)),
                community_module.Catalog([], {}, {}),
            )
            for _ in range(min(5000, args.window - start))
        ]
        chunk = [type(p)(**{**p.__dict__, "photos": [], "product_ids": []}) for p in chunk]
        _insert_posts(chunk)
        _log(_changes_of(chunk, new=True), batch=2500, at=now - timedelta(hours=1))
        window += chunk
    # the lists as the window's posts left them, ingested before this tick's overlap
    feeds.update_shared_lists(clock.now() - timedelta(minutes=30))
    built = time.monotonic() - started
    # One tick of changes, in the stream handler's batches: new posts, counters, deletions.
    tick = clock.now() + timedelta(minutes=5)
    new_posts = [
        community_module.post_record(
            rng,
            rng.choice(authors),
            rng.sample(topics, rng.randint(1, 3)),
            tick,
            community_module.Catalog([], {}, {}),
        )
        for _ in range(TICK_POSTS)
    ]
    engaged = rng.sample(window, min(TICK_COUNTER_POSTS, len(window)))
    changes = _changes_of(new_posts, new=True)
    changes += _changes_of(engaged, new=False, smiles=3)
    changes += _changes_of(rng.sample(window, TICK_DELETIONS), new=False, live=False)
    rng.shuffle(changes)
    log = Meter(capacity)  # what the stream handler writes for this tick
    log.run(lambda: _log(changes, batch=max(1, len(changes) // TICK_BATCHES)))
    # The planner's Lambda holds neither the window's posts nor the table; this process holds both.
    # Frozen out of the collector, so that a full collection's walk over them is not billed to the
    # run (it made the run's ~0.1 s of CPU vary by half, more often the larger the window).
    gc.collect()
    gc.freeze()
    run = Meter(capacity)
    run.run(lambda: feeds.update_shared_lists(tick))
    return {
        "design": "today",
        "window": args.window,
        "changes": len(changes),
        "seconds_to_build": round(built, 1),
        "run": run.per(1),
        "log": log.per(1),
    }


# --- one request of each kind through the app ------------------------------------------------


def ops_mode(args: argparse.Namespace, capacity: Any, community_module: Any) -> dict[str, Any]:
    import boto3
    from chalice.test import Client

    from app import app
    from chalicelib import clock
    from chalicelib.services import feeds
    from local.cognito import sign_in, sign_up_member
    from local.event_runner import EventRunner

    design = _design()
    rng = random.Random(11)
    community = community_module.build(rng, 150, BASE_FOLLOWS, POSTS_PER_MEMBER_PER_DAY, WINDOW_HOURS)
    cognito = boto3.client("cognito-idp")
    pool, client_id = os.environ["FLINT_USER_POOL_ID"], os.environ["FLINT_USER_POOL_CLIENT_ID"]

    def member(name: str) -> tuple[str, dict[str, str]]:
        email = f"{name}@bench.example.com"
        user_id = sign_up_member(
            cognito,
            pool_id=pool,
            client_id=client_id,
            email=email,
            password="Bench-pass-2026!",
            groups=["prime"],
        )
        token = sign_in(cognito, client_id=client_id, email=email, password="Bench-pass-2026!")["IdToken"]
        return user_id, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    runner = EventRunner(app, boto3.client("sqs"), wait_seconds=0, streams=boto3.client("dynamodbstreams"))
    results: dict[str, Any] = {"design": design}
    with Client(app, stage_name="dev", project_dir=str(Path.cwd())) as api:
        reader, headers = member("reader")
        _, other_headers = member("other")
        for h in (headers, other_headers):
            api.http.put(
                "/me/interests",
                body=json.dumps({"interests": community.interests[community.member_ids[0]]}),
                headers=h,
            )
        for followee in community.popularity[:BASE_FOLLOWS]:
            api.http.put(f"/users/{followee}/follow", headers=headers)
        stream = next(s for s in runner.stream_sources)
        while runner.poll_stream_once(stream):
            pass
        now = clock.now()
        if design == "today":
            feeds.update_shared_lists(now)
        else:
            feeds.plan(now)
        feeds.refresh_member(reader, clock.now_iso())
        tagged = [p for p in community.posts if p.product_ids][:40]

        def measure(name: str, action: Callable[[], Any], repeat: int = 3) -> None:
            meter = Meter(capacity)
            for _ in range(repeat):
                response = meter.run(action)
                status = getattr(response, "status_code", 200)
                if status >= 400:
                    raise RuntimeError(f"{name}: {status} {response.body[:300]!r}")
            results[name] = meter.per()

        api.http.get("/feed?limit=20", headers=headers)  # warm: the first read queues a refresh
        measure("feed_page_member", lambda: api.http.get("/feed?limit=20", headers=headers))
        measure("feed_page_anonymous", lambda: api.http.get("/feed?limit=20"))
        measure("post_page", lambda: api.http.get(f"/posts/{tagged[0].post_id}", headers=headers))
        targets = iter(tagged[1:])
        measure("smile", lambda: api.http.put(f"/posts/{next(targets).post_id}/smile", headers=headers))
        measure(
            "comment",
            lambda: api.http.post(
                f"/posts/{next(targets).post_id}/comments",
                body=json.dumps({"text": "Lovely light."}),
                headers=headers,
            ),
        )
        followees = iter(community.popularity[BASE_FOLLOWS:])
        measure("follow", lambda: api.http.put(f"/users/{next(followees)}/follow", headers=headers))
        measure(
            "publish",
            lambda: api.http.post(
                "/posts",
                body=json.dumps(
                    {"kind": "idea", "caption": "A quick idea", "body": "Details.", "interests": ["hiking"]}
                ),
                headers=other_headers,
            ),
        )
        batch = iter(range(1000))
        seen = [p for p in community.posts][:20]

        def events() -> Any:
            body = {
                "batch_id": f"bench-batch-{next(batch):04d}",
                "events": [{"type": "impression", "post_id": p.post_id} for p in seen[:19]]
                + [
                    {
                        "type": "tag_click",
                        "post_id": tagged[0].post_id,
                        "product_id": tagged[0].product_ids[0],
                    }
                ],
            }
            return api.http.post("/events", body=json.dumps(body), headers=headers)

        measure("events_batch_api", events)
        queue = next((s for s in runner.queue_sources if s.name == "engagement_worker"), None)
        if queue is not None:
            # One delivery per client batch: shown for reference; the cost model takes the worker
            # from bench/engagement_probe.py, which delivers several messages an invocation.
            measure("events_batch_worker", lambda: runner.poll_queue_once(queue))
        results["events_per_batch"] = 20
        # The stream worker: everything the requests above changed (posts, smiles, comments,
        # follows, feeds...), per post-related record.
        meter = Meter(capacity)
        delivered = 0
        while True:
            read = meter.run(lambda: runner.poll_stream_once(stream))
            if not read:
                break
            delivered += read
        results["stream_records"] = delivered
        results["stream_total"] = meter.per(1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", required=True)
    parser.add_argument("--mode", choices=["feeds", "planner", "ops"], default="feeds")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--follows", type=int, default=BASE_FOLLOWS)
    parser.add_argument("--sample", type=int, default=6)
    parser.add_argument("--window", type=int, default=10_000)
    args = parser.parse_args()
    tree = Path(args.tree).resolve()
    # PynamoDB's read timeout too (its settings file, read at import): the embedded AWS is slow
    # to answer big requests on a busy machine.
    settings_file = Path(tempfile.mkdtemp()) / "pynamodb_settings.py"
    settings_file.write_text("read_timeout_seconds = 600\nconnect_timeout_seconds = 60\n")
    os.environ["PYNAMODB_CONFIG"] = str(settings_file)
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    capacity = _load("capacity")
    community_module = _load("community")
    sys.modules["flint_bench_community"] = community_module

    from local.aws_server import EmbeddedAws

    server = EmbeddedAws().start()
    _environment(server.endpoint)
    _partition_first_queries()
    from local.provision import provision

    stack = provision(tree / "infra" / "template.yaml", endpoint_url=server.endpoint)
    os.environ["FLINT_USER_POOL_ID"] = stack.outputs["UserPoolId"]
    os.environ["FLINT_USER_POOL_CLIENT_ID"] = stack.outputs["UserPoolClientId"]

    from botocore.config import Config

    from chalicelib import aws

    aws._CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, read_timeout=600)
    mode = {"feeds": feeds_mode, "planner": planner_mode, "ops": ops_mode}[args.mode]
    print(json.dumps(mode(args, capacity, community_module)), flush=True)
    server.stop()


if __name__ == "__main__":
    main()
