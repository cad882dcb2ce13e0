"""Fixed-window abuse limits, counted in the Flint table.

One conditional UpdateItem per request and no read: `ADD n 1` on the window's counter item,
on condition that the counter is still below the limit. A failed condition means the caller
has used up this window: the answer is how long until the next one. The item's TTL removes it
after its window; correctness never depends on that (an old window is simply never counted
again, since the window start is part of its key).
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.data import keys
from chalicelib.settings import get_settings

ENTITY = "rate_limit"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window resets (0 when allowed)


def hit(action: str, subject: str, *, limit: int, window_seconds: int, now: float) -> Verdict:
    """Count one request of `subject` for `action` in the current window, if the limit allows it."""
    window_start = int(now) - int(now) % window_seconds
    window_end = window_start + window_seconds
    key = keys.rate_window(action, subject, window_start)
    try:
        aws.client("dynamodb").update_item(
            TableName=get_settings().table_name,
            Key={"PK": {"S": key.pk}, "SK": {"S": key.sk}},
            UpdateExpression="ADD #n :one SET #type = :type, expires_at = :expires",
            ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
            ExpressionAttributeNames={"#n": "n", "#type": "type"},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":limit": {"N": str(limit)},
                ":type": {"S": ENTITY},
                ":expires": {"N": str(window_end + 60)},
            },
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        return Verdict(False, max(1, window_end - int(now)))
    return Verdict(True, 0)
