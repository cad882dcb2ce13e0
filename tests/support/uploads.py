"""Upload helpers for tests: make an image, send it through the presigned POST, run the thumbnailer."""

from __future__ import annotations

import io
import json
from typing import Any

import boto3
import requests
from PIL import Image

from local.event_runner import EventRunner


def jpeg_bytes(width: int = 1600, height: int = 1200, colour: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def post_to_s3(ticket: dict[str, Any], data: bytes, filename: str = "photo.jpg") -> requests.Response:
    """What a browser does with the presigned POST: the fields, then the file, as multipart/form-data."""
    response = requests.post(
        ticket["url"], data=ticket["fields"], files={"file": (filename, data)}, timeout=30
    )
    response.raise_for_status()
    return response


def run_thumbnailer(app: Any, rounds: int = 3) -> int:
    """Deliver whatever the thumbnail queue holds to the app's SQS handler, as Lambda would."""
    runner = EventRunner(app, boto3.client("sqs", region_name="us-east-1"), wait_seconds=0)
    source = next(s for s in runner.queue_sources if "thumbnail" in str(s.queue))
    delivered = 0
    for _ in range(rounds):
        delivered += runner.poll_queue_once(source)
    return delivered


def upload_image(api: Any, member: Any, data: bytes, content_type: str = "image/jpeg") -> str:
    """POST /uploads, POST the bytes to S3, run the thumbnailer; returns the upload id."""
    from app import app

    response = api.http.post(
        "/uploads",
        body=json.dumps({"content_type": content_type, "size": len(data)}),
        headers={"Content-Type": "application/json", **member.headers},
    )
    assert response.status_code == 201, response.body
    ticket = json.loads(response.body)
    post_to_s3(ticket, data)
    run_thumbnailer(app)
    return str(ticket["upload_id"])
