"""Cursor keys come from Secrets Manager at run time and survive a rotation (chalicelib/secrets.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import pytest

from chalicelib import cursors, secrets
from chalicelib.errors import BadRequest
from chalicelib.settings import DEVELOPMENT_CURSOR_SECRET, Settings, SettingsError, get_settings

POSITION = {"PK": "POST#1", "SK": "POST#1"}


def _reset() -> None:
    get_settings.cache_clear()
    secrets.reset()


@pytest.fixture
def secret_id(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    client = boto3.client("secretsmanager", region_name="us-east-1")
    name = f"flint-cursor-keys-{uuid.uuid4().hex[:8]}"  # a secret of this test's own
    arn = client.create_secret(Name=name, SecretString="first-key")["ARN"]
    monkeypatch.setenv("FLINT_CURSOR_SECRET_ID", arn)
    monkeypatch.delenv("FLINT_CURSOR_SECRET", raising=False)
    _reset()
    yield arn
    _reset()


def _rotate(secret_id: str, value: str) -> None:
    # What `aws secretsmanager put-secret-value` does: the new value becomes AWSCURRENT,
    # the old one AWSPREVIOUS.
    boto3.client("secretsmanager", region_name="us-east-1").put_secret_value(
        SecretId=secret_id, SecretString=value
    )


def test_locally_the_development_key_signs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLINT_CURSOR_SECRET_ID", raising=False)
    monkeypatch.delenv("FLINT_CURSOR_SECRET", raising=False)
    _reset()
    assert secrets.cursor_keys() == (DEVELOPMENT_CURSOR_SECRET.encode(),)
    monkeypatch.setenv("FLINT_CURSOR_SECRET", "explicit")
    _reset()
    assert secrets.cursor_keys() == (b"explicit",)


def test_the_keys_are_read_from_the_secret(secret_id: str) -> None:
    assert secrets.cursor_keys() == (b"first-key",)


def test_after_a_rotation_the_new_key_signs_and_the_old_one_still_verifies(secret_id: str) -> None:
    # Given a cursor handed out before the rotation
    before = cursors.encode(POSITION)
    # When the secret is rotated (and the cached value has expired)
    _rotate(secret_id, "second-key")
    secrets.reset()
    # Then the new key signs first, the old one is kept for verifying
    assert secrets.cursor_keys() == (b"second-key", b"first-key")
    assert cursors.decode(before) == POSITION
    after = cursors.encode(POSITION)
    assert after != before and cursors.decode(after) == POSITION
    # And after the next rotation the first key is gone: its cursors are refused
    _rotate(secret_id, "third-key")
    secrets.reset()
    assert secrets.cursor_keys() == (b"third-key", b"second-key")
    assert cursors.decode(after) == POSITION
    with pytest.raises(BadRequest):
        cursors.decode(before)


def test_the_keys_are_cached_between_requests(secret_id: str) -> None:
    assert secrets.cursor_keys() == (b"first-key",)
    _rotate(secret_id, "second-key")
    # Within MAX_AGE_SECONDS a warm function keeps signing with what it read.
    assert secrets.cursor_keys() == (b"first-key",)


def test_a_stale_instance_reads_the_secret_again_for_a_cursor_a_fresh_instance_issued(secret_id: str) -> None:
    # Given this instance cached the first key, and the secret was rotated since
    assert secrets.cursor_keys() == (b"first-key",)
    _rotate(secret_id, "second-key")
    # When a cursor arrives that an instance which already read the new key issued
    fresh = cursors._cipher(b"second-key")
    nonce = b"\x01" * 12
    sealed = fresh.encrypt(nonce, b'{"PK":"POST#1","SK":"POST#1"}', b"")
    import base64

    issued_elsewhere = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    # Then this instance re-reads the secret at once instead of answering bad_cursor for 5 minutes
    assert cursors.decode(issued_elsewhere) == POSITION
    assert secrets.cursor_keys() == (b"second-key", b"first-key")


def test_forged_cursors_re_read_the_secret_at_most_once_per_interval(secret_id: str) -> None:
    secrets.cursor_keys()
    reads = []
    client = secrets._provider("AWSCURRENT").client
    client.meta.events.register("before-call.secrets-manager.GetSecretValue", lambda **kw: reads.append(1))
    for _ in range(5):
        with pytest.raises(BadRequest):
            cursors.decode("A" * 60)
    assert len(reads) == 2  # one re-read (the current and the previous version), not one per cursor


def test_a_deployed_function_refuses_to_start_with_the_development_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "flint-prod-api_handler")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("FLINT_CURSOR_SECRET", DEVELOPMENT_CURSOR_SECRET)
    with pytest.raises(SettingsError, match="refusing to start"):
        Settings()


def test_a_deployed_function_without_its_secret_never_falls_back_to_the_development_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "flint-prod-feed_worker")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("FLINT_CURSOR_SECRET", raising=False)
    monkeypatch.delenv("FLINT_CURSOR_SECRET_ID", raising=False)
    _reset()
    try:
        with pytest.raises(secrets.SecretsUnavailable):
            secrets.cursor_keys()
    finally:
        monkeypatch.undo()
        _reset()
