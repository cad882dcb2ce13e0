"""`make package`: the packaged template holds the whole stack, least privilege and all, and the zip runs.

The packages are built once per session (and reused while their inputs are unchanged) by
infra/package.py, for the prod stage on both Lambda architectures. Each test reads what
would really be deployed: build/package/prod-<arch>/sam.json and deployment.zip.
"""

from __future__ import annotations

import json
import os
import platform
import re
import stat
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra import cfnlint, iam
from infra.deps import RUNTIME_LINUX
from infra.layout import ARCHITECTURES, CHALICE_DIR, MB, UNZIPPED_LIMIT, ZIPPED_LIMIT
from infra.package import build
from infra.zipcheck import IMAGING_LOGICAL_ID, IMAGING_NATIVE, check_zip
from local.api_server import GATEWAY_RESPONSES
from tests.conftest import PROJECT_DIR, SignedInMember

pytestmark = pytest.mark.timeout(900)  # the first build downloads wheels for two architectures
ARCHES = sorted(ARCHITECTURES)


@pytest.fixture(scope="session")
def reports() -> dict[str, dict[str, Any]]:
    return build("prod", ARCHES)


@pytest.fixture(scope="session")
def template(reports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return json.loads(Path(reports["x86_64"]["template"]).read_text())


@pytest.fixture(scope="session")
def functions(reports: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return list(reports["x86_64"]["functions"].values())


def _resources(template: dict[str, Any], rtype: str) -> dict[str, dict[str, Any]]:
    return {lid: res for lid, res in template["Resources"].items() if res["Type"] == rtype}


# --- the template --------------------------------------------------------------------------


def test_cfn_lint_finds_nothing_in_the_packaged_templates(reports: dict[str, Any]) -> None:
    # A template `make package-check` already passed, unchanged since, is not linted again.
    assert cfnlint.lint([reports[arch]["template"] for arch in ARCHES]) == (0, "")


def test_the_architectures_differ_only_in_architecture(reports: dict[str, Any]) -> None:
    x86, arm = (json.loads(Path(reports[a]["template"]).read_text()) for a in ("x86_64", "arm64"))
    for lid in _resources(x86, "AWS::Serverless::Function"):
        assert x86["Resources"][lid]["Properties"].pop("Architectures") == ["x86_64"]
        assert arm["Resources"][lid]["Properties"].pop("Architectures") == ["arm64"]
    assert x86 == arm


def test_the_template_holds_the_stateful_stack_and_every_function(
    template: dict[str, Any], functions: list[dict[str, Any]]
) -> None:
    from local.provision import DEFAULT_TEMPLATE, load_template

    stateful = load_template(DEFAULT_TEMPLATE)
    for logical_id, resource in stateful["Resources"].items():
        assert template["Resources"][logical_id]["Type"] == resource["Type"], logical_id
    lambdas = _resources(template, "AWS::Serverless::Function")
    assert set(lambdas) == {f["logical_id"] for f in functions}
    assert {f["name"] for f in functions} >= {"api_handler", "cognito_jwt", "thumbnail_worker"}
    assert template["Parameters"]["Stage"]["Default"] == "prod"
    assert template["Parameters"]["NamePrefix"]["Default"] == "flint-prod"


def test_prod_protects_the_table_and_the_user_pool(template: dict[str, Any]) -> None:
    assert template["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    table = template["Resources"]["FlintTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}
    # Backups everywhere but throwaway test stacks.
    assert table["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": {"Fn::If": ["KeepBackups", True, False]}
    }
    pool = template["Resources"]["UserPool"]["Properties"]
    assert pool["DeletionProtection"] == {"Fn::If": ["IsProd", "ACTIVE", "INACTIVE"]}


def test_gateway_responses_are_the_local_gateways_exactly(template: dict[str, Any]) -> None:
    responses = template["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    # Answers only AWS gives (no web ACL locally; the catch-alls cover gateway errors the local
    # server never produces): the contract's body and the site's CORS header all the same.
    aws_only = {"WAF_FILTERED": "blocked", "DEFAULT_4XX": "bad_request", "DEFAULT_5XX": "internal_error"}
    assert set(responses) == set(GATEWAY_RESPONSES) | set(aws_only)
    for response_type, code in aws_only.items():
        response = responses[response_type]
        assert response["ResponseParameters"]["Headers"] == {
            "Access-Control-Allow-Origin": {"Fn::Sub": "'${SiteOrigin}'"}
        }
        assert f'"code": "{code}"' in response["ResponseTemplates"]["application/json"]
    assert responses["WAF_FILTERED"]["StatusCode"] == "403"
    for response_type, (status, code, message) in GATEWAY_RESPONSES.items():
        response = responses[response_type]
        assert int(response["StatusCode"]) == status, response_type
        body = json.loads(response["ResponseTemplates"]["application/json"])
        assert body == {"error": {"code": code, "message": message}}, response_type
        assert response["ResponseParameters"]["Headers"] == {
            "Access-Control-Allow-Origin": {"Fn::Sub": "'${SiteOrigin}'"}  # the site's origin, not "*"
        }


def test_sqs_handlers_read_their_own_queue_and_report_batch_item_failures(
    template: dict[str, Any], functions: list[dict[str, Any]]
) -> None:
    consumers = [f for f in functions if f["kind"] == "sqs"]
    assert "thumbnail_worker" in {f["name"] for f in consumers}
    for function in consumers:
        properties = template["Resources"][function["logical_id"]]["Properties"]
        event = properties["Events"][function["event_id"]]
        assert event["Type"] == "SQS"
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        (queue_arn,) = re.fullmatch(r"\$\{(\w+)\.Arn\}", event["Properties"]["Queue"]["Fn::Sub"]).groups()
        queue = template["Resources"][queue_arn]
        assert queue["Type"] == "AWS::SQS::Queue"
        assert (
            queue["Properties"]["QueueName"]["Fn::Sub"].replace("${NamePrefix}", "flint-prod")
            == function["queue"]
        )
        assert "RedrivePolicy" in queue["Properties"], f"{queue_arn} has no dead-letter queue"
        # AWS: a queue's visibility timeout should be at least 6x its consumer's timeout.
        assert queue["Properties"]["VisibilityTimeout"] >= 6 * properties["Timeout"], function["name"]


def test_every_function_takes_its_configuration_from_the_stack(
    template: dict[str, Any], functions: list[dict[str, Any]]
) -> None:
    for function in functions:
        env = template["Resources"][function["logical_id"]]["Properties"]["Environment"]["Variables"]
        assert env["FLINT_USER_POOL_ID"] == {"Ref": "UserPool"}
        assert env["FLINT_USER_POOL_CLIENT_ID"] == {"Ref": "UserPoolClient"}
        assert env["FLINT_TABLE_NAME"] == {"Ref": "FlintTable"}
        assert env["FLINT_UPLOADS_BUCKET"] == {"Ref": "UploadsBucket"}
        assert env["FLINT_MEDIA_BUCKET"] == {"Ref": "MediaBucket"}
        assert env["FLINT_THUMBNAIL_QUEUE"] == {"Fn::GetAtt": ["ThumbnailQueue", "QueueName"]}
        assert env["FLINT_FEED_REFRESH_QUEUE"] == {"Fn::GetAtt": ["FeedRefreshQueue", "QueueName"]}
        assert env["FLINT_MEDIA_BASE_URL"] == {"Fn::Sub": "https://${MediaDistribution.DomainName}"}
        # The cursor keys are read at run time, by the API alone: no value in any configuration.
        assert "FLINT_CURSOR_SECRET" not in env
        expected = {"Ref": "CursorSecret"} if function["name"] == "api_handler" else None
        assert env.get("FLINT_CURSOR_SECRET_ID") == expected, function["name"]
        assert env["FLINT_STAGE"] == "prod"
        assert "AWS_ENDPOINT_URL" not in env  # the only local-only setting
    secret = template["Resources"]["CursorSecret"]["Properties"]["GenerateSecretString"]
    assert secret["PasswordLength"] >= 32


def test_thumbnails_are_served_by_cloudfront_from_a_private_bucket(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    config = resources["MediaDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["MediaBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["MediaOriginAccessControl", "Id"]}
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    (allow, _deny) = resources["MediaBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "${MediaDistribution}" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    for logical_id, bucket in _resources(template, "AWS::S3::Bucket").items():
        block = bucket["Properties"]["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4, logical_id
        assert "BucketEncryption" in bucket["Properties"], logical_id
        rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
        assert any("AbortIncompleteMultipartUpload" in rule for rule in rules), logical_id
    cors = resources["UploadsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert "POST" in cors[0]["AllowedMethods"]  # the browser's presigned POST


def test_every_function_logs_with_retention_and_alarms_on_errors(
    template: dict[str, Any], functions: list[dict[str, Any]]
) -> None:
    resources = template["Resources"]
    for function in functions:
        logical_id, name = function["logical_id"], function["name"]
        lambda_ = resources[logical_id]
        assert lambda_["Properties"]["FunctionName"] == {"Fn::Sub": "${NamePrefix}-" + name}
        log_group = resources[f"{logical_id}LogGroup"]
        assert log_group["Properties"]["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${NamePrefix}-" + name}
        assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert f"{logical_id}LogGroup" in lambda_["DependsOn"]  # no function logs before its group exists
        alarm = resources[f"{logical_id}ErrorsAlarm"]["Properties"]
        assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", "Errors")
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": logical_id}}]
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_every_dead_letter_queue_raises_an_alarm(template: dict[str, Any]) -> None:
    dead_letter_queues = {
        queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for queue in _resources(template, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in queue["Properties"]
    }
    watched = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in _resources(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == "AWS/SQS"
        and alarm["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    }
    assert dead_letter_queues and dead_letter_queues <= watched
    assert "ScheduledJobFailureQueue" in watched  # the scheduled jobs' on-failure destination


# --- least privilege, as deployed -------------------------------------------------------------


def test_every_function_has_its_own_role_with_exactly_its_checked_in_policy(
    template: dict[str, Any], functions: list[dict[str, Any]], reports: dict[str, Any]
) -> None:
    from local.provision import DEFAULT_TEMPLATE, load_template

    stateful = load_template(DEFAULT_TEMPLATE)
    roles = _resources(template, "AWS::IAM::Role")
    used: set[str] = set()
    for function in functions:
        properties = template["Resources"][function["logical_id"]]["Properties"]
        role_id = properties["Role"]["Fn::GetAtt"][0]
        assert role_id not in used, f"{function['name']} shares {role_id}"
        used.add(role_id)
        role = roles[role_id]["Properties"]
        trust = role["AssumeRolePolicyDocument"]["Statement"]
        assert [s["Principal"] for s in trust] == [{"Service": "lambda.amazonaws.com"}]
        assert "ManagedPolicyArns" not in role and "PermissionsBoundary" not in role
        (policy,) = role["Policies"]
        checked_in = json.loads((CHALICE_DIR / f"policy-{function['name']}.json").read_text())
        assert policy["PolicyDocument"] == checked_in, function["name"]
        assert iam.lint(policy["PolicyDocument"], function=function["name"], template=stateful) == []
    assert set(roles) == used  # no role beyond the functions' own
    for rtype in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::User", "AWS::IAM::Group"):
        assert not _resources(template, rtype)


def test_sqs_consumers_may_receive_from_their_queue(
    template: dict[str, Any], functions: list[dict[str, Any]]
) -> None:
    # Lambda's poller uses the function's role: without these the event source mapping fails.
    for function in (f for f in functions if f["kind"] == "sqs"):
        event = template["Resources"][function["logical_id"]]["Properties"]["Events"][function["event_id"]]
        (queue_id,) = re.fullmatch(r"\$\{(\w+)\.Arn\}", event["Properties"]["Queue"]["Fn::Sub"]).groups()
        document = json.loads((CHALICE_DIR / f"policy-{function['name']}.json").read_text())
        granted = {
            action
            for statement in document["Statement"]
            if statement["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]}
            for action in statement["Action"]
        }
        assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"} <= granted


# --- the zip -------------------------------------------------------------------------------


def _zips(report: dict[str, Any]) -> list[Path]:
    return [Path(report["zip"]), Path(report["layers"][IMAGING_LOGICAL_ID]["zip"])]


@pytest.mark.parametrize("arch", ARCHES)
def test_the_zip_holds_manylinux_native_code_for_its_architecture(reports: dict[str, Any], arch: str) -> None:
    report = reports[arch]
    linux = RUNTIME_LINUX[report["runtime"]]
    code = check_zip(Path(report["zip"]), arch, linux)  # raises on any problem
    layer = check_zip(
        _zips(report)[1], arch, linux, required_native=IMAGING_NATIVE, required_files=(), forbidden=None
    )
    assert {"pydantic_core", "cryptography"} <= set(code.native)
    assert not {"PIL", "pillow.libs"} & set(code.native)  # the image library is the layer's
    assert {"PIL", "pillow.libs"} <= set(layer.native)
    machine = ARCHITECTURES[arch]
    names, wheels = [], {}
    for path in _zips(report):
        with zipfile.ZipFile(path) as archive:
            names += archive.namelist()
            wheels |= {
                name.removeprefix("python/").split("/")[0]: archive.read(name).decode()
                for name in archive.namelist()
                if re.match(r"^(python/)?(pillow|pydantic_core|cryptography)-[^/]+\.dist-info/WHEEL$", name)
            }
    assert any(re.match(rf"python/PIL/_imaging\.cpython-311-{machine}-linux-gnu\.so$", n) for n in names)
    for dist_info, wheel in wheels.items():
        tags = re.findall(r"^Tag: (\S+)$", wheel, re.MULTILINE)
        assert tags and all(re.search(rf"manylinux\w*_{machine}$", tag) for tag in tags), (dist_info, tags)
    assert len(wheels) == 3


def test_only_the_thumbnailer_ships_the_image_library(
    template: dict[str, Any], reports: dict[str, Any]
) -> None:
    # Issue 10: the API and the authorizer deploy without Pillow; the thumbnailer gets the layer.
    layer = template["Resources"][IMAGING_LOGICAL_ID]
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Properties"]["ContentUri"] == "./imaging-layer.zip"
    sizes = reports["x86_64"]["function_sizes"]
    with_layer = {name for name, size in sizes.items() if size["imaging_layer"]}
    assert with_layer == {"thumbnail_worker"}
    for function in reports["x86_64"]["functions"].values():
        layers = template["Resources"][function["logical_id"]]["Properties"].get("Layers", [])
        assert (layers == [{"Ref": IMAGING_LOGICAL_ID}]) == (function["name"] in with_layer)
    assert sizes["api_handler"]["zipped_bytes"] < sizes["thumbnail_worker"]["zipped_bytes"]


@pytest.mark.parametrize("arch", ARCHES)
def test_the_zip_is_within_lambdas_size_limits(reports: dict[str, Any], arch: str) -> None:
    size = reports[arch]["size"]
    assert size["zipped_bytes"] == Path(reports[arch]["zip"]).stat().st_size
    for name, function in reports[arch]["function_sizes"].items():
        print(
            f"{arch} {name}: {function['zipped_bytes'] / MB:.1f} MB zipped (limit {ZIPPED_LIMIT / MB:.0f}), "
            f"{function['unzipped_bytes'] / MB:.1f} MB unzipped (limit {UNZIPPED_LIMIT / MB:.0f})"
        )
        assert function["zipped_bytes"] < ZIPPED_LIMIT
        assert function["unzipped_bytes"] < UNZIPPED_LIMIT


@pytest.fixture(scope="session")
def unzipped(reports: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The x86_64 code in task/ (Lambda's /var/task) and the imaging layer in opt/ (/opt)."""
    target = tmp_path_factory.mktemp("lambda-x86_64")
    for path, where in zip(_zips(reports["x86_64"]), ("task", "opt"), strict=True):
        with zipfile.ZipFile(path) as archive:
            archive.extractall(target / where)
    return target


@pytest.mark.skipif(platform.machine() != "x86_64", reason="runs the x86_64 zip's native code")
def test_the_zip_alone_imports_the_app_and_makes_thumbnails(unzipped: Path) -> None:
    # -S: no site-packages, so everything but the standard library comes from the zip and the
    # layer, as in Lambda (which puts /opt/python on the path).
    script = (
        f"import sys; sys.path.append({str(unzipped / 'opt' / 'python')!r});"
        "import io, PIL, PIL.Image;"
        "import app;"
        "from chalicelib.services.imaging import process_image;"
        "buffer = io.BytesIO(); PIL.Image.new('RGB', (1200, 900), (10, 120, 200)).save(buffer, 'JPEG');"
        "image = process_image(buffer.getvalue(), sizes={'small': 320}, max_bytes=10_000_000);"
        "print(PIL.__version__, PIL.__file__, [r.content_type for r in image.renditions])"
    )
    env = {"PATH": os.environ["PATH"], "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}
    run = subprocess.run(
        [sys.executable, "-S", "-c", script],
        cwd=unzipped / "task",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    version, location, types = run.stdout.split(" ", 2)
    assert location.startswith(str(unzipped / "opt" / "python"))
    assert (unzipped / "opt" / "python" / f"pillow-{version}.dist-info").is_dir()
    assert "image/" in types
    # Without the layer (the API, the authorizer) the app still imports; Pillow is not there.
    # `import app` loads a request's modules on first use (chalicelib/lazy.py): import them all,
    # so that a dependency missing from the zip fails here, not at a first request in AWS.
    every_module = (
        "import importlib, pkgutil, app, chalicelib\n"
        "for found in pkgutil.walk_packages(chalicelib.__path__, 'chalicelib.'):\n"
        " try:\n  importlib.import_module(found.name)\n"
        " except ModuleNotFoundError as exc:\n  if exc.name != 'PIL': raise\n"
        "try:\n import PIL\nexcept ImportError: print('no PIL')"
    )
    alone = subprocess.run(
        [sys.executable, "-S", "-c", every_module],
        cwd=unzipped / "task",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert alone.stdout.strip() == "no PIL", alone.stderr


@pytest.mark.skipif(platform.machine() != "x86_64", reason="runs the x86_64 zip's native code")
def test_the_imaging_suite_passes_on_the_pillow_lambda_gets(reports: dict[str, Any]) -> None:
    deps = reports["x86_64"]["dependencies"]
    env = {**os.environ, "PYTHONPATH": deps}
    which = subprocess.run(
        [sys.executable, "-c", "import PIL; print(PIL.__file__)"], env=env, capture_output=True, text=True
    )
    assert which.stdout.startswith(deps), which.stdout + which.stderr
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/unit/test_imaging.py", "-q", "-p", "no:cacheprovider", "-x"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert suite.returncode == 0, suite.stdout[-3000:]


# --- cold start ----------------------------------------------------------------------------

_API_ONLY = r"""
import json, os, sys
from chalice.test import Client
from app import app

headers = {"Authorization": "Bearer " + os.environ["FLINT_TEST_TOKEN"], "Content-Type": "application/json"}
statuses = {}
with Client(app, stage_name="dev", project_dir=os.environ["FLINT_PROJECT_DIR"]) as client:
    statuses["health"] = client.http.get("/health").status_code
    statuses["openapi"] = client.http.get("/openapi.json").status_code
    statuses["me"] = client.http.get("/me", headers=headers).status_code
    statuses["upload"] = client.http.post(
        "/uploads", headers=headers, body=json.dumps({"content_type": "image/jpeg", "size": 1000})
    ).status_code
    statuses["feed"] = client.http.get("/feed", headers=headers).status_code
pil_after_api = sorted(name for name in sys.modules if name == "PIL" or name.startswith("PIL."))
sys.stderr.write("--- API calls done ---\n")
import chalicelib.services.imaging  # what only the thumbnailer imports: the check can see it
print(json.dumps({"statuses": statuses, "pil_after_api": pil_after_api, "pil_at_end": "PIL" in sys.modules}))
"""


def test_the_api_never_imports_the_image_library(new_member: Callable[..., SignedInMember]) -> None:
    prime = new_member("prime")
    env = {**os.environ, "FLINT_TEST_TOKEN": prime.id_token, "FLINT_PROJECT_DIR": str(PROJECT_DIR)}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", _API_ONLY],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["statuses"]["health"] == 200
    assert result["statuses"]["upload"] == 201
    assert all(status < 500 for status in result["statuses"].values()), result["statuses"]
    assert result["pil_after_api"] == []
    assert result["pil_at_end"] is True
    # -X importtime agrees: PIL is imported only after the API calls, by the thumbnailer's module.
    api_phase, thumbnailer_phase = run.stderr.split("--- API calls done ---")
    assert not re.search(r"^import time:.*\| +PIL$", api_phase, re.MULTILINE)
    assert re.search(r"^import time:.*\| +PIL$", thumbnailer_phase, re.MULTILINE)


# --- deploy --------------------------------------------------------------------------------


def _fake_aws(tmp_path: Path, sts_answer: str) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(f"#!/bin/sh\necho '{sts_answer}' >&2\nexit 255\n")
    aws.chmod(aws.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def _deploy_check(path: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", str(PROJECT_DIR / "infra" / "deploy.sh"), "--check"],
        env={"PATH": path, "HOME": "/nonexistent", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_deploy_stops_with_the_reason_without_credentials(tmp_path: Path) -> None:
    bin_dir = _fake_aws(
        tmp_path, "Unable to locate credentials. You can configure credentials by running aws configure."
    )
    run = _deploy_check(f"{bin_dir}:/usr/bin:/bin")
    assert run.returncode == 2
    assert "no usable AWS credentials" in run.stderr and "Unable to locate credentials" in run.stderr


def test_deploy_refuses_the_local_emulator_and_a_missing_cli(tmp_path: Path) -> None:
    bin_dir = _fake_aws(tmp_path, "unused")
    emulator = _deploy_check(f"{bin_dir}:/usr/bin:/bin", AWS_ENDPOINT_URL="http://127.0.0.1:5000")
    assert emulator.returncode == 2 and "local emulator" in emulator.stderr
    (tmp_path / "empty").mkdir()
    for tool in ("dirname",):
        (tmp_path / "empty" / tool).symlink_to(Path("/usr/bin") / tool)
    missing = _deploy_check(str(tmp_path / "empty"))
    assert missing.returncode == 2 and "AWS CLI is not installed" in missing.stderr


def test_one_variable_moves_the_functions_to_python313_on_amazon_linux_2023() -> None:
    # `make package RUNTIME=python3.13`: wheels for cp313 and Amazon Linux 2023's glibc (2.34), so
    # requirements.txt's Pillow 13 instead of the Amazon Linux 2 pin; every wheel's tags and every
    # extension's ABI checked against the runtime (infra/zipcheck.py).
    report = build("prod", ["x86_64"], runtime="python3.13")["x86_64"]
    assert report["runtime"] == "python3.13" and report["pinned_for_lambda"] == {}
    template = json.loads(Path(report["template"]).read_text())
    functions = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    assert {f["Properties"]["Runtime"] for f in functions} == {"python3.13"}
    with zipfile.ZipFile(report["layers"][IMAGING_LOGICAL_ID]["zip"]) as layer:
        names = layer.namelist()
        (wheel,) = [n for n in names if n.startswith("python/pillow-") and n.endswith("/WHEEL")]
        assert "cp313-cp313-manylinux_2_28_x86_64" in layer.read(wheel).decode()
    assert any(n.endswith(".cpython-313-x86_64-linux-gnu.so") for n in names)
