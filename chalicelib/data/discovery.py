"""Access patterns for image discovery (issue 22): the candidate index, photos' matches, brands'
untagged mentions and tag suggestions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from chalicelib.data import connection, keys, ownership
from chalicelib.data import posts as post_store
from chalicelib.data.batch_reads import BatchReads
from chalicelib.data.connection import Outcome, Tx, transact
from chalicelib.data.models import (
    FlintItem,
    MentionItem,
    TagSuggestionItem,
    UploadItem,
    VisualSignatureItem,
)
from chalicelib.data.ownership import OwnedKind
from chalicelib.data.pages import Page

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
MENTIONED_KIND = "mentioned"  # GSI4 kind: mentions of a member's posts (erasure finds them)
SUGGESTION = "suggestion"  # transaction label of the suggestion's status condition


@dataclass(frozen=True)
class Candidate:
    product_id: str
    brand_id: str
    title: str
    signature: str


@dataclass(frozen=True)
class Mention:
    brand_id: str
    post_id: str
    product_id: str
    author_id: str
    confidence: float
    x: float
    y: float
    created_at: str


@dataclass(frozen=True)
class Suggestion:
    post_id: str
    product_id: str
    brand_id: str
    author_id: str
    suggested_by: str
    photo_index: int
    x: float
    y: float
    status: str
    created_at: str


# (colour bucket, per bucket) -> its candidates, as first read inside `candidates_read_once`.
CandidateReads = dict[tuple[str, int], list[Candidate]]
_read_once: BatchReads[tuple[str, int], list[Candidate]] = BatchReads("candidates_read_once")


def candidates_read_once(shared: CandidateReads | None = None) -> AbstractContextManager[None]:
    """Within, `candidates` queries each colour bucket at most once: the photos of one thumbnail
    batch share those reads (a few buckets serve many photos). `shared`: the same reads across
    threads that each enter this. A signature indexed here in the meantime drops its buckets."""
    return _read_once.scope(shared)


def put_product_signature(candidate: Candidate, buckets: Sequence[str]) -> None:
    """Index a product's signature under each of its colour buckets (overwrites: idempotent)."""
    if (read := _read_once.current()) is not None:
        for key in [k for k in read if k[0] in buckets]:
            read.pop(key, None)
    with FlintItem.batch_write() as batch:
        for bucket in buckets:
            key = keys.visual_bucket(bucket, candidate.product_id)
            batch.save(
                VisualSignatureItem(
                    key.pk,
                    key.sk,
                    product_id=candidate.product_id,
                    brand_id=candidate.brand_id,
                    title=candidate.title,
                    signature=candidate.signature,
                )
            )


def candidates(buckets: Sequence[str], per_bucket: int) -> list[Candidate]:
    """At most `per_bucket` products of each colour bucket, newest id first (one Query per bucket),
    deduplicated."""
    found: dict[str, Candidate] = {}
    read = _read_once.current()
    for bucket in buckets:
        in_bucket = read.get((bucket, per_bucket)) if read is not None else None
        if in_bucket is None:
            in_bucket = [
                Candidate(item.product_id, item.brand_id, item.title, item.signature)
                for item in VisualSignatureItem.query(
                    keys.visual_bucket_partition(bucket),
                    scan_index_forward=False,
                    limit=per_bucket,
                    page_size=per_bucket,
                )
            ]
            if read is not None:
                read[(bucket, per_bucket)] = in_bucket
        for candidate in in_bucket:
            found.setdefault(candidate.product_id, candidate)
    return list(found.values())


def set_upload_matches(upload_id: str, signature: str, matches: list[dict[str, Any]]) -> bool:
    """Store a ready photo's signature and best matches (one UpdateItem; the upload must exist)."""
    key = keys.upload(upload_id)
    return connection.update(
        UploadItem(key.pk, key.sk),
        [UploadItem.signature.set(signature), UploadItem.matches.set(matches)],
        condition=UploadItem.PK.exists(),
    )


def put_mentions(mentions: Sequence[Mention]) -> int:
    """Write mentions (BatchWriteItem); the same post x product always writes the same item."""
    with FlintItem.batch_write() as batch:
        for m in mentions:
            key = keys.brand_mention(m.brand_id, m.created_at, m.post_id, m.product_id)
            owned = keys.member_owned(m.author_id, MENTIONED_KIND, f"{key.pk}#{key.sk}")
            batch.save(
                MentionItem(
                    key.pk,
                    key.sk,
                    GSI4PK=owned.pk,
                    GSI4SK=owned.sk,
                    brand_id=m.brand_id,
                    post_id=m.post_id,
                    product_id=m.product_id,
                    author_id=m.author_id,
                    confidence=m.confidence,
                    x=m.x,
                    y=m.y,
                    created_at=m.created_at,
                )
            )
    return len(mentions)


def list_mentions(brand_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    """A page of the brand's mentions, newest post first (one Query)."""
    results = MentionItem.query(
        keys.brand_mentions(brand_id),
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )
    items = [
        Mention(
            i.brand_id,
            i.post_id,
            i.product_id,
            i.author_id,
            float(i.confidence),
            float(i.x),
            float(i.y),
            i.created_at,
        )
        for i in results
    ]
    return Page(items, results.last_evaluated_key)


def _suggestion(item: TagSuggestionItem) -> Suggestion:
    return Suggestion(
        item.post_id,
        item.product_id,
        item.brand_id,
        item.author_id,
        item.suggested_by,
        int(item.photo_index),
        float(item.x),
        float(item.y),
        item.status,
        item.created_at,
    )


def create_suggestion(s: Suggestion) -> bool:
    """One suggestion per post x product: False when one exists already (any status)."""
    key = keys.tag_suggestion(s.post_id, s.product_id)
    item = TagSuggestionItem(
        key.pk,
        key.sk,
        post_id=s.post_id,
        product_id=s.product_id,
        brand_id=s.brand_id,
        author_id=s.author_id,
        suggested_by=s.suggested_by,
        photo_index=s.photo_index,
        x=s.x,
        y=s.y,
        status=PENDING,
        created_at=s.created_at,
    )
    return connection.put(item, condition=TagSuggestionItem.PK.does_not_exist())


def get_suggestion(post_id: str, product_id: str) -> Suggestion | None:
    key = keys.tag_suggestion(post_id, product_id)
    try:
        return _suggestion(TagSuggestionItem.get(key.pk, key.sk, consistent_read=True))
    except TagSuggestionItem.DoesNotExist:
        return None


def suggestions_of(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Suggestion]:
    """The suggestions that exist among (post, product) pairs (one BatchGetItem)."""
    wanted = [keys.tag_suggestion(p, q) for p, q in dict.fromkeys(pairs)]
    if not wanted:
        return {}
    found = TagSuggestionItem.batch_get(wanted)
    return {(i.post_id, i.product_id): _suggestion(i) for i in found}


def _settle(tx: Tx, s: Suggestion, status: str) -> None:
    """Add to a transaction: the suggestion decided, once (condition: still pending)."""
    key = keys.tag_suggestion(s.post_id, s.product_id)
    tx.update(
        TagSuggestionItem(key.pk, key.sk),
        actions=[TagSuggestionItem.status.set(status)],
        condition=TagSuggestionItem.status == PENDING,
        label=SUGGESTION,
    )


def accept(s: Suggestion, post: post_store.PostRecord, tag: post_store.TagRecord) -> Outcome:
    """Accept a pending suggestion and add its tag to the post, in one transaction (labels:
    `suggestion`, `post`, `product:<id>`)."""

    def write(tx: Tx) -> None:
        _settle(tx, s, ACCEPTED)
        post_store.add_tag(tx, post, s.photo_index, tag)

    return transact(write)


def decline(s: Suggestion) -> Outcome:
    return transact(lambda tx: _settle(tx, s, DECLINED))


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# Brands' mentions of their posts name them as the author: they go with them (their posts go too).
def _mentioned(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    return ownership.find_owned(member_id, MENTIONED_KIND, limit, start)


ownership.register(OwnedKind("mentioned", (MentionItem,), (), _mentioned, ownership.erase_by_deleting))
