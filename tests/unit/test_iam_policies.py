"""Every Lambda function has its own checked-in policy, and each names only what it uses.

The policies are .chalice/policy-<function>.json, wired by `lambda_functions` in
.chalice/config.json with `autogen_policy: false`; `chalice package` copies each verbatim
into that function's role (tests/integration/test_packaging.py reads them back from the
packaged template). Resources are the stack's own, named by Fn::GetAtt / Fn::Sub.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from infra import iam
from infra.functions import app_functions, chalice_config, policy_files
from infra.layout import CHALICE_DIR, INFRA_DIR, PackageError
from infra.merge import load_yaml, physical_names

POLICY_FILES = sorted(CHALICE_DIR.glob("policy-*.json"))


@pytest.fixture(scope="module")
def functions() -> list[Any]:
    from app import app

    return app_functions(app)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_yaml(INFRA_DIR / "template.yaml")


def _document(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def test_every_function_of_the_app_has_its_own_policy_file(functions: list[Any]) -> None:
    found = policy_files(chalice_config(), functions)
    assert set(found) == {f.name for f in functions}
    assert len(set(found.values())) == len(found)  # no two functions share a role's policy


def test_every_policy_file_belongs_to_a_function(functions: list[Any]) -> None:
    assert {f"policy-{f.name}.json" for f in functions} == {path.name for path in POLICY_FILES}


def test_the_functions_are_the_ones_this_project_deploys(functions: list[Any]) -> None:
    # Adding a handler means adding its policy; this list is here to show the inventory.
    kinds = {f.name: f.kind for f in functions}
    assert kinds["api_handler"] == "api"
    assert kinds["cognito_jwt"] == "authorizer"
    assert kinds["thumbnail_worker"] == "sqs"


def test_a_handler_without_a_policy_is_refused(functions: list[Any]) -> None:
    config = copy.deepcopy(chalice_config())
    del config["lambda_functions"]["thumbnail_worker"]
    with pytest.raises(PackageError, match=r"thumbnail_worker: no lambda_functions.thumbnail_worker"):
        policy_files(config, functions)
    config["autogen_policy"] = True
    with pytest.raises(PackageError, match="autogen_policy"):
        policy_files(config, functions)


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_each_policy_follows_the_least_privilege_rules(path: Path, template: dict[str, Any]) -> None:
    function = path.stem.removeprefix("policy-")
    assert iam.lint(_document(path), function=function, template=template) == []


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_no_policy_has_a_wildcard_resource_or_a_whole_service(path: Path) -> None:
    # Stated plainly, whatever lint() says: no "*" resource, no dynamodb:* / s3:* (or any svc:*).
    for statement in _document(path)["Statement"]:
        if iam.unscoped(statement):  # X-Ray's and DetectLabels take no resource: "*" and nothing else
            assert set(statement["Action"]) <= iam.UNSCOPED_ACTIONS
            continue
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert "*" not in resources
        assert all(isinstance(r, dict) for r in resources), "resources are the stack's, by intrinsic"
        assert not [a for a in actions if "*" in a]


def own_logs_statement(function: str) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream"],
        "Resource": {
            "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:"
            f"log-group:/aws/lambda/${{NamePrefix}}-{function}:*"
        },
    }


def test_lint_catches_what_least_privilege_forbids(template: dict[str, Any]) -> None:
    logs = own_logs_statement("f")

    def problems(*statements: dict[str, Any]) -> list[str]:
        document = {"Version": "2012-10-17", "Statement": [logs, *statements]}
        return iam.lint(document, function="f", template=template)

    assert problems() == []
    assert problems({"Effect": "Allow", "Action": "s3:*", "Resource": {"Fn::GetAtt": ["MediaBucket", "Arn"]}})
    assert problems(
        {"Effect": "Allow", "Action": "dynamodb:Get*", "Resource": {"Fn::GetAtt": ["FlintTable", "Arn"]}}
    )
    assert problems({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    assert problems(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::flint-prod-media/*"}
    )
    assert problems(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${MediaBucket.Arn}*"}}
    )
    assert problems(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "arn:aws:s3:::*/x"}}
    )
    assert problems(
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["Nope", "Arn"]}}
    )
    assert problems(
        {"Effect": "Allow", "NotAction": "iam:PassRole", "Resource": {"Fn::GetAtt": ["FlintTable", "Arn"]}}
    )
    other_logs = copy.deepcopy(logs)
    other_logs["Resource"]["Fn::Sub"] = other_logs["Resource"]["Fn::Sub"].replace("-f:*", "-g:*")
    assert problems(other_logs)
    assert iam.lint({"Version": "2012-10-17", "Statement": []}, function="f", template=template)


def test_the_evaluator_reads_policies_as_iam_does(template: dict[str, Any]) -> None:
    parameters = {"Stage": "dev", "NamePrefix": "flint-dev"}
    place = iam.Place(
        names=physical_names(template, parameters),
        types={lid: res["Type"] for lid, res in template["Resources"].items()},
        parameters=parameters,
    )
    policy = place.resolve(_document(CHALICE_DIR / "policy-cognito_jwt.json"))
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/flint-dev"
    marks_member = iam.Request("dynamodb:UpdateItem", table, {"dynamodb:LeadingKeys": ("USER#u1",)})
    assert iam.allows(policy, marks_member)
    assert not iam.allows(
        policy, iam.Request("dynamodb:UpdateItem", table, {"dynamodb:LeadingKeys": ("POST#1",)})
    )
    assert not iam.allows(
        policy, iam.Request("dynamodb:DeleteItem", table, {"dynamodb:LeadingKeys": ("USER#u1",)})
    )
    assert not iam.allows(policy, iam.Request("dynamodb:UpdateItem", table + "-other", marks_member.context))

    api = place.resolve(_document(CHALICE_DIR / "policy-api_handler.json"))
    (put,) = iam.requests_for("s3", "PutObject", {"Bucket": "flint-dev-uploads", "Key": "uploads/u/x"}, place)
    assert iam.allows(api, put)
    (elsewhere,) = iam.requests_for(
        "s3", "PutObject", {"Bucket": "flint-dev-uploads", "Key": "media/x"}, place
    )
    assert not iam.allows(api, elsewhere)
    listing = iam.requests_for(
        "s3", "ListObjectsV2", {"Bucket": "flint-dev-media", "Prefix": "media/up1/"}, place
    )
    assert all(iam.allows(api, r) for r in listing)
    everything = iam.requests_for("s3", "ListObjectsV2", {"Bucket": "flint-dev-media", "Prefix": ""}, place)
    assert not any(iam.allows(api, r) for r in everything)
    transaction = iam.requests_for(
        "dynamodb",
        "TransactWriteItems",
        {"TransactItems": [{"Put": {"TableName": "flint-dev", "Item": {"PK": {"S": "POST#1"}}}}]},
        place,
    )
    assert [r.action for r in transaction] == ["dynamodb:PutItem"]
    with pytest.raises(ValueError, match=r"teach infra/iam\.py"):
        iam.requests_for("sns", "Publish", {}, place)


def test_only_actions_without_resources_may_name_the_wildcard(template: dict[str, Any]) -> None:
    logs = own_logs_statement("f")
    labels = {"Effect": "Allow", "Action": ["rekognition:DetectLabels"], "Resource": "*"}
    mixed = {"Effect": "Allow", "Action": ["rekognition:DetectLabels", "s3:GetObject"], "Resource": "*"}
    assert (
        iam.lint({"Version": "2012-10-17", "Statement": [logs, labels]}, function="f", template=template)
        == []
    )
    assert iam.lint({"Version": "2012-10-17", "Statement": [logs, mixed]}, function="f", template=template)
