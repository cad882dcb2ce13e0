"""Measure one feed design's refresh cost on a synthetic community, in a fresh process.

    python bench/feed_cost_probe.py --tree <checkout> --members 1000 [--sample 8]

Runs inside `--tree` (this checkout, or the legacy design exported from git by bench_feeds.py):
starts that tree's embedded AWS, provisions that tree's template, writes a community through that
tree's data layer (members with 5 interests each, power-law follows and posting), then bills with
bench/capacity.py (loaded by path, so both trees are billed by the same rules):

- one planner run (shared by everyone);
- refreshes in steady state: each sampled member already has 12 generations, new posts have
  arrived since their last refresh ("changed"), then a refresh with nothing new ("unchanged").

Prints one JSON object on stdout; logs go to stderr.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import itertools
import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

FOLLOWS_PER_MEMBER = 15
INTERESTS_PER_MEMBER = 5
POSTS_PER_MEMBER_PER_DAY = 0.3
WINDOW_HOURS = 70  # posts spread over the trending window (3 days)
GENERATIONS_KEPT = 12


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
            "POWERTOOLS_METRICS_NAMESPACE": "Flint",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
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


@functools.cache
def _cumulative_weights(size: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1 / (rank + 1) ** exponent for rank in range(size)))


def _power_law_choice(rng: random.Random, population: list[str], k: int, exponent: float = 1.0) -> list[str]:
    """k distinct picks, the i-th most popular weighted 1 / i^exponent."""
    cumulative = _cumulative_weights(len(population), exponent)
    chosen: set[str] = set()
    while len(chosen) < k:
        chosen.update(rng.choices(population, cum_weights=cumulative, k=k - len(chosen)))
    return sorted(chosen)


def _community(members: int, rng: random.Random, posts_total: int | None = None) -> list[str]:
    from chalicelib import clock
    from chalicelib.data import keys
    from chalicelib.data.models import FollowItem, UserItem
    from local.bulk import bulk_posts, post_record
    from local.demo_data import INTERESTS
    from local.seed import seed_interests

    seed_interests()
    interest_ids = [interest_id for interest_id, _ in INTERESTS]
    now = clock.now()
    member_ids = [f"m{i:05d}" for i in range(members)]
    popularity = member_ids[:]
    rng.shuffle(popularity)
    posts = []
    for _ in range(posts_total or int(members * POSTS_PER_MEMBER_PER_DAY * WINDOW_HOURS / 24)):
        author = _power_law_choice(rng, popularity, 1, 0.8)[0]
        created = clock.iso(now - timedelta(minutes=rng.uniform(5, WINDOW_HOURS * 60)))
        posts.append(
            post_record(author, _power_law_choice(rng, interest_ids, rng.randint(1, 3), 0.7), created)
        )
    bulk_posts(posts, update_authors=False)
    last_posted: dict[str, str] = {}
    for post in sorted(posts, key=lambda p: p.created_at):
        last_posted[post.author_id] = post.created_at
    today = clock.iso(now)
    with UserItem.batch_write() as batch:
        for user_id in member_ids:
            key, active = keys.user(user_id), keys.active_member(user_id, today)
            batch.save(
                UserItem(
                    key.pk,
                    key.sk,
                    GSI2PK=active.pk,
                    GSI2SK=active.sk,
                    user_id=user_id,
                    display_name=user_id,
                    interests=_power_law_choice(rng, interest_ids, INTERESTS_PER_MEMBER, 0.7),
                    onboarded=True,
                    posts=sum(1 for p in posts if p.author_id == user_id) if user_id in last_posted else 0,
                    created_at=today,
                    last_active_at=today,
                    last_posted_at=last_posted.get(user_id),
                )
            )
    with FollowItem.batch_write() as batch:
        for follower in member_ids:
            for followee in _power_law_choice(rng, popularity, FOLLOWS_PER_MEMBER, 0.8):
                if followee == follower:
                    continue
                edge = keys.follow(follower, followee)
                batch.save(
                    FollowItem(
                        edge.pk,
                        edge.sk,
                        follower_id=follower,
                        followee_id=followee,
                        created_at=today,
                    )
                )
    return member_ids


def _steady_state(member_id: str, table: str) -> None:
    """Give the member the 12 generations a long-running feed has (the legacy refresh reads them all)."""
    import boto3

    from chalicelib.data import keys

    client = boto3.client("dynamodb")
    partition = keys.feed_partition(member_id)
    found = client.query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :gen)",
        ExpressionAttributeValues={":pk": {"S": partition}, ":gen": {"S": keys.GENERATION_PREFIX}},
        ScanIndexForward=False,
        ConsistentRead=True,
    )["Items"]
    newest = found[0]
    generation = newest["SK"]["S"].removeprefix(keys.GENERATION_PREFIX)
    older = [f"{generation[:-5]}{i:02d}{generation[-3:]}" for i in range(GENERATIONS_KEPT - 1)]
    for old in older:
        item = dict(newest)
        item["SK"] = {"S": f"{keys.GENERATION_PREFIX}{old}"}
        item["generation"] = {"S": old}
        client.put_item(TableName=table, Item=item)


def _news_for(sample: list[str], rng: random.Random) -> None:
    """A 5-minute tick's worth of news: a post by someone each sampled member follows, and posts
    in their interests, so every sampled feed has something new (the worst case for cost)."""
    from chalicelib import clock
    from chalicelib.data import social
    from chalicelib.data.feeds import author_info
    from local.bulk import bulk_posts, post_record

    now = clock.iso(clock.now())
    posts = []
    for member_id in sample:
        followee = rng.choice(social.following_ids(member_id))
        interests = author_info([member_id])[member_id].interests
        posts.append(post_record(followee, [rng.choice(interests)], now))
    bulk_posts(posts, update_authors=True)


READER_FOLLOWS = 50
ASSEMBLED_POSTS = 5000
TIMED_RUNS = 5


def _assemble_at_read_time(viewer_id: str) -> int:
    """The feed without precomputation: what a read would have to do to rank it on the spot."""
    from chalicelib import clock
    from chalicelib.data import feeds as store
    from chalicelib.data import posts as post_store
    from chalicelib.data import social
    from chalicelib.services import ranking
    from chalicelib.services.feeds import _parse
    from chalicelib.services.posts import page_size

    now = clock.now()
    member = store.author_info([viewer_id])[viewer_id]
    found: dict[str, ranking.Candidate] = {}
    listed: dict[str, str] = {}
    for interest_id in member.interests:
        for ref in post_store.list_interest_post_ids(interest_id, 30, None).items:
            listed.setdefault(ref.post_id, f"interest:{interest_id}")
    stats = store.post_stats(listed)
    for followee in social.following_ids(viewer_id):
        for s in store.author_recent_stats(followee, 10):
            stats[s.post_id] = s
            listed.setdefault(s.post_id, f"following:{followee}")
    for post_id, reason in listed.items():
        if post_id in stats:
            s = stats[post_id]
            found[post_id] = ranking.Candidate(
                post_id, s.author_id, _parse(s.created_at), s.smiles, s.comments, reasons=[reason]
            )
    ranked = ranking.rank(found.values(), viewer_id=viewer_id, now=now, weights=ranking.RankingWeights())
    window = ranked[: page_size(20, None)]
    hydrated = post_store.hydrate(
        [e.post_id for e in window], viewer_id=viewer_id, author_ids=[e.author_id for e in window]
    )
    return len(hydrated.posts)


def _precomputed_vs_assembled(capacity: Any, rng: random.Random) -> dict[str, Any]:
    from chalicelib import clock
    from chalicelib.auth import Identity
    from chalicelib.data import keys
    from chalicelib.data.models import FollowItem
    from chalicelib.services import feeds

    member_ids = _community(1000, rng, posts_total=ASSEMBLED_POSTS)
    reader = member_ids[0]
    with FollowItem.batch_write() as batch:
        for followee in rng.sample(member_ids[1:], READER_FOLLOWS):
            edge = keys.follow(reader, followee)
            batch.save(
                FollowItem(
                    edge.pk,
                    edge.sk,
                    follower_id=reader,
                    followee_id=followee,
                    created_at=clock.now_iso(),
                )
            )
    feeds.write_shared_lists(clock.now())
    feeds.refresh_member(reader, clock.now_iso())
    viewer = Identity(reader, frozenset(), reader)

    def timed(action: Any) -> tuple[float, Any]:
        samples = []
        for _ in range(TIMED_RUNS):
            with capacity.meter() as bill:
                started = time.perf_counter()
                action()
                samples.append(time.perf_counter() - started)
        return sorted(samples)[len(samples) // 2], bill

    precomputed_seconds, precomputed = timed(lambda: feeds.read_feed(viewer, 20, None))
    assembled_seconds, assembled = timed(lambda: _assemble_at_read_time(reader))
    return {
        "precomputed": {"requests": precomputed.requests, "read_units": precomputed.read_units},
        "assembled": {"requests": assembled.requests, "read_units": assembled.read_units},
        "time_ratio": assembled_seconds / precomputed_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", required=True)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=8)
    parser.add_argument("--assemble", action="store_true", help="precomputed read vs assembled at read")
    args = parser.parse_args()
    tree = Path(args.tree).resolve()
    # PynamoDB's read timeout too (its settings file, read at import): see the SQS client below.
    settings_file = Path(tempfile.mkdtemp()) / "pynamodb_settings.py"
    settings_file.write_text("read_timeout_seconds = 600\nconnect_timeout_seconds = 60\n")
    os.environ["PYNAMODB_CONFIG"] = str(settings_file)
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    capacity = _load_capacity()

    from local.aws_server import EmbeddedAws

    server = EmbeddedAws().start()
    _environment(server.endpoint)
    _partition_first_queries()
    from local.provision import provision

    stack = provision(tree / "infra" / "template.yaml", endpoint_url=server.endpoint)
    os.environ["FLINT_USER_POOL_ID"] = stack.outputs["UserPoolId"]
    os.environ["FLINT_USER_POOL_CLIENT_ID"] = stack.outputs["UserPoolClientId"]

    from botocore.config import Config

    from chalicelib import aws, clock
    from chalicelib.services import feeds
    from chalicelib.settings import get_settings

    # The embedded AWS answers a 10,000-member planner run slowly on a busy machine: the
    # bench's clients wait for it (Lambda's 10 s read timeout is for real AWS).
    aws._CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, read_timeout=600)
    rng = random.Random(2026 + args.members)
    if args.assemble:
        print(json.dumps(_precomputed_vs_assembled(capacity, rng)), flush=True)
        server.stop()
        return
    started = time.monotonic()
    member_ids = _community(args.members, rng)
    built = time.monotonic() - started
    sample = rng.sample(member_ids, args.sample)
    table = get_settings().table_name

    with capacity.meter() as planner:
        feeds.plan(clock.now())
    for member_id in sample:
        feeds.refresh_member(member_id, clock.now_iso())
        _steady_state(member_id, table)

    _news_for(sample, rng)
    feeds.plan(clock.now())
    changed = capacity.Bill()
    for member_id in sample:
        with capacity.meter() as bill:
            feeds.refresh_member(member_id, clock.now_iso())
        changed.add(bill)
    unchanged = capacity.Bill()
    for member_id in sample:
        with capacity.meter() as bill:
            feeds.refresh_member(member_id, clock.now_iso())
        unchanged.add(bill)

    def per_refresh(bill: Any) -> dict[str, Any]:
        n = len(sample)
        return {
            "requests": bill.requests / n,
            "read_units": bill.read_units / n,
            "write_units": bill.write_units / n,
            "cost": bill.cost / n,
            "by_operation": {k: v / n for k, v in sorted(bill.by_operation.items())},
        }

    print(
        json.dumps(
            {
                "members": args.members,
                "sample": len(sample),
                "seconds_to_build": round(built, 1),
                "planner": {
                    "requests": planner.requests,
                    "read_units": planner.read_units,
                    "write_units": planner.write_units,
                    "cost": planner.cost,
                },
                "changed": per_refresh(changed),
                "unchanged": per_refresh(unchanged),
            }
        ),
        flush=True,
    )
    server.stop()


if __name__ == "__main__":
    main()
