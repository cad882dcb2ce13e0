"""Scheduled entry points: parse the EventBridge event, call one service."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import logger
from chalicelib.services import enthusiasts


def enthusiast_job(event: dict[str, Any]) -> dict[str, Any]:
    summary = enthusiasts.run()
    logger.info("enthusiast job done", extra={"event_id": event.get("id"), **summary.__dict__})
    return {"holders": summary.holders, "awarded": len(summary.awarded), "revoked": len(summary.revoked)}
