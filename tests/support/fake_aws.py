#!/usr/bin/env python3
"""A stand-in `aws` CLI for infra/deploy.sh's tests that keeps the real CLI's rules.

It logs every call to $LOG and answers from the environment (FAKE_* variables). It refuses what
the real AWS CLI (v1 and v2) refuses before calling AWS: `cloudformation deploy` of a template
over 51,200 bytes without --s3-bucket, and what CloudFormation refuses at once: parameter
overrides the template does not declare, parameters without a default left unset, values
outside AllowedValues. The deploy rehearsal (tests/integration/test_deploy_rehearsal.py) runs
the real CLI; this one lets the script's branches be tested in a second.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

INLINE_TEMPLATE_LIMIT = 51_200


def option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def fail(message: str) -> None:
    print(message, file=sys.stderr)
    sys.exit(255)


def deploy(args: list[str]) -> None:
    path = option(args, "--template-file") or ""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if len(text.encode()) > INLINE_TEMPLATE_LIMIT and "--s3-bucket" not in args:
        fail(
            "Templates with a size greater than 51,200 bytes must be deployed via an S3 Bucket. "
            "Please add the --s3-bucket parameter to your command. The local template will be "
            "copied to that S3 bucket and then deployed."
        )
    declared = json.loads(text).get("Parameters", {})
    overrides: dict[str, str] = {}
    if "--parameter-overrides" in args:
        for word in args[args.index("--parameter-overrides") + 1 :]:
            if word.startswith("--"):
                break
            key, _, value = word.partition("=")
            overrides[key] = value
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        fail(f"An error occurred (ValidationError): Parameters: {unknown} do not exist in the template")
    missing = sorted(
        name for name, spec in declared.items() if "Default" not in spec and name not in overrides
    )
    if missing:
        fail(f"An error occurred (ValidationError): Parameters: {missing} must have values")
    for name, value in overrides.items():
        allowed = declared[name].get("AllowedValues")
        if allowed is not None and value not in [str(a) for a in allowed]:
            fail(f"An error occurred (ValidationError): Parameter '{name}' must be one of AllowedValues")


def main(args: list[str]) -> None:
    with open(os.environ["LOG"], "a", encoding="utf-8") as log:
        log.write(" ".join(args) + "\n")
    line = " ".join(args)
    env = os.environ
    if line.startswith("sts get-caller-identity --query Arn"):
        print("arn:aws:iam::123456789012:user/dev")
    elif line.startswith("sts get-caller-identity --query Account"):
        print("123456789012")
    elif line == "configure get region":
        print("us-east-1")
    elif line.startswith("apigateway get-account"):
        print("arn:aws:iam::123456789012:role/apigateway-logs")
    elif line.startswith("lambda get-account-settings"):
        print(env.get("FAKE_CONCURRENCY", "1000\t1000"))
    elif line.startswith("lambda get-function-concurrency"):
        fail("An error occurred (ResourceNotFoundException): Function not found")
    elif line.startswith("dynamodb describe-table"):
        if "FAKE_STREAM_ARN" not in env:
            fail("An error occurred (ResourceNotFoundException): Requested resource not found")
        print(env["FAKE_STREAM_ARN"])
    elif line.startswith("ce get-anomaly-monitors"):
        print(env.get("FAKE_MONITOR", "None"))
    elif line.startswith("cloudformation get-template"):
        fail("An error occurred (ValidationError): Stack with id flint-x does not exist")
    elif line.startswith("cloudformation package"):
        if "--s3-bucket" not in args:
            fail("aws: error: the following arguments are required: --s3-bucket")
        shutil.copyfile(option(args, "--template-file") or "", option(args, "--output-template-file") or "")
    elif line.startswith("cloudformation deploy"):
        deploy(args)
    elif "OutputKey=='SiteBucketName'" in line:
        print("flint-prod-site")
    elif "OutputKey=='EndpointURL'" in line:
        print("https://abc123.execute-api.us-east-1.amazonaws.com/api/")
    elif "OutputKey=='SiteDistributionId'" in line:
        print("E2SITE")
    elif line.startswith("s3 cp - "):
        with open(env["CONFIG_OUT"], "w", encoding="utf-8") as out:
            out.write(sys.stdin.read())


if __name__ == "__main__":
    main(sys.argv[1:])
