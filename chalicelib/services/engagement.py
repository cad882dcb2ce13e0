"""Engagement: turning client events and table changes into brand summaries, once each.

**The edge** (`POST /events`, `accept_events`). An event counts only with a valid receipt for its
post and this viewer (services/receipts.py), at most once per (viewer, post, type, receipt hour):
one UpdateItem per receipt hour spends the viewer's hourly event limit and records the digests
of what counted (data/engagement.py `mark_seen`) before anything is read, so a replayed or
flooded batch costs one write and no reads. The new events' posts are read in one
BatchGetItem; events about deleted posts, untagged products, or the viewer's own posts are
dropped. What no brand can read (impressions of posts that tag no product) is accepted but never
queued. The rest go to the engagement FIFO queue as one message per brand, carrying every fact
the aggregator needs (brand products, author, interests), so the aggregator reads no post.

**The table's stream** (`forward_changes`). New posts, smiles and comments (and removals of the
latter) about live posts that tag a brand's products go to the same queue, one message per
(stream record, brand), each with a marker token so a retried stream batch counts once. A
member's smiles and comments on their own posts never count.

**The aggregator** (`aggregate`). Messages are grouped by brand (the queue's message group):
SQS FIFO hands a brand's messages to one worker at a time, in order, and other brands' to
others, so one brand's flood never queues ahead of another brand's events, and no two workers
ever write the same brand's summaries at once. A brand's messages of one delivery are summed
into its day item and written as one conditional PutItem (services/summaries.py), whatever the
number of events, posts or tags. Exactly once: a client's message carries a token that the day
item remembers (a redelivery of an applied batch is skipped), a stream message a marker item
written in the same transaction. Nothing depends on a post's state at write time: the facts were
fixed when the message was sent.

A deleted post keeps its history: what it earned stays in the brand's past days, but from its
deletion on nothing about it counts (its events are dropped at the edge, and the smiles and
comments its deletion removes are ignored by the stream forwarder, as the post is no longer live).
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from time import sleep
from typing import Any

from chalicelib import clock
from chalicelib.data import engagement as store
from chalicelib.data import queues
from chalicelib.data.engagement import PostFacts
from chalicelib.data.queues import FifoMessage
from chalicelib.data.summaries import TOKENS_KEPT, Period, TrackedCampaign
from chalicelib.errors import RateLimited
from chalicelib.observability import logger, metrics
from chalicelib.schemas.brands import EventBatchIn, EventBatchOut, EventIn
from chalicelib.services import featured, receipts, summaries
from chalicelib.services.summaries import (
    COMMENT,
    EVENT_KINDS,
    POST,
    SMILE,
    Audience,
    Fact,
)
from chalicelib.settings import get_settings

MESSAGE_VERSION = 2
FLUSH_ATTEMPTS = 6
# Campaigns whose window ended more than this long ago stop being attributed to (late smiles and
# comments about their days still reach the brand's totals).
CAMPAIGN_TAIL_DAYS = 30
MAX_TRACKED_CAMPAIGNS = 50


def digest(post_id: str, event_type: str) -> bytes:
    """What `mark_seen` remembers of a (post, type) pair: 8 bytes of SHA-256."""
    return hashlib.sha256(f"{post_id}\n{event_type}".encode()).digest()[:8]


# --- the edge -----------------------------------------------------------------------------------


def accept_events(viewer: str | None, batch: EventBatchIn, now: datetime | None = None) -> EventBatchOut:
    """Count what this viewer may count; everything else is dropped (never stored)."""
    moment = now or clock.now()
    total = len(batch.events)
    if viewer is None:
        return EventBatchOut(accepted=0, dropped=total)
    by_hour: dict[int, dict[bytes, EventIn]] = {}
    for event in batch.events:
        hour = receipts.check(event.receipt, event.post_id, viewer, moment)
        if hour is not None:
            by_hour.setdefault(hour, {}).setdefault(digest(event.post_id, event.type), event)
    limit = get_settings().rate_limits["events"][0]
    fresh: list[EventIn] = []
    for hour, events in sorted(by_hour.items()):
        new = store.mark_seen(viewer, hour, list(events), limit)
        if new is None:
            next_hour = receipts.hour_start(receipts.hour_of(moment) + 1)
            raise RateLimited(
                f"Too many events: at most {limit} an hour for one viewer. Retry later.",
                retry_after=max(1, int((next_hour - moment).total_seconds())),
            )
        fresh += [event for key, event in events.items() if key in new]
    posts = store.post_facts(e.post_id for e in fresh) if fresh else {}
    kept = [e for e in fresh if _counts(e, posts.get(e.post_id), viewer)]
    messages = event_messages(kept, posts, moment, viewer)
    if messages:
        queues.send(get_settings().engagement_queue, messages)
    metrics.add_metric(name="EngagementEventsAccepted", unit="Count", value=len(kept))
    return EventBatchOut(accepted=len(kept), dropped=total - len(kept))


def _counts(event: EventIn, post: PostFacts | None, viewer: str) -> bool:
    if post is None or not post.live or viewer == receipts.member_viewer(post.author_id):
        return False
    return event.product_id is None or event.product_id in post.product_ids


def _message(brand_id: str, facts: Sequence[Fact], *, token: str, marker: bool = False) -> FifoMessage:
    body: dict[str, Any] = {
        "v": MESSAGE_VERSION,
        "t": token,
        "b": brand_id,
        "f": [f.to_json() for f in facts],
    }
    if marker:
        body["m"] = 1
    return FifoMessage(json.dumps(body, separators=(",", ":")), group=brand_id, dedup_id=_dedup_id(token))


def _dedup_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _by_brand(product_ids: Iterable[str], brands: Mapping[str, str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for product_id in dict.fromkeys(product_ids):
        brand_id = brands.get(product_id)
        if brand_id:
            found.setdefault(brand_id, []).append(product_id)
    return found


def event_messages(
    events: Sequence[EventIn], posts: Mapping[str, PostFacts], moment: datetime, viewer: str | None = None
) -> list[FifoMessage]:
    """One message per brand the events concern; an impression concerns every brand the post
    tags, a click only the clicked product's brand. A member's taps and clicks name them (`member`:
    campaigns' lift against their holdout); an anonymous session's do not."""
    prefix = receipts.member_viewer("")
    member = viewer.removeprefix(prefix) if viewer and viewer.startswith(prefix) else None
    brands = store.product_brands(p for e in events for p in posts[e.post_id].product_ids) if events else {}
    day, hour = moment.date().isoformat(), receipts.hour_of(moment)
    facts: dict[str, list[Fact]] = {}
    for event in events:
        post = posts[event.post_id]
        for brand_id, products in _by_brand(post.product_ids, brands).items():
            if event.product_id is not None and event.product_id not in products:
                continue
            facts.setdefault(brand_id, []).append(
                Fact(
                    kind=EVENT_KINDS[event.type],
                    post_id=post.post_id,
                    author_id=post.author_id,
                    products=tuple(products),
                    day=day,
                    product=event.product_id,
                    interests=tuple(post.interests),
                    hour=hour,
                    channel=event.channel,
                    member=member if event.product_id is not None else None,
                )
            )
    # Tokens are kept in the day items they changed: short (12 characters, 72 random bits).
    return [_message(b, f, token="e" + secrets.token_urlsafe(8)[:11]) for b, f in facts.items()]


# --- the table's stream -------------------------------------------------------------------------


@dataclass(frozen=True)
class TableChange:
    """One stream record, its images already plain Python values."""

    event_id: str
    name: str  # INSERT | MODIFY | REMOVE
    new: Mapping[str, Any] | None
    old: Mapping[str, Any] | None

    @property
    def entity(self) -> str | None:
        image = self.new or self.old or {}
        return image.get("type")


RELEVANT = {"post", "smile", "comment"}


def relevant(change: TableChange) -> bool:
    if change.entity not in RELEVANT:
        return False
    if change.entity == "post":
        return change.name == "INSERT"  # edits change nothing; a deletion keeps the history
    return change.name in ("INSERT", "REMOVE")


def _post_id_of(change: TableChange) -> str:
    return str((change.new or change.old or {}).get("post_id", ""))


def change_facts(change: TableChange, post: PostFacts, brands: Mapping[str, str]) -> dict[str, Fact]:
    """brand id -> what one table change adds to it (nothing for a member's own smile or comment)."""
    if change.entity == "post":
        kind, amount, actor, day = POST, 1, None, post.created_at[:10]
    else:
        image = (change.new if change.name == "INSERT" else change.old) or {}
        kind = SMILE if change.entity == "smile" else COMMENT
        actor = str(image.get("user_id") if kind == SMILE else image.get("author_id") or "") or None
        if actor is None or actor == post.author_id:
            return {}  # self-engagement never counts
        amount, day = (1 if change.name == "INSERT" else -1), str(image.get("created_at", ""))[:10]
    return {
        brand_id: Fact(
            kind=kind,
            post_id=post.post_id,
            author_id=post.author_id,
            products=tuple(products),
            day=day,
            amount=amount,
            interests=tuple(post.interests),
            labels=tuple(post.labels) if kind == POST else (),
            actor=actor,
        )
        for brand_id, products in _by_brand(post.product_ids, brands).items()
    }


def posts_read_once() -> AbstractContextManager[None]:
    """Within, each post is read at most once (data/engagement.py `posts_read_once`): the table
    stream's consumers share one read of a batch's posts."""
    return store.posts_read_once()


def forward_changes(changes: Iterable[TableChange]) -> int:
    """Queue what the relevant changes add to each brand; returns how many messages were sent."""
    wanted = [c for c in changes if relevant(c)]
    posts = store.post_facts(_post_id_of(c) for c in wanted) if wanted else {}
    brands = store.product_brands(p for post in posts.values() for p in post.product_ids) if posts else {}
    messages: list[FifoMessage] = []
    for change in wanted:
        post = posts.get(_post_id_of(change))
        if post is None or not post.live:
            continue  # unknown, or deleted: it stops counting
        for brand_id, fact in change_facts(change, post, brands).items():
            messages.append(
                _message(brand_id, [fact], token=f"stream-{change.event_id}-{brand_id}", marker=True)
            )
    if messages:
        queues.send(get_settings().engagement_queue, messages)
    return len(messages)


# --- campaigns ----------------------------------------------------------------------------------


def campaign_message(brand_id: str, campaign: TrackedCampaign, ended: bool = False) -> dict[str, Any]:
    """The message that starts attributing to a campaign (the aggregator backfills it first), or
    (`ended`) that moves its last day earlier: the brand ended it."""
    return {
        "v": MESSAGE_VERSION,
        "t": f"campaign-{campaign.campaign_id}" + (f"-to-{campaign.last}" if ended else ""),
        "b": brand_id,
        "c": campaign.to_json(),
    }


def track_campaign(brand_id: str, campaign: TrackedCampaign, ended: bool = False) -> None:
    """Ask the aggregator to attribute to a new campaign: in the brand's queue order, so what it
    backfills from the day summaries and what it attributes live never overlap. `ended`: stop
    attributing after its (new) last day."""
    body = campaign_message(brand_id, campaign, ended)
    queues.send(
        get_settings().engagement_queue,
        [FifoMessage(json.dumps(body), group=brand_id, dedup_id=_dedup_id(str(body["t"])))],
    )


# --- the aggregator -----------------------------------------------------------------------------


def aggregate(messages: Sequence[Mapping[str, Any]], now: datetime | None = None) -> None:
    """Apply one brand's messages, in their queue order."""
    moment = now or clock.now()
    brand_ids = {str(m["b"]) for m in messages}
    if len(brand_ids) != 1:
        raise ValueError("aggregate() takes one brand's messages")
    brand_id = brand_ids.pop()
    segment: list[Mapping[str, Any]] = []
    for message in messages:
        if "c" in message:
            if segment:
                _flush(brand_id, segment, moment)
                segment = []
            _start_campaign(brand_id, TrackedCampaign.from_json(message["c"]), moment)
        else:
            segment.append(message)
    if segment:
        _flush(brand_id, segment, moment)


def _flush(brand_id: str, messages: Sequence[Mapping[str, Any]], now: datetime) -> None:
    pending = list(messages)
    today = now.date()
    for attempt in range(FLUSH_ATTEMPTS):
        facts = [(m, [Fact.from_json(f) for f in m.get("f", [])]) for m in pending]
        days = sorted({f.day for _, fs in facts for f in fs} | {today.isoformat()})
        wanted = [("D", d) for d in days]
        if any(f.hour is not None for _, fs in facts for f in fs):  # the spike rule's baseline
            wanted.append(("D", (today - timedelta(days=1)).isoformat()))
        wanted += [b for d in days if d < today.isoformat() for b in _blocks(d)]
        actors = [f.actor for _, fs in facts for f in fs if f.actor]
        # Authors whose list entries these facts change (impressions change none): opted out?
        authors = [f.author_id for _, fs in facts for f in fs if f.kind in summaries.CHANGES_AUTHORS]
        state = store.read_brand(brand_id, wanted, actors, authors)
        if attempt == 0:
            # Before the summaries: a redelivered batch (skipped below) counts nobody twice here
            # either, as each member is marked engaged once per campaign.
            _count_engaged(brand_id, [f for _, fs in facts for f in fs], state.campaigns.campaigns, now)
        head = state.head
        if (
            head.last_day
            and head.last_day < today.isoformat()
            and (head.compacted_through or "") < head.last_day
        ):
            compact(brand_id, head, today - timedelta(days=1), now)
            continue
        periods = state.periods
        for level, start in wanted:
            periods.setdefault((level, start), Period(level, start))
        audience = Audience(opted_out=state.opted_out, brand_authors=state.brand_authors)
        new_authors: list[str] = []
        applied: list[Mapping[str, Any]] = []
        for message, message_facts in facts:
            token = str(message["t"])
            if not message.get("m") and any(
                token in periods[("D", f.day)].sketch.tokens for f in message_facts
            ):
                continue  # a redelivered batch: applied before
            applied.append(message)
            for fact in message_facts:
                _apply_fact(periods, fact, audience, state.campaigns.campaigns, head, today)
                if fact.kind == POST and fact.amount > 0:
                    new_authors.append(fact.author_id)
                    audience.brand_authors.add(fact.author_id)
            if not message.get("m"):
                for day in {f.day for f in message_facts}:
                    sketch = periods[("D", day)].sketch
                    sketch.tokens = [*sketch.tokens, token][-TOKENS_KEPT:]
        if not applied:
            return
        applied_days = [f.day for m in applied for f in (Fact.from_json(x) for x in m.get("f", []))]
        _extend_head(head, applied_days)
        markers = [str(m["t"]) for m in applied if m.get("m")]
        named = summaries.members_named(
            [f for m in applied for f in (Fact.from_json(x) for x in m.get("f", []))], audience
        )
        unmarked = named - state.marked - set(new_authors)
        if new_authors or unmarked:
            store.mark_brand_members(brand_id, new_authors, sorted(unmarked))
        outcome = store.save(brand_id, list(periods.values()), head=head, markers=markers, now=now)
        if outcome.committed:
            metrics.add_metric(name="EngagementMessagesAggregated", unit="Count", value=len(applied))
            return
        done = set(outcome.failed_like("marker:"))
        pending = [m for m in pending if str(m["t"]) not in done]
        logger.info("brand flush retried", extra={"brand_id": brand_id, "failed": sorted(outcome.failed)})
        if not pending:
            return
        if not done:  # someone else wrote the brand's items first (rare: FIFO serialises a brand)
            sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    raise RuntimeError(f"brand {brand_id}: summaries still contended after {FLUSH_ATTEMPTS} attempts")


def _count_engaged(
    brand_id: str, facts: Sequence[Fact], campaigns: Sequence[TrackedCampaign], now: datetime
) -> None:
    """Members who tapped a tag, clicked a product, smiled or commented about a campaign's products
    on its days: each counted once in their campaign group (services/featured.py)."""
    pairs: set[tuple[str, str]] = set()
    for fact in facts:
        if fact.member and fact.product:
            member, products = fact.member, (fact.product,)
        elif fact.kind in (SMILE, COMMENT) and fact.actor and fact.amount > 0:
            member, products = fact.actor, fact.products
        else:
            continue
        pairs.update((c.campaign_id, member) for c in campaigns if c.runs(fact.day, products))
    if pairs:
        featured.count_engaged(brand_id, sorted(pairs), clock.iso(now))


def _blocks(day: str) -> list[tuple[str, str]]:
    return [(level, start.isoformat()) for level, start in summaries.blocks_of(date.fromisoformat(day))]


def _apply_fact(
    periods: dict[tuple[str, str], Period],
    fact: Fact,
    audience: Audience,
    campaigns: Sequence[TrackedCampaign],
    head: store.Head,
    today: date,
) -> None:
    day_item = periods[("D", fact.day)]
    filtered = False
    if fact.hour is not None and fact.day == today.isoformat() and fact.kind != POST:
        sketch = day_item.sketch
        seen = summaries.count_in_hour(sketch, fact)
        hours_today = fact.hour - receipts.hour_of(datetime.combine(today, time.min, tzinfo=UTC))
        yesterday = periods.get(("D", (today - timedelta(days=1)).isoformat()))
        usual = summaries.usual_hourly_rate(
            fact.post_id,
            fact.kind,
            sketch,
            yesterday.sketch if yesterday and yesterday.exists else None,
            hours_today,
        )
        filtered = seen + 1 > summaries.spike_threshold(fact.kind, usual)
        if not filtered:
            summaries.note_in_hour(sketch, fact)
    targets = [day_item]
    if head.compacted_through and fact.day <= head.compacted_through:
        targets += [periods[block] for block in _blocks(fact.day)]  # a late change to a compacted day
    for period in targets:
        summaries.apply(period, fact, audience, campaigns, filtered)


def _extend_head(head: store.Head, days: Iterable[str]) -> None:
    for day in days:
        if head.first_day is None or day < head.first_day:
            head.first_day, head.changed = day, True
        if head.last_day is None or day > head.last_day:
            head.last_day, head.changed = day, True


COMPACT_DAYS_PER_WRITE = 20


def compact(brand_id: str, head: store.Head, through: date, now: datetime) -> None:
    """Fold finished day items into their week and 4-week blocks, once: the head's
    `compacted_through` moves on in the same transaction (on condition of its version)."""
    start = date.fromisoformat(head.compacted_through) + timedelta(days=1) if head.compacted_through else None
    first = start.isoformat() if start else (head.first_day or through.isoformat())
    day_items = [p for p in store.day_periods(brand_id, first, through.isoformat()) if p.exists]
    chunk = day_items[:COMPACT_DAYS_PER_WRITE]
    chunk_end = chunk[-1].start if len(day_items) > COMPACT_DAYS_PER_WRITE else through.isoformat()
    block_keys = sorted({b for p in chunk for b in _blocks(p.start)})
    blocks = store.read_brand(brand_id, block_keys, [], []).periods
    for key in block_keys:
        blocks.setdefault(key, Period(key[0], key[1]))
    for day_item in chunk:
        for key in _blocks(day_item.start):
            summaries.fold(blocks[key], day_item)
        day_item.sketch = day_item.sketch.without_today_state()
        day_item.changed = True
    head.compacted_through, head.changed = chunk_end, True
    outcome = store.save(brand_id, [*chunk, *blocks.values()], head=head, now=now)
    if not outcome.committed:
        logger.info("compaction raced", extra={"brand_id": brand_id, "failed": sorted(outcome.failed)})


def _start_campaign(brand_id: str, campaign: TrackedCampaign, now: datetime) -> None:
    """Backfill a new campaign's days from the day summaries, then attribute to it live."""
    today = now.date().isoformat()
    for _ in range(FLUSH_ATTEMPTS):
        state = store.read_brand(brand_id, [], [], [])
        tracked = state.campaigns
        known = next((c for c in tracked.campaigns if c.campaign_id == campaign.campaign_id), None)
        if known is not None:
            if campaign.last >= known.last:
                return  # started before (a redelivery), or an end already applied
            # Ended early: later days are no longer attributed to it.
            shortened = replace(known, last=campaign.last)
            tracked.campaigns = [shortened if c is known else c for c in tracked.campaigns]
            tracked.changed = True
            if store.save(brand_id, [], campaigns=tracked, now=now).committed:
                return
            continue
        days: dict[str, list[int]] = {}
        current: list[Period] = []
        if campaign.first <= today:
            day_items = store.day_periods(brand_id, campaign.first, min(campaign.last, today))
            days = summaries.campaign_days(day_items, campaign.products)
            if campaign.last >= today:
                # Today's item may still be written by a flush that does not go through the brand's
                # queue order (demo seeding): a backfill that read it commits only if it is still
                # what was read. A campaign that ended before today (or starts after it) read no
                # item of today's, so it checks none: it would never commit while today has counts.
                current = [p for p in day_items if p.start == today] or [Period("D", today)]
        cutoff = (now.date() - timedelta(days=CAMPAIGN_TAIL_DAYS)).isoformat()
        kept = [c for c in tracked.campaigns if c.last >= cutoff][-(MAX_TRACKED_CAMPAIGNS - 1) :]
        tracked.campaigns, tracked.changed = [*kept, campaign], True
        outcome = store.save(
            brand_id, [], campaigns=tracked, backfill=(campaign.campaign_id, days), unchanged=current, now=now
        )
        if outcome.committed:
            return
    raise RuntimeError(f"brand {brand_id}: campaign list still contended after {FLUSH_ATTEMPTS} attempts")
