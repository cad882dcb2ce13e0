"""UGC rights requests (issue 22): a brand asks a post's author for permission to feature the post.

- A brand (its owner, the `brand` group) asks with terms; the request is one item per brand x post,
  written with a condition: one open (pending or approved) request per brand and post. Only posts
  that are live, not the asker's own, and whose author has not blocked the asker. Each request
  spends one unit of the brand's own `rights_requests` limit (per brand, not per account).
- The table's stream turns a new pending request into a `rights_request` notification in the
  author's inbox (services/inbox.py), with approve and decline actions pointing at the routes here.
- Only the author decides (a condition on the author id): approve or decline a pending request,
  withdraw an approval. Deleting the post or the author's erasure withdraws it too
  (`withdraw_from_stream`, data/rights.py's ownership kind).
- `is_featurable(brand, post)` is the one rule every place that features a post uses (galleries
  now, campaigns' featured slots later): the brand's request is approved and the post is live.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from chalicelib import clock, cursors, paths
from chalicelib.auth import Identity
from chalicelib.data import catalog as catalog_store
from chalicelib.data import posts as post_store
from chalicelib.data import ratelimits, safety
from chalicelib.data import rights as store
from chalicelib.data.catalog import Brand
from chalicelib.data.rights import APPROVED, DECLINED, PENDING, WITHDRAWN, Featured, RightsRequest
from chalicelib.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationFailed, field_error
from chalicelib.observability import metrics
from chalicelib.schemas.members import BrandRef
from chalicelib.schemas.posts import PostSummary
from chalicelib.schemas.rights import RightsRequestIn, RightsRequestOut, RightsRequestPage
from chalicelib.services.catalog import check_owner, owned_brand
from chalicelib.services.presenters import summary
from chalicelib.settings import get_settings

RIGHTS_LIMIT = "rights_requests"  # settings.rate_limits: per brand
# A decision: (the status it starts from, the status it leaves).
DECISIONS: dict[str, tuple[str, str]] = {
    "approve": (PENDING, APPROVED),
    "decline": (PENDING, DECLINED),
    "withdraw": (APPROVED, WITHDRAWN),
}


def decision_path(post_id: str, brand_id: str, decision: str) -> str:
    """The route an author answers a request on (the inbox's actions point here)."""
    return paths.link(paths.RIGHTS_DECISION, post_id=post_id, brand_id=brand_id, decision=decision)


def _spend_brand_limit(brand_id: str) -> None:
    limit, window = get_settings().rate_limits[RIGHTS_LIMIT]
    verdict = ratelimits.hit(
        RIGHTS_LIMIT, f"brand:{brand_id}", limit=limit, window_seconds=window, now=time.time()
    )
    if not verdict.allowed:
        raise RateLimited(
            f"This brand sent too many rights requests: at most {limit} every {window} s. Retry later.",
            retry_after=verdict.retry_after,
        )


def _out(request: RightsRequest, brand: Brand, post: PostSummary | None = None) -> RightsRequestOut:
    return RightsRequestOut(
        post_id=request.post_id,
        brand=BrandRef(id=brand.brand_id, name=brand.name),
        terms=request.terms,
        status=request.status,  # type: ignore[arg-type]
        requested_at=request.requested_at,
        decided_at=request.decided_at,
        post=post,
    )


def request_rights(identity: Identity, brand_id: str, data: RightsRequestIn) -> RightsRequestOut:
    """Ask the post's author (two reads: brand and post, the author's block list; one limit
    write; one conditional PutItem)."""
    found = store.request_inputs(brand_id, data.post_id)
    brand = check_owner(identity, found.brand)
    post = found.post
    if post is None:
        raise NotFound("No such post.")
    if post.author_id == identity.user_id:
        raise ValidationFailed(
            "A brand cannot ask you for your own post.", [field_error("post_id", "your own post", "own_post")]
        )
    if identity.user_id in safety.blocked_ids(post.author_id):
        raise Forbidden("This post's author does not accept requests from you.", code="blocked")
    _spend_brand_limit(brand_id)
    request = RightsRequest(post.post_id, brand_id, post.author_id, data.terms, PENDING, clock.now_iso())
    if not store.put_request(request):
        raise Conflict("This brand already has an open request for this post.", code="already_exists")
    metrics.add_metric(name="RightsRequested", unit="Count", value=1)
    return _out(request, brand)


def decide(identity: Identity, post_id: str, brand_id: str, decision: str) -> RightsRequestOut:
    """The author approves, declines or withdraws (one conditional UpdateItem, one read of the
    brand; on refusal one read of the request says why)."""
    was, becomes = DECISIONS[decision]
    at = clock.now_iso()
    if not store.decide(post_id, brand_id, identity.user_id, was, becomes, at):
        current = store.get_request(post_id, brand_id)
        if current is None:
            raise NotFound("No such rights request.")
        if current.author_id != identity.user_id:
            raise Forbidden("Only the post's author may answer this request.", code="not_owner")
        raise Conflict(
            f"This request is {current.status}: it cannot be {becomes} now.", code="already_decided"
        )
    request = store.get_request(post_id, brand_id)
    brand = catalog_store.get_brand(brand_id)
    if request is None or brand is None:  # withdrawn by an erasure meanwhile, or the brand is gone
        raise NotFound("No such rights request.")
    metrics.add_metric(name=f"Rights{becomes.capitalize()}", unit="Count", value=1)
    return _out(request, brand)


def brand_requests(identity: Identity, brand_id: str, limit: int, cursor: str | None) -> RightsRequestPage:
    """The brand's requests with their status, newest first: the brand (GetItem), one Query, one
    BatchGetItem of the page's live posts and their authors."""
    brand = owned_brand(identity, brand_id)
    scope = f"brands/{brand_id}/rights-requests"
    page = store.list_brand_requests(brand_id, limit, cursors.decode(cursor, scope=scope))
    requests: list[RightsRequest] = page.items
    hydrated = post_store.hydrate(
        [r.post_id for r in requests],
        viewer_id=None,
        author_ids=[r.author_id for r in requests if r.author_id],
    )
    items = [
        _out(
            r,
            brand,
            summary(hydrated.posts[r.post_id], hydrated.authors.get(r.author_id or ""), False)
            if r.post_id in hydrated.posts
            else None,
        )
        for r in requests
    ]
    return RightsRequestPage(items=items, next_cursor=cursors.encode(page.last_key, scope=scope))


def featurable(found: Featured, post_id: str) -> bool:
    """The rule (pure): the brand's request for the post is approved, by the post's author, and
    the post is live."""
    request, post = found.requests.get(post_id), found.posts.get(post_id)
    return (
        request is not None
        and request.status == APPROVED
        and post is not None
        and request.author_id == post.author_id
    )


def featurable_posts(brand_id: str, post_ids: Sequence[str]) -> tuple[Featured, list[str]]:
    """What reading these posts for the brand found, and which of them it may feature, in order
    (one BatchGetItem: at most 49 posts)."""
    found = store.featured_items(brand_id, post_ids)
    return found, [p for p in post_ids if featurable(found, p)]


def refuse_unfeaturable(post_ids: Sequence[str], allowed: Sequence[str], field: str) -> None:
    """409 `not_featurable` naming each post the brand may not feature (galleries, campaigns)."""
    refused = [p for p in post_ids if p not in allowed]
    if refused:
        raise Conflict(
            "Only posts whose author approved this brand's rights request can be featured.",
            code="not_featurable",
            details=[
                {"field": field, "message": f"{p}: rights not approved", "type": "not_featurable"}
                for p in refused
            ],
        )


def is_featurable(brand_id: str, post_id: str) -> bool:
    """May the brand feature this post now? (One BatchGetItem.) Galleries and campaigns' featured
    slots ask this, or `featurable_posts` for many."""
    return bool(featurable_posts(brand_id, [post_id])[1])


def withdraw_from_stream(changes: Sequence[Any]) -> int:
    """Posts that started being deleted (or are gone) in a stream batch: their requests are
    withdrawn. One Query per such post (deletions are rare), a conditional write per request."""
    gone: list[str] = []
    for change in changes:
        if change.entity != "post":
            continue
        began = (change.new or {}).get("state") == post_store.DELETING != (change.old or {}).get("state")
        if change.name == "REMOVE" or began:
            gone.append(str((change.new or change.old)["post_id"]))
    at = clock.now_iso()
    return sum(store.withdraw_post(p, at) for p in dict.fromkeys(gone))
