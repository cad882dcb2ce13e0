"""Settling the local stack before `make dev` says "ready": deliver what is queued, compute feeds.

The event runner's control API (local/event_runner.py, BOARD.md: `POST /drain`,
`POST /run/<schedule>`, `GET /stats` on FLINT_EVENTS_CONTROL_PORT) does both when it is there.
Until it is, the same happens from here: the queues are watched until empty (visible and in
flight), and the planner's service code writes the shared lists and refreshes each demo reader's
feed, as the planner run and its queue would.
"""

from __future__ import annotations

import logging
import time

import requests

from chalicelib import aws, clock
from chalicelib.data import feeds as feed_store
from chalicelib.services import feeds
from chalicelib.settings import get_settings

log = logging.getLogger("local.devstack")

DRAIN_SECONDS = 300.0
PLANNER = "feed_planner"


def has_control_api(events_url: str) -> bool:
    try:
        return requests.get(f"{events_url}/stats", timeout=2).ok
    except requests.RequestException:
        return False


def _queues_empty() -> bool:
    settings = get_settings()
    sqs = aws.client("sqs")
    for name in (settings.thumbnail_queue, settings.engagement_queue, settings.feed_refresh_queue):
        attributes = sqs.get_queue_attributes(
            QueueUrl=aws.queue_url(name),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        if any(int(value) for value in attributes.values()):
            return False
    return True


def drain(events_url: str) -> None:
    """Every queued message delivered (and, with the control API, every stream record)."""
    if has_control_api(events_url):
        requests.post(f"{events_url}/drain", timeout=DRAIN_SECONDS).raise_for_status()
        return
    deadline = time.monotonic() + DRAIN_SECONDS
    while not _queues_empty():
        if time.monotonic() > deadline:
            raise TimeoutError(f"queues still busy after {DRAIN_SECONDS:.0f}s")
        time.sleep(0.5)


def compute_feeds(events_url: str, member_ids: list[str]) -> int:
    """Trending, the interest lists and each member's feed; returns how many members have one."""
    if has_control_api(events_url):
        requests.post(f"{events_url}/run/{PLANNER}", timeout=DRAIN_SECONDS).raise_for_status()
        requests.post(f"{events_url}/drain", timeout=DRAIN_SECONDS).raise_for_status()
    else:
        now = clock.now()
        feeds.write_shared_lists(now)
        for member_id in member_ids:
            feeds.refresh_member(member_id, clock.iso(now), now)
    with_feed = sum(1 for m in member_ids if feed_store.newest_generation(m) is not None)
    log.info("feeds computed for %d of %d demo readers", with_feed, len(member_ids))
    return with_feed
