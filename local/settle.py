"""Settling the local stack before `make dev` says "ready": everything delivered, feeds computed.

"Ready" means a demo reader's first page load shows their own feed: deliver what is queued, run
the Enthusiast job (badges) and the feed planner, deliver its refreshes. Then check as a client
would: each demo reader's `GET /feed` has posts picked for them (for an interest or an author
they follow), not only the trending fallback; if not, once or twice more (the planner reads what
the stream worker logged, which may lag a moment behind the queues). A reader whose interests no
demo post has (a tiny `--demo-posts`) keeps the trending feed: that is logged, not an error.
Last, the schedules the event runner held while the data went in start (`POST /schedules/start`).

The event runner's control API (BOARD.md: `POST /drain`, `POST /run/<schedule>`, `GET /stats`
on FLINT_EVENTS_CONTROL_PORT) does the delivering and the planner run when the runner has it.
Until then the same is done from here: queues are watched until empty (visible and in flight)
and the planner's handler is invoked in this process with the scheduled event the runner would
send, so nothing here depends on how feeds are computed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import requests

from chalicelib import aws
from chalicelib.services import ranking
from chalicelib.settings import get_settings

log = logging.getLogger("local.devstack")

DRAIN_SECONDS = 300.0
PLANNER = "feed_planner"
ENTHUSIAST_JOB = "enthusiast_job"  # the badges, which the planner's ranking reads
ATTEMPTS = 3
PERSONAL_REASONS = (ranking.INTEREST, ranking.FOLLOWING)


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
        started = time.monotonic()
        answer = requests.post(f"{events_url}/drain", timeout=DRAIN_SECONDS)
        answer.raise_for_status()
        log.info("drained in %.1fs: %s", time.monotonic() - started, answer.json().get("delivered"))
        return
    deadline = time.monotonic() + DRAIN_SECONDS
    while not _queues_empty():
        if time.monotonic() > deadline:
            raise TimeoutError(f"queues still busy after {DRAIN_SECONDS:.0f}s")
        time.sleep(0.5)


def run_schedule(events_url: str, name: str) -> None:
    """Run a scheduled handler now: through the control API, or here with the runner's event."""
    if has_control_api(events_url):
        started = time.monotonic()
        requests.post(f"{events_url}/run/{name}", timeout=DRAIN_SECONDS).raise_for_status()
        log.info("ran %s in %.1fs", name, time.monotonic() - started)
        return
    import app
    from local.event_runner import lambda_context, scheduled_event

    app.app.handler_map[name](scheduled_event(name), lambda_context(name))


def has_personal_feed(api_url: str, token: str) -> bool:
    page = requests.get(
        f"{api_url}/feed", params={"limit": 20}, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    page.raise_for_status()
    reasons = {r.split(":", 1)[0] for item in page.json()["items"] for r in item["reasons"]}
    return bool(reasons & set(PERSONAL_REASONS))


def settle(events_url: str, api_url: str, reader_tokens: Sequence[str]) -> int:
    """Deliver everything, compute the readers' feeds; returns how many readers have theirs."""
    waiting = list(reader_tokens)
    drain(events_url)
    run_schedule(events_url, ENTHUSIAST_JOB)
    for attempt in range(ATTEMPTS):
        drain(events_url)
        run_schedule(events_url, PLANNER)
        drain(events_url)
        started, checked = time.monotonic(), len(waiting)
        waiting = [token for token in waiting if not has_personal_feed(api_url, token)]
        log.info("read %d feeds in %.1fs", checked, time.monotonic() - started)
        if not waiting:
            break
        time.sleep(1.0 + attempt)  # the stream worker's log may lag the queues
    if has_control_api(events_url):
        requests.post(f"{events_url}/schedules/start", timeout=30).raise_for_status()
    log.info(
        "feeds computed for %d of %d demo readers", len(reader_tokens) - len(waiting), len(reader_tokens)
    )
    return len(reader_tokens) - len(waiting)
