"""The app's Lambda functions as `chalice package` will write them, and each one's own IAM policy file."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.layout import CHALICE_DIR, PROJECT_DIR, PackageError


@dataclass(frozen=True)
class Function:
    """One Lambda function chalice generates for the app."""

    name: str  # chalice's name: the key in .chalice/config.json lambda_functions
    logical_id: str  # its AWS::Serverless::Function in the SAM template
    handler: str
    kind: str  # api | authorizer | sqs | schedule | stream | other
    queue: str | None = None
    event_id: str | None = None  # the SAM event chalice writes for an event source


def cfn_name(name: str) -> str:
    from chalice.utils import to_cfn_resource_name

    return to_cfn_resource_name(name)


def app_functions(app: Any) -> list[Function]:
    """Every function chalice will generate for the app, named as chalice names them."""
    from chalice.app import CloudWatchEventConfig, DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig

    functions: list[Function] = []
    if app.routes:
        # chalice names the REST handler's resource APIHandler, not ApiHandler.
        functions.append(Function("api_handler", "APIHandler", "app.app", "api"))
    for authorizer in app.builtin_auth_handlers:
        functions.append(
            Function(authorizer.name, cfn_name(authorizer.name), authorizer.handler_string, "authorizer")
        )
    for source in app.event_sources:
        logical_id = cfn_name(source.name)
        if isinstance(source, SQSEventConfig):
            queue = source.queue or str(source.queue_arn).rsplit(":", 1)[-1]
            event_id = cfn_name(f"{source.name}-sqs-event-source")
            functions.append(Function(source.name, logical_id, source.handler_string, "sqs", queue, event_id))
        elif isinstance(source, DynamoDBEventConfig):
            event_id = cfn_name(f"{source.name}-dynamodb-event-source")
            functions.append(
                Function(source.name, logical_id, source.handler_string, "stream", None, event_id)
            )
        elif isinstance(source, ScheduledEventConfig | CloudWatchEventConfig):
            functions.append(Function(source.name, logical_id, source.handler_string, "schedule"))
        else:
            functions.append(Function(source.name, logical_id, source.handler_string, "other"))
    for pure in app.pure_lambda_functions:
        functions.append(Function(pure.name, cfn_name(pure.name), pure.handler_string, "other"))
    return functions


def load_app(stage: str) -> tuple[Any, dict[str, Any]]:
    """The Chalice app as `chalice package` sees it: imported with the stage's environment.

    Sets the stage's variables in os.environ, as chalice does: call it in the packaging process
    only (`build` runs one), never in a process that goes on to do anything else.
    """
    from chalice.cli.factory import CLIFactory

    for name in [n for n in os.environ if n.startswith("FLINT_") or n == "AWS_ENDPOINT_URL"]:
        del os.environ[name]  # only config.json decides, as in chalice's own process
    config = CLIFactory(str(PROJECT_DIR), environ=os.environ).create_config_obj(chalice_stage_name=stage)
    return config.chalice_app, dict(config.environment_variables)


def chalice_config() -> dict[str, Any]:
    return json.loads((CHALICE_DIR / "config.json").read_text())


def policy_files(config: Mapping[str, Any], functions: list[Function]) -> dict[str, Path]:
    """Each function's own policy file; raises naming every function that lacks one."""
    problems = []
    if config.get("autogen_policy", True) is not False or any(
        stage.get("autogen_policy") for stage in config.get("stages", {}).values()
    ):
        problems.append('.chalice/config.json must set "autogen_policy": false (policies are checked in)')
    found: dict[str, Path] = {}
    settings = config.get("lambda_functions", {})
    for function in functions:
        filename = settings.get(function.name, {}).get("iam_policy_file")
        if not filename:
            problems.append(
                f"{function.name}: no lambda_functions.{function.name}.iam_policy_file in "
                f".chalice/config.json (add one naming .chalice/policy-{function.name}.json)"
            )
        elif not (CHALICE_DIR / filename).is_file():
            problems.append(f"{function.name}: policy file .chalice/{filename} does not exist")
        else:
            found[function.name] = CHALICE_DIR / filename
    stale = sorted(set(settings) - {f.name for f in functions})
    if stale:
        problems.append(f"lambda_functions in .chalice/config.json name no function of the app: {stale}")
    if problems:
        raise PackageError("least-privilege policies:\n  " + "\n  ".join(problems))
    return found
