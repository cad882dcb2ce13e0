"""Helpers for the brand tests: receipts, anonymous sessions, events, and running the aggregators.

Events count only with the receipt of the post as the same viewer saw it, so a test reads the post
(as that member, or with that anonymous session) before sending events about it, as a client does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from local.event_runner import EventRunner
from local.seed import seed_interests
from tests.support.community import call, ok
from tests.support.events import app_runner, queue_source, stream_start
from tests.support.uploads import jpeg_bytes, upload_image

SESSION_HEADER = "X-Flint-Session"


def new_session(api: Any) -> str:
    """An anonymous session (POST /sessions)."""
    return str(ok(call(api, "POST", "/sessions"), 201)["session"])


def _headers(member: Any = None, session: str | None = None) -> dict[str, str]:
    headers = dict(member.headers) if member is not None else {}
    if session:
        headers[SESSION_HEADER] = session
    return headers


def receipt(api: Any, post_id: str, member: Any = None, session: str | None = None) -> str:
    """The receipt `GET /posts/{id}` gives this viewer."""
    response = api.http.get(f"/posts/{post_id}", headers=_headers(member, session))
    value = ok(response)["receipt"]
    assert value, "a viewer with an identity gets a receipt"
    return str(value)


def send_events(
    api: Any,
    events: list[dict[str, Any]],
    member: Any = None,
    session: str | None = None,
    batch_id: str | None = None,
    status: int = 202,
) -> Any:
    body: dict[str, Any] = {"events": events}
    if batch_id:
        body["batch_id"] = batch_id
    headers = {**_headers(member, session), "Content-Type": "application/json"}
    response = api.http.post("/events", headers=headers, body=json.dumps(body).encode())
    return ok(response, status)


def event(kind: str, post_id: str, receipt_: str | None, product_id: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind, "post_id": post_id}
    if receipt_ is not None:
        out["receipt"] = receipt_
    if product_id is not None:
        out["product_id"] = product_id
    return out


# Where the table's stream ended when the running test began (`begin`): the session's stream
# holds every earlier test's records, and this test's aggregators read only its own.
_start: dict[str, str | None] | None = None


def begin() -> None:
    """Note where the table's stream ends now (each brand test file calls it from an autouse fixture)."""
    global _start
    _start = stream_start()


def runner() -> EventRunner:
    """A runner reading the table's stream from the test's start: a fresh one re-reads every
    record of the test (a replay, as Lambda's retries do)."""
    assert _start is not None, "brands.begin() runs when the test starts"
    return app_runner(streams=True, positions=_start)


def run_aggregators(events: EventRunner | dict[str, str | None] | None = None, rounds: int = 50) -> None:
    """Deliver the table's stream and the engagement queue until both are drained: with this
    runner, a fresh one from stream positions (`stream_start()`), or from the test's `begin()`."""
    if isinstance(events, dict):
        events = app_runner(streams=True, positions=events)
    events = events or runner()
    queue = queue_source(events, "engagement_worker")
    stream = next(s for s in events.stream_sources if s.name == "stream_worker")
    for _ in range(rounds):
        if not (events.poll_stream_once(stream) + events.poll_queue_once(queue)):
            return


def fresh_name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def utc_day() -> date:
    """The UTC day now. Tests read it when they run, never at import: a run may span midnight."""
    return datetime.now(UTC).date()


def today() -> str:
    return utc_day().isoformat()


def insights(api: Any, owner: Any, brand_id: str) -> dict[str, Any]:
    """Today's insights of the brand."""
    day = today()
    return dict(ok(call(api, "GET", f"/brands/{brand_id}/insights?from={day}&to={day}", owner)))


def brand_with_product(
    api: Any, owner: Any, name: str, title: str = "Trail tent"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A brand of the owner's (named as given) and one product in its catalog."""
    brand = ok(call(api, "POST", "/brands", owner, {"name": name}), 201)
    body = {"title": title, "price": {"amount": "199.00", "currency": "USD"}, "url": "https://x.test/t"}
    product = ok(call(api, "POST", f"/brands/{brand['id']}/products", owner, body), 201)
    return dict(brand), dict(product)


def photo_post_tagging(
    api: Any, author: Any, product_ids: list[str], interests: Sequence[str] = ("hiking",)
) -> dict[str, Any]:
    """The author's photo post (hiking unless told, a small JPEG) tagging these products, side by side."""
    upload_id = upload_image(api, author, jpeg_bytes(64, 48))
    step = 0.8 / len(product_ids)
    tags = [
        {"product_id": p, "x": round(0.1 + step * (i + 0.5), 3), "y": 0.5} for i, p in enumerate(product_ids)
    ]
    body = {
        "kind": "photo",
        "caption": "Camp",
        "interests": list(interests),
        "photos": [{"upload_id": upload_id, "tags": tags}],
    }
    return dict(ok(call(api, "POST", "/posts", author, body), 201))


def make_brand_world(api: Any, new_member: Callable[..., Any]) -> dict[str, Any]:
    """A brand with one product, and a Prime member's photo post tagging it."""
    seed_interests()
    owner = new_member("brand", name="Brand Owner")
    brand, product = brand_with_product(api, owner, fresh_name("Northpeak"))
    author = new_member("prime", name="Author")
    post = photo_post_tagging(api, author, [product["id"]])
    return {"owner": owner, "brand": brand, "product": product, "author": author, "post": post}
