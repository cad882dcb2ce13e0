"""Demo posts for `make dev`: the demo community's history (local/demo_plan.py), written through
the product's own code, a handful exactly as a client would.

The newest `REAL_POSTS` go through the whole path a client takes: their author signs in to
Cognito, asks the API for an upload, POSTs the photo to S3 with the presigned form, waits for the
thumbnailer (S3 -> SQS -> event runner -> handler) to mark it ready, then publishes the post with
its tags. Some of those photos are stored sideways with an EXIF orientation, as phones do.

The rest skip what those already demonstrate (HTTP, the presigned POST, the queue) but not the
product's code: each photo is handed to the upload and thumbnail services (`media.create_upload`,
then `media.finish_upload`) and published by `posts.create_post`, from a few threads at once, at
the moment the plan says it was published (local/demo_clock.py: the services stamp it "then").
Then the community follows, smiles and comments through the social service, each at its moment,
so feeds, counters, reasons and Enthusiast badges have a history to show.

Every tag sits on the drawn object of its product's kind: the photo is drawn from the post's
products (local/demo_images.py) and each tag takes the point the drawing recorded for it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from PIL import Image

from chalicelib import clock
from chalicelib.auth import Identity
from chalicelib.data import media as media_store
from chalicelib.data.discovery import CandidateReads
from chalicelib.schemas.posts import PostIn
from chalicelib.services import discovery, media, posts, social
from chalicelib.settings import get_settings
from local import demo_clock, demo_images
from local.cognito import sign_in
from local.demo_data import COLOURS, DemoMember
from local.demo_plan import DemoPlan, PlannedPost, members, plan
from local.demo_scenes import Drawing, Piece
from local.processes import die_with_parent, parallel_map

log = logging.getLogger("flint.demo")

# Posts published through HTTP, the presigned POST and the thumbnailer; the rest in bulk.
REAL_POSTS = 8
# Bulk photos are drawn at most this wide or high: renditions are never upscaled, so "large" is
# this size for them; drawing and thumbnailing a third of the pixels is most of their cost.
BULK_LONG_EDGE = 720


def _upright(post: PlannedPost, long_edge: int | None) -> tuple[tuple[int, int], int]:
    width, height, orientation = post.shape
    if long_edge is not None:
        scale = long_edge / max(width, height)
        width, height, orientation = round(width * scale), round(height * scale), 1
    return ((height, width) if orientation in (6, 8) else (width, height)), orientation


def post_photo(post: PlannedPost, long_edge: int | None = None) -> tuple[bytes, Drawing]:
    """The post's photo as JPEG and the record of what it shows (points as displayed).

    Full size (no `long_edge`), some are stored sideways or upside down with the EXIF orientation
    that shows them upright, so the thumbnailer must apply it. With `long_edge`, smaller, upright.
    """
    size, orientation = _upright(post, long_edge)
    shot = post.shot
    pieces = [Piece(p.kind, COLOURS[p.colour], p.product_id) for p in post.products]
    pieces += [
        Piece(kind, list(COLOURS.values())[(post.seed + i) % len(COLOURS)])
        for i, kind in enumerate(shot.props)
    ]
    time_of_day = shot.times[post.seed % len(shot.times)] if shot.times else None

    def draw() -> tuple[bytes, Drawing]:
        image, drawing = demo_images.picture(shot.setting, pieces, size, post.seed, time_of_day)
        info = dict(image.info)
        if orientation == 6:
            image = image.transpose(Image.Transpose.ROTATE_90)
        elif orientation == 3:
            image = image.transpose(Image.Transpose.ROTATE_180)
        image.info.update(info)
        exif = Image.Exif()
        exif[0x0112] = orientation
        return demo_images.jpeg(image, quality=80, exif=exif.tobytes()), drawing

    ahead = _AHEAD.pop((post.index, long_edge), None)
    if ahead is not None:
        data, text = ahead.result()
        return data, Drawing.from_json(text)
    key = (post.seed, shot.setting, tuple(pieces), size, orientation, time_of_day)
    return demo_images.cached_photo(key, draw)


# (post index, long edge) -> its photo (JPEG, record as JSON), being drawn in another process.
_AHEAD: dict[tuple[int, int | None], Future[tuple[bytes, str]]] = {}


def _drawing_process() -> None:
    os.nice(10)  # drawing only fills the cores the embedded AWS leaves idle while the stack starts
    die_with_parent()


def _drawn(count: int, index: int, long_edge: int | None) -> tuple[bytes, str]:
    data, drawing = post_photo(plan(count).posts[index], long_edge)
    return data, drawing.to_json()


def draw_ahead(count: int, real: int = REAL_POSTS, workers: int = 2) -> ProcessPoolExecutor:
    """Start drawing the photos of `seed_demo_posts(count, real=real)` in `workers` processes, in
    the order it publishes them, so the stack's start (the embedded AWS, provisioning, members)
    and the drawing overlap and publishing finds them drawn. The same pictures as drawn in
    place (and through the same picture cache). Call from the main thread; `shutdown()` the pool
    after seeding. A post the pool has not been asked for is drawn in place as before."""
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_drawing_process
    )
    for post in plan(count).posts:
        if post.has_photo:
            long_edge = None if post.index < real else BULK_LONG_EDGE
            _AHEAD[(post.index, long_edge)] = pool.submit(_drawn, count, post.index, long_edge)
    return pool


def tags_of(drawing: Drawing) -> list[dict[str, Any]]:
    """One tag per product the picture shows, at the point recorded for that object."""
    return [
        {"product_id": d.product_id, "x": d.point[0], "y": d.point[1]}
        for d in drawing.objects
        if d.product_id
    ]


def post_body(post: PlannedPost, upload_id: str | None, drawing: Drawing | None) -> dict[str, Any]:
    shot = post.shot
    body: dict[str, Any] = {"kind": shot.kind, "caption": shot.caption, "interests": post.interests}
    if shot.story:
        body["body"] = shot.story
    if upload_id is not None and drawing is not None:
        body["photos"] = [{"upload_id": upload_id, "tags": tags_of(drawing)}]
    return body


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


# The thumbnailer takes its queue 10 uploads a batch, one after another, like Lambda; with the
# embedded AWS saturated while 8 posts publish at once, the last of a batch waited past 60 s
# (1 of 5 timed starts failed there). The bound is for a lost upload, not for a busy laptop.
READY_WITHIN_SECONDS = 300


def _wait_ready(client: DemoClient, upload_id: str, timeout: float = READY_WITHIN_SECONDS) -> dict[str, Any]:
    # Polled as a client app would, but less and less often: a poll is a request through the API
    # to the embedded AWS, which the bulk posts publishing meanwhile keep busy.
    deadline = time.monotonic() + timeout
    pause = 0.3
    while time.monotonic() < deadline:
        upload = client.call("GET", f"/uploads/{upload_id}")
        if upload["status"] != "pending":
            return dict(upload)
        time.sleep(pause)
        pause = min(pause * 1.5, 2.0)
    raise RuntimeError(f"upload {upload_id} still pending after {timeout:.0f}s")


def publish_demo_post(client: DemoClient, post: PlannedPost) -> str:
    """One post through HTTP, the presigned POST and the thumbnailer, as a client app does it."""
    if not post.has_photo:
        return str(client.call("POST", "/posts", post_body(post, None, None))["id"])
    photo, drawing = post_photo(post)
    ticket = client.call("POST", "/uploads", {"content_type": "image/jpeg", "size": len(photo)})
    requests.post(
        ticket["url"], data=ticket["fields"], files={"file": ("photo.jpg", photo)}, timeout=30
    ).raise_for_status()
    upload = _wait_ready(client, ticket["upload_id"])
    if upload["status"] != "ready":
        raise RuntimeError(f"demo photo rejected: {upload.get('reason')}")
    return str(client.call("POST", "/posts", post_body(post, ticket["upload_id"], drawing))["id"])


def publish_in_bulk(identity: Identity, post: PlannedPost) -> str:
    """One post through the upload, thumbnail and publish services, without HTTP or S3 events."""
    if not post.has_photo:
        return posts.create_post(identity, PostIn.model_validate(post_body(post, None, None))).id
    photo, drawing = post_photo(post, long_edge=BULK_LONG_EDGE)
    ticket = media.create_upload(identity, "image/jpeg", len(photo))
    upload = media_store.get_upload(ticket.upload_id)
    assert upload is not None
    outcome = media.finish_upload(upload, photo, bucket=get_settings().uploads_bucket)
    if outcome is not media.Outcome.READY:
        raise RuntimeError(f"demo photo {ticket.upload_id}: {outcome}")
    body = PostIn.model_validate(post_body(post, ticket.upload_id, drawing))
    return posts.create_post(identity, body).id


@dataclass(frozen=True)
class DemoAuthor:
    member: DemoMember
    user_id: str

    @property
    def identity(self) -> Identity:
        return Identity(self.user_id, frozenset(self.member.groups), self.member.name)


def _moment(now: datetime, age_hours: float) -> datetime | None:
    """When something happened: `age_hours` before `now`; None (the real time) for "just now",
    which comes after the posts published through HTTP."""
    return now - timedelta(hours=age_hours) if age_hours > 0 else None


def seed_demo_posts(
    api: str,
    cognito: Any,
    client_id: str,
    members_by_email: dict[str, str],
    count: int,
    *,
    real: int = REAL_POSTS,
    workers: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """The demo's `count` posts (`members_by_email`: e-mail -> user id of everyone seeded), the
    newest `real` of them through the API, then its follows, smiles and comments.
    `progress(done, count)`."""
    if count <= 0:
        return []
    demo = plan(count)
    people = members()
    authors = {e: DemoAuthor(people[e], members_by_email[e]) for e in people if e in members_by_email}
    clients: dict[str, DemoClient] = {}
    for post in demo.posts[:real]:
        author = authors[post.author]
        if post.author not in clients:
            tokens = sign_in(cognito, client_id=client_id, email=post.author, password=author.member.password)
            clients[post.author] = DemoClient(api, author.member, tokens["IdToken"], author.user_id)
    now = clock.now()
    done = [0]
    done_lock = threading.Lock()
    # The catalog's signatures do not change while the posts go in: the bulk photos (a dozen colour
    # buckets between them) share image discovery's reads, as a thumbnail batch's photos do.
    candidates: CandidateReads = {}

    def one(post: PlannedPost) -> str:
        if post.index < real:
            post_id = publish_demo_post(clients[post.author], post)
        else:
            with demo_clock.at(_moment(now, post.age_hours)), discovery.candidates_read_once(candidates):
                post_id = publish_in_bulk(authors[post.author].identity, post)
        with done_lock:
            done[0] += 1
            if progress:
                progress(done[0], count)
        return post_id

    # The real posts mostly wait (HTTP, the thumbnailer's queue, one upload after another): on
    # threads of their own, so the bulk posts start at once instead of queueing behind them.
    assert [p.index for p in demo.posts] == list(range(len(demo.posts)))
    side = ThreadPoolExecutor(max_workers=1)
    try:
        through_api = side.submit(parallel_map, one, demo.posts[:real], workers)
        in_bulk = parallel_map(one, demo.posts[real:], workers)
        post_ids = through_api.result() + in_bulk
    finally:
        side.shutdown(wait=False, cancel_futures=True)
    demo_engagement(demo, post_ids, authors, now, workers)
    return post_ids


def demo_engagement(
    demo: DemoPlan, post_ids: list[str], authors: dict[str, DemoAuthor], now: datetime, workers: int = 4
) -> None:
    """The plan's follows, then its smiles and comments, each at its moment."""

    def follow(item: Any) -> None:
        with demo_clock.at(_moment(now, item.age_hours)):
            social.follow(authors[item.follower].identity, authors[item.followee].user_id)

    def react(item: Any) -> None:
        with demo_clock.at(_moment(now, item.age_hours)):
            if hasattr(item, "text"):
                social.add_comment(authors[item.member].identity, post_ids[item.post], item.text)
            else:
                social.smile(authors[item.member].identity, post_ids[item.post])

    parallel_map(
        follow, [f for f in demo.follows if f.follower in authors and f.followee in authors], workers
    )
    reactions = [r for r in [*demo.smiles, *demo.comments] if r.member in authors]
    parallel_map(react, reactions, workers)
