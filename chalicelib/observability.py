"""Powertools singletons. Service name and metrics namespace come from POWERTOOLS_* env vars.

The tracer (X-Ray) exists only in a deployed function: importing and starting it costs about
0.7 s (aws_xray_sdk, patching botocore), which `make dev`, the tests and `import app` never pay.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from chalicelib.settings import get_settings

logger = Logger(service="flint")
metrics = Metrics(namespace="Flint", service="flint")


@cache
def tracer() -> Any:
    """The Powertools Tracer: every AWS call the function makes becomes a subsegment."""
    from aws_lambda_powertools import Tracer

    return Tracer(service="flint")


@cache
def _tracing_middleware() -> Callable[[Any, Callable[[Any], Any]], Any]:
    from chalice import ConvertToMiddleware

    return ConvertToMiddleware(tracer().capture_lambda_handler)


def trace(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice middleware: each invocation is one traced segment in AWS, a plain call elsewhere."""
    if not get_settings().deployed:
        return get_response(event)
    return _tracing_middleware()(event, get_response)
