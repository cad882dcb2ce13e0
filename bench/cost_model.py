"""Whole-stack monthly cost per 1 million weekly members, from what the probes measured.

Every design-dependent figure is measured in this run (bench/feed_cost_probe.py: DynamoDB units
billed by bench/capacity.py, requests, CPU per operation); the workload (what a session does) and
the prices (bench/prices.py) are the same for every design and written down here. A line that is
estimated rather than measured says so in `basis`.

Lambda duration = CPU measured on this machine x (1,769 MB / the function's memory: Lambda's CPU
share) + 6 ms per DynamoDB request and 10 ms per SQS call (same-region latency).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import prices
from bench.traces import TraceResult

MEMBERS = 1_000_000
DAYS = 30
TICKS_PER_DAY = 288  # the planner runs every 5 minutes

# What a session does (the same for every design). Sessions and their length come from the trace.
FIRST_PAGE_EVERY_MINUTES = 2  # as bench/traces.py: the first page at the start and every 2 minutes
CURSOR_PAGES_PER_SESSION = 2  # scrolling on, through next_cursor
POST_PAGES_PER_SESSION = 2
EVENTS_BATCHES_PER_PAGE = 1  # the client flushes a page's impressions (and taps) in one batch
SMILES_PER_SESSION = 1.0
COMMENTS_PER_SESSION = 0.1
FOLLOWS_PER_SESSION = 0.05
OTHER_REQUESTS_PER_SESSION = 1  # GET /me, a profile, a product page
AUTHORIZER_CACHE_MINUTES = 5  # API Gateway caches the authorizer's answer per token
POSTS_PER_MEMBER_DAY = 0.3  # per weekly member, as the feed probe's community
PHOTO_SHARE = 0.85
TAGGED_SHARE = 0.5  # photos tagging at least one product
UPLOAD_POLLS = 3  # GET /uploads/{id} while the thumbnails are made
# Screening (DetectModerationLabels, services/screening.py screen_upload) runs on an accepted upload
# when the trust rule asks for it: every upload of a member with fewer than
# `screening_trusted_after` photos screened clean since their last strike, 1 in
# `screening_trusted_sample` of the others (the product's settings; `screened_share` below).
# Uploads never posted are not counted (no figure for them), nor strikes (no figure for held
# photos or upheld reports; each one makes a member's next uploads screened again).
POSTING_EXPONENT = 0.8  # bench/community.py build(): each post's author drawn 1 / rank^0.8
# Months of a member's earlier photos that count towards their record: 1 (the month before), a
# floor (a member's record keeps everything since their last strike); 0 is the bound where every
# member is new this month, shown beside it.
SCREENING_HISTORY_MONTHS = 1
# The engagement worker, measured by bench/engagement_probe.py for both designs with one delivery:
# client requests of 20 events (2 tags a post) delivered every 10 requests, as SQS hands a FIFO
# queue's backlog to a capped worker (infra/lambda.yaml engagement_worker: MaximumConcurrency 2;
# FIFO allows batches of 10 and no batching window). At a million weekly members ~60 requests a
# second each queue a message per brand concerned, more than 2 pollers take one at a time, so a
# brand's messages wait and come several at once (docs/brands.md "Real time").
ENGAGEMENT_DELIVERY = ("--tags", "2", "--requests", "40", "--drain-every", "10")
# Accepted events per client batch (a page): its cards not seen before (browser cache as below),
# the share that show a photo tagging a product (PHOTO_SHARE x TAGGED_SHARE; other impressions are
# dropped at the edge or never queued), plus a tap every other page.
TAPS_PER_PAGE = 0.5
CARDS_PER_PAGE = 20
# On a page with new cards (below: `new_card_pages`), the cards whose images this browser already
# holds (a refreshed first page keeps its older cards, a cursor page overlaps what was seen).
BROWSER_CACHE_HITS = 0.3
# Image bytes are measured (bench/image_bytes.py: the demo's photos through the thumbnailer). A
# card (srcset, sizes 320px) is the small rendition on 1x screens and the medium one on 2x: half
# each. A post page shows the large one. Today's design serves each size's WebP copy through
# <picture> to the browsers that take it; the previous design served JPEG only.
CARD_DENSITY_SHARE_2X = 0.5
WEBP_BROWSER_SHARE = 0.95  # browsers in use that decode WebP (all current ones; older Safari not)
# Browsers in use that decode AVIF (Chrome 85+, Firefox 93+, Safari 16.4+, Edge 121+; caniuse.com's
# global usage ~93% in 2025): they take the AVIF source, the other WebP ones the WebP copy.
AVIF_BROWSER_SHARE = 0.93
ORIGINAL_BYTES = 3_000_000
THUMBNAIL_SECONDS, THUMBNAIL_MEMORY_MB = 1.5, 1024  # bench/bench_imaging.py's 12 MP JPEG, on 1 GB
STREAM_RECORDS_PER_WRITE = 4  # table items a write request changes, each a stream record
STREAM_BATCH = 100
LOG_BYTES_PER_INVOCATION = 900  # START/END/REPORT lines and one structured log line
ACCESS_LOG_BYTES = 450
CUSTOM_METRICS, ALARMS = 30, 50
FEED_GENERATION_BYTES = 9_000

MEMORY_MB = {"api": 512, "authorizer": 256, "feed_worker": 512, "planner": 512, "worker": 512, "stream": 512}


def image_bytes(design: str, images: dict[str, Any]) -> dict[str, float]:
    """Bytes the CDN delivers per card and per post page, and stored per photo, for a design."""
    jpeg = images["jpeg"]

    def card(sizes: dict[str, float]) -> float:
        return (1 - CARD_DENSITY_SHARE_2X) * sizes["small"] + CARD_DENSITY_SHARE_2X * sizes["medium"]

    stored = sum(jpeg.values())
    if design != "today":
        return {"card": card(jpeg), "post_page": jpeg["large"], "stored": stored, "objects": len(jpeg)}
    # each browser takes the first <picture> source it decodes: AVIF, then WebP, then the JPEG
    formats = [
        (AVIF_BROWSER_SHARE, images["avif"]),
        (WEBP_BROWSER_SHARE - AVIF_BROWSER_SHARE, images["webp"]),
    ]
    formats.append((1 - WEBP_BROWSER_SHARE, jpeg))
    return {
        "card": sum(share * card(sizes) for share, sizes in formats),
        "post_page": sum(share * sizes["large"] for share, sizes in formats),
        "stored": stored + sum(images["webp"].values()) + sum(images["avif"].values()),
        "objects": 3 * len(jpeg),
    }


@functools.cache  # the model asks for every design, trace and follow count
def original_retention_days() -> int:
    """How long the upload bucket keeps an original: its lifecycle rule in infra/template.yaml
    (the same 7 days in the previous design's template)."""
    template = (Path(__file__).resolve().parents[1] / "infra" / "template.yaml").read_text()
    found = re.search(r"Id: ExpireAcceptedOriginals\n(?:\s+\w+: .*\n)*?\s+ExpirationInDays: (\d+)", template)
    if found is None:
        raise RuntimeError("infra/template.yaml has no ExpireAcceptedOriginals rule with ExpirationInDays")
    return int(found.group(1))


def screened_share(trusted_after: int, sample: int, history_months: float, members: int = MEMBERS) -> float:
    """The share of a month's photos screening asks Rekognition about, under the trust rule, when
    authors post as the bench's community does (a power law of exponent POSTING_EXPONENT over
    `members`, POSTS_PER_MEMBER_DAY x PHOTO_SHARE photos a member a day) and a member's record
    counts `history_months` of their earlier photos. A member's photos in a month are Poisson; the
    ones screened are those taken while their record is below `trusted_after`, plus 1 in `sample`
    of the rest."""
    import numpy as np

    weights = np.arange(1, members + 1, dtype=np.float64) ** -POSTING_EXPONENT
    month = POSTS_PER_MEMBER_DAY * PHOTO_SHARE * members * DAYS * weights / weights.sum()

    def below(mean: np.ndarray) -> np.ndarray:  # E[min(n, trusted_after)], n ~ Poisson(mean)
        pmf, cdf, total = np.exp(-mean), np.zeros_like(mean), np.zeros_like(mean)
        for k in range(trusted_after):
            cdf += pmf
            total += 1 - cdf
            pmf = pmf * mean / (k + 1)
        return total

    history = month * history_months
    untrusted = (below(history + month) - below(history)).sum() / month.sum()
    return float(untrusted + (1 - untrusted) / max(1, sample))


def screening_settings() -> tuple[int, int]:
    """The trust rule's settings as the product ships them (chalicelib/settings.py)."""
    from chalicelib.settings import Settings

    return Settings.screening_trusted_after, Settings.screening_trusted_sample


def lambda_seconds(cpu_ms: float, dynamodb_requests: float, memory_mb: int, sqs_calls: float = 0) -> float:
    share = min(1.0, memory_mb / 1769)
    return cpu_ms / 1000 / share + 0.006 * dynamodb_requests + 0.010 * sqs_calls


@dataclass
class Lines:
    """Dollars a month per 1M weekly members, by service, with what each line is made of."""

    dollars: dict[str, float] = field(default_factory=dict)
    basis: dict[str, str] = field(default_factory=dict)
    parts: dict[tuple[str, str], float] = field(default_factory=dict)

    def add(self, service: str, amount: float, basis: str = "") -> None:
        self.dollars[service] = self.dollars.get(service, 0.0) + amount
        self.parts[(service, basis)] = self.parts.get((service, basis), 0.0) + amount
        if basis:
            self.basis[service] = (self.basis.get(service, "") + "; " + basis).strip("; ")

    @property
    def total(self) -> float:
        return sum(self.dollars.values())


def _month(per_member_day: float) -> float:
    return per_member_day * MEMBERS * DAYS


def _dynamodb(cost: dict[str, Any]) -> float:
    return cost["read_units"] * prices.DYNAMODB_READ_UNIT + cost["write_units"] * prices.DYNAMODB_WRITE_UNIT


def _refresh_mix(design: str, feeds: dict[str, Any], trace: TraceResult) -> dict[str, float]:
    """Per weekly member per day: DynamoDB dollars, Lambda seconds, requests of the refreshes."""
    refreshes = trace.refreshes[design]
    extra_reads = 0.0
    if design == "today":
        # incremental refreshes billed as "changed" (news at every one: the worst case), plus the
        # run records of the extra runs since their last check at a million members' posting rate;
        # the rest read every followee ("first": the follow list and every followee's profile)
        share, runs = trace.incremental_share(fanin_horizon_minutes(feeds["follows"]))
        parts = [(refreshes * share, feeds["changed"]), (refreshes * (1 - share), feeds["first"])]
        extra_reads = refreshes * share * (runs - 1) * RUN_RECORD_READ_UNITS
    else:
        parts = [(refreshes, feeds["changed"])]
    dynamodb = sum(n * _dynamodb(c) for n, c in parts) + extra_reads * prices.DYNAMODB_READ_UNIT
    seconds = sum(n * lambda_seconds(c["cpu_ms"], c["requests"], MEMORY_MB["feed_worker"]) for n, c in parts)
    return {"refreshes": refreshes, "dynamodb": dynamodb, "seconds": seconds}


# A planner run's record at a million weekly members: ~1,000 authors x 4 bytes, 0.5 read unit.
RUN_RECORD_READ_UNITS = 0.5


def fanin_horizon_minutes(follows: int) -> float:
    """chalicelib/services/feeds.py `fanin_horizon`, in minutes, for a follow count."""
    from chalicelib.services.feeds import FANIN_HORIZON_MAX, FANIN_HORIZON_MIN

    runs = 5 * follows
    return min(max(runs, FANIN_HORIZON_MIN.total_seconds() / 60), FANIN_HORIZON_MAX.total_seconds() / 60)


def model(
    design: str,
    trace: TraceResult,
    feeds: dict[str, Any],
    ops: dict[str, Any],
    planner_today: dict[str, Any] | None,
    images: dict[str, Any],
) -> Lines:
    """Monthly dollars per 1M weekly members for one design on one trace at one follow count."""
    lines = Lines()
    delivered = image_bytes(design, images)
    thumbnail_seconds = THUMBNAIL_SECONDS
    if design == "today":
        # The WebP and AVIF copies' encoding, added to the thumbnailer's time: they encode the
        # renditions, whose pixels the sizes fix whatever the source, so their CPU adds to the
        # decode and resize of a camera photo rather than scaling it (the demo's drawn photos
        # decode far faster than THUMBNAIL_SECONDS' 12 MP JPEG, so a ratio would overstate them).
        copies_ms = images["cpu_ms_per_photo_with_webp"] - images["cpu_ms_per_photo"]
        thumbnail_seconds += lambda_seconds(copies_ms, 0, THUMBNAIL_MEMORY_MB)
    sessions = trace.active_today * trace.sessions_per_active_day  # per weekly member per day
    minutes = trace.session_minutes
    first_pages = sessions * (1 + minutes / FIRST_PAGE_EVERY_MINUTES)
    pages = first_pages + sessions * CURSOR_PAGES_PER_SESSION
    # Pages that show cards this browser has not loaded: first pages read from a feed refreshed
    # since the member's previous read (the trace's share, per design), and every cursor page.
    # A first page read again unchanged loads its images from the browser's cache (immutable,
    # Cache-Control a year) and sends no impression (the client sends one per post per visit).
    new_card_pages = first_pages * trace.changed_first_pages[design] + sessions * CURSOR_PAGES_PER_SESSION
    events = new_card_pages * EVENTS_BATCHES_PER_PAGE
    post_pages = sessions * POST_PAGES_PER_SESSION
    smiles, comments = sessions * SMILES_PER_SESSION, sessions * COMMENTS_PER_SESSION
    follows, other = sessions * FOLLOWS_PER_SESSION, sessions * OTHER_REQUESTS_PER_SESSION
    posts = POSTS_PER_MEMBER_DAY
    photos = posts * PHOTO_SHARE
    api_ops = {
        "feed_page_member": pages,
        "post_page": post_pages,
        "events_batch_api": events,
        "smile": smiles,
        "comment": comments,
        "follow": follows,
        "publish": posts,
    }
    uploads_requests = photos * (1 + UPLOAD_POLLS)
    requests = sum(api_ops.values()) + other + uploads_requests

    # --- API: Gateway, the API Lambda, the authorizer, DynamoDB of each request ---------------
    lines.add(
        "API Gateway", _month(requests) * prices.API_GATEWAY_REQUEST, f"{requests:.1f} requests/member/day"
    )
    api_dynamodb = sum(n * _dynamodb(ops[op]) for op, n in api_ops.items())
    api_dynamodb += other * _dynamodb(ops["post_page"]) + uploads_requests * _dynamodb(ops["post_page"]) / 2
    lines.add("DynamoDB", _month(api_dynamodb), "API requests (measured per operation)")
    api_seconds = sum(
        n * lambda_seconds(ops[op]["cpu_ms"], ops[op]["requests"], MEMORY_MB["api"])
        for op, n in api_ops.items()
    )
    api_seconds += (other + uploads_requests) * lambda_seconds(
        ops["post_page"]["cpu_ms"], 2, MEMORY_MB["api"]
    )
    authorizer = sessions * (1 + minutes / AUTHORIZER_CACHE_MINUTES)
    authorizer_seconds = authorizer * lambda_seconds(15, 0, MEMORY_MB["authorizer"])
    invocations = requests + authorizer

    # --- feeds: refreshes, the planner, the change log -----------------------------------------
    mix = _refresh_mix(design, feeds, trace)
    lines.add("DynamoDB", _month(mix["dynamodb"]), f"{mix['refreshes']:.1f} refreshes/member/day")
    worker_seconds = mix["seconds"]
    invocations += mix["refreshes"] / 10  # batches of 10 messages
    if design == "today":
        assert planner_today is not None
        run = planner_today["run"]
        per_run = _dynamodb(run)
        lines.add(
            "DynamoDB",
            _month(TICKS_PER_DAY * per_run / MEMBERS),
            "planner: measured at a 1M-member change rate",
        )
        planner_seconds = (
            TICKS_PER_DAY * lambda_seconds(run["cpu_ms"], run["requests"], MEMORY_MB["planner"]) / MEMBERS
        )
        log = planner_today["log"]
        lines.add("DynamoDB", _month(TICKS_PER_DAY * _dynamodb(log) / MEMBERS), "stream handler's change log")
        queued = trace.refreshes["today"] * trace.tick_share
        shard = feeds["shards_per_member_queued"]
        lines.add("DynamoDB", _month(queued * _dynamodb(shard)), "active tier fan-out (index shards)")
        worker_seconds += queued * lambda_seconds(
            shard["cpu_ms"], shard["requests"], MEMORY_MB["feed_worker"]
        )
        sqs = mix["refreshes"] * 0.3 + TICKS_PER_DAY * 8 * 1.2 / MEMBERS
    else:
        planner = feeds["planner"]
        runs = TICKS_PER_DAY * planner_share(feeds)
        lines.add(
            "DynamoDB", _month(runs * _dynamodb(planner)), "planner: measured run, grows with the community"
        )
        planner_seconds = runs * lambda_seconds(planner["cpu_ms"], planner["requests"], MEMORY_MB["planner"])
        sqs = mix["refreshes"] * 0.3
    invocations += TICKS_PER_DAY / MEMBERS

    # --- engagement events, the stream worker --------------------------------------------------
    engagement = ops["engagement"]
    accepted = events * (
        CARDS_PER_PAGE * (1 - BROWSER_CACHE_HITS) * PHOTO_SHARE * TAGGED_SHARE + TAPS_PER_PAGE
    )
    per_event = accepted / 1000
    lines.add(
        "DynamoDB",
        _month(
            per_event
            * (
                engagement["worker_write_units"] * prices.DYNAMODB_WRITE_UNIT
                + engagement["worker_read_units"] * prices.DYNAMODB_READ_UNIT
            )
        ),
        f"engagement worker ({accepted:.1f} accepted events/member/day; measured per 1,000 events at "
        f"{engagement['messages_per_invocation']:.1f} messages an invocation)",
    )
    events_seconds = per_event * lambda_seconds(
        engagement["worker_cpu_ms"], engagement["worker_requests"], MEMORY_MB["worker"]
    )
    invocations += per_event * engagement["worker_invocations"]
    sqs += events * 1.2
    writes = smiles + comments + follows + posts + events + mix["refreshes"] + sessions
    records = writes * STREAM_RECORDS_PER_WRITE
    stream = ops["stream_total"]
    per_record_ms = stream["cpu_ms"] / max(1, ops["stream_records"])
    stream_seconds = records * per_record_ms / 1000 / min(1.0, MEMORY_MB["stream"] / 1769)
    lines.add(
        "DynamoDB",
        _month(records * _dynamodb(stream) / max(1, ops["stream_records"])),
        "stream worker (brand counters from table changes; estimated records per write)",
    )
    invocations += records / STREAM_BATCH

    # --- Lambda ---------------------------------------------------------------------------------
    gb_seconds = (
        api_seconds * MEMORY_MB["api"]
        + authorizer_seconds * MEMORY_MB["authorizer"]
        + worker_seconds * MEMORY_MB["feed_worker"]
        + planner_seconds * MEMORY_MB["planner"]
        + events_seconds * MEMORY_MB["worker"]
        + stream_seconds * MEMORY_MB["stream"]
        + photos * thumbnail_seconds * THUMBNAIL_MEMORY_MB
    ) / 1024
    invocations += photos
    lines.add("Lambda", _month(gb_seconds) * prices.LAMBDA_GB_SECOND, "GB-s: CPU measured per operation")
    lines.add("Lambda", _month(invocations) * prices.LAMBDA_REQUEST, "requests")
    lines.add("SQS", _month(sqs + photos * 1.2) * prices.SQS_REQUEST, "refresh, engagement, thumbnail queues")

    # --- images: Rekognition, S3, CloudFront ----------------------------------------------------
    labelled = _month(photos * (TAGGED_SHARE if design == "today" else 1.0))
    lines.add(
        "Rekognition",
        prices.tiered(labelled, prices.REKOGNITION_TIERS),
        ("DetectLabels: every photo" if design != "today" else "DetectLabels: photos that tag a product")
        + f", {labelled / 1e6:.1f} M images ({prices.tiers_used(labelled, prices.REKOGNITION_TIERS)})",
    )
    if design == "today":  # the earlier designs' trees did not screen (chalicelib/services/screening.py)
        after, sample = screening_settings()
        share = _screened_share(after, sample, SCREENING_HISTORY_MONTHS)
        screened = _month(photos * share)
        lines.add(
            "Rekognition",
            prices.tiered(screened, prices.REKOGNITION_TIERS),
            f"DetectModerationLabels on trust: {share:.0%} of uploads screened (under {after} clean photos "
            f"every one, then 1 in {sample}), {screened / 1e6:.1f} M images "
            f"({prices.tiers_used(screened, prices.REKOGNITION_TIERS)})",
        )
        # the trust rule's own cost: a GetItem of the record per upload, an ADD per clean screening
        lines.add(
            "DynamoDB",
            _month(photos * (0.5 * prices.DYNAMODB_READ_UNIT + share * prices.DYNAMODB_WRITE_UNIT)),
            "screening records",
        )
    # PUTs: the browser's POST, today the thumbnailer's copy of the accepted bytes, the renditions.
    # The original is kept ORIGINAL_DAYS (the upload bucket's lifecycle), the renditions for good.
    puts = 1 + (1 if design == "today" else 0) + delivered["objects"]
    original_days = original_retention_days()
    lines.add(
        "S3",
        _month(photos) * (puts * prices.S3_PUT + 2 * prices.S3_GET)
        + _month(photos)
        * (ORIGINAL_BYTES * min(1.0, original_days / DAYS) + delivered["stored"])
        / 1e9
        * prices.S3_STORAGE_GB_MONTH,
        f"a month's photos: {puts:.0f} PUTs each, the original for {original_days} days, "
        f"{delivered['objects']:.0f} renditions (their storage grows each month)",
    )
    card_requests = new_card_pages * CARDS_PER_PAGE * (1 - BROWSER_CACHE_HITS) + post_pages
    transfer_gb = (
        _month(
            new_card_pages * CARDS_PER_PAGE * (1 - BROWSER_CACHE_HITS) * delivered["card"]
            + post_pages * delivered["post_page"]
        )
        / 1e9
    )
    pay_as_you_go = (
        prices.tiered(transfer_gb, prices.CLOUDFRONT_GB_TIERS)
        + _month(card_requests) * prices.CLOUDFRONT_HTTPS_REQUEST
    )
    plan, plan_requests, plan_gb = prices.CLOUDFRONT_PREMIUM_PLAN
    plans = max(math.ceil(_month(card_requests) / plan_requests), math.ceil(transfer_gb / plan_gb))
    lines.add(
        "CloudFront",
        pay_as_you_go,
        f"{transfer_gb / 1000:.0f} TB ({delivered['card'] / 1000:.1f} KB a card, "
        f"{delivered['post_page'] / 1000:.0f} KB a post page), "
        f"{_month(card_requests) / 1e6:.0f} M image requests, pay as you go "
        f"(flat-rate Premium plans instead: {plans} distributions, ${plans * plan:,.0f})",
    )

    # --- X-Ray, CloudWatch -----------------------------------------------------------------------
    traces = DAYS * 86_400 + _month(invocations) * prices.XRAY_SAMPLED_SHARE
    lines.add("X-Ray", traces * prices.XRAY_TRACE_RECORDED, "1 trace/s + 5% of invocations")
    log_gb = _month(invocations * LOG_BYTES_PER_INVOCATION + requests * ACCESS_LOG_BYTES) / 1e9
    lines.add(
        "CloudWatch",
        log_gb * (prices.CLOUDWATCH_LOG_INGEST_GB + prices.CLOUDWATCH_LOG_STORAGE_GB_MONTH)
        + CUSTOM_METRICS * prices.CLOUDWATCH_METRIC_MONTH
        + ALARMS * prices.CLOUDWATCH_ALARM_MONTH,
        f"{log_gb:.0f} GB of logs",
    )
    storage_gb = (_month(posts) * 3_000 + MEMBERS * mix["refreshes"] * 7 * FEED_GENERATION_BYTES * 0.5) / 1e9
    lines.add(
        "DynamoDB",
        storage_gb * prices.DYNAMODB_STORAGE_GB_MONTH,
        "storage: a month of posts, a week of feeds",
    )
    return lines


_SHARES: dict[tuple[int, int, float], float] = {}


def _screened_share(trusted_after: int, sample: int, history_months: float) -> float:
    key = (trusted_after, sample, history_months)
    if key not in _SHARES:
        _SHARES[key] = screened_share(trusted_after, sample, history_months)
    return _SHARES[key]


def planner_share(feeds: dict[str, Any]) -> float:
    """The earlier designs' planner run covers its whole community: per member, 1 / members."""
    return 1 / feeds["active_members"]


def feed_cost_per_member_day(
    design: str, trace: TraceResult, feeds: dict[str, Any], planner_today: dict[str, Any] | None
) -> float:
    """DynamoDB dollars per weekly member per day of refreshes and planning (issue 10's metric)."""
    mix = _refresh_mix(design, feeds, trace)
    if design == "today":
        assert planner_today is not None
        queued = trace.refreshes["today"] * trace.tick_share
        planning = (
            TICKS_PER_DAY * (_dynamodb(planner_today["run"]) + _dynamodb(planner_today["log"])) / MEMBERS
        )
        planning += queued * _dynamodb(feeds["shards_per_member_queued"])
    else:
        planning = TICKS_PER_DAY * planner_share(feeds) * _dynamodb(feeds["planner"])
    return mix["dynamodb"] + planning


def describe(lines: Lines) -> str:
    return ", ".join(f"{k} ${v:,.0f}" for k, v in sorted(lines.dollars.items(), key=lambda kv: -kv[1]))


def detail(lines: Lines, service: str) -> str:
    """One service's line, part by part (largest first)."""
    parts = [(basis, v) for (s, basis), v in lines.parts.items() if s == service]
    return ", ".join(f"{basis or service} ${v:,.0f}" for basis, v in sorted(parts, key=lambda kv: -kv[1]))


def lambda_on_arm64(lines: Lines) -> float:
    """The Lambda line with its GB-seconds at arm64's price (20% less), requests unchanged."""
    seconds = sum(
        v for (service, basis), v in lines.parts.items() if service == "Lambda" and basis.startswith("GB-s")
    )
    return lines.dollars["Lambda"] - seconds * (1 - prices.LAMBDA_ARM64_SHARE)
