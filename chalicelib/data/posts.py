"""Access patterns for posts, their listing entries, and page hydration.

A post is one item (photos and tag snapshots inline). Listings (a member's
posts, an interest's posts, a product's posts) are one `Query` of ids; a page
is then hydrated by one `BatchGetItem` of posts, authors and the viewer's
smiles, so counts are fresh and a deleted post never shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.data import connection, keys, search
from chalicelib.data.catalog import Product, to_product
from chalicelib.data.connection import Outcome, Tx, transact
from chalicelib.data.media import READY, Upload, to_upload
from chalicelib.data.models import (
    BlockListItem,
    CampaignItem,
    FlintItem,
    InterestItem,
    PostItem,
    PostRefItem,
    ProductItem,
    RightsRequestItem,
    UploadItem,
    UserItem,
)
from chalicelib.data.pages import Page
from chalicelib.data.users import Interest, Member, not_banned, to_member

LIVE = "live"
DELETING = "deleting"
# Hidden by a moderator (`hidden_reason` "moderation") or by its author's ban ("ban").
HIDDEN = "hidden"
# DynamoDB's BatchGetItem takes at most 100 keys: listings size their pages to fit one call.
BATCH_GET_LIMIT = 100
# An author's newest post ids kept on their profile, for followers' feed refreshes.
RECENT_POSTS_KEPT = 10


@dataclass(frozen=True)
class TagRecord:
    product_id: str
    x: float
    y: float
    title: str
    price_amount: str
    currency: str
    url: str


@dataclass(frozen=True)
class PhotoRecord:
    upload_id: str
    width: int
    height: int
    renditions: dict[str, dict[str, Any]]
    palette: list[str]
    tags: list[TagRecord]


@dataclass(frozen=True)
class PostRecord:
    post_id: str
    author_id: str
    kind: str
    caption: str
    body: str | None
    interests: list[str]
    photos: list[PhotoRecord]
    created_at: str
    smile_count: int = 0
    comment_count: int = 0
    product_ids: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    # The words written to the search index for it (None: written before posts were searchable).
    search_words: list[str] | None = None
    state: str = LIVE
    hidden_reason: str | None = None


# Labels of a publish transaction's conditions (see `create_post`): what a failed outcome names.
POST, AUTHOR, UPLOAD, PRODUCT = "post", "author", "upload:", "product:"


def _photo_json(photo: PhotoRecord) -> dict[str, Any]:
    return {
        "upload_id": photo.upload_id,
        "width": photo.width,
        "height": photo.height,
        "renditions": photo.renditions,
        "palette": photo.palette,
        "tags": [
            {
                "product_id": t.product_id,
                "x": t.x,
                "y": t.y,
                "title": t.title,
                "price_amount": t.price_amount,
                "currency": t.currency,
                "url": t.url,
            }
            for t in photo.tags
        ],
    }


def _photo(raw: dict[str, Any]) -> PhotoRecord:
    return PhotoRecord(
        upload_id=raw["upload_id"],
        width=int(raw["width"]),
        height=int(raw["height"]),
        renditions=raw.get("renditions") or {},
        palette=list(raw.get("palette") or []),
        tags=[
            TagRecord(
                t["product_id"],
                float(t["x"]),
                float(t["y"]),
                t["title"],
                t["price_amount"],
                t["currency"],
                t["url"],
            )
            for t in raw.get("tags") or []
        ],
    )


def to_post(item: PostItem) -> PostRecord:
    return PostRecord(
        post_id=item.post_id,
        author_id=item.author_id,
        kind=item.kind,
        caption=item.caption,
        body=item.body,
        interests=list(item.interests or []),
        photos=[_photo(p) for p in item.photos or []],
        created_at=item.created_at,
        smile_count=int(item.smile_count or 0),
        comment_count=int(item.comment_count or 0),
        product_ids=list(item.product_ids or []),
        labels=list(item.labels or []),
        search_words=list(item.search_words) if item.search_words is not None else None,
        state=item.state or LIVE,
        hidden_reason=item.hidden_reason,
    )


@dataclass(frozen=True)
class PublishInputs:
    """Everything a publish checks, read in one consistent BatchGetItem."""

    author: Member | None
    interests: dict[str, Interest]
    uploads: dict[str, Upload]
    products: dict[str, Product]
    # The author's newest post ids as read (the profile's `recent_posts`), for create_post to trim.
    author_recent_posts: tuple[str, ...] = ()


def publish_inputs(
    author_id: str, interest_ids: Iterable[str], upload_ids: Iterable[str], product_ids: Iterable[str]
) -> PublishInputs:
    """The author, the named interests, uploads and products (whichever exist), in one request.

    Consistent, because an upload turns `ready` moments before a client publishes it.
    """
    wanted = [keys.user(author_id)]
    wanted += [keys.interest(i) for i in dict.fromkeys(interest_ids)]
    wanted += [keys.upload(u) for u in dict.fromkeys(upload_ids)]
    wanted += [keys.product(p) for p in dict.fromkeys(product_ids)]
    found = PublishInputs(None, {}, {}, {})
    author: Member | None = None
    recent: tuple[str, ...] = ()
    for item in FlintItem.batch_get(wanted, consistent_read=True):
        if isinstance(item, UserItem):
            author = to_member(item)
            recent = tuple(item.recent_posts or ())
        elif isinstance(item, InterestItem):
            found.interests[item.interest_id] = Interest(item.interest_id, item.name)
        elif isinstance(item, UploadItem):
            found.uploads[item.upload_id] = to_upload(item)
        elif isinstance(item, ProductItem):
            found.products[item.product_id] = to_product(item)
    return PublishInputs(author, found.interests, found.uploads, found.products, recent)


def _recent_posts_update(post_id: str, read: Sequence[str]) -> Any:
    """Add the post to its author's newest ids, kept to RECENT_POSTS_KEPT: a set ADD while there is
    room, else the newest ids as read plus this one (a concurrent publish by the same author may
    then drop one id from the list; its post still reaches feeds through the interest lists)."""
    if len(read) < RECENT_POSTS_KEPT:
        return UserItem.recent_posts.add({post_id})
    return UserItem.recent_posts.set({post_id, *sorted(read, reverse=True)[: RECENT_POSTS_KEPT - 1]})


def post_items(post: PostRecord) -> tuple[PostItem, list[PostRefItem]]:
    """The post item and its listing entries (one per interest and tagged product), as published.

    Its search entries are not among them: `create_post` writes those from `search_words`.
    """
    key = keys.post(post.post_id)
    by_author = keys.post_by_author(post.author_id, post.post_id)
    item = PostItem(
        key.pk,
        key.sk,
        GSI3PK=by_author.pk,
        GSI3SK=by_author.sk,
        post_id=post.post_id,
        author_id=post.author_id,
        kind=post.kind,
        caption=post.caption,
        body=post.body,
        interests=post.interests,
        photos=[_photo_json(p) for p in post.photos],
        product_ids=post.product_ids,
        labels=post.labels,
        smile_count=0,
        comment_count=0,
        created_at=post.created_at,
        state=LIVE,
        search_words=post.search_words if post.search_words is not None else [],
    )
    refs = [keys.interest_post(i, post.post_id) for i in post.interests]
    refs += [keys.product_post(p, post.post_id) for p in post.product_ids]
    listings = [
        PostRefItem(
            ref.pk, ref.sk, post_id=post.post_id, author_id=post.author_id, created_at=post.created_at
        )
        for ref in refs
    ]
    return item, listings


def create_post(post: PostRecord, author_recent_posts: Sequence[str] = ()) -> Outcome:
    """Publish atomically: the post, its listing and search entries, author and product counters,
    its uploads.

    Conditions, named in a failed outcome: `post` (the id is new), `author` (the profile exists
    and is not banned), `upload:<id>` (the author's, ready and unused), `product:<id>` (it exists).
    The author's profile also gets the post's id among their newest (`author_recent_posts`: as
    read before).
    """
    item, listings = post_items(post)
    found_words = post.search_words if post.search_words is not None else []
    author = keys.user(post.author_id)

    def write(tx: Tx) -> None:
        tx.put(item, condition=PostItem.PK.does_not_exist(), label=POST)
        for listing in listings:
            tx.put(listing)
        tx.update(
            UserItem(author.pk, author.sk),
            actions=[
                UserItem.posts.add(1),
                UserItem.last_posted_at.set(post.created_at),
                _recent_posts_update(post.post_id, author_recent_posts),
            ],
            condition=not_banned(),
            label=AUTHOR,
        )
        search.put_entries(tx, search.POST, post.post_id, found_words, owner_id=post.author_id)
        for product_id in post.product_ids:
            product = keys.product(product_id)
            tx.update(
                ProductItem(product.pk, product.sk),
                actions=[ProductItem.tag_count.add(1)],
                condition=ProductItem.PK.exists(),
                label=PRODUCT + product_id,
            )
        for photo in post.photos:
            upload = keys.upload(photo.upload_id)
            tx.update(
                UploadItem(upload.pk, upload.sk),
                actions=[UploadItem.post_id.set(post.post_id), UploadItem.expires_at.remove()],
                condition=(UploadItem.owner_id == post.author_id)
                & (UploadItem.status == READY)
                & UploadItem.post_id.does_not_exist()
                & UploadItem.avatar_of.does_not_exist(),
                label=UPLOAD + photo.upload_id,
            )

    return transact(write)


def get_post(post_id: str, *, consistent: bool = False) -> PostRecord | None:
    """The live post; None if it does not exist or is being deleted."""
    key = keys.post(post_id)
    try:
        item = PostItem.get(key.pk, key.sk, consistent_read=consistent)
    except PostItem.DoesNotExist:
        return None
    return to_post(item) if item.state == LIVE else None


@dataclass(frozen=True)
class PostRef:
    post_id: str
    author_id: str


@dataclass(frozen=True)
class Hydrated:
    posts: dict[str, PostRecord]
    authors: dict[str, Member]
    smiled: set[str]
    products: dict[str, Product]
    # The viewer's block list: their posts are already left out of `posts`.
    blocked: set[str] = field(default_factory=set)
    interests: dict[str, Interest] = field(default_factory=dict)
    # Featured cards (services/featured.py): (post, brand) whose rights the live post's author
    # approved, and the asked campaigns not ended early.
    featurable: set[tuple[str, str]] = field(default_factory=set)
    open_campaigns: set[str] = field(default_factory=set)


def hydrate(
    post_ids: Sequence[str],
    *,
    viewer_id: str | None,
    author_ids: Iterable[str] = (),
    product_ids: Iterable[str] = (),
    smile_post_ids: Sequence[str] | None = None,
    interest_ids: Iterable[str] = (),
    featured: Sequence[tuple[str, str, str]] = (),
) -> Hydrated:
    """Posts, their authors, the viewer's smiles and block list (and optionally products and
    interests) in one BatchGetItem.

    This is where visibility is decided for every post a reader sees (feeds, member, interest and
    product lists, search, brand insights): a post shows only while `live` (not hidden by a
    moderator or a ban, not being deleted), and never to a viewer who blocked its author.
    Listing entries carry the author id, so authors ride in the same call as the posts. A post
    page, which has its post already, asks only for author, products and `smile_post_ids`.
    `featured` (post, brand, campaign): a feed page's featured cards, with their rights requests and
    campaigns.
    """
    from chalicelib.data.rights import APPROVED  # data/rights imports this module

    wanted: list[keys.Key] = [keys.post(p) for p in post_ids]
    wanted += [keys.user(a) for a in dict.fromkeys(author_ids)]
    wanted += [keys.product(p) for p in dict.fromkeys(product_ids)]
    wanted += [keys.interest(i) for i in dict.fromkeys(interest_ids)]
    for post_id, brand_id, campaign_id in featured:
        wanted += [keys.rights_request(post_id, brand_id), keys.campaign(brand_id, campaign_id)]
    if viewer_id:
        wanted += [keys.smile(p, viewer_id) for p in (post_ids if smile_post_ids is None else smile_post_ids)]
        wanted.append(keys.block_list(viewer_id))
    posts: dict[str, PostRecord] = {}
    authors: dict[str, Member] = {}
    products: dict[str, Product] = {}
    interests: dict[str, Interest] = {}
    smiled: set[str] = set()
    blocked: set[str] = set()
    approvals: dict[tuple[str, str], str] = {}
    open_campaigns: set[str] = set()
    for item in FlintItem.batch_get(list(dict.fromkeys(wanted))):
        if isinstance(item, PostItem):
            if item.state == LIVE:
                posts[item.post_id] = to_post(item)
        elif isinstance(item, UserItem):
            authors[item.user_id] = to_member(item)
        elif isinstance(item, ProductItem):
            products[item.product_id] = to_product(item)
        elif isinstance(item, InterestItem):
            interests[item.interest_id] = Interest(item.interest_id, item.name)
        elif isinstance(item, BlockListItem):
            blocked = set(item.ids or ())
        elif isinstance(item, RightsRequestItem):
            if item.status == APPROVED and item.author_id:
                approvals[(item.post_id, item.brand_id)] = item.author_id
        elif isinstance(item, CampaignItem):
            if item.ended_at is None:
                open_campaigns.add(item.campaign_id)
        elif item.SK.startswith("SMILE#"):
            smiled.add(item.PK.removeprefix("POST#"))
    if blocked:
        posts = {p: post for p, post in posts.items() if post.author_id not in blocked}
    featurable = {
        (post_id, brand_id)
        for (post_id, brand_id), author in approvals.items()
        if post_id in posts and posts[post_id].author_id == author
    }
    return Hydrated(posts, authors, smiled, products, blocked, interests, featurable, open_campaigns)


def _query_refs(partition: str, prefix: str, limit: int, start: dict[str, Any] | None) -> Page:
    results = PostRefItem.query(
        partition,
        PostRefItem.SK.startswith(prefix),
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )
    return Page([PostRef(r.post_id, r.author_id) for r in results], results.last_evaluated_key)


def list_interest_post_ids(interest_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    return _query_refs(keys.interest_post(interest_id, "").pk, keys.POST_REF_PREFIX, limit, start)


def list_product_post_ids(product_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    return _query_refs(keys.product_post(product_id, "").pk, keys.TAGGED_PREFIX, limit, start)


def list_author_post_ids(author_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    results = FlintItem.gsi3.query(
        keys.author_posts(author_id),
        FlintItem.GSI3SK.startswith(keys.POST_REF_PREFIX),
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )
    refs = [PostRef(i.post_id, i.author_id) for i in results if isinstance(i, PostItem)]
    return Page(refs, results.last_evaluated_key)


def begin_delete(post_id: str, owner_id: str) -> PostRecord | None:
    """Hide the post at once (state `deleting`, from live or hidden); None if it is not the
    owner's or already gone.

    A crash after this leaves a hidden post whose owner can retry DELETE to finish the cascade.
    """
    key = keys.post(post_id)
    item = PostItem(key.pk, key.sk)
    if not connection.update(
        item,
        [PostItem.state.set(DELETING)],
        condition=PostItem.PK.exists() & (PostItem.author_id == owner_id),
    ):
        return None
    return to_post(item)


def set_post_hidden(tx: Tx, post: PostRecord, hidden: bool, reason: str) -> None:
    """Add to a transaction: hide a live post (or show a hidden one again) with its search entries.

    Every read shows live posts only, so hiding is one state change, not a filter per read.
    Condition (label `post`): the post is live (to hide) or hidden (to restore).
    """
    key = keys.post(post.post_id)
    found_words = post.search_words or []
    if hidden:
        tx.update(
            PostItem(key.pk, key.sk),
            actions=[PostItem.state.set(HIDDEN), PostItem.hidden_reason.set(reason)],
            condition=PostItem.state == LIVE,
            label=POST,
        )
        search.delete_entries(tx, search.POST, post.post_id, found_words)
    else:
        tx.update(
            PostItem(key.pk, key.sk),
            actions=[PostItem.state.set(LIVE), PostItem.hidden_reason.remove()],
            condition=PostItem.state == HIDDEN,
            label=POST,
        )
        search.put_entries(tx, search.POST, post.post_id, found_words, owner_id=post.author_id)


def hide_post(post: PostRecord, hidden: bool, reason: str) -> bool:
    """Hide or restore one post on its own (a ban's cascade); False if it was not in the other state."""
    return transact(lambda tx: set_post_hidden(tx, post, hidden, reason)).committed


def author_posts_in_state(author_id: str, state: str, start: dict[str, Any] | None, limit: int = 25) -> Page:
    """A page of a member's posts in one state, whole (GSI3 Query for ids, one BatchGetItem)."""
    results = FlintItem.gsi3.query(
        keys.author_posts(author_id),
        FlintItem.GSI3SK.startswith(keys.POST_REF_PREFIX),
        filter_condition=PostItem.state == state,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )
    post_ids = [i.post_id for i in results if isinstance(i, PostItem)]
    found = (
        {i.post_id: to_post(i) for i in PostItem.batch_get([keys.post(p) for p in post_ids])}
        if post_ids
        else {}
    )
    return Page([found[p] for p in post_ids if p in found], results.last_evaluated_key)


def get_post_any_state(post_id: str) -> tuple[PostRecord, str] | None:
    key = keys.post(post_id)
    try:
        item = PostItem.get(key.pk, key.sk, consistent_read=True)
    except PostItem.DoesNotExist:
        return None
    return to_post(item), item.state


def post_partition_keys(post_id: str) -> list[tuple[str, str]]:
    """Every item in the post's partition (the post, its smiles and comments), paged through."""
    key = keys.post(post_id)
    return [(i.PK, i.SK) for i in FlintItem.query(key.pk, attributes_to_get=["PK", "SK"])]


def finish_delete(post: PostRecord, partition_keys: Sequence[tuple[str, str]]) -> None:
    """Remove the post's listing entries and partition, then settle the counters.

    Deletes are idempotent, so a retried cascade converges; counters move once, with the
    post item's own deletion (a condition on its `deleting` state) in the same transaction.
    """
    refs = [keys.interest_post(i, post.post_id) for i in post.interests]
    refs += [keys.product_post(p, post.post_id) for p in post.product_ids]
    refs += search.entry_keys(search.POST, post.post_id, post.search_words or [])
    post_key = keys.post(post.post_id)
    leftovers = [k for k in partition_keys if k != (post_key.pk, post_key.sk)]
    with FlintItem.batch_write() as batch:
        for pk, sk in [(r.pk, r.sk) for r in refs] + leftovers:
            batch.delete(FlintItem(pk, sk))
    author = keys.user(post.author_id)

    def write(tx: Tx, vanished: frozenset[str] = frozenset()) -> None:
        tx.delete(PostItem(post_key.pk, post_key.sk), condition=PostItem.state == DELETING, label=POST)
        if AUTHOR not in vanished:
            # Off the author's newest post ids too, so followers' refreshes no longer pull it in.
            tx.update(
                UserItem(author.pk, author.sk),
                actions=[UserItem.posts.add(-1), UserItem.recent_posts.delete({post.post_id})],
                condition=FlintItem.PK.exists(),
                label=AUTHOR,
            )
        for product_id in post.product_ids:
            label = PRODUCT + product_id
            if label not in vanished:
                product = keys.product(product_id)
                tx.update(
                    ProductItem(product.pk, product.sk),
                    actions=[ProductItem.tag_count.add(-1)],
                    condition=FlintItem.PK.exists(),
                    label=label,
                )

    # A failed `post` condition: another attempt already finished the cascade. A vanished author
    # or product has no counter left to settle: the post and the other counters go without it.
    outcome = transact(write)
    if outcome.failed and not outcome.failed_on(POST):
        transact(lambda tx: write(tx, outcome.failed))


def get_posts_any_state(post_ids: Sequence[str]) -> list[PostRecord]:
    """These posts, live or being deleted (one consistent BatchGetItem per 100)."""
    wanted = [keys.post(p) for p in dict.fromkeys(post_ids)]
    if not wanted:
        return []
    found = {i.post_id: to_post(i) for i in PostItem.batch_get(wanted, consistent_read=True)}
    return [found[p] for p in dict.fromkeys(post_ids) if p in found]


def add_tag(tx: Tx, post: PostRecord, photo_index: int, tag: TagRecord) -> None:
    """Add to a transaction: `tag` on the post's photo `photo_index`, after publication, with what
    publishing a tag writes (the product's listing entry and its `tag_count`).

    Conditions: the post is live and exactly as read (`product_ids` unchanged: every tag change
    changes them, so a concurrent one fails this instead of being overwritten; label `post`), the
    product exists (label `product:<id>`). The post's MODIFY reaches brand pages like a publish.
    """
    photos = [
        PhotoRecord(p.upload_id, p.width, p.height, p.renditions, p.palette, [*p.tags, tag])
        if i == photo_index
        else p
        for i, p in enumerate(post.photos)
    ]
    key = keys.post(post.post_id)
    tx.update(
        PostItem(key.pk, key.sk),
        actions=[
            PostItem.photos.set([_photo_json(p) for p in photos]),
            PostItem.product_ids.set([*post.product_ids, tag.product_id]),
        ],
        condition=(PostItem.state == LIVE)
        & (PostItem.product_ids == list(post.product_ids))
        & ~PostItem.product_ids.contains(tag.product_id),
        label=POST,
    )
    ref = keys.product_post(tag.product_id, post.post_id)
    tx.put(
        PostRefItem(
            ref.pk, ref.sk, post_id=post.post_id, author_id=post.author_id, created_at=post.created_at
        )
    )
    product = keys.product(tag.product_id)
    tx.update(
        ProductItem(product.pk, product.sk),
        actions=[ProductItem.tag_count.add(1)],
        condition=ProductItem.PK.exists(),
        label=PRODUCT + tag.product_id,
    )
