"""Every price the bench's cost model uses, in one place, with the date they were taken.

AWS list prices, us-east-1, on-demand, no free tier, no savings plans; first volume tier unless a
tier is named. Ratios between designs do not depend on them; the monthly dollars do. Update the
date and the figures together.
"""

from __future__ import annotations

PRICES_AS_OF = "2025-06 (AWS price pages, us-east-1; DynamoDB on-demand after the 1 November 2024 cut)"

# DynamoDB on-demand (standard table class): per request unit, and storage per GB-month.
DYNAMODB_WRITE_UNIT = 0.625e-6
DYNAMODB_READ_UNIT = 0.125e-6
DYNAMODB_STORAGE_GB_MONTH = 0.25
# Prices before the November 2024 cut (issue 10's analysis used them): shown for comparison only.
DYNAMODB_WRITE_UNIT_BEFORE_CUT = 1.25e-6
DYNAMODB_READ_UNIT_BEFORE_CUT = 0.25e-6

# Lambda (x86_64; arm64 is 20% less per GB-s): per GB-second of duration and per request.
LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_ARM64_SHARE = 0.0000133334 / LAMBDA_GB_SECOND  # arm64's price per GB-second, as a share
LAMBDA_REQUEST = 0.20e-6

# SQS standard queues: per request (a batch of up to 10 messages is one request per 64 KB).
SQS_REQUEST = 0.40e-6

# API Gateway REST API (what chalice deploys): per request, first 333 million a month.
API_GATEWAY_REQUEST = 3.50e-6

# Rekognition Image DetectLabels and DetectModerationLabels (both group 2 APIs, the same rates): per
# image, by monthly volume tier. The model applies the tiers to each API's volume on its own (the
# dearer reading: pooling the group's volume would put more images in the cheaper tiers).
REKOGNITION_TIERS = [  # (images up to, price per image)
    (1_000_000, 0.001),
    (10_000_000, 0.0008),
    (100_000_000, 0.0006),
    (float("inf"), 0.00025),
]

# S3 Standard: storage per GB-month, PUT/POST per request, GET per request.
S3_STORAGE_GB_MONTH = 0.023
S3_PUT = 0.005 / 1000
S3_GET = 0.0004 / 1000

# CloudFront (North America/Europe): data out per GB (first 10 TB, then next 40 TB), HTTPS requests.
CLOUDFRONT_GB_TIERS = [(10_240, 0.085), (51_200, 0.080), (153_600, 0.060), (float("inf"), 0.040)]
CLOUDFRONT_HTTPS_REQUEST = 0.0100 / 10_000
# CloudFront flat-rate plans (since 18 November 2025), per distribution a month: Premium $1,000 for
# up to 500 million requests and 50 TB, no overage charges. The model shows it beside pay-as-you-go.
CLOUDFRONT_PREMIUM_PLAN = (1000.0, 500e6, 50_000.0)  # dollars, requests, GB

# X-Ray: traces recorded per trace (sampled: the default rule records 1 a second plus 5%).
XRAY_TRACE_RECORDED = 5.00e-6
XRAY_SAMPLED_SHARE = 0.05

# CloudWatch: log ingestion per GB, log storage per GB-month, custom metrics (EMF) per metric-month,
# alarms per standard alarm-month.
CLOUDWATCH_LOG_INGEST_GB = 0.50
CLOUDWATCH_LOG_STORAGE_GB_MONTH = 0.03
CLOUDWATCH_METRIC_MONTH = 0.30
CLOUDWATCH_ALARM_MONTH = 0.10


def tiered(quantity: float, tiers: list[tuple[float, float]]) -> float:
    """Cost of `quantity` units under cumulative volume tiers [(up to, unit price)]."""
    cost, lower = 0.0, 0.0
    for upper, price in tiers:
        if quantity <= lower:
            break
        cost += (min(quantity, upper) - lower) * price
        lower = upper
    return cost


def tiers_used(quantity: float, tiers: list[tuple[float, float]], unit: float = 1e6, name: str = "M") -> str:
    """Which tiers `quantity` falls in, e.g. "1.0 M at $0.001, 6.6 M at $0.0008"."""
    parts, lower = [], 0.0
    for upper, price in tiers:
        if quantity <= lower:
            break
        parts.append(f"{(min(quantity, upper) - lower) / unit:.1f} {name} at ${price:g}")
        lower = upper
    return ", ".join(parts)
