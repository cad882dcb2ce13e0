"""Powertools singletons. Service name and metrics namespace come from POWERTOOLS_* env vars."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="flint")
metrics = Metrics(namespace="Flint", service="flint")
