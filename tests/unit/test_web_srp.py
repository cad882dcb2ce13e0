"""The web client's sign-in (web/js/srp.js, api.js) run under node (tests/unit/srp_harness.mjs):
SRP values checked against pycognito and Cognito's side of SRP-6a (srp_server.py), the flow chosen
from GET /config, and the refresh in both modes."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP, calculate_u, hex_hash, hex_to_long, pad_hex

from tests.unit.srp_server import K, N, SrpServer

HARNESS = Path(__file__).with_name("srp_harness.mjs")
POOL_ID = "eu-west-1_Abc123XyZ"
USER_ID = "7f3e2a10-5b6c-4d8e-9f01-23456789abcd"
PASSWORD = "Correct-Horse-9"
TIMESTAMP = "Tue Dec 1 16:40:00 UTC 2026"
SMALL_A = int.from_bytes(hashlib.sha512(b"fixed a").digest() * 2, "big") % N
SERVER = SrpServer(
    POOL_ID,
    USER_ID,
    PASSWORD,
    small_b=int.from_bytes(hashlib.sha512(b"fixed b").digest() * 2, "big") % N,
    secret_block=base64.b64encode(bytes(range(200)) * 3).decode(),
)
SECRET_BLOCK, SALT = SERVER.secret_block, SERVER.salt


def run_harness(payload: dict[str, Any]) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "node (20+) is needed to run the web client's code"
    done = subprocess.run(
        [node, str(HARNESS)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def reference() -> AWSSRP:
    srp = AWSSRP(USER_ID, PASSWORD, POOL_ID, "client", client=object())
    srp.small_a_value = SMALL_A
    srp.large_a_value = srp.calculate_a()
    return srp


@pytest.fixture(scope="module")
def computed() -> dict[str, Any]:
    return run_harness(
        {
            "mode": "math",
            "a": f"{SMALL_A:x}",
            "B": f"{SERVER.big_b:x}",
            "salt": SALT,
            "poolId": POOL_ID,
            "userId": USER_ID,
            "password": PASSWORD,
            "secretBlock": SECRET_BLOCK,
            "timestamp": TIMESTAMP,
            "dates": ["2026-12-01T16:40:00Z", "2027-01-09T03:04:05.900Z", "2028-02-29T23:59:59Z"],
        }
    )


def test_srp_values_match_pycognito_for_fixed_inputs(computed: dict[str, Any], reference: AWSSRP) -> None:
    big_b = SERVER.big_b
    u = calculate_u(reference.large_a_value, big_b)
    x = hex_to_long(
        hex_hash(pad_hex(SALT) + hashlib.sha256(f"Abc123XyZ{USER_ID}:{PASSWORD}".encode()).hexdigest())
    )
    assert x == SERVER.private_x(PASSWORD)
    assert int(computed["k"], 16) == reference.val_k == K
    assert int(computed["A"], 16) == reference.large_a_value
    assert int(computed["u"], 16) == u
    assert int(computed["x"], 16) == x
    key = reference.get_password_authentication_key(USER_ID, PASSWORD, big_b, SALT)
    assert computed["key"] == key.hex() and len(key) == 16


def test_password_claim_matches_pycognito_and_the_server_side(
    computed: dict[str, Any], reference: AWSSRP
) -> None:
    big_b = SERVER.big_b
    challenge = {
        "USER_ID_FOR_SRP": USER_ID,
        "USERNAME": USER_ID,
        "SALT": SALT,
        "SRP_B": f"{big_b:x}",
        "SECRET_BLOCK": SECRET_BLOCK,
    }
    # pycognito stamps the current time: pin it to the fixed timestamp.
    reference.get_cognito_formatted_timestamp = lambda _now: TIMESTAMP  # type: ignore[method-assign]
    expected = reference.process_challenge(challenge, {"USERNAME": "someone@example.com"})
    assert computed["signature"] == expected["PASSWORD_CLAIM_SIGNATURE"]
    assert computed["responses"] == {
        "USERNAME": USER_ID,
        "PASSWORD_CLAIM_SECRET_BLOCK": SECRET_BLOCK,
        "PASSWORD_CLAIM_SIGNATURE": expected["PASSWORD_CLAIM_SIGNATURE"],
        "TIMESTAMP": TIMESTAMP,
    }
    # The server, knowing only the verifier, b and A, derives the same key.
    assert SERVER.signature(reference.large_a_value, TIMESTAMP) == computed["signature"]


def test_timestamps_are_cognito_formatted_in_utc_with_an_unpadded_day(computed: dict[str, Any]) -> None:
    assert computed["timestamps"] == [
        "Tue Dec 1 16:40:00 UTC 2026",
        "Sat Jan 9 03:04:05 UTC 2027",
        "Tue Feb 29 23:59:59 UTC 2028",
    ]
    stamp = datetime.datetime(2027, 1, 9, 3, 4, 5)
    assert AWSSRP.get_cognito_formatted_timestamp(stamp) == computed["timestamps"][1]
    assert computed["start"] is True


def flow(config: dict[str, Any], password: str) -> dict[str, Any]:
    tokens = {"IdToken": "h.eyJleHAiOjR9.s", "RefreshToken": "refresh-1"}
    return run_harness(
        {
            "mode": "flow",
            "config": config,
            "email": "ada@example.com",
            "password": password,
            "cognito": {
                "USER_SRP_AUTH": {
                    "ChallengeName": "PASSWORD_VERIFIER",
                    "Session": "session-1",
                    "ChallengeParameters": SERVER.challenge(USER_ID),
                },
                "PASSWORD_VERIFIER": {"AuthenticationResult": tokens},
                "USER_PASSWORD_AUTH": {"AuthenticationResult": tokens},
                "REFRESH_TOKEN_AUTH": {"AuthenticationResult": {"IdToken": "h.eyJleHAiOjh9.s"}},
            },
        }
    )


AWS_CONFIG = {
    "region": "eu-west-1",
    "user_pool_id": POOL_ID,
    "user_pool_client_id": "client-1",
    "cognito_endpoint": None,
}


def test_in_aws_sign_in_goes_through_srp_with_a_proof_the_server_accepts() -> None:
    result = flow(AWS_CONFIG, PASSWORD)
    assert result["chosen"] == "USER_SRP_AUTH"
    initiate, respond, refresh = result["requests"]
    assert initiate["url"] == "https://cognito-idp.eu-west-1.amazonaws.com/"
    assert initiate["target"] == "InitiateAuth"
    assert initiate["body"]["AuthFlow"] == "USER_SRP_AUTH"
    assert initiate["body"]["AuthParameters"]["USERNAME"] == "ada@example.com"
    assert "PASSWORD" not in initiate["body"]["AuthParameters"]
    big_a = int(initiate["body"]["AuthParameters"]["SRP_A"], 16)
    assert 1 < big_a < N
    assert respond["target"] == "RespondToAuthChallenge"
    assert respond["body"]["ChallengeName"] == "PASSWORD_VERIFIER"
    assert respond["body"]["Session"] == "session-1" and respond["body"]["ClientId"] == "client-1"
    answer = respond["body"]["ChallengeResponses"]
    assert answer["USERNAME"] == USER_ID and answer["PASSWORD_CLAIM_SECRET_BLOCK"] == SECRET_BLOCK
    assert PASSWORD not in json.dumps(result["requests"])
    assert answer["PASSWORD_CLAIM_SIGNATURE"] == SERVER.signature(big_a, answer["TIMESTAMP"])
    assert SERVER.accepts(initiate["body"]["AuthParameters"]["SRP_A"], answer)
    assert result["afterSignIn"] == {
        "email": "ada@example.com",
        "idToken": "h.eyJleHAiOjR9.s",
        "refreshToken": "refresh-1",
    }
    # Refreshing is the same REFRESH_TOKEN_AUTH in both modes, and keeps the refresh token.
    assert refresh["body"] == {
        "ClientId": "client-1",
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": "refresh-1"},
    }
    assert result["afterRefresh"]["idToken"] == "h.eyJleHAiOjh9.s"
    assert result["afterRefresh"]["refreshToken"] == "refresh-1"


def test_a_wrong_password_gives_a_proof_the_server_rejects() -> None:
    result = flow(AWS_CONFIG, "Wrong-Horse-9")
    initiate, respond = result["requests"][:2]
    big_a = int(initiate["body"]["AuthParameters"]["SRP_A"], 16)
    answer = respond["body"]["ChallengeResponses"]
    assert answer["PASSWORD_CLAIM_SIGNATURE"] != SERVER.signature(big_a, answer["TIMESTAMP"])
    assert not SERVER.accepts(initiate["body"]["AuthParameters"]["SRP_A"], answer)


def test_on_the_local_stack_sign_in_uses_the_password_flow_and_refreshes_the_same_way() -> None:
    local = {**AWS_CONFIG, "cognito_endpoint": "http://127.0.0.1:5000"}
    result = flow(local, PASSWORD)
    assert result["chosen"] == "USER_PASSWORD_AUTH"
    initiate, refresh = result["requests"]
    assert initiate["url"] == "http://127.0.0.1:5000"
    assert initiate["body"] == {
        "ClientId": "client-1",
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "ada@example.com", "PASSWORD": PASSWORD},
    }
    assert refresh["body"]["AuthFlow"] == "REFRESH_TOKEN_AUTH"
    assert refresh["body"]["AuthParameters"] == {"REFRESH_TOKEN": "refresh-1"}
    assert result["afterRefresh"]["idToken"] == "h.eyJleHAiOjh9.s"


def test_a_member_with_an_authenticator_app_answers_the_mfa_challenge() -> None:
    # The pool allows optional TOTP MFA: after the password, Cognito asks for the app's code.
    tokens = {"IdToken": "h.eyJleHAiOjR9.s", "RefreshToken": "refresh-1"}
    challenge = {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "session-2", "ChallengeParameters": {}}
    result = run_harness(
        {
            "mode": "flow",
            "config": {**AWS_CONFIG, "cognito_endpoint": "http://127.0.0.1:5000"},
            "email": "ada@example.com",
            "password": PASSWORD,
            "mfaCode": " 123456 ",
            "cognito": {
                "USER_PASSWORD_AUTH": challenge,
                "SOFTWARE_TOKEN_MFA": {"AuthenticationResult": tokens},
                "REFRESH_TOKEN_AUTH": {"AuthenticationResult": {"IdToken": "h.eyJleHAiOjh9.s"}},
            },
        }
    )
    password_step, answer = result["requests"][:2]
    assert password_step["body"]["AuthFlow"] == "USER_PASSWORD_AUTH"
    assert answer["target"] == "RespondToAuthChallenge"
    assert answer["body"] == {
        "ClientId": "client-1",
        "ChallengeName": "SOFTWARE_TOKEN_MFA",
        "Session": "session-2",
        "ChallengeResponses": {"USERNAME": "ada@example.com", "SOFTWARE_TOKEN_MFA_CODE": "123456"},
    }
    assert result["afterSignIn"]["idToken"] == "h.eyJleHAiOjR9.s"
