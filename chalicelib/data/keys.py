"""Every DynamoDB key Flint writes or reads is built here, and only here.

One table, `PK`/`SK` strings plus two overloaded indexes (`GSI1PK/GSI1SK`,
`GSI2PK/GSI2SK`), one narrow index of post statistics (`GSI3PK/GSI3SK`) and one sparse,
keys-only index of what each member owns outside their own partitions (`GSI4PK/GSI4SK`).
Each function documents the shape it builds; the full
access-pattern table lives in docs/data-model.md.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple


class Key(NamedTuple):
    pk: str
    sk: str


# Members are spread over this many "recently active" index partitions so the
# feed planner's sparse index never concentrates every write on one key.
ACTIVE_SHARDS = 8

PROFILE = "PROFILE"
INTEREST_CATALOG = "INTERESTS"


def user(user_id: str) -> Key:
    """Member profile: `USER#<id>` / `PROFILE`."""
    return Key(f"USER#{user_id}", PROFILE)


def active_shard(user_id: str) -> int:
    return int(hashlib.sha256(user_id.encode()).hexdigest(), 16) % ACTIVE_SHARDS


def active_member(user_id: str, last_active_at: str) -> Key:
    """GSI2 entry on the profile: `ACTIVE#<shard>` / `<iso last active>`: members active lately."""
    return Key(f"ACTIVE#{active_shard(user_id)}", last_active_at)


def active_partition(shard: int) -> str:
    return f"ACTIVE#{shard}"


def interest(interest_id: str) -> Key:
    """Interest catalog entry: `INTERESTS` / `INTEREST#<id>` (one partition: the catalog is small)."""
    return Key(INTEREST_CATALOG, f"INTEREST#{interest_id}")


def interest_catalog_prefix() -> Key:
    """Key condition for the whole catalog: PK = `INTERESTS`, SK begins_with `INTEREST#`."""
    return Key(INTEREST_CATALOG, "INTEREST#")


def follow(follower_id: str, followee_id: str) -> Key:
    """Follow edge: `USER#<follower>` / `FOLLOWS#<followee>`."""
    return Key(f"USER#{follower_id}", f"FOLLOWS#{followee_id}")


def brand(brand_id: str) -> Key:
    """Brand: `BRAND#<id>` / `BRAND`; GSI1 `OWNER#<user>` / `BRAND#<id>` (brands a member owns)."""
    return Key(f"BRAND#{brand_id}", "BRAND")


def brand_owner(owner_id: str, brand_id: str) -> Key:
    return Key(f"OWNER#{owner_id}", f"BRAND#{brand_id}")


def brand_name(name_key: str) -> Key:
    """A brand name's claim: `BRANDNAME#<normalised name>` / `BRANDNAME`, written with the brand.

    `name_key` is `text.name_key(name)` (NFKC, case folded, invisible formatting dropped), so
    "Northpeak", "NORTHPEAK" and its full-width spelling claim the same item: one brand per name.
    """
    return Key(f"BRANDNAME#{name_key}", "BRANDNAME")


def product(product_id: str) -> Key:
    """Product: `PRODUCT#<id>` / `PRODUCT`; GSI1 `BRAND#<brand>` / `PRODUCT#<id>`; GSI2 catalog by title."""
    return Key(f"PRODUCT#{product_id}", "PRODUCT")


def brand_product(brand_id: str, product_id: str) -> Key:
    return Key(f"BRAND#{brand_id}", f"PRODUCT#{product_id}")


def brand_products(brand_id: str) -> Key:
    """Key condition for a brand's catalog: GSI1 `BRAND#<brand>`, SK begins_with `PRODUCT#`."""
    return Key(f"BRAND#{brand_id}", "PRODUCT#")


def brand_community_owner(brand_id: str) -> str:
    """Owner of a brand's community list: `BRAND#<brand>`, so `feed_list()` of it is
    `FEED#BRAND#<brand>` / `LIST`: the best posts that tag the brand's products, by rank key.

    Kept in the shared lists' format, so a follower's feed refresh reads it in the BatchGetItem
    that reads their interest lists, and the brand page reads it with one GetItem."""
    return f"BRAND#{brand_id}"


PRODUCT_CATALOG = "PRODUCTS"


def catalog_entry(title_key: str, product_id: str) -> Key:
    """GSI2 on the product: `PRODUCTS` / `<normalised title>#<id>`: the whole catalog, A to Z."""
    return Key(PRODUCT_CATALOG, f"{title_key}#{product_id}")


SEARCH_BUCKET_CHARS = 2
# What the one search index holds: each entry names its kind, so one index serves every search box.
SEARCH_KINDS = ("product", "member", "interest", "post")


def search_word(kind: str, word: str, entity_id: str) -> Key:
    """Inverted index entry, one per (kind, word, entity): `SEARCH#<kind>#<first 2 letters>` / `<word>#<id>`.

    A prefix query of one kind is `SK begins_with <prefix>` in that kind's 2-letter partition.
    """
    return Key(f"SEARCH#{kind}#{word[:SEARCH_BUCKET_CHARS]}", f"{word}#{entity_id}")


def search_prefix(kind: str, prefix: str) -> Key:
    """Key condition for `kind` entries whose word starts with `prefix` (at least 2 letters)."""
    return Key(f"SEARCH#{kind}#{prefix[:SEARCH_BUCKET_CHARS]}", prefix)


def upload(upload_id: str) -> Key:
    """Upload: `UPLOAD#<id>` / `UPLOAD` (owner, status, renditions; used by at most one post)."""
    return Key(f"UPLOAD#{upload_id}", "UPLOAD")


def upload_object(owner_id: str, upload_id: str) -> str:
    """S3 key an original is uploaded to in the uploads bucket; the presigned POST pins it.

    The POST can be replayed until it expires, so what sits here may change: the thumbnailer reads
    it once and keeps what it accepted under `accepted_original`.
    """
    return f"uploads/{owner_id}/{upload_id}"


UPLOADS_PREFIX = "uploads/"
ORIGINALS_PREFIX = "originals/"


def accepted_original(owner_id: str, upload_id: str, sha256: str) -> str:
    """S3 key of the bytes the thumbnailer accepted, in the uploads bucket, named by their digest.

    No presigned POST names this prefix and only the thumbnailer may write it, so a key here holds
    exactly the bytes its digest names: an upload's record points at what was screened.
    """
    return f"{ORIGINALS_PREFIX}{owner_id}/{upload_id}/{sha256}"


def parse_upload_object(object_key: str) -> tuple[str, str] | None:
    """(owner_id, upload_id) of an uploads-bucket key; None for anything else."""
    parts = object_key.split("/")
    if len(parts) != 3 or parts[0] != "uploads" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def rendition_object(upload_id: str, size_name: str, extension: str) -> str:
    """S3 key of a thumbnail in the media bucket: deterministic, so a retry overwrites, never duplicates."""
    return f"media/{upload_id}/{size_name}.{extension}"


def rendition_prefix(upload_id: str) -> str:
    return f"media/{upload_id}/"


def held_rendition_object(upload_id: str, size_name: str, extension: str) -> str:
    """S3 key of a thumbnail held for review: `held/<upload>/<size>.<ext>` in the media bucket.

    Outside `media/`, so the site's CDN (whose bucket policy reads `media/*` only) never serves
    it; moderators see it through a short-lived presigned URL, and approval copies it to `media/`.
    """
    return f"held/{upload_id}/{size_name}.{extension}"


def held_rendition_prefix(upload_id: str) -> str:
    return f"held/{upload_id}/"


def published_rendition(held_key: str) -> str:
    """Where a held thumbnail goes once approved: the same upload, size and extension under `media/`."""
    return "media/" + held_key.removeprefix("held/")


def post(post_id: str) -> Key:
    """Post: `POST#<id>` / `POST`; GSI3 `AUTHOR#<author>` / `POST#<id>` (a member's posts, newest first)."""
    return Key(f"POST#{post_id}", "POST")


def post_by_author(author_id: str, post_id: str) -> Key:
    """GSI3 on a post: `AUTHOR#<author>` / `POST#<id>`. GSI3 projects only what ranking needs (ids,
    time, interests, counters, state), so listing an author's posts reads ~150 bytes a post."""
    return Key(f"AUTHOR#{author_id}", f"POST#{post_id}")


def author_posts(author_id: str) -> str:
    return f"AUTHOR#{author_id}"


def interest_post(interest_id: str, post_id: str) -> Key:
    """Interest listing entry: `INTEREST#<id>` / `POST#<post id>` (ids sort by time: newest last)."""
    return Key(f"INTEREST#{interest_id}", f"POST#{post_id}")


def product_post(product_id: str, post_id: str) -> Key:
    """Product page entry, in the product's partition: `PRODUCT#<id>` / `TAGGED#<post id>`."""
    return Key(f"PRODUCT#{product_id}", f"TAGGED#{post_id}")


POST_REF_PREFIX = "POST#"
TAGGED_PREFIX = "TAGGED#"


def smile(post_id: str, user_id: str) -> Key:
    """Smile edge, in the post's partition: `POST#<post>` / `SMILE#<member>`."""
    return Key(f"POST#{post_id}", f"SMILE#{user_id}")


def comment(post_id: str, comment_id: str) -> Key:
    """Comment, in the post's partition: `POST#<post>` / `COMMENT#<id>` (ids sort by time: oldest first)."""
    return Key(f"POST#{post_id}", f"COMMENT#{comment_id}")


FOLLOWS_PREFIX = "FOLLOWS#"
SMILE_PREFIX = "SMILE#"
COMMENT_PREFIX = "COMMENT#"


def score(interest_id: str, day: str, author_id: str) -> Key:
    """Smiles an author got on a day in an interest: `SCORE#<interest>` / `<day>#<author>`.

    One partition per interest, sorted by day: the Enthusiast job reads a 30-day window with one Query.
    """
    return Key(f"SCORE#{interest_id}", f"{day}#{author_id}")


def score_window(interest_id: str, first_day: str, last_day: str) -> tuple[str, str, str]:
    """(partition, low, high) for SK BETWEEN: every author's counters from first_day to last_day."""
    return f"SCORE#{interest_id}", first_day, f"{last_day}#~"


ENTHUSIASTS = "ENTHUSIASTS"
ALL_INTERESTS = "ALL"


def enthusiasts(interest_id: str | None) -> Key:
    """Badge ranking written by the daily job: `ENTHUSIASTS` / `INTEREST#<id>` (or `ALL`)."""
    return Key(ENTHUSIASTS, f"INTEREST#{interest_id}" if interest_id else ALL_INTERESTS)


TRENDING_OWNER = "TRENDING"


def trending_owner(interest_id: str | None = None) -> str:
    """Feed owner of the shared trending lists: `TRENDING` overall, `TRENDING#<interest>` per interest."""
    return f"{TRENDING_OWNER}#{interest_id}" if interest_id else TRENDING_OWNER


def feed_generation(owner: str, generation: str) -> Key:
    """One generation of a precomputed feed: `FEED#<member or TRENDING…>` / `GEN#<generation id>`.

    Generation ids sort by time, so the newest is one Query (descending, Limit 1) away, and a
    generation becomes visible the instant its single item is written: no half-written feeds.
    """
    return Key(f"FEED#{owner}", f"GEN#{generation}")


def feed_partition(owner: str) -> str:
    return f"FEED#{owner}"


GENERATION_PREFIX = "GEN#"


def feed_head(owner: str) -> Key:
    """A feed's small head item, `FEED#<owner>` / `HEAD`: the current generation, when the feed was
    last checked, the digest of its ranked entries and how far the refresh has read the run log.

    `HEAD` sorts after every `GEN#...`, so one descending Query of the partition (Limit 2) reads
    the head and the newest generation together (the feed's first page)."""
    return Key(f"FEED#{owner}", "HEAD")


def feed_fanin(member_id: str) -> Key:
    """Whom a member's refresh fans in from, `FEED#<member>` / `FANIN`: the followee ids (packed)
    and the profile's follow version they were read at. Sorts before `GEN#`: never read by pages."""
    return Key(f"FEED#{member_id}", "FANIN")


def feed_fanin_ids(member_id: str, bucket: int) -> Key:
    """One bucket of a member's followee ids, `FEED#<member>` / `FANIN#<bucket>` (see feed_fanin).
    Sorts before `GEN#`: never read by pages."""
    return Key(f"FEED#{member_id}", f"FANIN#{bucket}")


def feed_list(list_owner: str) -> Key:
    """A shared candidate list, `FEED#TRENDING[#<interest>]` / `LIST`: the best posts by rank key
    with their ranking inputs, rewritten by the planner when they change (one fixed key, so a
    refresh reads every list it needs in one BatchGetItem)."""
    return Key(f"FEED#{list_owner}", "LIST")


def feed_plan_state() -> Key:
    """The feed planner's own state, `FEEDPLAN` / `STATE`: how far it has read the change log."""
    return Key("FEEDPLAN", "STATE")


FEED_CHANGES = "FEEDLOG"


def feed_change(written_at: str, token: str) -> Key:
    """Post changes the stream handler saw in one batch, `FEEDLOG` / `<iso written at>#<token>`:
    the planner reads what was written since its last run (SK > cursor)."""
    return Key(FEED_CHANGES, f"{written_at}#{token}")


FEED_RUNS = "FEEDRUN"


def feed_run(run_at: str) -> Key:
    """What one planner run learnt, `FEEDRUN` / `<iso run time>`: hashes of the authors who posted
    and the ids of deleted posts. A member's refresh reads the runs since its last one."""
    return Key(FEED_RUNS, run_at)


# --- brands, engagement events and brand insights --------------------------------------------


def owner_brands(owner_id: str) -> Key:
    """Key condition for the brands a member owns: GSI1 `OWNER#<user>`, SK begins_with `BRAND#`."""
    return Key(f"OWNER#{owner_id}", "BRAND#")


def viewer_hour(viewer: str, hour: int) -> Key:
    """A viewer's counted events in one receipt hour: `EVT#<viewer>` / `H#<hours since epoch>`.

    The viewer is `m:<member>` or `s:<anonymous session>` (services/receipts.py), never an address.
    """
    return Key(f"EVT#{viewer}", f"H#{hour}")


def member_viewer_hours(member_id: str) -> str:
    """The partition of a signed-in member's viewer-hour items (`EVT#m:<member>`): erasure."""
    return f"EVT#m:{member_id}"


SUMMARY_LEVELS = ("D", "W", "Q")  # a day, a week (Monday first), 4 weeks aligned to 2000-01-03


def brand_summary(brand_id: str, level: str, first_day: str) -> Key:
    """A brand's engagement over one period: `BSUM#<brand>` / `<D|W|Q>#<first day of the period>`.

    One partition per brand holds its day items, week and 4-week blocks, its head, its campaign
    list and campaign backfills: a window is one BatchGetItem of the periods that tile it.
    """
    if level not in SUMMARY_LEVELS:
        raise ValueError(f"unknown summary level {level!r}")
    return Key(f"BSUM#{brand_id}", f"{level}#{first_day}")


def brand_days(brand_id: str, first_day: str, last_day: str) -> tuple[str, str, str]:
    """(partition, low, high) for SK BETWEEN: the brand's day items from first_day to last_day."""
    return f"BSUM#{brand_id}", f"D#{first_day}", f"D#{last_day}"


def brand_head(brand_id: str) -> Key:
    """`BSUM#<brand>` / `HEAD`: first and last day with data, last day compacted into blocks."""
    return Key(f"BSUM#{brand_id}", "HEAD")


def brand_campaigns(brand_id: str) -> Key:
    """`BSUM#<brand>` / `CAMPAIGNS`: the campaigns events are attributed to as they arrive."""
    return Key(f"BSUM#{brand_id}", "CAMPAIGNS")


def campaign_backfill(brand_id: str, campaign_id: str) -> Key:
    """`BSUM#<brand>` / `CB#<campaign>`: a campaign's days from before it was attributed live."""
    return Key(f"BSUM#{brand_id}", f"CB#{campaign_id}")


def brand_author(brand_id: str, author_id: str) -> Key:
    """Lifetime mark that a member is named in a brand's summaries: `BAUTHOR#<brand>` / `<member>`.

    `posts` > 0: they posted about the brand (potential customers are engaged members without
    such a mark: one BatchGetItem for the candidates). Every member a summary lists has a mark,
    with GSI4 `MEMBER#<member>` / `brand_member#<brand>`, so erasure finds their brands.
    """
    return Key(f"BAUTHOR#{brand_id}", author_id)


def applied_marker(token: str) -> Key:
    """Idempotency marker of one aggregated delivery: `APPLIED#<token>` / `APPLIED` (TTL 7 days)."""
    return Key(f"APPLIED#{token}", "APPLIED")


def campaign(brand_id: str, campaign_id: str) -> Key:
    """Campaign, in its brand's partition: `BRAND#<brand>` / `CAMPAIGN#<id>` (ids sort by time)."""
    return Key(f"BRAND#{brand_id}", f"CAMPAIGN#{campaign_id}")


CAMPAIGN_PREFIX = "CAMPAIGN#"


def rate_window(action: str, subject: str, window_start: int) -> Key:
    """Abuse-limit counter: `RATE#<action>#<subject>` / `WINDOW#<window start, epoch s>`.

    The subject is a member id, or `ip:<sha256 of the client address, 16 hex>` for anonymous
    callers, so no raw address is stored. Items expire (TTL) after their window.
    """
    return Key(rate_partition(action, subject), f"WINDOW#{window_start}")


def anonymous_subject(client_address: str) -> str:
    return "ip:" + hashlib.sha256(client_address.encode()).hexdigest()[:16]


# --- safety: blocks, reports, moderation ------------------------------------------------------


def block_list(user_id: str) -> Key:
    """The members a member blocked, one item: `USER#<id>` / `BLOCKS` (a string set `ids`).

    One item serves both uses: a page read adds it to its BatchGetItem (whose posts to drop), and
    a comment or follow transaction checks `NOT contains(ids, :me)` on it.
    """
    return Key(f"USER#{user_id}", "BLOCKS")


BLOCK_EDGE_PREFIX = "BLOCK#"


def block_edge(blocker_id: str, blocked_id: str) -> Key:
    """One block, beside the list: `USER#<blocker>` / `BLOCK#<blocked>`, with GSI4 `MEMBER#<blocked>`.

    Reads never use it (they read the list); it exists so that a member who leaves is found on
    the lists of those who blocked them (chalicelib/data/ownership.py) and taken off them.
    """
    return Key(f"USER#{blocker_id}", f"{BLOCK_EDGE_PREFIX}{blocked_id}")


def moderation_case(target_type: str, target_id: str) -> Key:
    """A moderation case, one per reported target: `CASE#<type>#<id>` / `CASE` (open or resolved).

    While open it carries GSI1 `MODQ` / `<opened at>#<type>#<id>`: the queue, oldest first.
    """
    return Key(f"CASE#{target_type}#{target_id}", "CASE")


def report(target_type: str, target_id: str, reporter_id: str) -> Key:
    """One member's report of a target, in its case's partition: `CASE#<type>#<id>` / `REPORT#<member>`.

    One per (reporter, target): reporting again is the idempotent answer, never a second count.
    """
    return Key(f"CASE#{target_type}#{target_id}", f"REPORT#{reporter_id}")


MODERATION_QUEUE = "MODQ"


def moderation_queue_entry(opened_at: str, target_type: str, target_id: str) -> Key:
    """GSI1 on an open case: `MODQ` / `<opened at ISO>#<type>#<id>` (sparse: removed on resolution)."""
    return Key(MODERATION_QUEUE, f"{opened_at}#{target_type}#{target_id}")


AUDIT_TRAIL = "AUDIT"


def audit_entry(audit_id: str) -> Key:
    """One moderation action, append-only: `AUDIT` / `<audit id>` (ids sort by time: newest last)."""
    return Key(AUDIT_TRAIL, audit_id)


# --- the activity inbox (issue 22) ------------------------------------------------------------

NOTIFICATION_PREFIX = "N#"


def inbox_partition(member_id: str) -> str:
    """A member's activity inbox: `INBOX#<member>` holds their notifications and read mark."""
    return f"INBOX#{member_id}"


def notification(member_id: str, sort: str) -> Key:
    """One notification: `INBOX#<member>` / `N#<event time ISO>#<8 hex of the stream event id>`.

    Built from the stream record, so a retried batch rewrites the same item (never a second one);
    newest first is a descending Query. TTL 30 days: the inbox's storage is bounded per member.
    """
    return Key(inbox_partition(member_id), f"{NOTIFICATION_PREFIX}{sort}")


def inbox_read_mark(member_id: str) -> Key:
    """How far the member has read: `INBOX#<member>` / `READ` (a notification time)."""
    return Key(inbox_partition(member_id), "READ")


# --- what a member owns (erasure and export) -----------------------------------------------

MEMBER_PREFIX = "MEMBER#"


def member_owned(member_id: str, kind: str, sort: str) -> Key:
    """GSI4 on an item a member owns outside their own partitions: `MEMBER#<member>` / `<kind>#<sort>`.

    Smiles and comments they wrote, follow edges pointing at them, their uploads, their daily
    scores, their brand marks. GSI4 is keys-only, so the index entry is
    written once, when the item is created (later counter ADDs leave it unchanged); erasure and
    export find each kind with one Query (chalicelib/data/ownership.py).
    """
    return Key(f"{MEMBER_PREFIX}{member_id}", f"{kind}#{sort}")


def member_owned_kind(member_id: str, kind: str) -> Key:
    """Key condition for one kind of a member's items: GSI4PK `MEMBER#<member>`, SK begins_with `<kind>#`."""
    return Key(f"{MEMBER_PREFIX}{member_id}", f"{kind}#")


def rate_partition(action: str, subject: str) -> str:
    """Every window of one abuse limit for one subject: `RATE#<action>#<subject>`."""
    return f"RATE#{action}#{subject}"


# --- UGC rights requests and shoppable galleries (issue 22, t22-rights) --------------------------

RIGHTS_PREFIX = "RIGHTS#"
BRAND_RIGHTS_PREFIX = "BRANDRIGHTS#"
BRAND_GALLERIES_PREFIX = "BRANDGALLERIES#"


def rights_request(post_id: str, brand_id: str) -> Key:
    """A brand's request to feature a post: `RIGHTS#<post>` / `BRAND#<brand>`.

    One item per brand x post, so "one open request" is the item's own condition; a post's
    requests are one Query of its partition (withdrawn together when the post goes). GSI1
    `BRANDRIGHTS#<brand>` / `<requested at ISO>#<post>`: the brand's requests, newest first; GSI4
    `MEMBER#<author>` / `rights#<post>#<brand>` (keys.member_owned): the author's erasure finds them.
    """
    return Key(rights_partition(post_id), f"BRAND#{brand_id}")


def rights_partition(post_id: str) -> str:
    return f"{RIGHTS_PREFIX}{post_id}"


def brand_rights(brand_id: str, requested_at: str, post_id: str) -> Key:
    """GSI1 on a rights request: `BRANDRIGHTS#<brand>` / `<requested at ISO>#<post>`."""
    return Key(f"{BRAND_RIGHTS_PREFIX}{brand_id}", f"{requested_at}#{post_id}")


def brand_rights_partition(brand_id: str) -> str:
    return f"{BRAND_RIGHTS_PREFIX}{brand_id}"


def gallery(gallery_id: str) -> Key:
    """A shoppable gallery: `GALLERY#<id>` / `GALLERY` (its posts, in order, inline); GSI1
    `BRANDGALLERIES#<brand>` / `<gallery id>` (a brand's galleries; ids sort by time)."""
    return Key(f"GALLERY#{gallery_id}", "GALLERY")


def brand_gallery(brand_id: str, gallery_id: str) -> Key:
    return Key(f"{BRAND_GALLERIES_PREFIX}{brand_id}", gallery_id)


def brand_galleries_partition(brand_id: str) -> str:
    return f"{BRAND_GALLERIES_PREFIX}{brand_id}"


# --- audiences and one-click brand communities (issue 22, t22-audiences) ------------------------

AUDIENCE_PREFIX = "A#"
COMMUNITY_PREFIX = "C#"


def audience_partition(brand_id: str) -> str:
    """A brand's saved audiences and their communities: `AUD#<brand>` (one Query lists them)."""
    return f"AUD#{brand_id}"


def audience(brand_id: str, audience_id: str) -> Key:
    """A saved audience (rules, backfill position): `AUD#<brand>` / `A#<audience>`."""
    return Key(audience_partition(brand_id), f"{AUDIENCE_PREFIX}{audience_id}")


def community(brand_id: str, audience_id: str) -> Key:
    """An audience's community (invitation progress, invited and joined counts):
    `AUD#<brand>` / `C#<audience>`."""
    return Key(audience_partition(brand_id), f"{COMMUNITY_PREFIX}{audience_id}")


def audience_rows(brand_id: str) -> str:
    """Every member's activity row of one brand: `AUDROW#<brand>` (an audience's backfill pages it)."""
    return f"AUDROW#{brand_id}"


def audience_row(brand_id: str, member_id: str) -> Key:
    """What one member did about one brand, kept from the stream: `AUDROW#<brand>` / `<member>`.

    GSI4 `MEMBER#<member>` / `audience_row#<brand>`: a profile change (followers, badge, opt-out)
    and erasure find the member's rows with one Query.
    """
    return Key(audience_rows(brand_id), member_id)


def audience_members(audience_id: str) -> str:
    """An audience's members: `AUDMEM#<audience>` (a page is one Query, by member id)."""
    return f"AUDMEM#{audience_id}"


def audience_member(audience_id: str, member_id: str) -> Key:
    """A member of a saved audience, with their tags: `AUDMEM#<audience>` / `<member>`;
    GSI4 `MEMBER#<member>` / `audience_member#<audience>`."""
    return Key(audience_members(audience_id), member_id)


def invitation(brand_id: str, member_id: str) -> Key:
    """A brand's invitation to a member, at most one ever: `INVITE#<brand>` / `<member>`;
    GSI4 `MEMBER#<member>` / `invitation#<brand>`."""
    return Key(f"INVITE#{brand_id}", member_id)


# --- image discovery and tag suggestions (issue 22, t22-discovery) ---------------------------


def visual_bucket(bucket: str, product_id: str) -> Key:
    """A product's visual signature in a colour bucket: `VISUAL#<colour name>` / `PRODUCT#<id>`.

    The candidate index of image discovery: a photo reads the buckets of its colours, at most
    `discovery.CANDIDATES_PER_BUCKET` products each (one Query per bucket), never the catalog.
    """
    return Key(f"VISUAL#{bucket}", f"PRODUCT#{product_id}")


def visual_bucket_partition(bucket: str) -> str:
    return f"VISUAL#{bucket}"


def brand_mentions(brand_id: str) -> str:
    """A brand's untagged mentions: `MENTIONS#<brand>`, newest first."""
    return f"MENTIONS#{brand_id}"


def brand_mention(brand_id: str, created_at: str, post_id: str, product_id: str) -> Key:
    """A post that likely shows one of the brand's products untagged:
    `MENTIONS#<brand>` / `<post created at ISO>#<post id>#<product id>` (written from the stream
    when the post is published, so a retried batch rewrites the same item)."""
    return Key(brand_mentions(brand_id), f"{created_at}#{post_id}#{product_id}")


TAG_SUGGESTION_PREFIX = "SUGGEST#"


def tag_suggestion(post_id: str, product_id: str) -> Key:
    """A brand's suggestion to tag a product on a post, in the post's partition (so it goes with
    the post): `POST#<post>` / `SUGGEST#<product>`. One per post x product (created conditionally)."""
    return Key(f"POST#{post_id}", f"{TAG_SUGGESTION_PREFIX}{product_id}")


# --- deleting an audience (issue 22, t22-polish) ---------------------------------------------

AUDIENCE_CLEANUP_SK = "~CLEANUP"  # after every member id: a Query of the partition reaches it last


def audience_cleanup(audience_id: str) -> Key:
    """A deleted audience's clean-up marker, in its members' partition after all of them:
    `AUDMEM#<audience>` / `~CLEANUP`."""
    return Key(audience_members(audience_id), AUDIENCE_CLEANUP_SK)


# --- campaign featured slots, holdout and lift (issue 22, t22-featured) ----------------------


def audience_campaigns(audience_id: str) -> Key:
    """The live campaigns that target an audience, in one item: `AUDCAMP#<audience>` / `LIVE`.

    A feed refresh reads it for each audience the member is in, in the BatchGetItem it already makes.
    """
    return Key(f"AUDCAMP#{audience_id}", "LIVE")


def campaign_member(campaign_id: str, member_id: str) -> Key:
    """A member's group in a campaign (treated or holdout), written at their first refresh while it
    runs: `CAMPMEM#<campaign>` / `<member>`; GSI4 `MEMBER#<member>` / `campaign_member#<campaign>`."""
    return Key(f"CAMPMEM#{campaign_id}", member_id)


def campaign_groups(brand_id: str, campaign_id: str) -> Key:
    """A campaign's group sizes and engaged members (ADD counters), beside the campaign:
    `BRAND#<brand>` / `CAMPGROUPS#<campaign>`."""
    return Key(brand(brand_id).pk, f"CAMPGROUPS#{campaign_id}")
