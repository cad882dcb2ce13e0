"""Demo seeding through the product's own services: a backdated post keeps its moment (and an id
as old, since listings sort by id), its tags on the drawn objects of their products' kinds; the
demo community signs up with profiles and interests.

Fresh products (copies of demo products under new ids, same kind and colour) and fresh members,
so the shared table's other tests see nothing of this.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.auth import Identity
from chalicelib.data import users
from chalicelib.services import catalog
from local import demo_clock
from local.demo_data import DEMO_PASSWORD, DemoMember, products
from local.demo_plan import PlannedPost, plan
from local.demo_posts import BULK_LONG_EDGE, post_photo, publish_in_bulk
from local.seed import seed_members
from tests.support.http import body

pytestmark = pytest.mark.usefixtures("stack")


@pytest.fixture(autouse=True)
def _no_disk_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLINT_DEMO_IMAGE_CACHE", "off")
    # demo_clock installs its overrides for good; put back what was there after the test
    from chalicelib import ids

    monkeypatch.setattr(clock, "now", clock.now)
    monkeypatch.setattr(ids, "time", ids.time)


def _fresh_copy(post: PlannedPost) -> PlannedPost:
    """The planned post with its products under fresh ids, imported into the catalog."""
    fresh = tuple(replace(p, product_id=f"p-demo-{uuid.uuid4().hex[:10]}") for p in post.products)
    catalog.import_products(fresh)
    return replace(post, products=fresh)


def test_a_backdated_demo_post_keeps_its_moment_and_its_tags_on_their_objects(
    api: Any, new_member: Any
) -> None:
    # Given a planned demo post with two products, and its author
    planned = _fresh_copy(next(p for p in plan(120).posts if p.has_photo and len(p.products) >= 2))
    author = new_member("prime", name="Demo Author")
    users.upsert_activity(author.user_id, "Demo Author", clock.now_iso())
    then = (datetime.now(UTC) - timedelta(hours=30)).replace(microsecond=0)

    # When it is published in bulk "30 hours ago"
    with demo_clock.at(then):
        post_id = publish_in_bulk(Identity(author.user_id, frozenset({"prime"}), "Demo Author"), planned)

    # Then it says it was published then, and its id sorts with that moment
    post = body(api.http.get(f"/posts/{post_id}", headers=author.headers))
    assert post["created_at"] == clock.iso(then)
    assert post_id < f"post_{_id_time(then + timedelta(seconds=1))}"
    # and each tag is at the point where the picture shows that product's kind
    _, drawing = post_photo(planned, long_edge=BULK_LONG_EDGE)
    kinds = {p.product_id: p.kind for p in planned.products}
    tags = post["photos"][0]["tags"]
    assert sorted(t["product_id"] for t in tags) == sorted(kinds)
    for tag in tags:
        assert drawing.kind_at(tag["x"], tag["y"]) == kinds[tag["product_id"]]
    assert post["caption"] == planned.shot.caption


def _id_time(moment: datetime) -> str:
    from chalicelib.ids import _base32

    return _base32(int(moment.timestamp() * 1000), 10)


def test_the_demo_community_signs_up_with_profiles_and_interests(cognito: Any, stack: Any) -> None:
    # Given three members of the demo's audience (fresh addresses)
    members = [
        DemoMember(f"demo-{uuid.uuid4().hex[:10]}@example.com", DEMO_PASSWORD, f"Reader {i}", ("prime",),
                   ("coffee", "books", "travel", "yoga", "music"))
        for i in range(3)
    ]  # fmt: skip

    # When they are seeded
    seeded = seed_members(
        cognito,
        pool_id=stack.outputs["UserPoolId"],
        client_id=stack.outputs["UserPoolClientId"],
        members=members,
    )

    # Then each has a user id, in the order given, and a profile with their interests
    assert [s.email for s in seeded] == [m.email for m in members]
    assert len({s.user_id for s in seeded}) == 3
    for member, one in zip(members, seeded, strict=True):
        profile = users.get_member(one.user_id)
        assert profile is not None and profile.display_name == member.name
        assert sorted(profile.interests) == sorted(member.interests)
    # and seeding them again finds them instead of failing
    again = seed_members(
        cognito,
        pool_id=stack.outputs["UserPoolId"],
        client_id=stack.outputs["UserPoolClientId"],
        members=members[:1],
    )
    assert again[0].user_id == seeded[0].user_id


def test_demo_products_are_importable_with_their_kinds() -> None:
    # the demo catalog is what the seed imports; a fresh copy of one goes in and reads back
    product = replace(products()[0], product_id=f"p-demo-{uuid.uuid4().hex[:10]}")
    catalog.import_products([product])
    assert catalog.get_product(product.product_id).title == product.title
