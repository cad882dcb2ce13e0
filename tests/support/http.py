"""Reading answers, for every tier: `chalice.test.Client` responses (integration) and `requests`
responses (e2e, the local API server) alike.

    post = ok(call(api, "POST", "/posts", author, payload), 201)
    assert_error(api.http.get("/users/nobody"), 404, "not_found")
"""

from __future__ import annotations

import json
from typing import Any

ERROR_FIELDS = {"code", "message", "details"}
DETAIL_FIELDS = {"field", "message", "type"}


def _text(response: Any) -> str:
    """The body as text, whichever client answered (`requests` has `.text`, chalice's Client bytes)."""
    if hasattr(response, "text"):
        return str(response.text)
    raw = response.body
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw or "")


def body(response: Any) -> Any:
    """The parsed JSON body; None when there is none (a 204)."""
    text = _text(response)
    return json.loads(text) if text else None


def ok(response: Any, status: int = 200) -> Any:
    """The parsed body of a response that must have `status`."""
    assert response.status_code == status, f"{response.status_code} {_text(response)[:2000]}"
    return body(response)


def assert_error(response: Any, status: int, code: str, *, details: bool | None = None) -> dict[str, Any]:
    """The contract's error body, exactly: {"error": {"code", "message"[, "details"]}} with this
    status and code, a message, and details (when any) that name their field. `details=False`:
    there must be none; `True`: there must be some."""
    assert response.status_code == status, f"{response.status_code} {_text(response)[:2000]}"
    payload = body(response)
    assert set(payload) == {"error"}, payload
    error = payload["error"]
    assert {"code", "message"} <= set(error) <= ERROR_FIELDS, error
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"], error
    if details is False:
        assert "details" not in error, error
    if details is True:
        assert error.get("details"), error
    for detail in error.get("details", []):
        assert set(detail) == DETAIL_FIELDS, detail
    return dict(error)
