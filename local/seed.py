"""Load the deterministic demo data into a provisioned (local) stack.

Interests and products go in through the same data layer the API uses;
members sign up in the Cognito pool as clients would, and get profiles.
Safe to run twice: existing members and catalog entries are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from chalicelib.data import users
from chalicelib.data.users import Interest
from chalicelib.services import catalog
from local import demo_data
from local.cognito import sign_up_member
from local.processes import parallel_map

log = logging.getLogger("flint.seed")


@dataclass(frozen=True)
class SeededMember:
    email: str
    password: str
    name: str
    groups: tuple[str, ...]
    user_id: str


def seed_interests() -> int:
    users.put_interests(Interest(interest_id, name) for interest_id, name in demo_data.INTERESTS)
    return len(demo_data.INTERESTS)


def seed_products(
    brand_owner_id: str | None, per_brand: int = 16, image_urls: dict[str, str] | None = None
) -> int:
    """Brands and products; the demo brand account owns the first brand.

    `image_urls` (product id -> URL) replaces the placeholder shop image URLs, so that under
    `make dev` product images load from the media bucket (see `seed_product_images`).
    """
    demo_products = demo_data.products(per_brand=per_brand)
    if image_urls:
        demo_products = [
            replace(p, image_url=image_urls.get(p.product_id, p.image_url)) for p in demo_products
        ]
    for index, brand in enumerate(demo_data.BRANDS):
        catalog.register_brand(
            brand_id=brand.brand_id, name=brand.name, owner_id=brand_owner_id if index == 0 else None
        )
    catalog.import_products(demo_products)
    return len(demo_products)


def _user_sub(cognito: Any, pool_id: str, email: str) -> str:
    attributes = cognito.admin_get_user(UserPoolId=pool_id, Username=email)["UserAttributes"]
    return next(a["Value"] for a in attributes if a["Name"] == "sub")


def seed_members(
    cognito: Any,
    *,
    pool_id: str,
    client_id: str,
    members: Sequence[demo_data.DemoMember] | None = None,
    workers: int = 4,
) -> list[SeededMember]:
    """`members` (default: the whole demo community, demo_data.community()) signed up and given
    profiles and interests, a few at once; in the order given."""

    def one(member: demo_data.DemoMember) -> SeededMember:
        try:
            user_id = sign_up_member(
                cognito,
                pool_id=pool_id,
                client_id=client_id,
                email=member.email,
                password=member.password,
                name=member.name,
                groups=member.groups,
            )
        except cognito.exceptions.UsernameExistsException:
            user_id = _user_sub(cognito, pool_id, member.email)
        users.upsert_activity(user_id, member.name, "2026-01-01T00:00:00.000Z")
        if member.interests:
            users.set_interests(user_id, list(member.interests))
        return SeededMember(member.email, member.password, member.name, member.groups, user_id)

    everyone = demo_data.community() if members is None else members
    return parallel_map(one, everyone, workers)


def seed_product_images(s3: Any, bucket: str, base_url: str) -> dict[str, str]:
    """A generated packshot per demo product in the media bucket; returns product id -> URL."""
    from local.demo_images import put_product_images

    keys = put_product_images(s3, bucket, demo_data.products())
    return {product_id: f"{base_url.rstrip('/')}/{key}" for product_id, key in keys.items()}


def seed_product_signatures() -> int:
    """Image discovery's signatures of the demo brand account's products (the first brand's: the
    only mentions anyone reads in the demo; ~14 ms of CPU each, so not the whole catalog)."""
    from chalicelib.services import discovery
    from local.demo_images import product_image

    owned = demo_data.BRANDS[0].brand_id
    return sum(
        bool(discovery.index_product_image(p.product_id, product_image(p)))
        for p in demo_data.products()
        if p.brand_id == owned
    )


def seed_all(
    cognito: Any, *, pool_id: str, client_id: str, media: tuple[Any, str, str] | None = None
) -> list[SeededMember]:
    """Everything; `media` = (s3 client, media bucket, its base URL) adds product images."""
    log.info("seeding %d interests", seed_interests())
    members = seed_members(cognito, pool_id=pool_id, client_id=client_id)
    log.info("seeded %d members", len(members))
    brand_owner = next((m.user_id for m in members if "brand" in m.groups), None)
    image_urls = seed_product_images(*media) if media else None
    log.info("seeding %d products", seed_products(brand_owner, image_urls=image_urls))
    if media:
        log.info("indexed %d product pictures for image discovery", seed_product_signatures())
    return members
