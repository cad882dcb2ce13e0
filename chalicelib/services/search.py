"""The one search box: products, members, interests and posts (captions, stories, photo labels).

A search is one Query of the search index per kind asked for (its longest term's 2-letter
partition, `data/search.py`) and one BatchGetItem that hydrates every hit: products, profiles,
interests, posts with their authors, the viewer's smiles and block list. Hydration decides
visibility exactly as every other read does (`posts.hydrate`: live posts only, none by a member
the viewer blocked); banned members are left out. Without `type`, each kind gets a share of the
page and the cursor continues every kind that has more.
"""

from __future__ import annotations

import math
from typing import Any

from chalicelib import cursors
from chalicelib.auth import Identity
from chalicelib.data import posts as post_store
from chalicelib.data import search as index
from chalicelib.data.pages import Page
from chalicelib.schemas.members import Interest
from chalicelib.schemas.search import SearchHit, SearchPage
from chalicelib.services.posts import page_size
from chalicelib.services.presenters import author_out, product_out, summary

# Shown in this order: the shortest, most navigational results first.
ORDER = (index.INTEREST, index.MEMBER, index.PRODUCT, index.POST)
# Without a type, one BatchGetItem (100 keys) hydrates 4 kinds: n interests + n members + n
# products + 3n for posts (post, author, viewer's smile) + the viewer's block list: n <= 16.
MAX_PER_KIND = 16


def _sizes(kind: str | None, limit: int, viewer: Identity | None) -> dict[str, int]:
    if kind == index.POST:
        return {kind: page_size(limit, viewer)}
    if kind is not None:
        return {kind: min(limit, post_store.BATCH_GET_LIMIT - 1)}
    share = max(1, min(MAX_PER_KIND, math.ceil(limit / len(ORDER))))
    return {k: share for k in ORDER}


def search(q: str, kind: str | None, limit: int, cursor: str | None, viewer: Identity | None) -> SearchPage:
    terms = index.query_terms(q)
    scope = f"search?q={' '.join(terms)}&type={kind or ''}"
    position: dict[str, Any] | None = cursors.decode(cursor, scope=scope)
    if not terms:
        return SearchPage(items=[], next_cursor=None)
    sizes = _sizes(kind, limit, viewer)
    if position is not None:  # a later page: only the kinds that had more
        sizes = {k: n for k, n in sizes.items() if k in position}
    pages: dict[str, Page] = {
        k: index.search_ids(k, terms, n, (position or {}).get(k)) for k, n in sizes.items()
    }
    hits = {k: page.items for k, page in pages.items()}
    post_hits = hits.get(index.POST, [])
    hydrated = post_store.hydrate(
        [h.entity_id for h in post_hits],
        viewer_id=viewer.user_id if viewer else None,
        author_ids=[h.owner_id for h in post_hits if h.owner_id]
        + [h.entity_id for h in hits.get(index.MEMBER, [])],
        product_ids=[h.entity_id for h in hits.get(index.PRODUCT, [])],
        interest_ids=[h.entity_id for h in hits.get(index.INTEREST, [])],
    )
    items: list[SearchHit] = []
    for k in ORDER:
        for hit in hits.get(k, []):
            found = _present(k, hit, hydrated)
            if found is not None:
                items.append(found)
    more = {k: page.last_key for k, page in pages.items() if page.last_key}
    return SearchPage(items=items, next_cursor=cursors.encode(more, scope=scope) if more else None)


def _present(kind: str, hit: index.Hit, hydrated: post_store.Hydrated) -> SearchHit | None:
    if kind == index.INTEREST:
        interest = hydrated.interests.get(hit.entity_id)
        return (
            SearchHit(type="interest", interest=Interest(id=interest.interest_id, name=interest.name))
            if interest
            else None
        )
    if kind == index.MEMBER:
        member = hydrated.authors.get(hit.entity_id)
        if member is None or member.banned:
            return None
        return SearchHit(type="member", member=author_out(member.user_id, member))
    if kind == index.PRODUCT:
        product = hydrated.products.get(hit.entity_id)
        return SearchHit(type="product", product=product_out(product)) if product else None
    post = hydrated.posts.get(hit.entity_id)
    if post is None:
        return None
    return SearchHit(
        type="post", post=summary(post, hydrated.authors.get(post.author_id), post.post_id in hydrated.smiled)
    )
