"""Upload helpers for tests: make an image, send it through the presigned POST, run the thumbnailer."""

from __future__ import annotations

import io
import json
from typing import Any

import requests
from PIL import Image

from local.event_runner import EventRunner
from tests.support.events import app_runner, queue_source


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


def thumbnail_runner(app: Any = None) -> tuple[EventRunner, Any]:
    """An event runner over the app, and the thumbnail queue's event source."""
    runner = app_runner()
    return runner, queue_source(runner, "thumbnail_worker")


def run_thumbnailer(app: Any = None, max_batches: int = 100) -> int:
    """Deliver whatever the thumbnail queue holds to the app's SQS handler, as Lambda would, until
    the queue is empty (it is shared: it may also hold what earlier tests uploaded); returns how
    many messages were delivered."""
    runner, source = thumbnail_runner()
    delivered = 0
    for _ in range(max_batches):
        received = runner.poll_queue_once(source)
        if not received:
            return delivered
        delivered += received
    raise AssertionError("the thumbnail queue never emptied")


def request_upload(
    api: Any, member: Any, content_type: str = "image/jpeg", size: int = 1000
) -> dict[str, Any]:
    """POST /uploads; returns the ticket (upload_id, url, fields, expires_at)."""
    response = api.http.post(
        "/uploads",
        body=json.dumps({"content_type": content_type, "size": size}),
        headers={"Content-Type": "application/json", **member.headers},
    )
    assert response.status_code == 201, response.body
    return dict(json.loads(response.body))


def send_upload(
    api: Any, member: Any, data: bytes, content_type: str = "image/jpeg", declared_size: int | None = None
) -> dict[str, Any]:
    """POST /uploads, then POST the bytes to S3 (the thumbnailer has not run yet); returns the ticket."""
    ticket = request_upload(api, member, content_type, declared_size or max(1, len(data)))
    post_to_s3(ticket, data)
    return ticket


def upload_image(api: Any, member: Any, data: bytes, content_type: str = "image/jpeg") -> str:
    """POST /uploads, POST the bytes to S3, run the thumbnailer; returns the upload id."""
    from app import app

    ticket = send_upload(api, member, data, content_type)
    run_thumbnailer(app)
    return str(ticket["upload_id"])


def upload_images(api: Any, member: Any, images: list[bytes], content_type: str = "image/jpeg") -> list[str]:
    """Several uploads, processed by the thumbnailer in as few batches as the queue allows."""
    from app import app

    tickets = [send_upload(api, member, data, content_type) for data in images]
    run_thumbnailer(app)
    return [str(t["upload_id"]) for t in tickets]


def upload_status(api: Any, member: Any, upload_id: str) -> dict[str, Any]:
    """GET /uploads/{id} as its owner."""
    response = api.http.get(f"/uploads/{upload_id}", headers=member.headers)
    assert response.status_code == 200, response.body
    return dict(json.loads(response.body))
