"""What makes the packaged stack production-grade is in it, so none of it can silently disappear.

Reads build/package/prod-x86_64/sam.json (built by infra/package.py, shared with the other
packaging tests): retention, limits, tracing, alarms, safe releases, edge protection.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from flint_template.csp import site_csp
from flint_template.intrinsics import Evaluator
from infra.functions import Function
from infra.layout import INFRA_DIR
from infra.merge import load_yaml
from infra.wiring import function_parts
from tests.support.packaged import packaged_template

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return packaged_template()


def _of_type(template: dict[str, Any], rtype: str) -> dict[str, dict[str, Any]]:
    return {lid: res for lid, res in template["Resources"].items() if res["Type"] == rtype}


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return _of_type(template, "AWS::Serverless::Function")


# --- data that survives -------------------------------------------------------------------


@pytest.mark.parametrize("logical_id", ["FlintTable", "MediaBucket", "UserPool"])
def test_the_data_outlives_the_stack(template: dict[str, Any], logical_id: str) -> None:
    resource = template["Resources"][logical_id]
    assert resource["DeletionPolicy"] == "Retain"
    assert resource["UpdateReplacePolicy"] == "Retain"


def test_media_keeps_old_versions_for_a_while_and_backups_are_on_unless_throwaway(
    template: dict[str, Any],
) -> None:
    media = template["Resources"]["MediaBucket"]["Properties"]
    assert media["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = {rule["Id"]: rule for rule in media["LifecycleConfiguration"]["Rules"]}
    assert rules["ExpireOldVersions"]["NoncurrentVersionExpirationInDays"] == 30
    pitr = template["Resources"]["FlintTable"]["Properties"]["PointInTimeRecoverySpecification"]
    assert pitr == {"PointInTimeRecoveryEnabled": {"Fn::If": ["KeepBackups", True, False]}}
    assert template["Parameters"]["Throwaway"]["Default"] == "false"


def test_bucket_names_carry_the_account_and_region_in_aws(template: dict[str, Any]) -> None:
    assert template["Parameters"]["BucketNameSuffix"]["Default"] == "account-region"
    for logical_id, bucket in _of_type(template, "AWS::S3::Bucket").items():
        condition, scoped, _local = bucket["Properties"]["BucketName"]["Fn::If"]
        assert condition == "ScopedBucketNames", logical_id
        assert scoped["Fn::Sub"].endswith("-${AWS::AccountId}-${AWS::Region}"), logical_id


def test_prod_cannot_deploy_without_an_alarm_recipient_or_with_open_cors(template: dict[str, Any]) -> None:
    rules = template["Rules"]
    assert rules["ProdHasAnAlarmRecipient"]["RuleCondition"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    assert rules["ProdNarrowsCors"]["Assertions"][0]["Assert"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "SiteOrigin"}, "*"]}]
    }


# --- limits --------------------------------------------------------------------------------


def test_the_scheduled_jobs_never_run_twice_at_once_where_the_account_has_room(
    template: dict[str, Any],
) -> None:
    # Issue 23, finding 2: an account whose quota is 10 cannot reserve anything; deploy.sh passes
    # ReserveJobConcurrency=false there (tests/unit/test_deploy_script.py).
    functions = _functions(template)
    for logical_id in ("FeedPlanner", "EnthusiastJob"):
        assert functions[logical_id]["Properties"]["ReservedConcurrentExecutions"] == {
            "Fn::If": ["ReservesJobConcurrency", 1, {"Ref": "AWS::NoValue"}]
        }
    assert template["Parameters"]["ReserveJobConcurrency"]["Default"] == "true"


def test_every_queue_consumer_has_a_maximum_concurrency_and_an_age_alarm(template: dict[str, Any]) -> None:
    consumers = 0
    for logical_id, function in _functions(template).items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] != "SQS":
                continue
            consumers += 1
            # bounded: at most the feed worker's 30 (>= 100 refreshes/s: docs/data-model.md)
            assert 1 <= event["Properties"]["ScalingConfig"]["MaximumConcurrency"] <= 30, logical_id
            alarm = template["Resources"][f"{logical_id}QueueAgeAlarm"]["Properties"]
            assert alarm["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert consumers >= 2


def test_the_api_stage_is_throttled_traced_and_logged(template: dict[str, Any]) -> None:
    api = template["Resources"]["RestAPI"]["Properties"]
    assert api["TracingEnabled"] is True
    (settings,) = api["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ApiRateLimit"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ApiBurstLimit"}
    assert api["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert json.loads(api["AccessLogSetting"]["Format"])["requestId"] == "$context.requestId"
    logs = template["Resources"]["ApiAccessLogGroup"]["Properties"]
    assert logs["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_waf_guards_the_api_and_both_distributions_unless_switched_off(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    for acl_id in ("CloudFrontWebAcl", "ApiWebAcl"):
        rules = resources[acl_id]["Properties"]["Rules"]
        managed = {r["Statement"].get("ManagedRuleGroupStatement", {}).get("Name") for r in rules}
        assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= managed
        assert any("RateBasedStatement" in r["Statement"] for r in rules)
    assert resources["ApiWebAclAssociation"]["Condition"] == "HasApiWaf"
    for distribution in ("MediaDistribution", "SiteDistribution"):
        config = resources[distribution]["Properties"]["DistributionConfig"]
        assert config["WebACLId"]["Fn::If"][1] == {"Fn::GetAtt": ["CloudFrontWebAcl", "Arn"]}
        assert config["Logging"]["Bucket"] == {"Fn::GetAtt": ["LogBucket", "DomainName"]}
        custom_certificate = config["ViewerCertificate"]["Fn::If"][1]
        assert custom_certificate["MinimumProtocolVersion"] == "TLSv1.2_2021"
    site = resources["SiteDistribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert site["ResponseHeadersPolicyId"] == {"Ref": "SiteHeadersPolicy"}


def test_cors_is_the_sites_origin(template: dict[str, Any]) -> None:
    uploads = template["Resources"]["UploadsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert uploads[0]["AllowedOrigins"] == [{"Ref": "SiteOrigin"}]
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    origins = {
        json.dumps(
            method["x-amazon-apigateway-integration"]["responses"]["default"]["responseParameters"][
                "method.response.header.Access-Control-Allow-Origin"
            ]
        )
        for path in paths.values()
        for name, method in path.items()
        if name == "options"
    }
    assert origins == {json.dumps({"Fn::Sub": "'${SiteOrigin}'"})}


# --- observability and releases --------------------------------------------------------------


def test_every_function_is_traced_alarmed_and_released_gradually(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    for logical_id, function in _functions(template).items():
        properties = function["Properties"]
        assert properties["Tracing"] == "Active", logical_id
        assert properties["AutoPublishAlias"] == "live", logical_id
        preference = properties["DeploymentPreference"]
        assert preference["Type"] == {"Ref": "DeploymentType"}
        assert {"Ref": f"{logical_id}ErrorsAlarm"} in preference["Alarms"]  # rolls back on errors
        for alarm, metric in (("Throttles", "Throttles"), ("Duration", "Duration"), ("Errors", "Errors")):
            assert resources[f"{logical_id}{alarm}Alarm"]["Properties"]["MetricName"] == metric
    assert template["Parameters"]["DeploymentType"]["Default"].startswith("Canary")
    api_alarms = _functions(template)["APIHandler"]["Properties"]["DeploymentPreference"]["Alarms"]
    assert {"Ref": "ApiServerErrorsAlarm"} in api_alarms  # what clients see, not only Lambda errors


def test_the_api_and_authorizer_are_invoked_through_the_alias(template: dict[str, Any]) -> None:
    body = json.dumps(template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"])
    assert "${APIHandler.Alias}" in body and "${CognitoJwt.Alias}" in body
    assert "${APIHandler.Arn}" not in body and "${CognitoJwt.Arn}" not in body
    for permission in _of_type(template, "AWS::Lambda::Permission").values():
        assert permission["Properties"]["FunctionName"]["Ref"].endswith(".Alias")


def test_scheduled_job_failures_reach_a_queue_with_an_alarm(template: dict[str, Any]) -> None:
    functions = _functions(template)
    for logical_id in ("FeedPlanner", "EnthusiastJob"):
        failure = functions[logical_id]["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
        assert failure["Destination"] == {"Fn::GetAtt": ["ScheduledJobFailureQueue", "Arn"]}
    alarm = template["Resources"]["ScheduledJobFailureAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["ScheduledJobFailureQueue", "QueueName"]}


def test_the_table_and_the_api_have_alarms_and_every_alarm_reaches_the_topic(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    throttled = {
        m.get("MetricStat", {}).get("Metric", {}).get("MetricName")
        for m in resources["TableThrottledRequestsAlarm"]["Properties"]["Metrics"]
    }
    assert {"ReadThrottleEvents", "WriteThrottleEvents"} <= throttled
    errors = resources["TableSystemErrorsAlarm"]["Properties"]["Metrics"]
    assert {m["MetricStat"]["Metric"]["MetricName"] for m in errors if "MetricStat" in m} == {"SystemErrors"}
    assert resources["ApiLatencyAlarm"]["Properties"]["ExtendedStatistic"] == "p99"
    for logical_id, alarm in _of_type(template, "AWS::CloudWatch::Alarm").items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], logical_id


def test_one_dashboard_shows_every_function_and_queue(template: dict[str, Any]) -> None:
    body = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    for function in _functions(template).values():
        name = function["Properties"]["FunctionName"]["Fn::Sub"]
        assert name in body
    assert "${ThumbnailQueue.QueueName}" in body and "${FeedRefreshQueue.QueueName}" in body


# --- the pattern a new handler follows --------------------------------------------------------


def test_a_new_queue_consumer_gets_the_default_limits_and_alarms() -> None:
    consumers = load_yaml(INFRA_DIR / "lambda.yaml")["Metadata"]["QueueConsumers"]
    function = Function(
        "events_worker", "EventsWorker", "app.events_worker", "sqs", "flint-prod-events", "Src"
    )
    parts = function_parts(
        function,
        {"Environment": {"Variables": {}}},
        {"EventsQueue": "flint-prod-events"},
        settings={"lambda_timeout": 30},
        environment={},
        consumers=consumers,
    )
    event = parts["EventsWorker"]["Properties"]["Events"]["Src"]["Properties"]
    assert event["ScalingConfig"]["MaximumConcurrency"] == consumers["default"]["MaximumConcurrency"]
    assert (
        parts["EventsWorkerQueueAgeAlarm"]["Properties"]["Threshold"]
        == (consumers["default"]["OldestMessageAlarmSeconds"])
    )
    assert {"EventsWorkerErrorsAlarm", "EventsWorkerThrottlesAlarm", "EventsWorkerDurationAlarm"} <= set(
        parts
    )


def test_a_stream_consumer_gets_an_iterator_age_alarm() -> None:
    function = Function("events_stream", "EventsStream", "app.events_stream", "stream")
    parts = function_parts(
        function, {"Environment": {"Variables": {}}}, {}, settings={}, environment={}, consumers={}
    )
    assert parts["EventsStreamIteratorAgeAlarm"]["Properties"]["MetricName"] == "IteratorAge"


def test_only_the_api_may_read_the_cursor_keys(template: dict[str, Any]) -> None:
    readers = set()
    for logical_id, role in _of_type(template, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                if "secretsmanager:GetSecretValue" in (actions if isinstance(actions, list) else [actions]):
                    readers.add(logical_id)
                    assert statement["Resource"] == {"Fn::Sub": "${CursorSecret}"}
    assert readers == {"ApiHandlerRole"}


# --- issue 23: a deploy that cannot fail on its first run ------------------------------------


def test_the_apis_web_acl_lets_a_long_post_through_and_guards_the_user_pool(template: dict[str, Any]) -> None:
    # Finding 3: the common rule set's SizeRestrictions_BODY blocks bodies over 8 KB
    resources = template["Resources"]
    (common,) = [
        r["Statement"]["ManagedRuleGroupStatement"]
        for r in resources["ApiWebAcl"]["Properties"]["Rules"]
        if r["Statement"].get("ManagedRuleGroupStatement", {}).get("Name") == "AWSManagedRulesCommonRuleSet"
    ]
    assert common["RuleActionOverrides"] == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]
    pool = resources["UserPoolWebAclAssociation"]
    assert pool["Condition"] == "HasApiWaf"
    assert pool["Properties"] == {
        "ResourceArn": {"Fn::GetAtt": ["UserPool", "Arn"]},
        "WebACLArn": {"Fn::GetAtt": ["ApiWebAcl", "Arn"]},
    }


def test_every_web_acl_logs_with_the_authorization_header_redacted(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    logged = {}
    for logical_id, resource in _of_type(template, "AWS::WAFv2::LoggingConfiguration").items():
        properties = resource["Properties"]
        assert properties["RedactedFields"] == [{"SingleHeader": {"Name": "authorization"}}], logical_id
        logged[properties["ResourceArn"]["Fn::GetAtt"][0]] = properties["LogDestinationConfigs"]
    assert set(logged) == set(_of_type(template, "AWS::WAFv2::WebACL"))
    for group in ("ApiWafLogGroup", "EdgeWafLogGroup"):
        assert resources[group]["Properties"]["LogGroupName"]["Fn::Sub"].startswith("aws-waf-logs-")


def test_the_thumbnails_pass_no_web_acl_unless_asked(template: dict[str, Any]) -> None:
    # Finding 9: WAF bills every thumbnail request
    config = template["Resources"]["MediaDistribution"]["Properties"]["DistributionConfig"]
    assert config["WebACLId"]["Fn::If"][0] == "HasMediaWaf"
    assert template["Parameters"]["MediaWaf"]["Default"] == "false"


def test_ses_sends_from_an_address_only_identity(template: dict[str, Any]) -> None:
    # Finding 7: the SourceArn was always built from the address's domain
    source = template["Resources"]["UserPool"]["Properties"]["EmailConfiguration"]["Fn::If"][1]["SourceArn"]

    def arn(**given: str) -> str:
        defaults = {name: str(spec.get("Default", "")) for name, spec in template["Parameters"].items()}
        values = Evaluator(
            template,
            {**defaults, **given},
            pseudo={
                "AWS::Partition": lambda: "aws",
                "AWS::Region": lambda: "eu-west-1",
                "AWS::AccountId": lambda: "1",
            },
        )
        return str(values.resolve(source))

    assert arn(SesFromAddress="no-reply@example.com") == "arn:aws:ses:eu-west-1:1:identity/example.com"
    assert (
        arn(SesFromAddress="no-reply@example.com", SesIdentity="no-reply@example.com")
        == "arn:aws:ses:eu-west-1:1:identity/no-reply@example.com"
    )


def test_the_stream_consumer_follows_a_replaced_table_and_reports_what_it_skips(
    template: dict[str, Any],
) -> None:
    # Findings 4 and 8
    stream = _functions(template)["StreamWorker"]["Properties"]["Events"]["StreamWorkerDynamodbEventSource"]
    properties = stream["Properties"]
    assert properties["Stream"]["Fn::If"][:2] == ["HasTableStreamArn", {"Ref": "TableStreamArn"}]
    assert properties["MaximumRetryAttempts"] == 5 and properties["BisectBatchOnFunctionError"] is True
    assert properties["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["StreamFailureQueue", "Arn"]
    }
    role = template["Resources"]["StreamWorkerRole"]["Properties"]["Policies"][0]["PolicyDocument"][
        "Statement"
    ]
    resources = json.dumps([s["Resource"] for s in role])
    assert "${FlintTable.Arn}/stream/*" in resources and "StreamFailureQueue" in resources


def test_costs_are_watched_by_a_budget_and_anomaly_detection(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    budget = resources["MonthlyBudget"]["Properties"]
    assert budget["Budget"]["BudgetLimit"] == {"Amount": {"Ref": "MonthlyBudgetUsd"}, "Unit": "USD"}
    assert all(
        n["Subscribers"] == [{"SubscriptionType": "SNS", "Address": {"Ref": "AlarmTopic"}}]
        for n in budget["NotificationsWithSubscribers"]
    )
    anomalies = resources["CostAnomalySubscription"]["Properties"]
    assert anomalies["Subscribers"] == [{"Type": "SNS", "Address": {"Ref": "AlarmTopic"}}]
    assert resources["CostAnomalyMonitor"]["Condition"] == "CreateAnomalyMonitor"
    publishers = resources["AlarmTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Principal"]
    assert set(publishers["Service"]) == {"budgets.amazonaws.com", "costalerts.amazonaws.com"}
    # Per-method API metrics cost ~$75 a month: off (the stage's free metrics feed the alarms)
    (settings,) = resources["RestAPI"]["Properties"]["MethodSettings"]
    assert settings["MetricsEnabled"] is False


def test_the_docs_count_the_alarms_and_the_runbook_covers_each(template: dict[str, Any]) -> None:
    alarms = [
        a["Properties"]["AlarmName"]["Fn::Sub"].removeprefix("${NamePrefix}-")
        for a in _of_type(template, "AWS::CloudWatch::Alarm").values()
    ]
    deploy = (INFRA_DIR.parent / "docs" / "deploy.md").read_text()
    assert f"| CloudWatch alarms | ~${len(alarms) * 0.1 + 0.9:.2f} | {len(alarms)} alarms" in deploy
    runbook = (INFRA_DIR.parent / "docs" / "runbook.md").read_text()
    missing = [name for name in alarms if f"`{name}`" not in runbook]
    assert missing == [], "add a runbook section (docs/runbook.md) for these alarms"


def test_the_site_runs_only_its_own_scripts_and_talks_only_to_the_api_and_cognito(
    template: dict[str, Any],
) -> None:
    headers = template["Resources"]["SiteHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    policy = headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    assert policy == site_csp(
        api="https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}",
        cognito="https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}",
        uploads=[
            "https://${UploadsBucket}.s3.${AWS::URLSuffix}",
            "https://${UploadsBucket.RegionalDomainName}",
        ],
    )
    assert "script-src 'self';" in policy


def test_only_the_gallery_embeds_pages_may_be_framed(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    site = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    [embed] = site["CacheBehaviors"]
    assert embed["PathPattern"] == "embed/*"
    assert embed["ResponseHeadersPolicyId"] == {"Ref": "EmbedHeadersPolicy"}
    headers = resources["EmbedHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    assert "FrameOptions" not in headers["SecurityHeadersConfig"]
    policy = headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    assert "frame-ancestors *" in policy and "script-src 'self';" in policy
    site_headers = resources["SiteHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    assert site_headers["SecurityHeadersConfig"]["FrameOptions"]["FrameOption"] == "DENY"


def test_every_function_runs_the_pinned_runtime(template: dict[str, Any]) -> None:
    pinned = load_yaml(INFRA_DIR / "lambda.yaml")["Metadata"]["Runtime"]
    assert {f["Properties"]["Runtime"] for f in _functions(template).values()} == {pinned}
    assert template["Resources"]["ImagingLayer"]["Properties"]["CompatibleRuntimes"] == [pinned]
