"""Demo posts for `make dev`: a handful published exactly as a client would, the rest in bulk.

The first `REAL_POSTS` go through the whole path a client takes: a demo contributor signs in to
Cognito, asks the API for an upload, POSTs a generated photo to S3 with the presigned form,
waits for the thumbnailer (S3 -> SQS -> event runner -> handler) to mark it ready, then
publishes a post tagging catalog products. Some of those photos are stored sideways with an
EXIF orientation, so the thumbnailer's handling of phone photos shows in the demo.

The rest skip what those already demonstrate (HTTP, the presigned POST, the queue) but not the
product's code: each is a smaller generated photo handed to the upload and thumbnail services
(`media.create_upload`, then `media.finish_upload`: renditions to the media bucket, labels,
`ready`) and published by `posts.create_post`, from a few threads at once. Then members follow
and smile at each other through the social service, so feeds, counters and Enthusiast badges
have something to show. Deterministic: the same seed gives the same photos, captions and tags.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from PIL import Image

from chalicelib.auth import Identity
from chalicelib.data import media as media_store
from chalicelib.schemas.posts import PostIn
from chalicelib.services import media, posts, social
from chalicelib.settings import get_settings
from local.cognito import sign_in
from local.demo_data import BRANDS, DEMO_MEMBERS, DemoMember, products
from local.demo_images import INTEREST_FAMILY, jpeg, scene
from local.processes import parallel_map

log = logging.getLogger("flint.demo")

# Posts published through HTTP, the presigned POST and the thumbnailer; the rest in bulk.
REAL_POSTS = 8
# Bulk photos are drawn at most this wide or high: renditions are never upscaled, so "large" is
# this size for them; drawing and thumbnailing a third of the pixels is most of their cost.
BULK_LONG_EDGE = 720
SMILES_PER_MEMBER = 25

# (width, height, EXIF orientation): landscape, portrait, square, and phone photos stored sideways.
SHAPES = [
    (1600, 1200, 1),
    (1080, 1350, 1),
    (1200, 1200, 1),
    (2000, 1125, 1),
    (1200, 1600, 6),
    (1500, 1000, 3),
]
CAPTIONS = [
    "Weekend favourite",
    "Finally found the one",
    "Can't stop using this",
    "Gift idea",
    "My setup",
    "Before and after",
    "Small upgrade, big difference",
    "Worth every penny",
    "Daily essentials",
]
CAPTIONS_BY_FAMILY = {
    "outdoors": [
        "Sunrise at camp",
        "Packed for the ridge trail",
        "Three days, one backpack",
        "First night in the new tent",
    ],
    "kitchen": ["Sunday slow cooking", "Morning pour-over ritual", "Counter refresh", "Bread day"],
    "home": ["Reading corner, finally done", "Cosy evening light", "Shelfie", "Weekend DIY: done"],
    "desk": ["Desk setup v3", "Late-night session", "New gear day", "Clean desk, clear head"],
    "beauty": ["Evening routine", "Shelf of favourites", "Glow kit for travel", "Five-minute routine"],
    "active": ["Morning flow", "Ready for the 10K", "Home gym corner", "Recovery day kit"],
    "pets": ["His favourite spot", "Nap o'clock", "Spoiled and proud"],
    "style": ["Autumn layers", "Weekend uniform", "Thrift and new"],
}


def demo_photo(
    seed: int, interest: str = "home-decor", long_edge: int | None = None
) -> tuple[bytes, list[tuple[float, float]]]:
    """A generated scene for `interest` as JPEG, and where its objects are (as displayed).

    Full size (no `long_edge`), some are stored sideways or upside down with the EXIF orientation
    that shows them upright, as phones do, so the thumbnailer must apply it; the anchors are in
    the upright picture. With `long_edge`, a smaller upright picture.
    """
    width, height, orientation = SHAPES[seed % len(SHAPES)]
    if long_edge is not None:
        scale = long_edge / max(width, height)
        width, height, orientation = round(width * scale), round(height * scale), 1
    upright = (height, width) if orientation in (6, 8) else (width, height)
    image, anchors = scene(interest, upright, seed)
    if orientation == 6:
        image = image.transpose(Image.Transpose.ROTATE_90)
    elif orientation == 3:
        image = image.transpose(Image.Transpose.ROTATE_180)
    exif = Image.Exif()
    exif[0x0112] = orientation
    return jpeg(image, quality=80, exif=exif.tobytes()), anchors


@dataclass(frozen=True)
class PlannedPost:
    """What a demo post says: chosen from its seed, whichever way it is published."""

    interests: list[str]
    caption: str
    product_ids: list[str]

    def body(self, upload_id: str, anchors: list[tuple[float, float]]) -> dict[str, Any]:
        tags = [
            {"product_id": p, "x": x, "y": y} for p, (x, y) in zip(self.product_ids, anchors, strict=False)
        ]
        return {
            "kind": "photo",
            "caption": self.caption,
            "interests": self.interests,
            "photos": [{"upload_id": upload_id, "tags": tags}],
        }


def plan_post(member: DemoMember, seed: int, catalog: dict[str, list[str]], anchors: int) -> PlannedPost:
    rng = random.Random(seed)
    interests = rng.sample(list(member.interests), k=rng.randint(1, 3))
    pool = catalog.get(interests[0], [])  # products of the pictured scene's interest
    tagged = rng.sample(pool, k=min(len(pool), anchors, rng.randint(0, 3)))
    caption = rng.choice(CAPTIONS_BY_FAMILY.get(INTEREST_FAMILY.get(interests[0], ""), CAPTIONS))
    return PlannedPost(interests, caption, tagged)


def _first_interest(member: DemoMember, seed: int) -> str:
    return plan_post(member, seed, {}, 0).interests[0]


@dataclass
class DemoClient:
    api: str
    member: DemoMember
    token: str
    user_id: str = ""

    def call(
        self, method: str, path: str, body: Any = None, expect: tuple[int, ...] = (200, 201, 204)
    ) -> Any:
        response = requests.request(
            method,
            f"{self.api}{path}",
            json=body,
            timeout=30,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:300]}")
        return response.json() if response.content else None


def _wait_ready(client: DemoClient, upload_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        upload = client.call("GET", f"/uploads/{upload_id}")
        if upload["status"] != "pending":
            return dict(upload)
        time.sleep(0.3)
    raise RuntimeError(f"upload {upload_id} still pending after {timeout:.0f}s")


def publish_demo_post(client: DemoClient, seed: int, catalog: dict[str, list[str]]) -> str:
    """One post through HTTP, the presigned POST and the thumbnailer, as a client app does it."""
    photo, anchors = demo_photo(seed, _first_interest(client.member, seed))
    planned = plan_post(client.member, seed, catalog, len(anchors))
    ticket = client.call("POST", "/uploads", {"content_type": "image/jpeg", "size": len(photo)})
    requests.post(
        ticket["url"], data=ticket["fields"], files={"file": ("photo.jpg", photo)}, timeout=30
    ).raise_for_status()
    upload = _wait_ready(client, ticket["upload_id"])
    if upload["status"] != "ready":
        raise RuntimeError(f"demo photo rejected: {upload.get('reason')}")
    post = client.call("POST", "/posts", planned.body(ticket["upload_id"], anchors))
    return str(post["id"])


def publish_in_bulk(identity: Identity, member: DemoMember, seed: int, catalog: dict[str, list[str]]) -> str:
    """One post through the upload, thumbnail and publish services, without HTTP or S3 events."""
    photo, anchors = demo_photo(seed, _first_interest(member, seed), long_edge=BULK_LONG_EDGE)
    planned = plan_post(member, seed, catalog, len(anchors))
    ticket = media.create_upload(identity, "image/jpeg", len(photo))
    upload = media_store.get_upload(ticket.upload_id)
    assert upload is not None
    outcome = media.finish_upload(upload, photo, bucket=get_settings().uploads_bucket)
    if outcome is not media.Outcome.READY:
        raise RuntimeError(f"demo photo {ticket.upload_id}: {outcome}")
    post = posts.create_post(identity, PostIn.model_validate(planned.body(ticket.upload_id, anchors)))
    return post.id


def _catalog_by_interest() -> dict[str, list[str]]:
    by_brand = {b.brand_id: b.interests for b in BRANDS}
    catalog: dict[str, list[str]] = {}
    for product in products():
        for interest in by_brand[product.brand_id]:
            catalog.setdefault(interest, []).append(product.product_id)
    return catalog


@dataclass(frozen=True)
class DemoAuthor:
    member: DemoMember
    user_id: str

    @property
    def identity(self) -> Identity:
        return Identity(self.user_id, frozenset(self.member.groups), self.member.name)


def seed_demo_posts(
    api: str,
    cognito: Any,
    client_id: str,
    members: dict[str, str],
    count: int,
    *,
    real: int = REAL_POSTS,
    workers: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """`count` posts spread over the demo contributors (`members`: e-mail -> user id), the first
    `real` of them through the API, then demo follows and smiles. `progress(done, count)`."""
    if count <= 0:
        return []
    prime = [
        DemoAuthor(m, members[m.email]) for m in DEMO_MEMBERS if "prime" in m.groups and m.email in members
    ]
    authors = [a for a in prime if a.member.interests and a.member.email != DEMO_MEMBERS[0].email]
    clients: dict[str, DemoClient] = {}
    for author in authors[:real]:  # post i is by authors[i % len(authors)]
        tokens = sign_in(
            cognito, client_id=client_id, email=author.member.email, password=author.member.password
        )
        clients[author.member.email] = DemoClient(api, author.member, tokens["IdToken"], author.user_id)
    catalog = _catalog_by_interest()
    done = [0]
    done_lock = threading.Lock()

    def one(index: int) -> str:
        author = authors[index % len(authors)]
        if index < real:
            post_id = publish_demo_post(clients[author.member.email], 1000 + index, catalog)
        else:
            post_id = publish_in_bulk(author.identity, author.member, 1000 + index, catalog)
        with done_lock:
            done[0] += 1
            if progress:
                progress(done[0], count)
        return post_id

    post_ids = parallel_map(one, range(count), workers)
    demo_engagement(prime, post_ids, workers)
    return post_ids


def demo_engagement(members: list[DemoAuthor], post_ids: list[str], workers: int = 4) -> None:
    """Follows and smiles, deterministic: the Prime demo member follows two contributors."""
    rng = random.Random(7)
    viewer = next(m for m in members if m.member.email == DEMO_MEMBERS[0].email)
    for other in members[1:3]:
        social.follow(viewer.identity, other.user_id)
    smiles = [
        (member, post_id)
        for member in members
        for post_id in rng.sample(post_ids, k=min(len(post_ids), SMILES_PER_MEMBER))
    ]
    parallel_map(lambda pair: social.smile(pair[0].identity, pair[1]), smiles, workers)
