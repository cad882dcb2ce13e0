"""Runtime configuration, read once from the environment and validated.

Every value comes from environment variables: `.chalice/config.json` sets the
per-stage names, and the local stack adds what only exists at run time there
(the emulator endpoint, the generated Cognito pool ids). Code receives a
`Settings`; nothing else reads `os.environ`.

`Settings()` reads `FLINT_<FIELD>` (or the field's variable in `VARIABLES`, e.g. `AWS_REGION`)
for every annotated field below, JSON for dicts, lists and tuples, and checks each value against
its annotation; a value that does not fit is a `SettingsError` naming the variable, when settings
are read. No pydantic here: every Lambda function reads settings at import, and pydantic (and
pydantic-settings before it) was a fifth of a cold start (issue 19, tests/unit/test_coldstart.py).
"""

import json
import os
import types
import typing
from functools import lru_cache
from typing import Any, Literal

from chalicelib import caches

# Signs cursors under `make dev` and in tests only: a deployed function refuses it.
DEVELOPMENT_CURSOR_SECRET = "dev-only-cursor-secret-change-me"
DEFAULT_RATE_LIMITS: dict[str, tuple[int, int]] = {
    "uploads": (60, 3600),
    "posts": (30, 3600),
    "post_deletes": (60, 3600),
    "comments": (60, 600),
    "comment_deletes": (120, 600),
    "smiles": (300, 600),
    "follows": (200, 3600),
    "profile": (60, 600),
    "events": (600, 3600),
    "sessions": (30, 3600),
    "brands": (60, 3600),
    "reports": (30, 3600),
    "blocks": (100, 3600),
    "moderation": (600, 600),
    "inbox": (120, 600),
    "rights_requests": (50, 3600),  # per brand (services/rights.py), not per account
    "tag_suggestions": (100, 3600),
    "audience_deletes": (60, 3600),
}


ENV_PREFIX = "FLINT_"
# Fields read from a variable other than FLINT_<FIELD>.
VARIABLES = {
    "region": "AWS_REGION",
    "aws_endpoint_url": "AWS_ENDPOINT_URL",
    "lambda_function_name": "AWS_LAMBDA_FUNCTION_NAME",
}
# Optional text where a blank value means unset.
BLANK_IS_NONE = (
    "aws_endpoint_url",
    "jwks_url",
    "token_issuer",
    "media_base_url",
    "cursor_secret_id",
    "cursor_secret",
    "shop_url_template",
    "prime_join_url",
)


class SettingsError(ValueError):
    """A variable whose value does not fit its setting, or a refused combination."""


class Settings:
    """Every field is an annotated class attribute holding its default; instances are frozen."""

    stage: str = "dev"
    region: str = "us-east-1"
    # Set only under `make dev` / tests: every boto3 and PynamoDB call goes there.
    aws_endpoint_url: str | None = None
    # Set by Lambda itself: with no endpoint override, this process is a deployed function.
    lambda_function_name: str | None = None

    table_name: str = "flint-dev"
    uploads_bucket: str = "flint-dev-uploads"
    media_bucket: str = "flint-dev-media"
    thumbnail_queue: str = "flint-dev-thumbnails"
    feed_refresh_queue: str = "flint-dev-feed-refresh"
    # FIFO: one message group per brand (services/engagement.py).
    engagement_queue: str = "flint-dev-engagement.fifo"
    erasure_queue: str = "flint-dev-erasure"
    # DELETE /me: the erasure job sweeps once more after every ID token issued before the request
    # has expired (60 minutes, plus the authorizer's 5-minute cache), then removes the tombstone.
    erasure_final_sweep_seconds: int = 3900
    # The table's stream, for the stream consumer's event source mapping. `make package` replaces
    # it with the stack's own (Fn::GetAtt FlintTable.StreamArn); locally the event runner finds
    # the stream by table name.
    table_stream_arn: str = "arn:aws:dynamodb:us-east-1:123456789012:table/flint-dev/stream/local"

    user_pool_id: str = ""
    user_pool_client_id: str = ""
    # Where the pool's signing keys are served. Default: the issuer's well-known URL.
    jwks_url: str | None = None
    # The `iss` claim Cognito writes; derived from region and pool id unless set.
    token_issuer: str | None = None

    max_upload_bytes: int = 20 * 1024 * 1024
    thumbnail_sizes: dict[str, int] = {"small": 320, "medium": 640, "large": 1280}
    # Base URL of the media bucket as clients see it (CloudFront in AWS).
    media_base_url: str | None = None
    # Cursor keys (chalicelib/secrets.py): in AWS the API reads the secret this names at run
    # time; locally an explicit key, else the development one.
    cursor_secret_id: str | None = None
    cursor_secret: str | None = None
    # The web client's origin the API answers CORS for ("*" only locally).
    cors_origin: str = "*"
    min_interests: int = 5
    max_interests: int = 20
    # Enthusiast badge: the top N per interest with at least M smiles over the window.
    enthusiast_window_days: int = 30
    enthusiast_top_per_interest: int = 10
    enthusiast_min_smiles: int = 5
    # Feeds: who gets a precomputed feed, how much is kept, what counts as trending.
    # Tiers (README "Feed refresh tiers"): members seen in the last `feed_active_minutes` are
    # refreshed by the planner every interval; a first page read from a feed not checked for
    # `feed_stale_minutes` queues a refresh; a feed not checked for `feed_active_days` is not
    # served (trending instead).
    feed_active_minutes: int = 10
    feed_stale_minutes: int = 5
    feed_active_days: int = 7
    feed_size: int = 200
    feed_generations_kept: int = 12
    trending_days: int = 3
    trending_size: int = 200
    # The feed refresh schedule; under `make dev` the event runner uses FLINT_REFRESH_SECONDS.
    refresh_rate_minutes: int = 5
    # Image labels: "rekognition" (DetectLabels plus colour names) or "colours" (colour names only).
    labels: Literal["rekognition", "colours"] = "rekognition"
    label_min_confidence: float = 80.0
    label_max_labels: int = 10
    # Explicit-image screening of every upload: "rekognition" (DetectModerationLabels; locally the
    # embedded AWS answers it with local/moderation_stand_in.py) or "off". A photo with a label in
    # (or under) one of `screening_hold` at `screening_min_confidence` or more is held for review.
    screening: Literal["rekognition", "off"] = "rekognition"
    screening_min_confidence: float = 60.0
    screening_hold: list[str] = [
        "Explicit Nudity",
        "Explicit",
        "Violence",
        "Visually Disturbing",
        "Hate Symbols",
    ]
    # Trust (services/screening.py): a member with `screening_trusted_after` photos screened clean
    # since their last strike has 1 upload in `screening_trusted_sample` screened (a random draw);
    # everyone else every upload. `screening_trusted_sample` 1 screens every upload of everyone.
    screening_trusted_after: int = 5
    screening_trusted_sample: int = 10
    # Where "View in shop" goes: a URL template with `{product_id}` (and `{url}`, the brand's own
    # link, URL-encoded), handed to clients in GET /config; unset, clients use the product's url.
    shop_url_template: str | None = None
    # Where a member buys Prime in AWS (the integration point, docs/prime.md); unset locally.
    prime_join_url: str | None = None
    # Request bodies larger than this (bytes) are a 413 before any JSON parsing.
    max_body_bytes: int = 128 * 1024
    # Abuse limits on writes: action -> [requests, window seconds], per member (per client address
    # when anonymous), as fixed windows. FLINT_RATE_LIMITS='{"comments": [60, 600]}' overrides that
    # one; the others keep their defaults. Removing content has limits of its own: a member who
    # tidies up their comments or posts never spends the budget for writing new ones. "events"
    # counts events, not requests: per viewer (member or anonymous session) per receipt hour,
    # whatever its window says (services/engagement.py); "sessions": anonymous sessions started
    # per client address.
    rate_limits: dict[str, tuple[int, int]] = DEFAULT_RATE_LIMITS

    def __init__(self, **values: Any) -> None:
        """`Settings()` reads the environment; explicit values (none in the app) are taken as given."""
        for name, annotation in _fields().items():
            variable = VARIABLES.get(name, ENV_PREFIX + name.upper())
            if name in values:
                value = _coerce(annotation, values[name], name)
            else:
                raw = os.environ.get(variable)
                default = getattr(type(self), name)
                value = default if raw is None else _from_text(annotation, raw, variable)
            if name in BLANK_IS_NONE:
                value = value or None
            if name == "rate_limits":  # an override names the limits it changes; the others stay
                value = {**DEFAULT_RATE_LIMITS, **value}
            elif isinstance(value, (dict, list)):
                value = type(value)(value)  # a default is never shared between instances
            object.__setattr__(self, name, value)
        if self.deployed and self.cursor_secret == DEVELOPMENT_CURSOR_SECRET:
            raise SettingsError(
                "refusing to start: FLINT_CURSOR_SECRET is the development key; deployed functions "
                "read the cursor keys from Secrets Manager (FLINT_CURSOR_SECRET_ID)"
            )

    def __setattr__(self, name: str, value: Any) -> None:
        raise SettingsError(f"settings are read once and frozen: cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise SettingsError(f"settings are read once and frozen: cannot delete {name}")

    def __repr__(self) -> str:
        return f"Settings({', '.join(f'{name}={getattr(self, name)!r}' for name in _fields())})"

    @property
    def deployed(self) -> bool:
        """Running as a Lambda function in AWS (not under `make dev`, tests or chalice local)."""
        return bool(self.lambda_function_name) and self.aws_endpoint_url is None

    @property
    def issuer(self) -> str:
        if self.token_issuer:
            return self.token_issuer
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks(self) -> str:
        if self.jwks_url:
            return self.jwks_url
        if self.aws_endpoint_url:
            # moto serves every pool's keys under the endpoint, not under the issuer.
            return f"{self.aws_endpoint_url.rstrip('/')}/{self.user_pool_id}/.well-known/jwks.json"
        return f"{self.issuer}/.well-known/jwks.json"

    @property
    def media_url(self) -> str:
        if self.media_base_url:
            return self.media_base_url.rstrip("/")
        if self.aws_endpoint_url:
            return f"{self.aws_endpoint_url.rstrip('/')}/{self.media_bucket}"
        return f"https://{self.media_bucket}.s3.{self.region}.amazonaws.com"


@lru_cache(maxsize=1)
def _fields() -> dict[str, Any]:
    return {name: hint for name, hint in typing.get_type_hints(Settings).items() if not name.startswith("_")}


_STRUCTURED = (dict, list, tuple)


def _from_text(annotation: Any, raw: str, variable: str) -> Any:
    """The value of `variable` (its text `raw`), as `annotation` says: JSON for dicts, lists and tuples."""
    if (typing.get_origin(annotation) or annotation) in _STRUCTURED:
        try:
            return _coerce(annotation, json.loads(raw), variable)
        except json.JSONDecodeError as exc:
            raise SettingsError(f"{variable} is not valid JSON: {exc.msg}") from exc
    return _coerce(annotation, raw, variable)


def _coerce(annotation: Any, value: Any, where: str) -> Any:
    """`value` checked against `annotation` (str, int, float, Literal, X | None, dict, list, tuple)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is types.UnionType or origin is typing.Union:
        if value is None and type(None) in args:
            return None
        (inner,) = [arg for arg in args if arg is not type(None)]
        return _coerce(inner, value, where)
    if origin is Literal:
        if value not in args:
            raise SettingsError(f"{where}: {value!r} is not one of {', '.join(map(repr, args))}")
        return value
    if origin is dict and isinstance(value, dict):
        key, item = args
        return {_coerce(key, k, where): _coerce(item, v, f"{where}[{k!r}]") for k, v in value.items()}
    if origin is list and isinstance(value, list):
        return [_coerce(args[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is tuple and isinstance(value, (list, tuple)) and len(value) == len(args):
        return tuple(
            _coerce(arg, v, f"{where}[{i}]") for i, (arg, v) in enumerate(zip(args, value, strict=True))
        )
    if annotation is str and isinstance(value, str):
        return value
    if annotation in (int, float) and not isinstance(value, bool) and isinstance(value, (str, int, float)):
        try:
            number = annotation(value)
        except ValueError:
            number = None
        if number is not None and (annotation is float or not isinstance(value, float) or value == number):
            return number
    raise SettingsError(f"{where}: {value!r} is not a valid {_describe(annotation)}")


def _describe(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


caches.register(get_settings.cache_clear)
