"""The merge template: infra/template.yaml + infra/lambda.yaml + what every function needs.

`chalice package --merge-template` deep-merges it into its SAM output; `finish_template` then
edits what the merge cannot reach inside chalice's output."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flint_template.csp import site_csp
from flint_template.intrinsics import Evaluator, Unresolved
from infra.deps import python_runtime
from infra.functions import Function, chalice_config
from infra.layout import INFRA_DIR, PackageError
from infra.wiring import dashboard, function_parts, table_alarm
from infra.zipcheck import IMAGING_LAYER, IMAGING_LOGICAL_ID

# Resource type -> the property holding the physical name the app is configured with.
NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
}


# --- templates ----------------------------------------------------------------------------


def load_yaml(path: Path) -> dict[str, Any]:
    from flint_template import load_template  # reads !Ref/!Sub/... into their long forms

    return load_template(path)


def deep_merge(base: Any, overlay: Any) -> Any:
    """What chalice's --merge-template does: dicts merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = deep_merge(base.get(key), value)
        return merged
    return copy.deepcopy(overlay)


def physical_names(template: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, str]:
    """Logical id -> name, for the tables, buckets and queues the app is configured with by name.

    Names that exist only in AWS (with the account id, e.g. the buckets) are left out: the
    Lambdas get those from the stack, and config.json's names are the local stack's.
    """
    declared = template.get("Parameters", {})
    values = Evaluator(
        template, {**{name: str(spec.get("Default", "")) for name, spec in declared.items()}, **parameters}
    )
    names = {}
    for logical_id, resource in template["Resources"].items():
        prop = NAME_PROPERTIES.get(resource.get("Type", ""))
        if not (prop and prop in resource.get("Properties", {})):
            continue
        try:
            names[logical_id] = str(values.resolve(resource["Properties"][prop]))
        except Unresolved:
            continue  # e.g. ${AWS::AccountId}: a name only AWS knows
    return names


# The common rule set's rules the API's web ACL only counts (see merge_template).
API_COUNTED_RULES = ("SizeRestrictions_BODY",)

# Packaged-template defaults of the parameters whose local value differs (infra/template.yaml).
AWS_PARAMETERS = {"BucketNameSuffix": "account-region", "PasswordAuth": "false"}


def merge_template(
    stage: str, app_name: str, functions: list[Function], stage_env: Mapping[str, Any]
) -> dict[str, Any]:
    """infra/template.yaml + infra/lambda.yaml + every function's parts, for --merge-template."""
    stateful = load_yaml(INFRA_DIR / "template.yaml")
    lambda_side = load_yaml(INFRA_DIR / "lambda.yaml")
    metadata = lambda_side.pop("Metadata", {})
    for function in functions:  # chalice writes its own interpreter's version: the pinned one wins
        lambda_side["Resources"].setdefault(function.logical_id, {}).setdefault("Properties", {})
        lambda_side["Resources"][function.logical_id]["Properties"]["Runtime"] = python_runtime()
    defaults = metadata.get("FunctionDefaults", {})
    clashes = set(stateful["Resources"]) & {
        lid for lid, res in lambda_side["Resources"].items() if "Type" in res
    }
    if clashes:
        raise PackageError(f"infra/template.yaml and infra/lambda.yaml both declare {sorted(clashes)}")
    merged = deep_merge(stateful, lambda_side)

    stage_param = merged["Parameters"]["Stage"]
    if stage not in stage_param.get("AllowedValues", [stage]):
        raise PackageError(f"stage {stage!r} is not one of the template's {stage_param['AllowedValues']}")
    parameters = {"Stage": stage, "NamePrefix": f"{app_name}-{stage}", **AWS_PARAMETERS}
    for key, value in parameters.items():
        merged["Parameters"][key]["Default"] = value  # `aws cloudformation deploy` needs no overrides

    names = physical_names(merged, parameters)
    # The same code runs locally and in AWS: config.json's names for this stage are the stack's.
    mismatched = []
    for variable, value in defaults.get("Environment", {}).get("Variables", {}).items():
        target = None
        if isinstance(value, dict):
            target = value["Ref"] if "Ref" in value else (value.get("Fn::GetAtt") or [None])[0]
        if target in names and variable in stage_env and stage_env[variable] != names[target]:
            mismatched.append(f"{variable}: config.json {stage_env[variable]!r}, stack {names[target]!r}")
    if mismatched:
        raise PackageError(f"stage {stage}: .chalice/config.json and the stack disagree: {mismatched}")

    queues = {
        lid: name for lid, name in names.items() if merged["Resources"][lid]["Type"] == "AWS::SQS::Queue"
    }
    settings = chalice_config().get("lambda_functions", {})
    environments = metadata.get("FunctionEnvironment", {})
    unknown = set(environments) - {f.name for f in functions}
    if unknown:
        raise PackageError(
            f"infra/lambda.yaml FunctionEnvironment names no function of the app: {sorted(unknown)}"
        )
    for function in functions:
        parts = function_parts(
            function,
            defaults,
            queues,
            settings=settings.get(function.name, {}),
            environment=environments.get(function.name, {}),
            consumers=metadata["QueueConsumers"],
        )
        for logical_id, part in parts.items():
            if logical_id in merged["Resources"] and "Type" in part:
                raise PackageError(f"{logical_id} is generated for {function.name} but already declared")
            merged["Resources"][logical_id] = deep_merge(merged["Resources"].get(logical_id), part)
    resources = merged["Resources"]
    # The API's web ACL: the edge ACL's rules, for API Gateway (REGIONAL).
    edge = resources["CloudFrontWebAcl"]["Properties"]
    resources["ApiWebAcl"] = {
        "Type": "AWS::WAFv2::WebACL",
        "Condition": "HasApiWaf",
        "Properties": {
            **copy.deepcopy(edge),
            "Name": {"Fn::Sub": "${NamePrefix}-api"},
            "Scope": "REGIONAL",
            "VisibilityConfig": {**edge["VisibilityConfig"], "MetricName": {"Fn::Sub": "${NamePrefix}-api"}},
        },
    }
    for rule in resources["ApiWebAcl"]["Properties"]["Rules"]:
        group = rule["Statement"].get("ManagedRuleGroupStatement", {})
        if group.get("Name") == "AWSManagedRulesCommonRuleSet":
            # Its SizeRestrictions_BODY blocks bodies over 8 KB; the API takes up to 128 KiB (a post
            # holds a 2,200-character caption and a 10,000-character body) and answers 413 itself.
            group["RuleActionOverrides"] = [
                {"Name": name, "ActionToUse": {"Count": {}}} for name in API_COUNTED_RULES
            ]
    # The site's content security policy: only its own scripts, and connections to the API,
    # Cognito and the uploads bucket (flint_template.site_csp, the same one `make dev` sends).
    # The gallery embed's pages get the same policy, framable by any site (flint_template/csp.py).
    for policy_id, embeddable in (("SiteHeadersPolicy", False), ("EmbedHeadersPolicy", True)):
        headers = resources[policy_id]["Properties"]["ResponseHeadersPolicyConfig"]
        headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"] = {
            "Fn::Sub": site_csp(
                api="https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}",
                cognito="https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}",
                uploads=[
                    "https://${UploadsBucket}.s3.${AWS::URLSuffix}",
                    "https://${UploadsBucket.RegionalDomainName}",
                ],
                embeddable=embeddable,
            )
        }
    imaging = metadata.get("ImagingFunctions", [])
    unknown = set(imaging) - {f.name for f in functions}
    if unknown:
        raise PackageError(f"infra/lambda.yaml ImagingFunctions names no function: {sorted(unknown)}")
    resources[IMAGING_LOGICAL_ID] = {
        "Type": "AWS::Serverless::LayerVersion",
        "Properties": {
            "LayerName": {"Fn::Sub": "${NamePrefix}-imaging"},
            "Description": "Pillow and its libraries, for the functions that make thumbnails.",
            "ContentUri": f"./{IMAGING_LAYER}",
            "CompatibleRuntimes": [python_runtime()],
            # Older versions stay: a rolled-back function version still finds its layer.
            "RetentionPolicy": "Retain",
        },
    }
    for function in functions:
        if function.name in imaging:
            properties = resources[function.logical_id]["Properties"]
            properties["Layers"] = [{"Ref": IMAGING_LOGICAL_ID}]
    resources["TableSystemErrorsAlarm"] = table_alarm("FlintTable")
    consumed = {lid: name for lid, name in queues.items() if "DeadLetter" not in lid and "Failure" not in lid}
    resources["Dashboard"] = dashboard(functions, consumed, "FlintTable")
    return merged


def finish_template(template: dict[str, Any], functions: list[Function]) -> dict[str, Any]:
    """What the merge cannot reach inside chalice's output.

    - API Gateway invokes the functions' `live` alias, so CodeDeploy's traffic shifting and
      rollback apply to the API and the authorizer too (chalice points it at the function).
    - The API's CORS preflights answer the site's origin (chalice writes the origin the app
      had when packaged; the stack's SiteOrigin parameter decides in AWS).
    """
    by_arn = {f"${{{f.logical_id}.Arn}}": f"${{{f.logical_id}.Alias}}" for f in functions}

    def rewrite(node: Any) -> Any:
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):
            text = node["Fn::Sub"]
            for arn, alias in by_arn.items():
                text = text.replace(arn, alias)
            return {"Fn::Sub": text}
        out = {}
        for key, value in node.items():
            if key == "method.response.header.Access-Control-Allow-Origin":
                value = {"Fn::Sub": "'${SiteOrigin}'"}
            out[key] = rewrite(value)
        return out

    resources = template["Resources"]
    api = resources.get("RestAPI")
    if api is not None:
        api["Properties"]["DefinitionBody"] = rewrite(api["Properties"]["DefinitionBody"])
        # cfn-lint reads ${Fn.Alias} as a GetAtt Lambda lacks; the SAM transform resolves it
        # (infra/checks.py lints the transformed template, where this rule stays on).
        api["Metadata"] = {"cfn-lint": {"config": {"ignore_checks": ["E1019"]}}}
    for function in functions:
        permission = resources.get(f"{function.logical_id}InvokePermission")
        if permission is not None:
            permission["Properties"]["FunctionName"] = {"Ref": f"{function.logical_id}.Alias"}
    return template
