"""The invariant checker: does the stored data agree with itself?

Walks the whole table (a Scan: fine in this laptop/operator tool, never in a request path)
and the media bucket, and checks what the write paths promise (docs/data-model.md):

- every counter equals the items it summarises: a post's `smile_count` and `comment_count`,
  a member's `posts`, `smiles_received` (others' smiles only), `followers`, `following`, a
  brand's `followers` (profiles whose `brands_followed` name it), a product's `tag_count`, the
  Enthusiast daily scores (others' smiles only);
- nothing is orphaned: smiles, comments, interest and product listing entries (tags), follow
  edges, search entries (each names a live post, a product, an interest, or a member whose
  profile lists the word), block edges and block lists agree; every live post has its listing
  entries (a post hidden by a moderator keeps them: reads show live posts only);
- every `ready` upload has all its renditions in the media bucket, and every post's uploads
  point back to it; no post is left half-deleted (`state = deleting`);
- brand summaries agree with the posts, smiles and comments they count, with themselves (totals,
  compacted blocks), with their campaigns, and name only marked members (local/brand_invariants.py).

Feed generations are snapshots: an entry whose post was deleted later is filtered out when the
feed is read (and gone at the next refresh), so it is counted, not reported, unless its author
disagrees with the post's.

    make check-invariants          # against `make dev` (reads .flint/dev.env)
    python -m local.invariants --endpoint http://127.0.0.1:5000

Exit status 1 when there is any finding.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer

from local import brand_invariants

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEV_ENV = PROJECT_DIR / ".flint" / "dev.env"
LIVE = "live"
HIDDEN = "hidden"  # by a moderator or a ban (chalicelib/data/posts.py): listed, never shown


@dataclass
class Check:
    name: str
    checked: int = 0
    findings: list[str] = field(default_factory=list)


@dataclass
class Report:
    checks: dict[str, Check] = field(default_factory=dict)
    items: int = 0
    tolerated: Counter[str] = field(default_factory=Counter)

    def check(self, name: str) -> Check:
        return self.checks.setdefault(name, Check(name))

    def expect(self, name: str, ok: bool, finding: str) -> None:
        check = self.check(name)
        check.checked += 1
        if not ok:
            check.findings.append(finding)

    @property
    def findings(self) -> list[str]:
        return [f"{c.name}: {f}" for c in self.checks.values() for f in c.findings]

    def table(self, limit: int = 20) -> str:
        width = max([len(name) for name in self.checks] + [len("check")])
        lines = [
            f"{'check':<{width}}  {'checked':>8}  {'findings':>8}",
            f"{'-' * width}  {'-' * 8}  {'-' * 8}",
        ]
        for check in self.checks.values():
            lines.append(f"{check.name:<{width}}  {check.checked:>8}  {len(check.findings):>8}")
        total = sum(len(c.findings) for c in self.checks.values())
        lines.append(f"{'total':<{width}}  {self.items:>8}  {total:>8}")
        for reason, count in sorted(self.tolerated.items()):
            lines.append(f"(not a finding: {count} {reason})")
        for finding in self.findings[:limit]:
            lines.append(f"  - {finding}")
        if total > limit:
            lines.append(f"  ... and {total - limit} more")
        return "\n".join(lines)


def scan(dynamodb: Any, table: str) -> Iterator[dict[str, Any]]:
    deserializer = TypeDeserializer()
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        for raw in page.get("Items", []):
            yield {k: deserializer.deserialize(v) for k, v in raw.items()}


def media_keys(s3: Any, bucket: str) -> set[str]:
    found: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="media/"):
        found.update(o["Key"] for o in page.get("Contents", []))
    return found


def _n(value: Any) -> int:
    return int(value or 0)


def _json(value: Any) -> Any:
    """PynamoDB's JSONAttribute stores a JSON string: photos, renditions, feed entries."""
    return json.loads(value) if isinstance(value, str) else value


def check(items: Iterable[dict[str, Any]], media: set[str] | None) -> Report:
    """Every finding in these items (and the media bucket's keys, when given)."""
    report = Report()
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        report.items += 1
        by_type[str(item.get("type", "untyped"))].append(item)
    users = {i["user_id"]: i for i in by_type["user"]}
    posts = {i["post_id"]: i for i in by_type["post"]}
    products = {i["product_id"]: i for i in by_type["product"]}
    uploads = {i["upload_id"]: i for i in by_type["upload"]}
    interests = {i["interest_id"] for i in by_type["interest"]}
    smiles_by_post: Counter[str] = Counter()
    comments_by_post: Counter[str] = Counter()

    for smile in by_type["smile"]:
        post = posts.get(smile["post_id"])
        smiles_by_post[smile["post_id"]] += 1
        report.expect("smile has its post", post is not None, f"{smile['PK']} {smile['SK']}")
        if post is not None:
            report.expect(
                "smile names its post's author",
                smile.get("author_id") == post["author_id"],
                f"{smile['PK']} {smile['SK']}",
            )
    for comment in by_type["comment"]:
        if not comment.get("hidden"):  # a comment hidden by a moderator is not counted
            comments_by_post[comment["post_id"]] += 1
        report.expect("comment has its post", comment["post_id"] in posts, f"{comment['PK']} {comment['SK']}")

    posts_by_author: Counter[str] = Counter()
    tags_by_product: Counter[str] = Counter()
    smiles_received: Counter[str] = Counter()
    expected_scores: Counter[tuple[str, str, str]] = Counter()
    # What the author was credited with: an author's smile on their own post counts in the post's
    # smile_count only (chalicelib/data/social.py earns_credit).
    credited_by_post: Counter[str] = Counter()
    smile_days: dict[str, Counter[str]] = defaultdict(Counter)
    for smile in by_type["smile"]:
        post = posts.get(smile["post_id"])
        if post is not None and smile.get("user_id") == post["author_id"]:
            continue
        credited_by_post[smile["post_id"]] += 1
        smile_days[smile["post_id"]][str(smile["created_at"])[:10]] += 1
    listed = {(i["PK"], i["SK"]) for i in by_type["post_ref"]}
    for post_id, post in posts.items():
        state = post.get("state", LIVE)
        report.expect("no post is left half-deleted", state in (LIVE, HIDDEN), f"post {post_id} is {state!r}")
        posts_by_author[post["author_id"]] += 1
        for product_id in post.get("product_ids") or []:
            tags_by_product[product_id] += 1
        if not post.get("smiles_settled"):
            smiles_received[post["author_id"]] += credited_by_post[post_id]
            for day, count in smile_days[post_id].items():
                for interest in post.get("interests") or []:
                    expected_scores[(interest, day, post["author_id"])] += count
        report.expect(
            "post smile_count = its smiles",
            _n(post.get("smile_count")) == smiles_by_post[post_id],
            f"post {post_id}: smile_count {_n(post.get('smile_count'))}, {smiles_by_post[post_id]} smiles",
        )
        report.expect(
            "post comment_count = its comments",
            _n(post.get("comment_count")) == comments_by_post[post_id],
            f"post {post_id}: comment_count {_n(post.get('comment_count'))}, "
            f"{comments_by_post[post_id]} comments",
        )
        report.expect(
            "post has its author", post["author_id"] in users, f"post {post_id} by {post['author_id']}"
        )
        if state != LIVE:
            continue
        for interest in post.get("interests") or []:
            report.expect(
                "live post is listed under its interests",
                (f"INTEREST#{interest}", f"POST#{post_id}") in listed,
                f"post {post_id} missing from interest {interest}",
            )
        for product_id in post.get("product_ids") or []:
            report.expect(
                "live post is listed under its products",
                (f"PRODUCT#{product_id}", f"TAGGED#{post_id}") in listed,
                f"post {post_id} missing from product {product_id}",
            )
            report.expect(
                "tagged product exists", product_id in products, f"post {post_id} tags {product_id}"
            )
        for photo in _json(post.get("photos")) or []:
            upload = uploads.get(photo.get("upload_id"))
            report.expect(
                "post's uploads point back to it",
                upload is not None and upload.get("post_id") == post_id,
                f"post {post_id} photo {photo.get('upload_id')}",
            )

    for ref in by_type["post_ref"]:
        post = posts.get(ref["post_id"])
        report.expect(
            "listing entry has a live post",
            post is not None and post.get("state", LIVE) in (LIVE, HIDDEN),
            f"{ref['PK']} {ref['SK']}",
        )
        partition = str(ref["PK"])
        if partition.startswith("PRODUCT#"):
            report.expect(
                "tag entry names a tagged product",
                post is None or partition.removeprefix("PRODUCT#") in (post.get("product_ids") or []),
                f"{ref['PK']} {ref['SK']}",
            )
        elif partition.startswith("INTEREST#"):
            interest = partition.removeprefix("INTEREST#")
            report.expect(
                "listing entry's interest exists", interest in interests, f"{ref['PK']} {ref['SK']}"
            )

    followers: Counter[str] = Counter()
    following: Counter[str] = Counter()
    for edge in by_type["follow"]:
        followers[edge["followee_id"]] += 1
        following[edge["follower_id"]] += 1
        report.expect(
            "follow edge joins two members",
            edge["follower_id"] in users and edge["followee_id"] in users,
            f"{edge['PK']} {edge['SK']}",
        )
    for user_id, user in users.items():
        for name, expected in (
            ("posts", posts_by_author[user_id]),
            ("smiles_received", smiles_received[user_id]),
            ("followers", followers[user_id]),
            ("following", following[user_id]),
        ):
            report.expect(
                f"member {name} = its items",
                _n(user.get(name)) == expected,
                f"member {user_id}: {name} {_n(user.get(name))}, expected {expected}",
            )

    # Brand follows (issue 22): the profiles' sets are the edges, the brand's `followers` counts them.
    brand_followers: Counter[str] = Counter()
    brands = {i["brand_id"]: i for i in by_type["brand"]}
    for user_id, user in users.items():
        for brand_id in user.get("brands_followed") or ():
            brand_followers[brand_id] += 1
            report.expect("a followed brand exists", brand_id in brands, f"member {user_id}: {brand_id}")
    for brand_id, brand in brands.items():
        report.expect(
            "brand followers = members following it",
            _n(brand.get("followers")) == brand_followers[brand_id],
            f"brand {brand_id}: followers {_n(brand.get('followers'))}, expected {brand_followers[brand_id]}",
        )

    for product_id, product in products.items():
        report.expect(
            "product tag_count = posts tagging it",
            _n(product.get("tag_count")) == tags_by_product[product_id],
            f"product {product_id}: tag_count {_n(product.get('tag_count'))}, "
            f"{tags_by_product[product_id]} posts",
        )
    for entry in by_type["search"]:
        kind, entity_id, where = entry.get("kind"), entry.get("entity_id"), f"{entry['PK']} {entry['SK']}"
        word = str(entry["SK"]).rsplit("#", 1)[0]
        if kind == "product":
            report.expect("search entry has its product", entity_id in products, where)
        elif kind == "interest":
            report.expect("search entry has its interest", entity_id in interests, where)
        elif kind == "post":
            post = posts.get(entity_id)
            report.expect(
                "search entry has a live post", post is not None and post.get("state", LIVE) == LIVE, where
            )
        elif kind == "member":
            user = users.get(entity_id)
            report.expect(
                "search entry is one of its member's words",
                user is not None and not user.get("banned") and word in (user.get("search_words") or []),
                where,
            )
        else:
            report.expect("search entry has a known kind", False, where)

    edges = {(e["blocker_id"], e["blocked_id"]) for e in by_type["block_edge"]}
    lists = {
        (str(b["PK"]).removeprefix("USER#"), blocked)
        for b in by_type["block_list"]
        for blocked in b.get("ids") or []
    }
    for blocker, blocked in sorted(edges ^ lists):
        report.expect("block list and block edges agree", False, f"{blocker} blocks {blocked}")

    stored_scores = {
        (s["interest_id"], s["day"], s["author_id"]): _n(s.get("smiles")) for s in by_type["score"]
    }
    for key in set(stored_scores) | set(expected_scores):
        report.expect(
            "daily score = smiles that day",
            stored_scores.get(key, 0) == expected_scores[key],
            f"score {key}: {stored_scores.get(key, 0)}, expected {expected_scores[key]}",
        )

    for upload_id, upload in uploads.items():
        post_id = upload.get("post_id")
        if post_id:
            post = posts.get(post_id)
            photos = _json(post.get("photos")) if post is not None else None
            report.expect(
                "attached upload's post has it",
                any(p.get("upload_id") == upload_id for p in photos or []),
                f"upload {upload_id} -> post {post_id}",
            )
        if upload.get("status") == "ready" and media is not None:
            renditions = _json(upload.get("renditions")) or {}
            missing = sorted(name for name, r in renditions.items() if r.get("key") not in media)
            report.expect(
                "ready upload has its thumbnails",
                bool(renditions) and not missing,
                f"upload {upload_id}: missing {missing or 'every rendition'}",
            )

    brand_invariants.check_brands(report, by_type)

    for feed in by_type["feed"]:
        for entry in _json(feed.get("entries")) or []:
            post = posts.get(entry.get("p"))
            if post is None or post.get("state", LIVE) != LIVE:
                report.tolerated["feed entries of deleted posts (filtered when read)"] += 1
                continue
            report.expect(
                "feed entry names its post's author",
                entry.get("a") == post["author_id"],
                f"{feed['PK']} {feed['SK']} entry {entry.get('p')}",
            )
    return report


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        try:
            return zlib.decompress(bytes(value)).decode("utf-8", "replace")  # a packed feed generation
        except zlib.error:
            return bytes(value).decode("utf-8", "replace")
    if hasattr(value, "value") and isinstance(value.value, bytes):  # boto3's Binary
        return _text(value.value)
    if isinstance(value, dict):
        return " ".join(f"{k} {_text(v)}" for k, v in value.items())
    if isinstance(value, list | set | tuple):
        return " ".join(_text(v) for v in value)
    return str(value)


def member_residue(items: Iterable[dict[str, Any]], member_id: str) -> list[str]:
    """Every item that still names the member anywhere (keys, index keys, attributes, packed feeds).

    After an erasure (DELETE /me) this is empty, except for ids of the member and their deleted
    posts in *other* members' feed generations (dropped when read, gone with the generation: a week
    at most), in the feed change log (expires after 2 days) and in the shared candidate lists (the
    posts' deletions are logged: they leave at the next planner run), and the moderation audit trail
    (kept: the record of what moderators did): docs/privacy.md. Those are not listed.
    """
    found = []
    for item in items:
        if member_id not in _text(item):
            continue
        if item.get("type") == "feed" and item.get("PK") != f"FEED#{member_id}":
            continue
        if item.get("type") in ("feed_change", "feed_list", "audit"):
            continue
        found.append(f"{item.get('PK')} {item.get('SK')} type={item.get('type')}")
    return sorted(found)


def run(*, endpoint: str | None, table: str, media_bucket: str, region: str = "us-east-1") -> Report:
    options: dict[str, Any] = {"region_name": region, "endpoint_url": endpoint}
    if endpoint:  # the local stack takes any credentials
        options.update(aws_access_key_id="testing", aws_secret_access_key="testing")
    dynamodb = boto3.client("dynamodb", **options)
    s3 = boto3.client("s3", **options)
    return check(scan(dynamodb, table), media_keys(s3, media_bucket))


def _dev_env() -> dict[str, str]:
    if not DEV_ENV.is_file():
        return {}
    pairs = (line.split("=", 1) for line in DEV_ENV.read_text().splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def main(argv: list[str] | None = None) -> int:
    env = {**_dev_env(), **os.environ}
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--endpoint", default=env.get("AWS_ENDPOINT_URL"), help="AWS endpoint (the local stack)"
    )
    parser.add_argument("--table", default=env.get("FLINT_TABLE_NAME", "flint-dev"))
    parser.add_argument("--media-bucket", default=env.get("FLINT_MEDIA_BUCKET", "flint-dev-media"))
    parser.add_argument("--region", default=env.get("AWS_DEFAULT_REGION", "us-east-1"))
    parser.add_argument("--member", help="also list every item still naming this member (after DELETE /me)")
    args = parser.parse_args(argv)
    report = run(endpoint=args.endpoint, table=args.table, media_bucket=args.media_bucket, region=args.region)
    print(report.table())
    residue: list[str] = []
    if args.member:
        options: dict[str, Any] = {"region_name": args.region, "endpoint_url": args.endpoint}
        if args.endpoint:
            options.update(aws_access_key_id="testing", aws_secret_access_key="testing")
        residue = member_residue(scan(boto3.client("dynamodb", **options), args.table), args.member)
        print(f"items naming member {args.member}: {len(residue)}", *residue, sep="\n  ")
    return 1 if report.findings or residue else 0


if __name__ == "__main__":
    sys.exit(main())
