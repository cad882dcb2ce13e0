"""Demo posts for `make dev`, published exactly as a client would.

Each demo contributor signs in to Cognito, asks the API for an upload, POSTs a
generated photo to S3 with the presigned form, waits for the thumbnailer
(S3 -> SQS -> event runner -> handler) to mark it ready, then publishes a
post tagging catalog products. Then members follow and smile at each other,
so feeds, counters and Enthusiast badges have something to show.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests
from PIL import Image

from local.cognito import sign_in
from local.demo_data import BRANDS, DEMO_MEMBERS, DemoMember, products
from local.demo_images import INTEREST_FAMILY, jpeg, scene

log = logging.getLogger("flint.demo")

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


def demo_photo(seed: int, interest: str = "home-decor") -> tuple[bytes, list[tuple[float, float]]]:
    """A generated scene for `interest` as JPEG, and where its objects are (as displayed).

    Some are stored sideways or upside down with the EXIF orientation that shows them upright,
    as phones do, so the thumbnailer must apply it; the anchors are in the upright picture.
    """
    width, height, orientation = SHAPES[seed % len(SHAPES)]
    upright = (height, width) if orientation in (6, 8) else (width, height)
    image, anchors = scene(interest, upright, seed)
    if orientation == 6:
        image = image.transpose(Image.Transpose.ROTATE_90)
    elif orientation == 3:
        image = image.transpose(Image.Transpose.ROTATE_180)
    exif = Image.Exif()
    exif[0x0112] = orientation
    return jpeg(image, quality=80, exif=exif.tobytes()), anchors


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
    rng = random.Random(seed)
    interests = rng.sample(list(client.member.interests), k=rng.randint(1, 3))
    photo, anchors = demo_photo(seed, interests[0])
    ticket = client.call("POST", "/uploads", {"content_type": "image/jpeg", "size": len(photo)})
    requests.post(
        ticket["url"], data=ticket["fields"], files={"file": ("photo.jpg", photo)}, timeout=30
    ).raise_for_status()
    upload = _wait_ready(client, ticket["upload_id"])
    if upload["status"] != "ready":
        raise RuntimeError(f"demo photo rejected: {upload.get('reason')}")
    pool = catalog.get(interests[0], [])  # products of the pictured scene's interest
    tagged = rng.sample(pool, k=min(len(pool), len(anchors), rng.randint(0, 3)))
    post = client.call(
        "POST",
        "/posts",
        {
            "kind": "photo",
            "caption": rng.choice(CAPTIONS_BY_FAMILY.get(INTEREST_FAMILY.get(interests[0], ""), CAPTIONS)),
            "interests": interests,
            "photos": [
                {
                    "upload_id": ticket["upload_id"],
                    "tags": [
                        {"product_id": pid, "x": x, "y": y}
                        for pid, (x, y) in zip(tagged, anchors, strict=False)
                    ],
                }
            ],
        },
    )
    return str(post["id"])


def _catalog_by_interest() -> dict[str, list[str]]:
    by_brand = {b.brand_id: b.interests for b in BRANDS}
    catalog: dict[str, list[str]] = {}
    for product in products():
        for interest in by_brand[product.brand_id]:
            catalog.setdefault(interest, []).append(product.product_id)
    return catalog


def seed_demo_posts(
    api: str,
    cognito: Any,
    client_id: str,
    count: int,
    workers: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """Publish `count` posts spread over the demo contributors, then demo follows and smiles."""
    if count <= 0:
        return []
    clients: dict[str, DemoClient] = {}
    for member in DEMO_MEMBERS:
        if "prime" in member.groups:
            tokens = sign_in(cognito, client_id=client_id, email=member.email, password=member.password)
            client = DemoClient(api, member, tokens["IdToken"])
            client.user_id = client.call("GET", "/me")["id"]
            clients[member.email] = client
    authors = [c for c in clients.values() if c.member.interests and c.member.email != DEMO_MEMBERS[0].email]
    catalog = _catalog_by_interest()
    done: list[str] = []

    def one(index: int) -> str:
        post_id = publish_demo_post(authors[index % len(authors)], 1000 + index, catalog)
        done.append(post_id)
        if progress and len(done) % 20 == 0:
            progress(len(done), count)
        return post_id

    with ThreadPoolExecutor(max_workers=workers) as pool:
        post_ids = list(pool.map(one, range(count)))
    _demo_engagement(list(clients.values()), post_ids)
    return post_ids


def _demo_engagement(clients: list[DemoClient], post_ids: list[str]) -> None:
    """Follows and smiles, deterministic: the Prime demo member follows two contributors."""
    rng = random.Random(7)
    viewer = next(c for c in clients if c.member.email == DEMO_MEMBERS[0].email)
    for other in clients[1:3]:
        viewer.call("PUT", f"/users/{other.user_id}/follow")
    for client in clients:
        for post_id in rng.sample(post_ids, k=min(len(post_ids), 25)):
            client.call("PUT", f"/posts/{post_id}/smile", expect=(200, 404))
