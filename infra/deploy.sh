#!/usr/bin/env bash
# Deploy what `make package` built to real AWS with the AWS CLI (docs/deploy.md).
#
#   infra/deploy.sh --check          fail fast, with the reason, unless a deploy could work
#   infra/deploy.sh STAGE ARCH [RUNTIME]   upload build/package/STAGE-ARCH[-RUNTIME] and create/update the stack
#
# Environment: FLINT_STACK_NAME (default flint-STAGE), FLINT_ARTIFACTS_BUCKET (default
# flint-artifacts-ACCOUNT-REGION, created private on first use), FLINT_PARAMETERS
# (extra "Key=Value ..." overrides, e.g. "AlarmEmail=ops@example.com LogRetentionDays=90").
# FLINT_REHEARSAL=1 allows AWS_ENDPOINT_URL on this machine (127.0.0.1): the deploy rehearsal
# runs this script with the real AWS CLI against the embedded AWS (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
    echo "error: $*" >&2
    exit 2
}

preflight() {
    command -v aws >/dev/null 2>&1 ||
        fail "the AWS CLI is not installed (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)"
    if [[ -n "${AWS_ENDPOINT_URL:-}" ]]; then
        [[ "${FLINT_REHEARSAL:-}" == 1 && "$AWS_ENDPOINT_URL" =~ ^http://(127\.0\.0\.1|localhost): ]] ||
            fail "AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL points at the local emulator; unset it to deploy to AWS"
    fi
    local identity
    if ! identity=$(aws sts get-caller-identity --query Arn --output text 2>&1); then
        fail "no usable AWS credentials (${identity//$'\n'/ }). Configure them first: aws configure, aws sso login, or AWS_PROFILE=..."
    fi
    REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region || true)}}
    [[ -n "$REGION" ]] || fail "no AWS region: set AWS_REGION or run aws configure"
    ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
    # The API stage's access logs need the account's API Gateway CloudWatch role (one per
    # account and region, so not in this stack): docs/deploy.md, Prerequisites.
    local role
    role=$(aws apigateway get-account --region "$REGION" --query cloudwatchRoleArn --output text 2>/dev/null || true)
    if [[ "${FLINT_REHEARSAL:-}" != 1 ]]; then # the embedded AWS has no account-level API Gateway settings
        [[ -n "$role" && "$role" != "None" ]] ||
            fail "API Gateway has no CloudWatch Logs role in $REGION (needed for access logs): see docs/deploy.md, Prerequisites"
    fi
    echo "deploying as $identity in $REGION"
}

if [[ "${1:-}" == "--check" ]]; then
    preflight
    exit 0
fi

STAGE=${1:?usage: infra/deploy.sh STAGE ARCH}
ARCH=${2:?usage: infra/deploy.sh STAGE ARCH}
DIR=build/package/$STAGE-$ARCH${3:+-$3}
[[ -f "$DIR/sam.json" && -f "$DIR/deployment.zip" && -f "$DIR/imaging-layer.zip" ]] ||
    fail "$DIR is not packaged: run make package STAGE=$STAGE ARCH=$ARCH${3:+ RUNTIME=$3}"
preflight
STACK=${FLINT_STACK_NAME:-flint-$STAGE}
BUCKET=${FLINT_ARTIFACTS_BUCKET:-flint-artifacts-$ACCOUNT-$REGION}

# The artifacts bucket holds the uploaded zips: private, encrypted, old versions expire.
if ! aws s3api head-bucket --bucket "$BUCKET" >/dev/null 2>&1; then
    echo "creating artifacts bucket $BUCKET"
    if [[ "$REGION" == "us-east-1" ]]; then
        aws s3api create-bucket --bucket "$BUCKET" --region "$REGION" >/dev/null
    else
        aws s3api create-bucket --bucket "$BUCKET" --region "$REGION" \
            --create-bucket-configuration "LocationConstraint=$REGION" >/dev/null
    fi
    aws s3api put-public-access-block --bucket "$BUCKET" --public-access-block-configuration \
        BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
    aws s3api put-bucket-lifecycle-configuration --bucket "$BUCKET" --lifecycle-configuration \
        '{"Rules": [{"ID": "ExpireArtifacts", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 30}}]}'
fi

# A failed update rolls back to the code the stack runs now: its artifacts must still exist.
# Copying them onto themselves restarts their 30-day lifecycle clock, so whatever is deployed
# (and so whatever a rollback returns to) never expires, however long ago it was uploaded.
if current=$(aws cloudformation get-template --stack-name "$STACK" --region "$REGION" \
    --template-stage Original --query TemplateBody --output text 2>/dev/null); then
    for uri in $(grep -oE "s3://$BUCKET/[^\"' ,}]+" <<<"$current" | sort -u); do
        aws s3 cp "$uri" "$uri" --metadata-directive REPLACE --only-show-errors ||
            fail "$uri, which the deployed stack runs, is gone: a rollback could not restore it"
    done
fi

# Parameters the account decides, unless FLINT_PARAMETERS sets them (docs/deploy.md, First deploy).
given() { [[ " ${FLINT_PARAMETERS:-} " == *" $1="* ]]; }
PREFIX=flint-$STAGE
if [[ " ${FLINT_PARAMETERS:-} " =~ \ NamePrefix=([^ ]+) ]]; then PREFIX=${BASH_REMATCH[1]}; fi
AUTO=()

# Lambda refuses a reservation that leaves the account under its minimum unreserved concurrency
# (100, or the whole quota on new accounts whose quota is 10): without room, the scheduled jobs
# run unreserved (docs/deploy.md, Limits).
NEEDED=$("${PYTHON:-python3}" -c '
import json, sys
resources = json.load(open(sys.argv[1]))["Resources"].values()
print(sum(r["Properties"]["ReservedConcurrentExecutions"]["Fn::If"][1] for r in resources
          if "ReservedConcurrentExecutions" in r.get("Properties", {})))' "$DIR/sam.json")
if ! given ReserveJobConcurrency && ((NEEDED > 0)); then
    read -r LIMIT UNRESERVED < <(aws lambda get-account-settings --region "$REGION" \
        --query 'AccountLimit.[ConcurrentExecutions, UnreservedConcurrentExecutions]' --output text)
    HELD=0 # what this stack's jobs reserve already (an update does not need it twice)
    for job in feed_planner enthusiast_job; do
        held=$(aws lambda get-function-concurrency --function-name "$PREFIX-$job" --region "$REGION" \
            --query ReservedConcurrentExecutions --output text 2>/dev/null || true)
        [[ "$held" =~ ^[0-9]+$ ]] && HELD=$((HELD + held))
    done
    MINIMUM=$((LIMIT < 100 ? LIMIT : 100))
    if ((UNRESERVED + HELD - NEEDED < MINIMUM)); then
        echo "warning: the account's concurrency quota ($LIMIT, $UNRESERVED unreserved) leaves no room to reserve $NEEDED for the scheduled jobs; they run unreserved. Ask AWS for a higher quota (docs/deploy.md, Limits)." >&2
        AUTO+=("ReserveJobConcurrency=false")
    fi
fi

# The stream consumer follows the table's current stream, even when a restore replaced the table
# without the stack changing it (docs/deploy.md, Restoring the table).
if ! given TableStreamArn; then
    stream=$(aws dynamodb describe-table --table-name "$PREFIX" --region "$REGION" \
        --query Table.LatestStreamArn --output text 2>/dev/null || true)
    [[ "$stream" == arn:* ]] && AUTO+=("TableStreamArn=$stream")
fi

# An account holds one Cost Anomaly Detection services monitor: subscribe to it if there is one.
if ! given CostAnomalyMonitorArn; then
    monitor=$(aws ce get-anomaly-monitors --region us-east-1 --output text --query \
        "AnomalyMonitors[?MonitorType=='DIMENSIONAL' && MonitorName!='$PREFIX-services'].MonitorArn | [0]" \
        2>/dev/null || true)
    [[ "$monitor" == arn:* ]] && AUTO+=("CostAnomalyMonitorArn=$monitor")
fi

aws cloudformation package \
    --template-file "$DIR/sam.json" \
    --s3-bucket "$BUCKET" --s3-prefix "$STACK" \
    --output-template-file "$DIR/packaged.yaml"

# The packaged template is far over the 51,200 bytes CloudFormation takes inline: it goes
# through the artifacts bucket (--s3-bucket), as the CLI requires.
# shellcheck disable=SC2086 # FLINT_PARAMETERS is a list of Key=Value words
OVERRIDES=(${AUTO[@]+"${AUTO[@]}"} ${FLINT_PARAMETERS:-})
aws cloudformation deploy \
    --template-file "$DIR/packaged.yaml" \
    --stack-name "$STACK" \
    --region "$REGION" \
    --s3-bucket "$BUCKET" --s3-prefix "$STACK" \
    --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
    --no-fail-on-empty-changeset \
    ${OVERRIDES[@]+--parameter-overrides "${OVERRIDES[@]}"}

# The web client: web/ goes to the site bucket as it is (no build step), plus a config.js that
# names this stack's API (locally `make dev` serves one naming the local API).
output() {
    aws cloudformation describe-stacks --stack-name "$STACK" --region "$REGION" \
        --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
SITE_BUCKET=$(output SiteBucketName)
if [[ -n "$SITE_BUCKET" && "$SITE_BUCKET" != "None" ]]; then
    API_URL=$(output EndpointURL)
    aws s3 sync web/ "s3://$SITE_BUCKET/" --delete --exclude config.js --region "$REGION" \
        --cache-control "public, max-age=300"
    # The page itself is revalidated on every load, so a deploy's new module graph is seen at once.
    aws s3 cp web/index.html "s3://$SITE_BUCKET/index.html" --region "$REGION" \
        --content-type text/html --cache-control no-cache
    printf 'window.FLINT_CONFIG = {"api": "%s", "localHelpers": false};\n' "${API_URL%/}" |
        aws s3 cp - "s3://$SITE_BUCKET/config.js" --region "$REGION" \
            --content-type text/javascript --cache-control no-cache
    SITE_DISTRIBUTION=$(output SiteDistributionId)
    if [[ -n "$SITE_DISTRIBUTION" && "$SITE_DISTRIBUTION" != "None" ]]; then
        aws cloudfront create-invalidation --distribution-id "$SITE_DISTRIBUTION" --paths '/*' >/dev/null
    fi
    echo "web client published to s3://$SITE_BUCKET"
fi

aws cloudformation describe-stacks --stack-name "$STACK" --region "$REGION" \
    --query "Stacks[0].Outputs[].[OutputKey, OutputValue]" --output table
