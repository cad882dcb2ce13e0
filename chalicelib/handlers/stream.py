"""The table's DynamoDB stream (`stream_worker` in app.py): one batch, every consumer in turn.

Each record's images are turned into plain values once per batch (`table_change`) and the same
changes go to every consumer, instead of each consumer decoding every record again. A failure
raises, so Lambda retries the whole batch; each consumer is idempotent on its own:

- the feed planner's change log first (changes are logged as absolute values, and the brand
  counters' exactly-once markers make a retried batch harmless);
- brands' community lists (absolute values);
- members' notifications (keyed by stream event);
- deleted posts' rights requests (conditional writes);
- audience rows (sets), memberships, backfill and invitation steps (taken on condition of their
  step number);
- brands' untagged mentions (keyed by post x product);
- last, posts, smiles and comments about brands' posts go to the engagement queue (the markers its
  messages carry make a retried batch count once).
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from chalicelib.handlers import feeds
from chalicelib.services import audiences, brand_pages, discovery, engagement, inbox, rights
from chalicelib.services.engagement import TableChange

_deserializer = TypeDeserializer()


def _image(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    return {name: _deserializer.deserialize(value) for name, value in raw.items()}


def table_change(record: dict[str, Any]) -> TableChange:
    """A stream record as Lambda delivers it (DynamoDB JSON images) -> plain values."""
    data = record.get("dynamodb") or {}
    return TableChange(
        event_id=str(record["eventID"]),
        name=str(record["eventName"]),
        new=_image(data.get("NewImage")),
        old=_image(data.get("OldImage")),
    )


def worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Apply one stream batch; every record is decoded once, here."""
    feeds.log_post_changes(event)  # reads only posts' ranking inputs, straight from the records
    changes = [table_change(r) for r in event.get("Records") or []]
    with engagement.posts_read_once():  # the batch's posts, read once for every consumer
        brand_pages.apply_post_changes(changes)
        inbox.notify(changes)
        rights.withdraw_from_stream(changes)
        audiences.apply_changes(changes)
        discovery.mentions_from_stream(changes)
        engagement.forward_changes(changes)
    return {"batchItemFailures": []}
