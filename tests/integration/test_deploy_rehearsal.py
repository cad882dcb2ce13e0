"""The deploy rehearsal: infra/deploy.sh with the real AWS CLI (awscli, pinned in
requirements-dev.txt) against the embedded AWS's CloudFormation, S3 and Lambda endpoints.

What it proves: the script's whole path runs as it would against AWS (the CLI's own checks,
the artifacts bucket, `cloudformation package` uploading the zips, `cloudformation deploy`
through a change set with the template in S3, the parameters CloudFormation is given, the
outputs read back, the web client synced with a config.js naming the API), and the embedded
CloudFormation creates every resource of the packaged stack whose type it implements.

What it cannot: the embedded CloudFormation has no model for some resource types. Those are
replaced by placeholders (their Refs and GetAtts by placeholder strings) and listed in
NOT_EXERCISED, pinned here: a type the template gains that the embedded AWS cannot create,
or one it learns to create, fails this test until the list (and docs/deploy.md) says so.

It deploys the template after the SAM transform (build/package/prod-x86_64/cfn.json, which
`make package-check` writes before the tests run) when there is one, so the functions, their
versions, aliases and event sources are created as CloudFormation will; otherwise the SAM
template, whose Serverless types are then listed too.
"""

from __future__ import annotations

import copy
import importlib
import json
import pkgutil
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from flint_template.intrinsics import Evaluator
from tests.support.packaged import packaged_template

pytestmark = pytest.mark.timeout(900)
PROJECT_DIR = Path(__file__).resolve().parents[2]
AWS_CLI = PROJECT_DIR / ".venv" / "bin" / "aws"

# Resource types of the packaged stack the embedded CloudFormation (moto 5.2.5) cannot create:
# a placeholder stands in, and the rehearsal proves nothing about them.
NOT_EXERCISED = {
    "AWS::Budgets::Budget": "no CloudFormation model in the embedded AWS",
    "AWS::CE::AnomalyMonitor": "no CloudFormation model in the embedded AWS",
    "AWS::CE::AnomalySubscription": "no CloudFormation model in the embedded AWS",
    "AWS::CloudFront::Distribution": "no CloudFormation model in the embedded AWS",
    "AWS::CloudFront::OriginAccessControl": "no CloudFormation model in the embedded AWS",
    "AWS::CloudFront::ResponseHeadersPolicy": "no CloudFormation model in the embedded AWS",
    "AWS::CloudWatch::Alarm": "no CloudFormation model in the embedded AWS",
    "AWS::Cognito::UserPool": "no CloudFormation model (local/provision.py creates pools instead)",
    "AWS::Cognito::UserPoolClient": "no CloudFormation model (local/provision.py creates them instead)",
    "AWS::Cognito::UserPoolGroup": "no CloudFormation model (local/provision.py creates them instead)",
    "AWS::S3::BucketPolicy": "no CloudFormation model in the embedded AWS",
    "AWS::SNS::TopicPolicy": "no CloudFormation model in the embedded AWS",
    "AWS::SQS::QueuePolicy": "no CloudFormation model (local/provision.py applies it instead)",
    "AWS::SecretsManager::Secret": "no CloudFormation model in the embedded AWS",
    "AWS::WAFv2::LoggingConfiguration": "no CloudFormation model in the embedded AWS",
    "AWS::WAFv2::WebACL": "no CloudFormation model in the embedded AWS",
    "AWS::WAFv2::WebACLAssociation": "no CloudFormation model in the embedded AWS",
}
# After the SAM transform (cfn.json), these too; before it, the Serverless types instead.
NOT_EXERCISED_TRANSFORMED = {
    "AWS::ApiGateway::RestApi": "the embedded AWS needs a Name; the transform names it in its OpenAPI body",
    "AWS::ApiGateway::Deployment": "needs the RestApi above",
    "AWS::ApiGateway::Stage": "no CloudFormation model in the embedded AWS",
    "AWS::CodeDeploy::Application": "no CodeDeploy in the embedded AWS",
    "AWS::CodeDeploy::DeploymentGroup": "no CodeDeploy in the embedded AWS",
    "AWS::Lambda::Alias": "no CloudFormation model in the embedded AWS (versions are created)",
    "AWS::Lambda::EventInvokeConfig": "no CloudFormation model in the embedded AWS",
}
# Types the embedded AWS has a model for, but cannot create as this template declares them.
MODELLED_BUT_NOT_CREATABLE = {"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Deployment"}
UNTRANSFORMED = "the SAM transform runs in AWS (cfn.json missing: run make package-check)"
NOT_EXERCISED_SAM = dict.fromkeys(
    ["AWS::Serverless::Api", "AWS::Serverless::Function", "AWS::Serverless::LayerVersion"], UNTRANSFORMED
)
# API calls deploy.sh makes that the embedded AWS does not answer (the rehearsal passes their result).
CALLS_NOT_EXERCISED = {
    "lambda get-account-settings": "ReserveJobConcurrency=true is passed (tests/unit/test_deploy_script.py)",
    "apigateway get-account": "the preflight's CloudWatch role check is skipped in a rehearsal",
    "ce get-anomaly-monitors": "CostAnomalyMonitorArn is passed empty (the stack creates the monitor)",
    "cloudformation describe-stacks (Outputs)": (
        "the embedded AWS reports none after a change set, so publishing the web client is not"
        " rehearsed (tests/unit/test_deploy_script.py tests it)"
    ),
}


def supported_types() -> set[str]:
    """Every resource type the embedded CloudFormation has a model for (each service's models loaded)."""
    import moto
    from moto.cloudformation.parsing import NULL_MODELS, get_model_list

    for module in pkgutil.iter_modules(moto.__path__):
        try:
            importlib.import_module(f"moto.{module.name}.models")
        except Exception:  # a service without models, or with optional dependencies not installed
            continue
    get_model_list.cache_clear()
    from moto.cloudformation.parsing import get_model_map

    get_model_map.cache_clear()
    return set(get_model_map()) - set(NULL_MODELS)


def stand_in(template: dict[str, Any], missing: set[str]) -> dict[str, Any]:
    """The template without the resources in `missing`: references to them become placeholders."""
    placeholder = "rehearsal-placeholder"
    # A function's alias stands for the function itself (the alias points at a version of it).
    aliases = {
        lid: template["Resources"][lid]["Properties"]["FunctionName"]["Ref"]
        for lid in missing
        if template["Resources"][lid]["Type"] == "AWS::Lambda::Alias"
    }

    def sub(text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1).split(".", 1)[0]
            if name in aliases:
                return "${" + aliases[name] + ".Arn}"
            return f"{placeholder}-{name}" if name in missing else match.group(0)

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"} and node["Ref"] in aliases:
            return {"Fn::GetAtt": [aliases[node["Ref"]], "Arn"]}  # Ref on an alias is its ARN
        if set(node) == {"Ref"} and node["Ref"] in missing:
            return f"{placeholder}-{node['Ref']}"
        if set(node) == {"Fn::GetAtt"}:
            target = node["Fn::GetAtt"]
            name = target[0] if isinstance(target, list) else str(target).split(".", 1)[0]
            if name in missing:
                return f"{placeholder}-{name}"
        if set(node) == {"Fn::Sub"}:
            value = node["Fn::Sub"]
            return {"Fn::Sub": sub(value) if isinstance(value, str) else [sub(value[0]), walk(value[1])]}
        return {key: walk(value) for key, value in node.items()}

    out = copy.deepcopy(template)
    out["Resources"] = {lid: res for lid, res in out["Resources"].items() if lid not in missing}
    for resource in out["Resources"].values():
        depends = resource.get("DependsOn")
        if depends is not None:
            depends = [depends] if isinstance(depends, str) else depends
            kept = [d for d in depends if d not in missing]
            if kept:
                resource["DependsOn"] = kept
            else:
                del resource["DependsOn"]
    out["Resources"] = walk(out["Resources"])
    out["Outputs"] = walk(out.get("Outputs", {}))
    return out


def local_code(template: dict[str, Any]) -> None:
    """Point code at the built zips, so `aws cloudformation package` uploads them (the transform's
    stand-in S3 locations name no real object)."""
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            resource["Properties"]["Code"] = "deployment.zip"
        elif resource["Type"] == "AWS::Lambda::LayerVersion":
            resource["Properties"]["Content"] = "imaging-layer.zip"


def test_deploy_sh_rehearses_against_the_embedded_aws(moto_endpoint: str, tmp_path: Path) -> None:
    sam = packaged_template()  # builds build/package/prod-x86_64 (or reuses it)
    source = PROJECT_DIR / "build" / "package" / "prod-x86_64"
    cfn, checkov_python = source / "cfn.json", PROJECT_DIR / "build" / "tools" / "checkov" / "bin" / "python"
    if checkov_python.exists() and (
        not cfn.exists() or cfn.stat().st_mtime < (source / "sam.json").stat().st_mtime
    ):
        # A rebuild since `make package-check` (its inputs changed) removed the transformed template.
        subprocess.run(
            [str(checkov_python), "-m", "infra.checks", "--transform-only", str(source)], check=True
        )
    transformed = cfn.exists()
    template = json.loads((source / "cfn.json").read_text()) if transformed else sam
    expected_missing = {**NOT_EXERCISED, **(NOT_EXERCISED_TRANSFORMED if transformed else NOT_EXERCISED_SAM)}

    # Given the packaged stack, minus what the embedded AWS cannot create (listed, never silent)
    supported = supported_types()
    types = {resource["Type"] for resource in template["Resources"].values()}
    supported -= MODELLED_BUT_NOT_CREATABLE
    assert types - supported == set(expected_missing), (
        "the resource types the rehearsal cannot exercise changed: update NOT_EXERCISED here and the "
        "list in docs/deploy.md (Deploy rehearsal)"
    )
    missing = {lid for lid, res in template["Resources"].items() if res["Type"] not in supported}
    rehearsed = stand_in(template, missing)
    if transformed:
        local_code(rehearsed)
    tag = uuid.uuid4().hex[:8]
    stage = f"rehearsal-{tag}"
    directory = PROJECT_DIR / "build" / "package" / f"{stage}-x86_64"
    directory.mkdir(parents=True)
    try:
        (directory / "sam.json").write_text(json.dumps(rehearsed))
        for name in ("deployment.zip", "imaging-layer.zip"):
            (directory / name).symlink_to(source / name)
        prefix, stack, bucket = f"rh{tag}", f"rehearsal-{tag}", f"rehearsal-artifacts-{tag}"
        parameters = {
            "NamePrefix": prefix,
            "AlarmEmail": "ops@example.com",
            "SiteOrigin": "https://flint.example.com",
            "DeploymentType": "AllAtOnce",
            "ReserveJobConcurrency": "true",
            "CostAnomalyMonitorArn": "",  # the stack creates its own
        }
        # The CLI's TemplateURL must name a host the embedded CloudFormation reads S3 from.
        endpoint = moto_endpoint.replace("127.0.0.1", "localhost")
        env = {
            "PATH": f"{AWS_CLI.parent}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_PAGER": "",
            "AWS_MAX_ATTEMPTS": "1",
            "FLINT_REHEARSAL": "1",
            "FLINT_STACK_NAME": stack,
            "FLINT_ARTIFACTS_BUCKET": bucket,
            "FLINT_PARAMETERS": " ".join(f"{k}={v}" for k, v in parameters.items()),
            "PYTHON": str(AWS_CLI.parent / "python"),
        }
        # When deploy.sh runs with the real AWS CLI
        run = subprocess.run(
            ["/bin/bash", str(PROJECT_DIR / "infra" / "deploy.sh"), stage, "x86_64"],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stdout[-2000:] + "\n" + run.stderr[-4000:]

        # Then the stack is complete with every resource the embedded AWS implements
        def aws(service: str) -> Any:
            return boto3.client(
                service,
                endpoint_url=moto_endpoint,
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )

        cloudformation = aws("cloudformation")
        (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
        assert described["StackStatus"] == "CREATE_COMPLETE"
        values = Evaluator(
            rehearsed,
            {
                **{k: str(v.get("Default", "")) for k, v in rehearsed["Parameters"].items()},
                **parameters,
            },
            pseudo={"AWS::Region": lambda: "us-east-1"},
        )
        wanted = {
            lid
            for lid, res in rehearsed["Resources"].items()
            if "Condition" not in res or values.condition(res["Condition"])
        }
        summaries = [
            r
            for page in aws("cloudformation").get_paginator("list_stack_resources").paginate(StackName=stack)
            for r in page["StackResourceSummaries"]
        ]
        created = {r["LogicalResourceId"]: r["ResourceStatus"] for r in summaries}
        physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId") for r in summaries}
        assert wanted <= set(created), sorted(wanted - set(created))
        assert set(created.values()) == {"CREATE_COMPLETE"}
        s3 = aws("s3")
        assert s3.head_bucket(Bucket=physical["SiteBucket"])
        # the table as the app needs it (the member index, the stream), the uploaded zips, the site
        table = aws("dynamodb").describe_table(TableName=prefix)["Table"]
        assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2", "GSI3", "GSI4"}
        assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        artifacts = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
        assert any(key.endswith(".template") for key in artifacts)  # deployed through the bucket
        assert len(artifacts) >= 2
        # The embedded CloudFormation reports no Outputs after a change set runs (listed below),
        # so the script's last step, publishing the web client, found no site bucket to fill.
        assert not described.get("Outputs")
        assert "web client published" not in run.stdout
        if transformed:
            functions = aws("lambda")
            names = {f["FunctionName"] for f in functions.list_functions()["Functions"]}
            assert f"{prefix}-api_handler" in names and f"{prefix}-erasure_worker" in names
            # every queue and the stream wired to its consumer (the stream's with its failure queue)
            mappings = functions.list_event_source_mappings()["EventSourceMappings"]
            sources = {m["EventSourceArn"].rsplit(":", 1)[-1] for m in mappings}
            assert {
                f"{prefix}-{q}" for q in ("thumbnails", "feed-refresh", "engagement.fifo", "erasure")
            } <= sources
        print("\ndeploy rehearsal: not exercised (no model in the embedded AWS):")
        for rtype, reason in sorted(expected_missing.items()):
            print(f"  {rtype}: {reason}")
        for call, reason in sorted(CALLS_NOT_EXERCISED.items()):
            print(f"  call {call}: {reason}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
