"""Route: engagement events from clients (impressions, tag clicks, product clicks)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.schemas.brands import EventBatchIn, EventBatchOut
from chalicelib.services import engagement

events_blueprint = Blueprint(__name__)
TAG = "events"


def _caller(call: Call[Any, Any]) -> str:
    """Who sent the batch, for replay detection: the member, else the client's address."""
    if call.identity is not None:
        return f"member:{call.identity.user_id}"
    request = events_blueprint.current_request
    source = ((request.context or {}).get("identity") or {}).get("sourceIp") or "unknown"
    return f"anonymous:{source}"


@endpoint(
    events_blueprint,
    "/events",
    "POST",
    summary="Record a batch of impressions, tag clicks and product clicks",
    access=Access.PUBLIC,
    tag=TAG,
    body=EventBatchIn,
    response=EventBatchOut,
    status=202,
    errors=(422,),
    rate_limit="events",
)
def post_events(call: Call[EventBatchIn, Any]) -> EventBatchOut:
    actor = call.identity.user_id if call.identity else None
    return engagement.accept_events(_caller(call), actor, call.body)
