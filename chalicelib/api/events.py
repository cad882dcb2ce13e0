"""Routes: engagement events from clients, and the anonymous sessions their receipts are bound to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import clock
from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.brands import EventBatchIn, EventBatchOut, SessionOut

# Imported by the first request that needs it (chalicelib/lazy.py).
engagement = lazy_module("chalicelib.services.engagement")
receipts = lazy_module("chalicelib.services.receipts")
brand_schemas = lazy_module("chalicelib.schemas.brands")

events_blueprint = Blueprint(__name__)
TAG = "events"


@endpoint(
    events_blueprint,
    "/events",
    "POST",
    summary="Record a batch of impressions, tag clicks and product clicks (each with its post's receipt)",
    access=Access.PUBLIC,
    tag=TAG,
    body="brands.EventBatchIn",
    response="brands.EventBatchOut",
    status=202,
    errors=(422,),
    rate_limit="events",
    limit_in_view=True,
)
def post_events(call: Call[EventBatchIn, Any]) -> EventBatchOut:
    # Abuse limits count events, not requests: services/engagement.py spends one unit per event
    # (per member, or per anonymous session) in the write that also de-duplicates them
    # (tests/integration/test_brand_trust.py, the events limit test).
    return engagement.accept_events(call.viewer, call.body)


@endpoint(
    events_blueprint,
    "/sessions",
    "POST",
    summary="Start an anonymous session: send it as X-Flint-Session so shown posts carry receipts",
    access=Access.PUBLIC,
    tag=TAG,
    response="brands.SessionOut",
    status=201,
    personalised=False,
    rate_limit="sessions",
)
def post_session(call: Call[Any, Any]) -> SessionOut:
    token, expires = receipts.new_session()
    return brand_schemas.SessionOut(session=token, expires_at=clock.iso(expires))
