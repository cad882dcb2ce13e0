"""The caller's identity: bearer parsing, public names, the authorizer context and group flags."""

from __future__ import annotations

import pytest

from chalicelib.auth import BRAND_GROUP, PRIME_GROUP, Identity, bearer_token, default_display_name
from chalicelib.errors import Unauthorized
from tests.unit.test_text_and_types import DECEPTIVE, INVISIBLE, INVISIBLE_FORMATTING

SUB = "3f1c2a9e-5b7d-4c1e-9a0b-123456789abc"


# --- bearer_token -------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, ""])
def test_no_authorization_header_means_no_token(header: str | None) -> None:
    assert bearer_token(header) is None


@pytest.mark.parametrize(
    "header", ["Bearer abc.def.ghi", "bearer abc.def.ghi", "BEARER abc.def.ghi", "  Bearer   abc.def.ghi  "]
)
def test_a_bearer_header_gives_its_token(header: str) -> None:
    assert bearer_token(header) == "abc.def.ghi"


@pytest.mark.parametrize(
    "header", ["Basic dXNlcjpwYXNz", "abc.def.ghi", "Bearer", "Bearer   ", "Token abc.def.ghi", "   "]
)
def test_anything_else_is_an_invalid_token(header: str) -> None:
    with pytest.raises(Unauthorized) as caught:
        bearer_token(header)
    assert caught.value.status == 401
    assert caught.value.code == "invalid_token"


# --- default_display_name ---------------------------------------------------------------------------------


def test_the_name_claim_is_the_default_display_name() -> None:
    assert default_display_name({"sub": SUB, "name": "  Priya Prime ", "email": "p@x.com"}) == "Priya Prime"


def test_the_preferred_username_is_next() -> None:
    claims = {"sub": SUB, "name": "   ", "preferred_username": "priya", "email": "p@x.com"}
    assert default_display_name(claims) == "priya"


def test_a_long_name_is_cut_to_fifty_characters() -> None:
    assert default_display_name({"sub": SUB, "name": "n" * 80}) == "n" * 50


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": SUB, "email": "priya.sharma@example.com"},
        {"sub": SUB, "email": "priya.sharma@example.com", "cognito:username": "priya.sharma@example.com"},
        {"sub": SUB, "email": "priya.sharma@example.com", "name": 42},
        {"sub": SUB, "email": "priya.sharma@example.com", "name": ""},
    ],
    ids=["email-only", "email-as-username", "non-string-name", "empty-name"],
)
def test_without_a_name_the_default_never_shows_the_email(claims: dict[str, object]) -> None:
    name = default_display_name(claims)
    assert name == f"member-{SUB[:8]}"
    assert "@" not in name
    assert "priya" not in name


# The identity provider checks nothing: a `name` claim goes through the rules PATCH /me applies
# (issue 21, finding 3), and one they refuse falls back instead of reaching the profile.
# Every name the schemas refuse, as a claim: deceptive, invisible, hidden formatting, two lines.
REFUSED_CLAIM_NAMES = {**DECEPTIVE, **INVISIBLE, **INVISIBLE_FORMATTING, "newline": "first\nsecond"}


@pytest.mark.parametrize("name", REFUSED_CLAIM_NAMES.values(), ids=REFUSED_CLAIM_NAMES.keys())
def test_a_name_claim_the_rules_refuse_falls_back_to_the_member_id(name: str) -> None:
    assert default_display_name({"sub": SUB, "name": name}) == f"member-{SUB[:8]}"


def test_a_refused_name_claim_falls_back_to_a_clean_preferred_username() -> None:
    claims = {"sub": SUB, "name": "Priya\u202eemirP", "preferred_username": "priya"}
    assert default_display_name(claims) == "priya"


def test_a_name_claim_is_normalised_like_a_patched_name() -> None:
    claims = {"sub": SUB, "name": " Zoe\u0301\u3000 Lee "}
    assert default_display_name(claims) == "Zo\u00e9 Lee"


def test_a_long_name_cut_in_an_emoji_sequence_keeps_no_dangling_joiner() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    name = default_display_name({"sub": SUB, "name": "n" * 48 + family})
    assert name == "n" * 48 + "\U0001f468"


# --- Identity -------------------------------------------------------------------------------------------


def test_an_identity_survives_the_authorizer_context() -> None:
    # Given what the authorizer learned from a token
    identity = Identity(SUB, frozenset({PRIME_GROUP, BRAND_GROUP}), "Priya Prime")
    # When API Gateway passes its flat string context to the API function
    context = identity.to_context()
    assert all(isinstance(value, str) for value in context.values())
    # Then the API function rebuilds the same identity
    assert Identity.from_context(SUB, context) == identity


def test_the_context_lists_groups_in_a_stable_order() -> None:
    identity = Identity(SUB, frozenset({"prime", "brand"}), "x")
    assert identity.to_context() == {"groups": "brand,prime", "name": "x"}


def test_no_groups_round_trip_to_no_groups() -> None:
    identity = Identity(SUB, frozenset(), "x")
    assert identity.to_context()["groups"] == ""
    assert Identity.from_context(SUB, identity.to_context()).groups == frozenset()


def test_a_sparse_context_gives_a_plain_member() -> None:
    identity = Identity.from_context(SUB, {"principalId": SUB})
    assert identity == Identity(SUB, frozenset(), "")


@pytest.mark.parametrize(
    ("groups", "prime", "brand"),
    [
        (set(), False, False),
        ({"prime"}, True, False),
        ({"brand"}, False, True),
        ({"prime", "brand"}, True, True),
    ],
)
def test_prime_and_brand_flags_follow_the_groups(groups: set[str], prime: bool, brand: bool) -> None:
    identity = Identity(SUB, frozenset(groups), "x")
    assert (identity.is_prime, identity.is_brand) == (prime, brand)


def test_other_groups_grant_nothing() -> None:
    identity = Identity(SUB, frozenset({"Prime", "admins", "prime-trial"}), "x")
    assert not identity.is_prime
    assert not identity.is_brand
