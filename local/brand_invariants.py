"""The invariant checker's brand half: brand summaries recomputed from the items they summarise.

Called by local/invariants.py `check()` with the scanned items grouped by type. What it checks
(services/summaries.py and services/engagement.py are the rules):

- **per post and day**: a live post's entry in its brand's day item holds exactly the post
  (on the day it was created), the smiles and the comments others gave it that day (a member's
  own never count). Smiles and comments are the source items, so a lost or doubled count is a
  finding. Impressions, taps and clicks leave no item to recompute from; they are checked by
  the sums below. A post missing from a full list (its counts moved to `rest`) is tolerated.
- **sums**: every period's day totals equal its post list plus the list's `rest` (each fact
  goes into both); a compacted day equals its day in the week and 4-week blocks.
- **campaigns**: each tracked campaign is a campaign of the brand over the brand's products; on
  every day of a day item whose post list is complete, the campaign's counts (live plus its
  backfill) are exactly its posts' entries, and never more than the brand's.
- **audiences**: every member a summary names (author and engaged-member lists, a listed post's
  author) has the brand's mark with its GSI4 entry (erasure finds them by it) and a profile.

The checker expects a settled stack (queues and the stream delivered): a brand with no summary
at all is counted as not aggregated yet, not as a finding. Deleted posts keep their history in
the summaries (their items are gone): they are not recomputed, and a brand day holding only
deleted posts is not a finding.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from chalicelib.data.summaries import (
    CLICKS,
    COMMENTS,
    LIMITS,
    POSTS,
    SMILES,
    Sketch,
    add,
    zero,
)
from chalicelib.services.summaries import blocks_of

if TYPE_CHECKING:
    from local.invariants import Report

COUNTED = slice(0, CLICKS + 1)  # posts .. product clicks: what campaigns count (filtered ones apart)
LIVE = "live"


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _bytes(value: Any) -> bytes | None:
    if value is None:
        return None
    return bytes(value.value) if hasattr(value, "value") else bytes(value)


def _vectors(value: Any) -> dict[str, list[int]]:
    return {k: [int(n) for n in v] for k, v in (_json(value) or {}).items()}


def _sum(vectors: Any) -> list[int]:
    out = zero()
    for counts in vectors:
        add(out, counts)
    return out


def check_brands(report: Report, by_type: dict[str, list[dict[str, Any]]]) -> None:
    users = {str(u["user_id"]) for u in by_type["user"]}
    brand_of = {str(p["product_id"]): str(p["brand_id"]) for p in by_type["product"] if p.get("brand_id")}
    live_posts = {str(p["post_id"]): p for p in by_type["post"] if p.get("state", LIVE) == LIVE}
    campaigns = {(str(c["brand_id"]), str(c["campaign_id"])): c for c in by_type["campaign"]}
    marks = {(str(m["PK"]).removeprefix("BAUTHOR#"), str(m["SK"])): m for m in by_type["brand_author"]}

    # The source: what each live post's brands should hold per day.
    expected: dict[tuple[str, str, str], list[int]] = defaultdict(zero)  # (brand, day, post) -> counts
    brands_of_post: dict[str, set[str]] = {}
    for post_id, post in live_posts.items():
        brands = {brand_of[p] for p in post.get("product_ids") or [] if p in brand_of}
        if brands:
            brands_of_post[post_id] = brands
        for brand_id in brands:
            expected[(brand_id, str(post.get("created_at", ""))[:10], post_id)][POSTS] += 1
    for kind, slot, actor_field in (("smile", SMILES, "user_id"), ("comment", COMMENTS, "author_id")):
        for item in by_type[kind]:
            post_id = str(item["post_id"])
            if post_id not in brands_of_post or item.get(actor_field) == live_posts[post_id]["author_id"]:
                continue  # not about a brand, or the author's own (never counted)
            for brand_id in brands_of_post[post_id]:
                expected[(brand_id, str(item.get("created_at", ""))[:10], post_id)][slot] += 1

    periods: dict[str, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)  # brand -> (level, start)
    for item in by_type["brand_summary"]:
        level, _, start = str(item["SK"]).partition("#")
        periods[str(item["PK"]).removeprefix("BSUM#")][(level, start)] = {
            "days": _vectors(item.get("days")),
            "camps": _vectors(item.get("camps")),
            "sketch": Sketch.unpack(_bytes(item.get("packed"))),
        }
    heads = {str(h["PK"]).removeprefix("BSUM#"): h for h in by_type["brand_head"]}
    tracked = {
        str(c["PK"]).removeprefix("BSUM#"): _json(c.get("campaigns")) or []
        for c in by_type["brand_campaigns"]
    }
    backfills = {
        (str(b["PK"]).removeprefix("BSUM#"), str(b["SK"]).removeprefix("CB#")): _vectors(b.get("days"))
        for b in by_type["campaign_backfill"]
    }

    for (brand_id, day, post_id), counts in expected.items():
        if brand_id not in heads:
            # Nothing of the brand was ever aggregated: its stream and queue are not delivered yet
            # (a test that never runs them). Once one flush wrote its head, every post counts.
            report.tolerated["posts of brands with no summary yet (never aggregated)"] += 1
            continue
        period = periods[brand_id].get(("D", day))
        where = f"brand {brand_id} day {day} post {post_id}"
        if period is None:
            report.expect("brand day holds its posts' smiles and comments", False, f"{where}: no day item")
            continue
        entry = period["sketch"].lists["posts"].get(post_id)
        if entry is None and len(period["sketch"].lists["posts"]) >= LIMITS["posts"]:
            report.tolerated["posts outside a brand day's full list (counted in its rest)"] += 1
            continue
        stored = [entry[s] if entry else 0 for s in (POSTS, SMILES, COMMENTS)]
        wanted = [counts[s] for s in (POSTS, SMILES, COMMENTS)]
        report.expect(
            "brand day holds its posts' smiles and comments",
            stored == wanted,
            f"{where}: posts, smiles, comments {stored}, the items say {wanted}",
        )

    for brand_id, brand_periods in periods.items():
        for (level, start), period in brand_periods.items():
            sketch: Sketch = period["sketch"]
            listed = _sum([*sketch.lists["posts"].values(), sketch.rest.get("posts", zero())])
            report.expect(
                "brand period totals = its post list and rest",
                _sum(period["days"].values()) == listed,
                f"brand {brand_id} {level}#{start}: totals {_sum(period['days'].values())}, list {listed}",
            )
            for member in _named(sketch):
                mark = marks.get((brand_id, member))
                report.expect(
                    "a member a brand lists has its mark",
                    mark is not None and str(mark.get("GSI4PK", "")).endswith(member),
                    f"brand {brand_id} {level}#{start} names {member}",
                )
                report.expect(
                    "a member a brand lists has a profile",
                    member in users,
                    f"brand {brand_id} names {member}",
                )
        _check_compaction(report, brand_id, brand_periods, heads.get(brand_id))
        _check_campaigns(
            report, brand_id, brand_periods, tracked.get(brand_id, []), campaigns, brand_of, backfills
        )


def _named(sketch: Sketch) -> set[str]:
    named = {m for dimension in ("authors", "engaged") for m in sketch.lists.get(dimension, {})}
    return named | {str(meta[0]) for meta in sketch.meta.values() if meta and meta[0]}


def _check_compaction(
    report: Report, brand_id: str, periods: dict[tuple[str, str], dict[str, Any]], head: dict[str, Any] | None
) -> None:
    through = str((head or {}).get("compacted_through") or "")
    for (level, day), period in periods.items():
        if level != "D" or not through or day > through or day not in period["days"]:
            continue
        counts = period["days"][day]
        for block_level, block_start in blocks_of(date.fromisoformat(day)):
            block = periods.get((block_level, block_start.isoformat()))
            held = block["days"].get(day) if block else None
            report.expect(
                "a compacted day = its day in each block",
                held == counts,
                f"brand {brand_id} {day}: {counts}, {block_level}#{block_start} has {held}",
            )


def _check_campaigns(
    report: Report,
    brand_id: str,
    periods: dict[tuple[str, str], dict[str, Any]],
    tracked: list[dict[str, Any]],
    campaigns: dict[tuple[str, str], dict[str, Any]],
    brand_of: dict[str, str],
    backfills: dict[tuple[str, str], dict[str, list[int]]],
) -> None:
    for entry in tracked:
        campaign_id, products = str(entry["id"]), set(entry.get("products") or [])
        stored = campaigns.get((brand_id, campaign_id))
        report.expect(
            "a tracked campaign is the brand's, over its products",
            stored is not None
            and set(stored.get("product_ids") or []) == products
            and all(brand_of.get(p) == brand_id for p in products),
            f"brand {brand_id} campaign {campaign_id}",
        )
        backfill = backfills.get((brand_id, campaign_id), {})
        for (level, day), period in periods.items():
            if level != "D" or not entry["from"] <= day <= entry["to"]:
                continue
            sketch: Sketch = period["sketch"]
            counted = _sum([period["camps"].get(campaign_id, zero()), backfill.get(day, zero())])[COUNTED]
            brand = period["days"].get(day, zero())[COUNTED]
            where = f"brand {brand_id} campaign {campaign_id} day {day}"
            report.expect(
                "a campaign never exceeds its brand",
                all(c <= b for c, b in zip(counted, brand, strict=True)),
                where,
            )
            if sketch.rest.get("posts"):
                continue  # posts outside the list: the campaign's share of them is not known
            recomputed = zero()
            for post_id, counts in sketch.lists["posts"].items():
                meta = sketch.meta.get(post_id)
                if meta and not products.isdisjoint(meta[1]):
                    add(recomputed, counts)
            report.expect(
                "a campaign day = its posts' entries",
                counted == recomputed[COUNTED],
                f"{where}: {counted}, its posts hold {recomputed[COUNTED]}",
            )
