"""Prove the checked-in policies are enough: every AWS call a handler makes must be allowed.

As a pytest plugin, it checks every test that runs a Lambda handler:

    .venv/bin/python -m pytest tests/integration -p infra.iam_recorder   # -m: puts infra/ on the path

Each AWS API call (boto3, PynamoDB and Powertools all go through botocore's
`BaseClient._make_api_call`) made while a handler runs is attributed to the Lambda function
that would make it in AWS: the frame of the API handler (`Chalice.__call__`), the authorizer
or an event handler on the call stack says which. The call is translated to the IAM requests
it needs (infra/iam.py) and evaluated against that function's .chalice/policy-<fn>.json with
its intrinsics resolved to the local stack's names. A denied call fails the test that made
it; a call made outside any handler (test set-up, seeding) is not the Lambdas' business.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import CodeType
from typing import Any

import pytest
from botocore.client import BaseClient

from infra import iam

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass
class Denial:
    function: str
    call: str
    request: str

    def __str__(self) -> str:
        return f"{self.function}: {self.call} needs {self.request}"


@dataclass
class Recording:
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # (function, service, operation)
    denials: list[Denial] = field(default_factory=list)

    def functions(self) -> set[str]:
        return {function for function, _, _ in self.calls}


@lru_cache(maxsize=1)
def _handlers() -> dict[CodeType, str]:
    """Code object -> Lambda function name, for the code that is the entry point of each function."""
    from chalice import Chalice

    from app import app
    from infra.package import app_functions

    def unwrap(obj: Any) -> Any:
        while hasattr(obj, "func"):  # chalice's EventSourceHandler / ChaliceAuthorizer wrappers
            obj = obj.func
        return obj

    found: dict[CodeType, str] = {Chalice.__call__.__code__: "api_handler"}
    for function in app_functions(app):
        if function.kind != "api":
            module_name, _, attribute = function.handler.rpartition(".")
            target = getattr(importlib.import_module(module_name), attribute)
            found[unwrap(target).__code__] = function.name
    return found


def _current_function() -> str | None:
    handlers = _handlers()
    frame = sys._getframe(2)
    while frame is not None:
        name = handlers.get(frame.f_code)
        if name is not None:
            return name
        frame = frame.f_back
    return None


@lru_cache(maxsize=1)
def resolved_policies() -> tuple[iam.Place, dict[str, dict[str, Any]]]:
    """The local stack's names (config.json's dev stage) and each function's resolved policy."""
    from infra.functions import chalice_config
    from infra.merge import load_yaml, physical_names

    template = load_yaml(PROJECT_DIR / "infra" / "template.yaml")
    parameters = {"Stage": "dev", "NamePrefix": f"{chalice_config()['app_name']}-dev"}
    place = iam.Place(
        names=physical_names(template, parameters),
        types={lid: res["Type"] for lid, res in template["Resources"].items()},
        parameters=parameters,
    )
    policies = {}
    for name, settings in chalice_config().get("lambda_functions", {}).items():
        document = json.loads((PROJECT_DIR / ".chalice" / settings["iam_policy_file"]).read_text())
        policies[name] = place.resolve(document)
    return place, policies


@contextlib.contextmanager
def recording(policies: Mapping[str, Mapping[str, Any]] | None = None) -> Iterator[Recording]:
    """Record and judge the AWS calls handlers make inside the block (against `policies` if given)."""
    _handlers()  # import the app now, not in the middle of someone's AWS call
    place, checked_in = resolved_policies()
    policies = checked_in if policies is None else policies
    result = Recording()
    lock = threading.Lock()
    original = BaseClient._make_api_call

    def judged(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        function = _current_function()
        if function is not None:
            service = client.meta.service_model.service_name
            denied = []
            try:
                requests = iam.requests_for(service, operation, params, place)
            except ValueError as exc:
                denied.append(Denial(function, f"{service}:{operation}", str(exc)))
                requests = []
            policy = policies.get(function)
            for request in requests:
                if policy is None or not iam.allows(policy, request):
                    denied.append(Denial(function, f"{service}:{operation}", str(request)))
            with lock:
                result.calls.append((function, service, operation))
                result.denials.extend(denied)
        return original(client, operation, params)

    BaseClient._make_api_call = judged  # type: ignore[method-assign]
    try:
        yield result
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with recording() as recorded:
        result = yield
    if recorded.denials:
        unique = sorted({str(denial) for denial in recorded.denials})
        raise AssertionError(
            "a handler made AWS calls its policy (.chalice/policy-<function>.json) does not allow:\n  "
            + "\n  ".join(unique)
        )
    return result
