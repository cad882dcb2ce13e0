"""Settings derive the token issuer, the JWKS URL and the media URL from a few values."""

from __future__ import annotations

import os

import pytest

from chalicelib.settings import DEFAULT_RATE_LIMITS, Settings, SettingsError, get_settings

POOL = "us-east-1_AbCdEf123"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what each test sets: no endpoint, no FLINT_* from the shell or another test."""
    for name in list(os.environ):
        if name.startswith("FLINT_") or name in {"AWS_ENDPOINT_URL", "AWS_REGION"}:
            monkeypatch.delenv(name)
    get_settings.cache_clear()


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_the_issuer_is_the_pools_cognito_url(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch, AWS_REGION="eu-west-1", FLINT_USER_POOL_ID=POOL)
    assert s.issuer == f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}"


def test_the_issuer_stays_the_aws_url_under_the_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    # moto writes the AWS-style `iss` even though it serves the keys itself
    s = settings(monkeypatch, FLINT_USER_POOL_ID=POOL, AWS_ENDPOINT_URL="http://127.0.0.1:5000")
    assert s.issuer == f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"


def test_an_explicit_issuer_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch, FLINT_USER_POOL_ID=POOL, FLINT_TOKEN_ISSUER="https://issuer.example.com/x")
    assert s.issuer == "https://issuer.example.com/x"


def test_in_aws_the_jwks_is_under_the_issuer(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch, FLINT_USER_POOL_ID=POOL)
    assert s.jwks == f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}/.well-known/jwks.json"


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:5000", "http://127.0.0.1:5000/"])
def test_under_the_emulator_the_jwks_is_under_the_endpoint(
    monkeypatch: pytest.MonkeyPatch, endpoint: str
) -> None:
    s = settings(monkeypatch, FLINT_USER_POOL_ID=POOL, AWS_ENDPOINT_URL=endpoint)
    assert s.jwks == f"http://127.0.0.1:5000/{POOL}/.well-known/jwks.json"


def test_an_explicit_jwks_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(
        monkeypatch,
        FLINT_USER_POOL_ID=POOL,
        AWS_ENDPOINT_URL="http://127.0.0.1:5000",
        FLINT_JWKS_URL="https://keys.example.com/jwks.json",
    )
    assert s.jwks == "https://keys.example.com/jwks.json"


def test_in_aws_media_is_served_from_the_buckets_s3_url(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch, AWS_REGION="eu-west-1", FLINT_MEDIA_BUCKET="flint-prod-media")
    assert s.media_url == "https://flint-prod-media.s3.eu-west-1.amazonaws.com"


def test_under_the_emulator_media_is_served_from_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch, AWS_ENDPOINT_URL="http://127.0.0.1:5000/")
    assert s.media_url == "http://127.0.0.1:5000/flint-dev-media"


def test_a_media_base_url_wins_without_its_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(
        monkeypatch, AWS_ENDPOINT_URL="http://127.0.0.1:5000", FLINT_MEDIA_BASE_URL="https://cdn.example.com/"
    )
    assert s.media_url == "https://cdn.example.com"


@pytest.mark.parametrize(
    "name", ["AWS_ENDPOINT_URL", "FLINT_JWKS_URL", "FLINT_TOKEN_ISSUER", "FLINT_MEDIA_BASE_URL"]
)
def test_a_blank_optional_value_counts_as_unset(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    s = settings(monkeypatch, FLINT_USER_POOL_ID=POOL, **{name: ""})
    assert s.jwks == f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}/.well-known/jwks.json"
    assert s.media_url == "https://flint-dev-media.s3.us-east-1.amazonaws.com"


def test_the_defaults_are_the_dev_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch)
    assert (s.stage, s.region, s.table_name) == ("dev", "us-east-1", "flint-dev")
    assert s.aws_endpoint_url is None
    assert (s.min_interests, s.max_interests) == (5, 20)


def test_settings_are_read_once_and_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLINT_TABLE_NAME", "first")
    first = get_settings()
    monkeypatch.setenv("FLINT_TABLE_NAME", "second")
    assert get_settings() is first
    assert first.table_name == "first"
    with pytest.raises(SettingsError):
        first.table_name = "changed"  # type: ignore[misc]
    get_settings.cache_clear()


def test_numbers_and_json_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(
        monkeypatch,
        FLINT_FEED_SIZE="120",
        FLINT_LABEL_MIN_CONFIDENCE="72.5",
        FLINT_RATE_LIMITS='{"comments": [2, 600]}',
        FLINT_THUMBNAIL_SIZES='{"small": 200}',
    )
    assert (s.feed_size, s.label_min_confidence) == (120, 72.5)
    assert s.rate_limits["comments"] == (2, 600)
    assert s.thumbnail_sizes == {"small": 200}


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FLINT_RATE_LIMITS", "{comments: 2}", "FLINT_RATE_LIMITS is not valid JSON"),
        ("FLINT_RATE_LIMITS", '{"comments": [2]}', "FLINT_RATE_LIMITS\\['comments'\\]"),
        ("FLINT_RATE_LIMITS", '{"comments": ["two", 600]}', "'two' is not a valid int"),
        ("FLINT_THUMBNAIL_SIZES", '["small"]', "FLINT_THUMBNAIL_SIZES"),
        ("FLINT_SCREENING_HOLD", '"Violence"', "FLINT_SCREENING_HOLD"),
        ("FLINT_FEED_SIZE", "many", "FLINT_FEED_SIZE: 'many' is not a valid int"),
        ("FLINT_FEED_SIZE", "12.5", "FLINT_FEED_SIZE"),
        ("FLINT_LABEL_MIN_CONFIDENCE", "high", "FLINT_LABEL_MIN_CONFIDENCE"),
        ("FLINT_LABELS", "everything", "FLINT_LABELS: 'everything' is not one of 'rekognition', 'colours'"),
    ],
)
def test_a_malformed_value_is_refused_when_settings_are_read(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        settings(monkeypatch, **{variable: value})


def test_settings_are_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch)
    with pytest.raises(SettingsError):
        s.feed_size = 3  # type: ignore[misc]


def test_defaults_are_not_shared_between_instances(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = settings(monkeypatch), settings(monkeypatch)
    first.thumbnail_sizes["small"] = 1
    assert second.thumbnail_sizes["small"] == 320
    assert Settings.thumbnail_sizes["small"] == 320


def test_explicit_values_are_checked_like_variables() -> None:
    assert Settings(feed_size="7", stage="prod").feed_size == 7
    with pytest.raises(SettingsError, match="feed_size"):
        Settings(feed_size="seven")


def test_a_rate_limit_override_keeps_the_other_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    # A deployment tightening one limit must not switch the others off (or unregister a route's).
    s = settings(monkeypatch, FLINT_RATE_LIMITS='{"comments": [5, 60]}')
    assert s.rate_limits["comments"] == (5, 60)
    assert {k: v for k, v in s.rate_limits.items() if k != "comments"} == {
        k: v for k, v in DEFAULT_RATE_LIMITS.items() if k != "comments"
    }
