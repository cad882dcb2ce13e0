"""Powertools singletons. Service name and metrics namespace come from POWERTOOLS_* env vars.

The tracer (X-Ray) exists only in a deployed function: importing and starting it costs about
0.7 s (aws_xray_sdk, patching botocore), which `make dev`, the tests and `import app` never pay.
`logger` and `metrics` are made when first read (`from chalicelib.observability import logger`
in a module the function imports, or the first invocation's middleware): `import app` does not
load Powertools (issue 19, tests/unit/test_coldstart.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

    logger: Logger
    metrics: Metrics


@cache
def _powertools() -> dict[str, Any]:
    from aws_lambda_powertools import Logger, Metrics

    return {"logger": Logger(service="flint"), "metrics": Metrics(namespace="Flint", service="flint")}


def __getattr__(name: str) -> Any:
    """`logger` and `metrics`, made on first use (PEP 562)."""
    if name in ("logger", "metrics"):
        return _powertools()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _invocation_middleware(name: str) -> Callable[[Any, Callable[[Any], Any]], Any]:
    from chalice import ConvertToMiddleware

    if name == "log_context":
        return ConvertToMiddleware(_powertools()["logger"].inject_lambda_context(clear_state=True))
    return ConvertToMiddleware(_powertools()["metrics"].log_metrics)


def log_context(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice middleware: the invocation's Lambda context in every log line (Powertools' logger)."""
    return _invocation_middleware("log_context")(event, get_response)


def flush_metrics(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice middleware: the invocation's metrics flushed as one EMF record (Powertools' metrics)."""
    return _invocation_middleware("flush_metrics")(event, get_response)


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
