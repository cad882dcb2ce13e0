"""PynamoDB item models for the single Flint table.

All entities share one table and one base class; `type` (a discriminator) says
which entity an item is, so a `Query` over a mixed partition returns the right
classes. Keys are never built here: see `keys.py`. Models are bound to a table
name, region and endpoint at run time by `bind()`, not at import.
"""

from __future__ import annotations

import threading

from pynamodb.attributes import (
    BinaryAttribute,
    BinarySetAttribute,
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.connection import Connection, TableConnection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.data import connection
from chalicelib.settings import Settings, get_settings

_bound_to: Settings | None = None
# Every model shares one table connection around the process's one DynamoDB connection
# (connection.shared_connection): one botocore client and pool, not one per model class.
_table: tuple[Connection, TableConnection] | None = None
_table_lock = threading.Lock()


class GSI1(GlobalSecondaryIndex["FlintItem"]):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class GSI2(GlobalSecondaryIndex["FlintItem"]):
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


# What ranking needs of a post, and nothing else: a Query of GSI3 reads ~150 bytes a post where
# the table (photos, renditions, tag snapshots inline) holds kilobytes. `type` lets PynamoDB pick
# the model class.
POST_STATS_ATTRIBUTES = [
    "type",
    "post_id",
    "author_id",
    "created_at",
    "interests",
    "smile_count",
    "comment_count",
    "state",
]


class GSI3(GlobalSecondaryIndex["FlintItem"]):
    class Meta:
        index_name = "GSI3"
        projection = IncludeProjection(POST_STATS_ATTRIBUTES)

    GSI3PK = UnicodeAttribute(hash_key=True)
    GSI3SK = UnicodeAttribute(range_key=True)


class GSI4(GlobalSecondaryIndex["FlintItem"]):
    """What a member owns outside their partitions (keys.member_owned): keys only, sparse."""

    class Meta:
        index_name = "GSI4"
        projection = KeysOnlyProjection()

    GSI4PK = UnicodeAttribute(hash_key=True)
    GSI4SK = UnicodeAttribute(range_key=True)


class FlintItem(Model):
    """Base of every item: keys, index keys, TTL and the entity discriminator."""

    class Meta:
        table_name = "flint-dev"
        region = "us-east-1"
        host: str | None = None
        max_retry_attempts = 3

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    GSI3PK = UnicodeAttribute(null=True)
    GSI3SK = UnicodeAttribute(null=True)
    GSI4PK = UnicodeAttribute(null=True)
    GSI4SK = UnicodeAttribute(null=True)
    # TTL is a clean-up aid only: the emulator never expires items, and neither
    # may correctness depend on AWS doing it promptly.
    expires_at = TTLAttribute(null=True)
    entity = DiscriminatorAttribute(attr_name="type")

    gsi1 = GSI1()
    gsi2 = GSI2()
    gsi3 = GSI3()
    gsi4 = GSI4()

    @classmethod
    def _get_connection(cls) -> TableConnection:
        # Bind lazily to the current settings so nothing reads the environment at import.
        shared = connection.shared_connection()
        table = _table
        if table is not None and table[0] is shared and _bound_to is get_settings():
            return table[1]
        return _share_table(shared)


class UserItem(FlintItem, discriminator="user"):
    """Member profile. `USER#<id>` / `PROFILE`; GSI2 `ACTIVE#<shard>` / last active (sparse)."""

    user_id = UnicodeAttribute()
    display_name = UnicodeAttribute()
    bio = UnicodeAttribute(default="")
    interests = ListAttribute(of=UnicodeAttribute, default=list)
    onboarded = BooleanAttribute(default=False)
    badges = ListAttribute(of=UnicodeAttribute, default=list)
    posts = NumberAttribute(default=0)
    smiles_received = NumberAttribute(default=0)
    followers = NumberAttribute(default=0)
    following = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    last_active_at = UnicodeAttribute(null=True)
    last_posted_at = UnicodeAttribute(null=True)
    # The member left brand audiences (PATCH /me `brand_audiences: false`): no brand lists them.
    audience_opt_out = BooleanAttribute(null=True)
    # Set by a moderator: the member can read but not post, comment, follow, report or edit.
    banned = BooleanAttribute(null=True)
    # The avatar's renditions ({"<size>": {"key", "width", "height"}}) and the upload they came from.
    avatar = JSONAttribute(null=True)
    avatar_upload_id = UnicodeAttribute(null=True)
    # The words of the display name in the search index (what to remove on a rename or a ban).
    search_words = ListAttribute(of=UnicodeAttribute, null=True)
    # The ids of the member's newest posts (at most ~10; ids sort by time): a follower's feed
    # refresh reads them with the profile it batch-reads anyway, instead of a Query per followee.
    recent_posts = UnicodeSetAttribute(null=True)
    # Moves on every follow and unfollow: a feed refresh re-reads the follow list only then.
    follow_version = NumberAttribute(null=True)
    # The brands the member follows (at most services/brand_pages.MAX_BRAND_FOLLOWS): the set is the
    # follow edge, so a feed refresh knows them from the profile it reads anyway.
    brands_followed = UnicodeSetAttribute(null=True)
    # Set by DELETE /me: the profile is a tombstone until the erasure job ends (services/erasure.py).
    erasing_since = UnicodeAttribute(null=True)
    # Photos of the member that screening passed since their last strike (a held photo, or a
    # moderator hiding their post, rejecting their upload or banning them resets it to 0): the
    # track record services/screening.py's trust rule reads.
    screened_clean = NumberAttribute(null=True)


class InterestItem(FlintItem, discriminator="interest"):
    """Interest catalog entry. `INTERESTS` / `INTEREST#<id>`."""

    interest_id = UnicodeAttribute()
    name = UnicodeAttribute()


class FollowItem(FlintItem, discriminator="follow"):
    """Follow edge. `USER#<follower>` / `FOLLOWS#<followee>` (no index entry: nothing reads one)."""

    follower_id = UnicodeAttribute()
    followee_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


class BrandItem(FlintItem, discriminator="brand"):
    """Brand. `BRAND#<id>` / `BRAND`; GSI1 `OWNER#<user>` / `BRAND#<id>` when owned by a member."""

    brand_id = UnicodeAttribute()
    name = UnicodeAttribute()
    owner_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    # Members following the brand: moved with the follower's profile in one transaction.
    followers = NumberAttribute(null=True)


class BrandNameItem(FlintItem, discriminator="brand_name"):
    """A brand name's claim (keys.brand_name): `BRANDNAME#<normalised name>` / `BRANDNAME`."""

    brand_id = UnicodeAttribute()


class ProductItem(FlintItem, discriminator="product"):
    """Product. `PRODUCT#<id>` / `PRODUCT`; GSI1 `BRAND#<brand>` / `PRODUCT#<id>`; GSI2 `PRODUCTS` / title."""

    product_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    brand_name = UnicodeAttribute()
    title = UnicodeAttribute()
    price_amount = UnicodeAttribute()  # a decimal string: money is never a float
    currency = UnicodeAttribute()
    url = UnicodeAttribute()
    image_url = UnicodeAttribute(null=True)
    prime_eligible = BooleanAttribute(default=False)
    tag_count = NumberAttribute(default=0)
    created_at = UnicodeAttribute()


class SearchTermItem(FlintItem, discriminator="search"):
    """Search index entry. `SEARCH#<kind>#<2 letters>` / `<word>#<id>`; `words`: all the entity's words.

    `owner_id` is a post's author, so a page of post hits hydrates in one BatchGetItem.
    """

    kind = UnicodeAttribute()
    entity_id = UnicodeAttribute()
    words = ListAttribute(of=UnicodeAttribute, default=list)
    owner_id = UnicodeAttribute(null=True)


class UploadItem(FlintItem, discriminator="upload"):
    """Upload. `UPLOAD#<id>` / `UPLOAD`. status: pending -> ready | rejected (final, never flipped)."""

    upload_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    content_type = UnicodeAttribute()
    declared_size = NumberAttribute()
    object_key = UnicodeAttribute()
    # Where the accepted bytes are kept once ready (keys.accepted_original): never the POST's key.
    original_key = UnicodeAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    palette = ListAttribute(of=UnicodeAttribute, default=list)
    # Image labels (Rekognition names and colour names), copied onto the post that uses it.
    labels = ListAttribute(of=UnicodeAttribute, null=True)
    # {"<size name>": {"key": <media object key>, "width": w, "height": h}}
    renditions = JSONAttribute(null=True)
    post_id = UnicodeAttribute(null=True)
    # Set when the upload became its owner's avatar (then no post may use it).
    avatar_of = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    processed_at = UnicodeAttribute(null=True)
    # Image discovery (issue 22): the photo's visual signature and its best product matches
    # ([{"product_id", "brand_id", "title", "confidence", "x", "y"}]), set once it is ready.
    signature = UnicodeAttribute(null=True)
    matches = JSONAttribute(null=True)


class PostItem(FlintItem, discriminator="post"):
    """Post. `POST#<id>` / `POST`; GSI3 `AUTHOR#<author>` / `POST#<id>` (posts written before issue 19
    also carry a GSI2 `RECENT#<day>` entry, which nothing reads any more).

    Photos (with their renditions and tag snapshots: product title, price, url at tagging time)
    live inline, so a post or a feed card is one item.
    """

    post_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    caption = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    interests = ListAttribute(of=UnicodeAttribute, default=list)
    photos = JSONAttribute(default=list)
    product_ids = ListAttribute(of=UnicodeAttribute, default=list)
    smile_count = NumberAttribute(default=0)
    comment_count = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    # Its photos' image labels, for brand insights (read from the stream's new image).
    labels = ListAttribute(of=UnicodeAttribute, null=True)
    # "live"; "hidden" by a moderator (or a ban); "deleting" while a delete cascades. Readers show
    # `live` posts only.
    state = UnicodeAttribute(default="live")
    # Why a hidden post is hidden: "moderation" (restored one by one) or "ban" (restored on unban).
    hidden_reason = UnicodeAttribute(null=True)
    # The words this post has in the search index (what a hide or delete removes).
    search_words = ListAttribute(of=UnicodeAttribute, null=True)
    # Set once the deleted post's smiles are taken off its author's counters (never twice).
    smiles_settled = BooleanAttribute(null=True)


class PostRefItem(FlintItem, discriminator="post_ref"):
    """A listing entry pointing at a post: `INTEREST#<id>` or `PRODUCT#<id>` partitions."""

    post_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


class SmileItem(FlintItem, discriminator="smile"):
    """Smile. `POST#<post>` / `SMILE#<member>` (no index entry: nothing reads one)."""

    user_id = UnicodeAttribute()
    post_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    interests = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UnicodeAttribute()


class CommentItem(FlintItem, discriminator="comment"):
    """Comment. `POST#<post>` / `COMMENT#<id>` (time-ordered ids: oldest first)."""

    comment_id = UnicodeAttribute()
    post_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    text = UnicodeAttribute()
    created_at = UnicodeAttribute()
    # Hidden by a moderator: not listed, not counted in the post's comment_count.
    hidden = BooleanAttribute(null=True)


class ScoreItem(FlintItem, discriminator="score"):
    """Daily smiles counter. `SCORE#<interest>#<day>` / `AUTHOR#<id>`; read by the Enthusiast job."""

    author_id = UnicodeAttribute()
    interest_id = UnicodeAttribute()
    day = UnicodeAttribute()
    smiles = NumberAttribute(default=0)


class EnthusiastsItem(FlintItem, discriminator="enthusiasts"):
    """Badge ranking. `ENTHUSIASTS` / `INTEREST#<id>` or `ALL`: [{"user_id", "smiles"}], best first."""

    ranking = JSONAttribute(default=list)
    computed_at = UnicodeAttribute()


class FeedItem(FlintItem, discriminator="feed"):
    """A feed generation. `FEED#<owner>` / `GEN#<generation>`; entries [{"p", "a", "r", "k"}], best first.

    Entries are stored zlib-compressed in `packed` (a 200-entry feed is ~8 KB instead of ~20 KB:
    write and read units follow item size); `entries` (plain JSON) is still read for generations
    written before. `k` is the post's rank key, so the next refresh carries followees' posts
    forward without reading them again.
    """

    owner = UnicodeAttribute()
    generation = UnicodeAttribute()
    entries = JSONAttribute(null=True)
    packed = BinaryAttribute(null=True, legacy_encoding=False)
    generated_at = UnicodeAttribute()
    digest = UnicodeAttribute(null=True)


class FeedHeadItem(FlintItem, discriminator="feed_head"):
    """A feed's head. `FEED#<owner>` / `HEAD`: current generation, last check, digest of its entries,
    and how far the refresh has read the planner's run log (`run_position`)."""

    generation = UnicodeAttribute()
    generated_at = UnicodeAttribute()
    checked_at = UnicodeAttribute()
    digest = UnicodeAttribute()
    run_position = UnicodeAttribute(null=True)
    # Campaigns the member was put in a group of (services/featured.py): assigned once each.
    campaigns = UnicodeSetAttribute(null=True)


class FeedFaninItem(FlintItem, discriminator="feed_fanin"):
    """Whom a member's refresh fans in from, as every refresh reads it: `FEED#<member>` / `FANIN`.

    `hashes`: 3 bytes of each followee's author hash, sorted (3 KB at the 1,000 followees a refresh
    reads at most: one read unit whatever the follow count); `count` followees, spread over
    `buckets` id buckets (FeedFaninIdsItem); the profile's `follow_version` they were read at (a
    follow or unfollow since means read them again). `followees` (every id packed) is what items
    written before the buckets hold: such an item is read as no fan-in state (a full refresh).
    """

    hashes = BinaryAttribute(null=True, legacy_encoding=False)
    count = NumberAttribute(default=0)
    buckets = NumberAttribute(default=0)
    followees = BinaryAttribute(null=True, legacy_encoding=False)
    follow_version = NumberAttribute(default=0)


class FeedFaninIdsItem(FlintItem, discriminator="feed_fanin_ids"):
    """One bucket of a member's followee ids: `FEED#<member>` / `FANIN#<n>`, the followees whose author
    hash is n modulo the bucket count (~160 ids, under 4 KB). A refresh reads only the buckets of
    followees the planner's run records say posted."""

    followees = BinaryAttribute(legacy_encoding=False)


class FeedListItem(FlintItem, discriminator="feed_list"):
    """A shared candidate list: `FEED#TRENDING[#<interest>]` / `LIST`, best rank key first.

    `packed`: zlib JSON entries `{p, a, c, s, m, e, k}` (post, author, created, smiles, comments,
    author is an Enthusiast, rank key). Trending's list also carries the Enthusiast holders the
    planner applied (`holders`), so a refresh knows them without another read.
    """

    packed = BinaryAttribute(legacy_encoding=False)
    updated_at = UnicodeAttribute()
    holders = UnicodeSetAttribute(null=True)


class FeedPlanItem(FlintItem, discriminator="feed_plan"):
    """The planner's state: `FEEDPLAN` / `STATE`.

    `read_until`: the change log was applied up to this time; `applied`: change-log keys already
    applied after `read_until` minus the overlap the next run re-reads; `holders_at`: the
    Enthusiast ranking the lists were built with; `trending_generations`: readers' trending
    generations still stored, oldest first, and the digest of the newest.
    """

    read_until = UnicodeAttribute(null=True)
    applied = UnicodeSetAttribute(null=True)
    holders_at = UnicodeAttribute(null=True)
    trending_generations = ListAttribute(of=UnicodeAttribute, default=list)
    trending_digest = UnicodeAttribute(null=True)


class FeedChangeItem(FlintItem, discriminator="feed_change"):
    """Post changes seen in one stream batch: `FEEDLOG` / `<written at>#<token>`; TTL 2 days.

    `packed`: zlib JSON `{p, a, c, i, s, m, l, n}` per post (ids, created, interests, smiles,
    comments, live, new): absolute values, so applying one twice changes nothing.
    """

    packed = BinaryAttribute(legacy_encoding=False)


class FeedRunItem(FlintItem, discriminator="feed_run"):
    """One planner run's news for members' refreshes: `FEEDRUN` / `<run at>`; TTL 2 days.

    `authors`: 4-byte hashes of the authors of the posts it ingested (sorted, packed); `deleted`:
    the ids of posts it saw deleted.
    """

    authors = BinaryAttribute(legacy_encoding=False, null=True)
    deleted = UnicodeSetAttribute(null=True)


class ViewerHourItem(FlintItem, discriminator="viewer_hour"):
    """A viewer's events in one receipt hour (keys.viewer_hour): `EVT#<viewer>` / `H#<hour>`.

    `n` events spent against the hourly limit; `seen` holds an 8-byte digest of each (post, type)
    that counted, so the same one never counts twice in that hour. TTL: 3 hours after the hour.
    """

    n = NumberAttribute(null=True)
    seen = BinarySetAttribute(null=True, legacy_encoding=False)


class BrandSummaryItem(FlintItem, discriminator="brand_summary"):
    """A brand's engagement over one period (keys.brand_summary): `BSUM#<brand>` / `<D|W|Q>#<first day>`.

    `days`: the period's totals per day; `camps`: its totals per tracked campaign; `packed`: the
    zlib-compressed JSON of its bounded top-K lists (posts, products, authors, engaged members,
    interests, labels) and, on today's day item, the hour's spike counters and recent message
    tokens. Written whole, on condition that `version` is still the one read.
    """

    version = NumberAttribute(default=0)
    days = JSONAttribute(null=True)
    camps = JSONAttribute(null=True)
    packed = BinaryAttribute(null=True, legacy_encoding=False)


class BrandHeadItem(FlintItem, discriminator="brand_head"):
    """A brand's summary head (keys.brand_head): `BSUM#<brand>` / `HEAD`.

    First and last day with data, and the last day compacted into the week and 28-day blocks.
    """

    version = NumberAttribute(default=0)
    first_day = UnicodeAttribute(null=True)
    last_day = UnicodeAttribute(null=True)
    compacted_through = UnicodeAttribute(null=True)


class BrandCampaignsItem(FlintItem, discriminator="brand_campaigns"):
    """The campaigns the aggregator attributes events to (keys.brand_campaigns): `BSUM#<brand>` /
    `CAMPAIGNS`; `campaigns`: [{"id", "products", "from", "to"}], `from` the first day of the
    longest previous window it can be compared with."""

    version = NumberAttribute(default=0)
    campaigns = JSONAttribute(null=True)


class CampaignBackfillItem(FlintItem, discriminator="campaign_backfill"):
    """A campaign's days before the aggregator started attributing to it (keys.campaign_backfill):
    `BSUM#<brand>` / `CB#<campaign>`; `days`: {day: counts}, computed once from the day summaries."""

    days = JSONAttribute(null=True)


class BrandAuthorItem(FlintItem, discriminator="brand_author"):
    """A member posted about a brand: `BAUTHOR#<brand>` / `<member>`; `posts` ever (ADD)."""

    posts = NumberAttribute(null=True)


class AppliedMarkerItem(FlintItem, discriminator="applied"):
    """Idempotency marker: `APPLIED#<token>` / `APPLIED`, written in the transaction it guards."""

    applied_at = UnicodeAttribute()


class CampaignItem(FlintItem, discriminator="campaign"):
    """Campaign: `BRAND#<brand>` / `CAMPAIGN#<id>`."""

    campaign_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    name = UnicodeAttribute()
    product_ids = ListAttribute(of=UnicodeAttribute, default=list)
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    created_at = UnicodeAttribute()
    # Targeting (issue 22): the audience whose members get the featured slot, and the posts featured.
    audience_id = UnicodeAttribute(null=True)
    featured_post_ids = ListAttribute(of=UnicodeAttribute, default=list)
    ended_at = UnicodeAttribute(null=True)  # set when the brand ended it early


class RateWindowItem(FlintItem, discriminator="rate_limit"):
    """Abuse-limit window (keys.rate_window): `RATE#<action>#<subject>` / `WINDOW#<start>`; `n` so far."""

    n = NumberAttribute(null=True)


class BlockListItem(FlintItem, discriminator="block_list"):
    """Whom a member blocked (keys.block_list): `USER#<id>` / `BLOCKS`, `ids` a string set."""

    ids = UnicodeSetAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class BlockEdgeItem(FlintItem, discriminator="block_edge"):
    """One block (keys.block_edge): `USER#<blocker>` / `BLOCK#<blocked>`; GSI4 `MEMBER#<blocked>`."""

    blocker_id = UnicodeAttribute()
    blocked_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


class CaseItem(FlintItem, discriminator="moderation_case"):
    """A reported target (keys.moderation_case): `CASE#<type>#<id>` / `CASE`; GSI1 `MODQ` while open."""

    target_type = UnicodeAttribute()
    target_id = UnicodeAttribute()
    post_id = UnicodeAttribute(null=True)  # a comment's post
    author_id = UnicodeAttribute(null=True)  # who made the content (the member, for a member)
    source = UnicodeAttribute(null=True)  # "members" (reports) or "screening" (held upload)
    status = UnicodeAttribute()  # open | resolved
    reports = NumberAttribute(null=True)
    reasons = UnicodeSetAttribute(null=True)
    last_note = UnicodeAttribute(null=True)
    opened_at = UnicodeAttribute(null=True)
    last_reported_at = UnicodeAttribute(null=True)
    resolved_at = UnicodeAttribute(null=True)
    resolution = UnicodeAttribute(null=True)


class ReportItem(FlintItem, discriminator="report"):
    """One member's report (keys.report): `CASE#<type>#<id>` / `REPORT#<member>`."""

    target_type = UnicodeAttribute()
    target_id = UnicodeAttribute()
    post_id = UnicodeAttribute(null=True)
    reporter_id = UnicodeAttribute()
    reason = UnicodeAttribute()
    text = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class AuditItem(FlintItem, discriminator="audit"):
    """One moderation action (keys.audit_entry): `AUDIT` / `<id>`; written once, never changed."""

    audit_id = UnicodeAttribute()
    moderator_id = UnicodeAttribute()
    action = UnicodeAttribute()
    target_type = UnicodeAttribute()
    target_id = UnicodeAttribute()
    post_id = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class NotificationItem(FlintItem, discriminator="notification"):
    """One inbox notification (keys.notification): `INBOX#<member>` / `N#<time>#<event>`; GSI4
    `MEMBER#<actor>` / `notified#<member>#<sort>` (erasure finds an actor's traces); TTL 30 days."""

    member_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # follower | smile | comment | rights_request | invitation
    actor_id = UnicodeAttribute()  # a member, or for a brand's notification the brand (brand_id)
    post_id = UnicodeAttribute(null=True)
    comment_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    # A brand's notification (a rights request): the brand, and what the member is asked (terms).
    brand_id = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    product_id = UnicodeAttribute(null=True)  # tag_suggestion: the product suggested


class InboxReadItem(FlintItem, discriminator="inbox_read"):
    """How far a member has read their inbox (keys.inbox_read_mark): `INBOX#<member>` / `READ`."""

    read_until = UnicodeAttribute()


class RightsRequestItem(FlintItem, discriminator="rights_request"):
    """A brand's request to feature a post (keys.rights_request): `RIGHTS#<post>` / `BRAND#<brand>`;
    GSI1 `BRANDRIGHTS#<brand>` / `<requested at>#<post>`; GSI4 `MEMBER#<author>` / `rights#...`."""

    post_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    author_id = UnicodeAttribute(null=True)  # removed when the author's erasure withdraws it
    terms = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | approved | declined | withdrawn
    requested_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)


class GalleryItem(FlintItem, discriminator="gallery"):
    """A brand's shoppable gallery (keys.gallery): `GALLERY#<id>` / `GALLERY`; GSI1
    `BRANDGALLERIES#<brand>` / `<id>`. `entries`: [{"post_id", "author_id"}] in display order."""

    gallery_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    name = UnicodeAttribute()
    post_ids = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


# --- audiences and one-click brand communities (issue 22; services/audiences.py) ---------------


class AudienceItem(FlintItem, discriminator="audience"):
    """A brand's saved audience (keys.audience): `AUD#<brand>` / `A#<audience>`. `rules`: the
    filters; `backfill_cursor`/`backfill_step`: the stream-driven pass over the brand's rows that
    fills it when it is created (`backfilled` once it has read them all)."""

    audience_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    name = UnicodeAttribute()
    rules = JSONAttribute()
    created_at = UnicodeAttribute()
    backfill_cursor = JSONAttribute(null=True)
    backfill_step = NumberAttribute(default=0)
    backfilled = BooleanAttribute(default=False)


class CommunityItem(FlintItem, discriminator="community"):
    """An audience's community (keys.community): `AUD#<brand>` / `C#<audience>`. The stream moves
    `cursor` over the audience's members a page at a time (`step` guards each page); `invited`
    and `joined` are the counts the brand sees."""

    brand_id = UnicodeAttribute()
    audience_id = UnicodeAttribute()
    status = UnicodeAttribute()  # inviting | throttled | done
    cursor = JSONAttribute(null=True)
    step = NumberAttribute(default=0)
    invited = NumberAttribute(default=0)
    joined = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    retry_at = UnicodeAttribute(null=True)


class AudienceRowItem(FlintItem, discriminator="audience_row"):
    """A member's public activity about one brand (keys.audience_row), as sets so a replayed
    stream batch changes nothing: `posted` post ids, `engaged` `s:<post>`/`c:<comment>`,
    `earned` what others gave their brand posts (capped), `interests` and `labels` seen."""

    brand_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    posted = UnicodeSetAttribute(null=True)
    engaged = UnicodeSetAttribute(null=True)
    earned = UnicodeSetAttribute(null=True)
    interests = UnicodeSetAttribute(null=True)
    labels = UnicodeSetAttribute(null=True)
    last_active = UnicodeAttribute(null=True)


class AudienceMemberItem(FlintItem, discriminator="audience_member"):
    """A member in a saved audience (keys.audience_member): `AUDMEM#<audience>` / `<member>`."""

    audience_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    last_active = UnicodeAttribute(null=True)
    followers = NumberAttribute(default=0)


class InvitationItem(FlintItem, discriminator="invitation"):
    """A brand's invitation to a member (keys.invitation): `INVITE#<brand>` / `<member>`, written
    once (attribute_not_exists); the stream turns its INSERT into an inbox notification."""

    brand_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    audience_id = UnicodeAttribute()
    status = UnicodeAttribute()  # invited | accepted | declined
    created_at = UnicodeAttribute()
    answered_at = UnicodeAttribute(null=True)


class AudienceCleanupItem(FlintItem, discriminator="audience_cleanup"):
    """A deleted audience's members still to remove (keys.audience_cleanup): `AUDMEM#<audience>` /
    `~CLEANUP`, after every member in the partition. Its INSERT, then each change of `step`, makes
    the stream delete one page of the members before it; it goes with the last page."""

    brand_id = UnicodeAttribute()
    audience_id = UnicodeAttribute()
    step = NumberAttribute(default=0)
    deleted_at = UnicodeAttribute()


# --- image discovery and tag suggestions (issue 22, t22-discovery) ---------------------------


class VisualSignatureItem(FlintItem, discriminator="visual_signature"):
    """A product's visual signature in one colour bucket (keys.visual_bucket): `VISUAL#<colour>` /
    `PRODUCT#<id>`; what matching needs, so a candidate costs no further read."""

    product_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    title = UnicodeAttribute()
    signature = UnicodeAttribute()


class MentionItem(FlintItem, discriminator="mention"):
    """An untagged mention (keys.brand_mention): `MENTIONS#<brand>` / `<created at>#<post>#<product>`."""

    brand_id = UnicodeAttribute()
    post_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    confidence = NumberAttribute()
    x = NumberAttribute()
    y = NumberAttribute()
    created_at = UnicodeAttribute()


class TagSuggestionItem(FlintItem, discriminator="tag_suggestion"):
    """A brand's tag suggestion (keys.tag_suggestion): `POST#<post>` / `SUGGEST#<product>`.
    status: pending -> accepted | declined (once)."""

    post_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    author_id = UnicodeAttribute()  # the post's author: who is asked
    suggested_by = UnicodeAttribute()  # the brand account that asked
    photo_index = NumberAttribute()
    x = NumberAttribute()
    y = NumberAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()


class AudienceCampaignsItem(FlintItem, discriminator="audience_campaigns"):
    """The live campaigns targeting an audience (keys.audience_campaigns): `AUDCAMP#<audience>` /
    `LIVE`; `campaigns`: {campaign id: {"b": brand, "n": brand name, "s": first day, "e": last day,
    "p": [featured post ids]}}; rewritten on condition of `version`."""

    campaigns = JSONAttribute(null=True)
    version = NumberAttribute(default=0)


class CampaignMemberItem(FlintItem, discriminator="campaign_member"):
    """A member's group in a campaign (keys.campaign_member): written once; `engaged_at` once."""

    campaign_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    group = UnicodeAttribute()  # treated | holdout
    assigned_at = UnicodeAttribute()
    engaged_at = UnicodeAttribute(null=True)


class CampaignGroupsItem(FlintItem, discriminator="campaign_groups"):
    """A campaign's groups (keys.campaign_groups): members and engaged members of each (ADD)."""

    treated = NumberAttribute(null=True)
    holdout = NumberAttribute(null=True)
    treated_engaged = NumberAttribute(null=True)
    holdout_engaged = NumberAttribute(null=True)


ALL_MODELS: tuple[type[FlintItem], ...] = (
    FlintItem,
    UserItem,
    InterestItem,
    FollowItem,
    BrandItem,
    BrandNameItem,
    ProductItem,
    SearchTermItem,
    UploadItem,
    PostItem,
    PostRefItem,
    SmileItem,
    CommentItem,
    ScoreItem,
    EnthusiastsItem,
    FeedItem,
    FeedHeadItem,
    FeedFaninItem,
    FeedFaninIdsItem,
    FeedListItem,
    FeedPlanItem,
    FeedChangeItem,
    FeedRunItem,
    RateWindowItem,
    ViewerHourItem,
    BrandSummaryItem,
    BrandHeadItem,
    BrandCampaignsItem,
    CampaignBackfillItem,
    BrandAuthorItem,
    AppliedMarkerItem,
    CampaignItem,
    BlockListItem,
    BlockEdgeItem,
    CaseItem,
    ReportItem,
    AuditItem,
    NotificationItem,
    InboxReadItem,
    RightsRequestItem,
    GalleryItem,
    AudienceItem,
    CommunityItem,
    AudienceRowItem,
    AudienceMemberItem,
    InvitationItem,
    VisualSignatureItem,
    MentionItem,
    TagSuggestionItem,
    AudienceCleanupItem,
    AudienceCampaignsItem,
    CampaignMemberItem,
    CampaignGroupsItem,
)


def _share_table(shared: Connection) -> TableConnection:
    """All models have FlintItem's schema: one TableConnection, its Connection the shared one."""
    global _table
    with _table_lock:
        if _table is None or _table[0] is not shared or _bound_to is not get_settings():
            bind(get_settings())
            table = Model._get_connection.__func__(FlintItem)  # type: ignore[attr-defined]  # PynamoDB builds the schema
            shared.add_meta_table(table.get_meta_table())
            table.connection = shared
            _table = (shared, table)
        return _table[1]


def bind(settings: Settings) -> None:
    """Point every model at the configured table, region and (locally) endpoint."""
    global _bound_to
    for model in ALL_MODELS:
        model.Meta.table_name = settings.table_name
        model.Meta.region = settings.region
        model.Meta.host = settings.aws_endpoint_url
        model._connection = None
    _bound_to = settings
