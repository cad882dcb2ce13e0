"""What reading posts costs in DynamoDB requests: a post page and a list page are two requests each.

Signed-in callers: any route marks the member active (one UpdateItem, at most every 5 minutes per
process), so each signed-in test makes one warm-up call before counting; the counted call then
makes reads only.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import botocore.session
import pytest

from chalicelib import caches
from chalicelib.data.posts import BATCH_GET_LIMIT
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support import images
from tests.support.aws_calls import record_api_calls
from tests.support.catalog import fresh_interest, fresh_products
from tests.support.posts import body_of, photo, post_body, published
from tests.support.uploads import upload_images

VIEWERS = ["anonymous", "signed_in"]


@dataclass(frozen=True)
class Catalog:
    """Two products and an interest of the test's own: its listings hold only its posts."""

    product: str
    other_product: str
    interest: str


@pytest.fixture
def catalog(stack: Any) -> Catalog:
    product, other_product = fresh_products(2)
    return Catalog(product, other_product, fresh_interest())


@pytest.fixture
def author(api: Any, catalog: Catalog, new_member: Callable[..., SignedInMember]) -> SignedInMember:
    member = new_member("prime")
    api.http.get("/me", headers=member.headers)
    return member


def _viewer_headers(api: Any, viewer: str, new_member: Callable[..., SignedInMember]) -> dict[str, str]:
    """No headers, or a signed-in member's, already marked active (see the module docstring)."""
    if viewer == "anonymous":
        return {}
    member = new_member()
    assert api.http.get("/interests", headers=member.headers).status_code == 200
    assert api.http.get("/posts/post_warm_up", headers=member.headers).status_code == 404
    return member.headers


def _tagged_posts(api: Any, catalog: Catalog, authors: list[SignedInMember]) -> list[dict[str, Any]]:
    """One photo post per author in the catalog's interest, each tagging both products, with a smile
    from the first author."""
    posts = []
    for member in authors:
        [upload_id] = upload_images(api, member, [images.jpeg(64, 48)])
        tags = [(catalog.product, 0.2, 0.2), (catalog.other_product, 0.8, 0.8)]
        request = post_body("photo", [photo(upload_id, *tags)], interests=[catalog.interest])
        posts.append(published(api, member, request))
    api.http.put(f"/posts/{posts[0]['id']}/smile", headers=authors[0].headers)
    return posts


def _batch_get_sizes(calls: Any) -> list[int]:
    return [
        sum(len(table["Keys"]) for table in params["RequestItems"].values())
        for operation, params in calls.calls
        if operation == "BatchGetItem"
    ]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_post_page_costs_one_get_item_and_one_batch_get_item(
    api: Any,
    author: SignedInMember,
    new_member: Callable[..., SignedInMember],
    monkeypatch: pytest.MonkeyPatch,
    viewer: str,
    catalog: Catalog,
) -> None:
    # Given a tagged photo post, and the caller
    [post] = _tagged_posts(api, catalog, [author])
    headers = _viewer_headers(api, viewer, new_member)

    # When the post is read
    with count_dynamodb_calls(monkeypatch) as calls:
        response = api.http.get(f"/posts/{post['id']}", headers=headers)

    # Then it took the post item and one batch (author, current products, the viewer's smile)
    assert response.status_code == 200, response.body
    assert body_of(response)["photos"][0]["tags"][1]["product_id"] == catalog.other_product
    assert dict(calls) == {"GetItem": 1, "BatchGetItem": 1}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_listing_page_costs_one_query_and_one_batch_get_item(
    api: Any,
    author: SignedInMember,
    new_member: Callable[..., SignedInMember],
    monkeypatch: pytest.MonkeyPatch,
    viewer: str,
    catalog: Catalog,
) -> None:
    # Given posts by two authors, tagging the same product under the same interest
    second_author = new_member("prime")
    api.http.get("/me", headers=second_author.headers)
    _tagged_posts(api, catalog, [author, second_author])
    headers = _viewer_headers(api, viewer, new_member)

    paths = (
        f"/users/{author.user_id}/posts",
        f"/interests/{catalog.interest}/posts",
        f"/products/{catalog.product}/posts",
    )
    for path in paths:
        for limit in (20, 100):
            # When a page of the listing is read
            with count_dynamodb_calls(monkeypatch) as calls:
                response = api.http.get(f"{path}?limit={limit}", headers=headers)

            # Then it took one Query of ids and one BatchGetItem of posts, authors (and smiles)
            assert response.status_code == 200, response.body
            assert body_of(response)["items"], path
            assert dict(calls) == {"Query": 1, "BatchGetItem": 1}, (path, limit)


@pytest.mark.parametrize(
    "path", ["/users/{author}/posts", "/interests/{interest}/posts", "/products/{product}/posts"]
)
def test_an_empty_listing_page_costs_at_most_two_requests(
    api: Any, author: SignedInMember, catalog: Catalog, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    # Given a member, an interest and a product with no posts
    url = path.format(author=author.user_id, interest=catalog.interest, product=catalog.product)

    # When the listing is read
    with count_dynamodb_calls(monkeypatch) as calls:
        response = api.http.get(url)

    # Then it is an empty page, found in at most two requests
    assert body_of(response) == {"items": [], "next_cursor": None}
    assert calls.total <= 2, dict(calls)


@pytest.mark.parametrize(("viewer", "cap"), [("anonymous", 50), ("signed_in", 33)])
def test_a_page_of_100_is_capped_so_its_hydration_fits_one_batch_get_item(
    api: Any,
    author: SignedInMember,
    new_member: Callable[..., SignedInMember],
    monkeypatch: pytest.MonkeyPatch,
    viewer: str,
    cap: int,
    catalog: Catalog,
) -> None:
    # Given more posts in one interest than a single BatchGetItem could hydrate at once
    for i in range(cap + 2):
        idea = post_body("idea", body=f"idea {i}", caption=f"#{i}", interests=[catalog.interest])
        published(api, author, idea)
    headers = _viewer_headers(api, viewer, new_member)

    # When a page of 100 is asked for
    with record_api_calls(monkeypatch, "dynamodb") as calls:
        response = api.http.get(f"/interests/{catalog.interest}/posts?limit=100", headers=headers)

    # Then the page is cut to what one BatchGetItem of at most 100 keys hydrates, and says there is more
    page = json.loads(response.body)
    assert len(page["items"]) == cap
    assert page["next_cursor"] is not None
    assert [name for name, _ in calls.calls] == ["Query", "BatchGetItem"]
    assert _batch_get_sizes(calls)[0] <= BATCH_GET_LIMIT


def _big_brand(api: Any, owner: SignedInMember, posts: int, members: int, days: int) -> str:
    """A brand with `posts` tagged posts by posts/5 authors and `members` engaged members over `days`
    days ending today. The cheap way to a large brand: the aggregator's own rules
    (services/summaries.py `apply`, `fold`) run in memory over every fact, and the resulting day,
    week and 4-week items are written in bulk through the data layer, as compaction leaves them."""
    from datetime import UTC, datetime, timedelta

    from chalicelib.data import engagement as store
    from chalicelib.data.summaries import Period
    from chalicelib.services import summaries
    from chalicelib.services.summaries import IMPRESSION, POST, SMILE, Audience, Fact

    brand = body_of(
        api.http.post(
            "/brands",
            body=json.dumps({"name": f"Big {uuid.uuid4().hex[:8]}"}),
            headers={"Content-Type": "application/json", **owner.headers},
        )
    )
    brand_id = str(brand["id"])
    today = datetime.now(UTC).date()
    audience = Audience(brand_authors={f"author_{a:05d}" for a in range(posts // 5)})
    stored: dict[tuple[str, str], Period] = {}
    for index in range(days):
        day = (today - timedelta(days=days - 1 - index)).isoformat()
        period = stored.setdefault(("D", day), Period("D", day))
        for p in range(index * posts // days, (index + 1) * posts // days):
            post_id, author, products = (
                f"{brand_id}_p{p:06d}",
                f"author_{p // 5:05d}",
                (f"prod_{p % 40:02d}",),
            )
            summaries.apply(
                period,
                Fact(POST, post_id, author, products, day, interests=(f"i{p % 9}",), labels=("tent",)),
                audience,
                [],
                False,
            )
            for _ in range(3):
                summaries.apply(period, Fact(IMPRESSION, post_id, author, products, day), audience, [], False)
        for m in range(index * members // days, (index + 1) * members // days):
            # The first 1,000 members smile three times (they have profiles): the lists show them.
            for p in [m % posts] + ([(m + 7) % posts, (m + 13) % posts] if m < 1000 else []):
                smile = Fact(
                    SMILE,
                    f"{brand_id}_p{p:06d}",
                    f"author_{p // 5:05d}",
                    (f"prod_{p % 40:02d}",),
                    day,
                    actor=f"fan_{m:06d}",
                )
                summaries.apply(period, smile, audience, [], False)
        period.sketch.truncate()
        if day < today.isoformat():
            for level, start in summaries.blocks_of(date.fromisoformat(day)):
                block = stored.setdefault((level, start.isoformat()), Period(level, start.isoformat()))
                summaries.fold(block, period)
    periods = list(stored.values())
    for start in range(0, len(periods), 25):
        assert store.save(brand_id, periods[start : start + 25], now=datetime.now(UTC)).committed
    head = store.Head(
        first_day=(today - timedelta(days=days - 1)).isoformat(),
        last_day=today.isoformat(),
        compacted_through=(today - timedelta(days=1)).isoformat(),
        changed=True,
    )
    assert store.save(brand_id, [], head=head, now=datetime.now(UTC)).committed
    shown = {post_id for p in periods for post_id in p.sketch.lists["posts"]}
    _stored_posts_and_profiles(brand_id, shown, authors=posts // 5, fans=min(members, 1000))
    return brand_id


def _stored_posts_and_profiles(brand_id: str, post_ids: set[str], authors: int, fans: int) -> None:
    """The posts the lists can show, as big as real photo posts (renditions, palette, a tag
    snapshot), and the profiles they can show, in BatchWriteItem calls: the read's bytes are what a
    real brand's would be."""
    from chalicelib.data import keys
    from chalicelib.data.models import FlintItem, PostItem, UserItem

    with FlintItem.batch_write() as batch:
        for post_id in sorted(post_ids):
            p, key = int(post_id.rsplit("_p", 1)[1]), keys.post(post_id)
            photo = {
                "upload_id": f"up_{post_id}",
                "width": 1280,
                "height": 960,
                "renditions": {
                    name: {"key": f"media/up_{post_id}/{name}.jpg", "width": w, "height": w * 3 // 4}
                    for name, w in (("small", 320), ("medium", 640), ("large", 1280))
                },
                "palette": ["#2a3b4c", "#5d6e7f", "#8a9bac", "#c0d0e0", "#f0e0d0"],
                "tags": [
                    {
                        "product_id": f"prod_{p % 40:02d}",
                        "x": 0.4,
                        "y": 0.6,
                        "title": "Trail tent - Olive",
                        "price_amount": "199.00",
                        "currency": "USD",
                        "url": "https://shop.example.com/products/trail-tent-olive",
                    }
                ],
            }
            batch.save(
                PostItem(
                    key.pk,
                    key.sk,
                    post_id=post_id,
                    author_id=f"author_{p // 5:05d}",
                    kind="photo",
                    caption="Morning light on the ridge, and the tent held up to the wind all night",
                    interests=[f"i{p % 9}"],
                    photos=[photo],
                    product_ids=[f"prod_{p % 40:02d}"],
                    created_at="2026-01-01T00:00:00.000Z",
                    state="live",
                )
            )
        for member_id in [f"author_{a:05d}" for a in range(authors)] + [f"fan_{m:06d}" for m in range(fans)]:
            key = keys.user(member_id)
            batch.save(
                UserItem(
                    key.pk,
                    key.sk,
                    user_id=member_id,
                    display_name=f"Member {member_id}",
                    bio="Weekend hiker, coffee on the trail.",
                    interests=["hiking", "camping", "coffee", "cooking", "photography"],
                    badges=["enthusiast"] if member_id.endswith("7") else [],
                    followers=42,
                    created_at="2026-01-01T00:00:00.000Z",
                )
            )


@contextmanager
def dynamodb_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Requests, and bytes of the items DynamoDB answered (its item-size rules), made in the block."""
    from botocore.client import BaseClient

    from bench.capacity import item_size

    seen = {"requests": 0, "bytes": 0}
    original = BaseClient._make_api_call

    def counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        response = original(self, operation, params)
        if self.meta.service_model.service_name == "dynamodb":
            seen["requests"] += 1
            items = list(response.get("Items", [])) + ([response["Item"]] if "Item" in response else [])
            items += [i for found in response.get("Responses", {}).values() for i in found]
            seen["bytes"] += sum(item_size(i) for i in items)
        return response

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    yield seen
    monkeypatch.setattr(BaseClient, "_make_api_call", original)


@pytest.mark.timeout(900)
def test_brand_insights_read_at_most_10_requests_and_200_kb_whatever_the_brands_size(
    api: Any, stack: Any, new_member: Callable[..., SignedInMember], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a brand of 10,000 tagged posts and 50,000 engaged members over 92 days, and a small one
    owner = new_member("brand")
    api.http.get("/me", headers=owner.headers)
    large = _big_brand(api, owner, posts=10_000, members=50_000, days=92)
    small = _big_brand(api, owner, posts=10, members=20, days=3)

    for brand_id in (small, large):
        for query in ("", "?from={first}&to={last}"):
            from datetime import UTC, datetime, timedelta

            last = datetime.now(UTC).date()
            path = f"/brands/{brand_id}/insights" + query.format(first=last - timedelta(days=91), last=last)
            # When its insights are read, for the default window and for 92 days
            with dynamodb_reads(monkeypatch) as reads:
                response = api.http.get(path, headers=owner.headers)
            assert response.status_code == 200, response.body
            report = body_of(response)
            # Then at most 10 requests and 200 KB of items, whatever the brand's size
            print(f"insights read cost {brand_id} {query or 'default'}: {reads}")
            assert reads["requests"] <= 10, (brand_id, query, reads)
            assert reads["bytes"] <= 200 * 1024, (brand_id, query, reads)
            assert report["fans"] and report["potential_customers"] and report["top_posts"]
            assert len(report["series"]) in (28, 92)
    # And the large brand's totals are exact, whatever its lists hold
    report = body_of(api.http.get(path, headers=owner.headers))
    assert report["totals"]["posts"] == 10_000 and report["totals"]["smiles"] == 50_000 + 2 * 1000
    assert report["totals"]["impressions"] == 30_000 and report["complete"] is False


# --- what writing costs (issue 10: smile and unsmile in 2 requests, publish in at most 3) -----
# The data path is counted here; every write route also spends one conditional UpdateItem of its
# abuse limit first (issue 13, `RATE#` items), which rejects an over-limit caller in 1 request.


def _data_requests(calls: dict[str, int], limit_updates: int = 1) -> dict[str, int]:
    """The write's own requests: the calls minus the abuse limit's one UpdateItem."""
    assert calls.get("UpdateItem", 0) >= limit_updates, calls
    data = dict(calls)
    data["UpdateItem"] -= limit_updates
    return {k: v for k, v in data.items() if v}


def test_smile_and_unsmile_cost_two_requests_each_and_answer_the_right_count(
    api: Any,
    author: SignedInMember,
    new_member: Callable[..., SignedInMember],
    monkeypatch: pytest.MonkeyPatch,
    catalog: Catalog,
) -> None:
    # Given a post another member already smiled at, and a fan already marked active
    [post] = _tagged_posts(api, catalog, [author])
    fan = new_member("prime")
    api.http.get("/me", headers=fan.headers)

    # When the fan smiles, smiles again, takes it back, and takes it back again
    answers, costs = [], []
    for method in ("PUT", "PUT", "DELETE", "DELETE"):
        with count_dynamodb_calls(monkeypatch) as calls:
            response = api.http.request(method, f"/posts/{post['id']}/smile", headers=fan.headers, body=b"")
        answers.append(body_of(response))
        costs.append(_data_requests(dict(calls)))

    # Then each is one consistent read and one transaction (whose conditions make it idempotent),
    # and the counts answered are right without reading the post again
    assert answers == [
        {"smiled": True, "smile_count": 2},
        {"smiled": True, "smile_count": 2},
        {"smiled": False, "smile_count": 1},
        {"smiled": False, "smile_count": 1},
    ]
    assert costs[:2] == [{"GetItem": 1, "TransactWriteItems": 1}] * 2
    assert costs[2] == {"BatchGetItem": 1, "TransactWriteItems": 1}
    assert costs[3] == {"BatchGetItem": 1}  # nothing to take back: no write at all


def test_publishing_a_tagged_photo_costs_two_requests(
    api: Any, author: SignedInMember, monkeypatch: pytest.MonkeyPatch, catalog: Catalog
) -> None:
    # Given a processed upload
    [upload_id] = upload_images(api, author, [images.jpeg(64, 48)])
    tags = [(catalog.product, 0.2, 0.2), (catalog.other_product, 0.8, 0.8)]
    request = post_body("photo", [photo(upload_id, *tags)], interests=[catalog.interest])

    # When it is published tagging two products
    with count_dynamodb_calls(monkeypatch) as calls:
        post = published(api, author, request)

    # Then one consistent BatchGetItem read the author, interests, upload and products, and one
    # transaction wrote the post, its listings, the counters and the upload
    assert post["author"]["id"] == author.user_id
    assert _data_requests(dict(calls)) == {"BatchGetItem": 1, "TransactWriteItems": 1}


def test_one_dynamodb_client_serves_every_model_transaction_and_the_thumbnailer(
    api: Any,
    author: SignedInMember,
    new_member: Callable[..., SignedInMember],
    monkeypatch: pytest.MonkeyPatch,
    catalog: Catalog,
) -> None:
    # Given a fresh process state (no client made yet), counting the DynamoDB clients created
    created: list[str] = []
    original = botocore.session.Session.create_client

    def counting(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        if service_name == "dynamodb":
            created.append(service_name)
        return original(self, service_name, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", counting)
    caches.reset()
    fan = new_member("prime")

    # When requests touch the upload and thumbnailer, post, listing, smile, comment, follow,
    # profile, catalog and feed paths
    [upload_id] = upload_images(api, author, [images.jpeg(64, 48)])
    photos = [photo(upload_id, (catalog.product, 0.5, 0.5))]
    post = published(api, author, post_body("photo", photos, interests=[catalog.interest]))
    for method, path in [
        ("GET", f"/posts/{post['id']}"),
        ("PUT", f"/posts/{post['id']}/smile"),
        ("DELETE", f"/posts/{post['id']}/smile"),
        ("GET", f"/users/{author.user_id}/posts"),
        ("GET", f"/interests/{catalog.interest}/posts"),
        ("PUT", f"/users/{author.user_id}/follow"),
        ("GET", f"/users/{author.user_id}"),
        ("GET", f"/products/{catalog.product}"),
        ("GET", "/products?q=north"),
        ("GET", "/feed"),
        ("GET", "/me"),
    ]:
        response = api.http.request(method, path, headers=fan.headers, body=b"")
        assert response.status_code == 200, (path, response.body)
    comment = api.http.post(
        f"/posts/{post['id']}/comments",
        headers={**fan.headers, "Content-Type": "application/json"},
        body=json.dumps({"text": "Nice"}),
    )
    assert comment.status_code == 201, comment.body

    # Then the process made exactly one DynamoDB client, shared by all of them
    assert created == ["dynamodb"]
