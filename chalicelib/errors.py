"""Domain errors. Raised anywhere below the route edge; mapped to HTTP in one place (api/routing.py)."""

from __future__ import annotations

from typing import Any


class FlintError(Exception):
    """An expected failure with a stable, client-facing code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}

    def headers(self) -> dict[str, str]:
        """Extra response headers this error carries (e.g. `Retry-After`)."""
        return {}


class BadRequest(FlintError):
    status = 400
    code = "bad_request"


class Unauthorized(FlintError):
    status = 401
    code = "unauthorized"


class Forbidden(FlintError):
    status = 403
    code = "forbidden"


class NotFound(FlintError):
    status = 404
    code = "not_found"


class Conflict(FlintError):
    status = 409
    code = "conflict"


class TooLarge(FlintError):
    status = 413
    code = "too_large"


class ValidationFailed(FlintError):
    status = 422
    code = "validation_error"

    def __init__(self, message: str, details: list[dict[str, Any]]):
        super().__init__(message, details=details)


class Throttled(FlintError):
    """Retry later: a 429 whose `Retry-After` header says after how many seconds."""

    status = 429
    code = "throttled"

    def __init__(self, message: str, *, code: str | None = None, retry_after: int = 1):
        super().__init__(message, code=code)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class RateLimited(Throttled):
    """The caller used up an abuse limit: 429 `rate_limited`, with `Retry-After` in seconds."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class UnsupportedMediaType(FlintError):
    status = 415
    code = "unsupported_media_type"


def field_error(field: str, message: str, kind: str) -> dict[str, str]:
    """One entry of a 422's `details`: which field, what is wrong, a stable type."""
    return {"field": field, "message": message, "type": kind}
