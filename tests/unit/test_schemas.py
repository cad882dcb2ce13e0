"""Request models: what a body may hold before any rule or storage sees it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.schemas.catalog import PageQuery
from chalicelib.schemas.members import InterestsBody, ProfilePatch


def _error_fields(exc: ValidationError) -> set[str]:
    return {".".join(str(part) for part in err["loc"]) for err in exc.errors()}


def _rejected(model: Any, data: Any) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return _error_fields(caught.value)


# --- InterestsBody --------------------------------------------------------------------------------


def test_interests_keep_the_order_and_repeats_they_were_sent_in() -> None:
    # Repeats are counted once by the service; the body keeps them so that a 422 can point
    # at each bad id where the client put it (interests.<index>).
    sent = ["coffee", "yoga", "coffee", "hiking", "baking"]
    body = InterestsBody.model_validate({"interests": sent})
    assert body.interests == sent


@pytest.mark.parametrize("count", [4, 21])
def test_fewer_than_5_or_more_than_20_interest_entries_are_refused(count: int) -> None:
    assert _rejected(InterestsBody, {"interests": [f"i{n}" for n in range(count)]}) == {"interests"}


@pytest.mark.parametrize("bad", [" coffee ", "x" * 129, "a/b", "coffee#1", ""])
def test_an_interest_id_that_is_not_a_short_url_safe_id_is_refused(bad: str) -> None:
    ids = ["a", "b", "c", "d", bad]
    assert _rejected(InterestsBody, {"interests": ids}) == {"interests.4"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "interests"),
        ({"interests": "coffee"}, "interests"),
        ({"interests": None}, "interests"),
        ({"interests": ["coffee", 7, "a", "b", "c"]}, "interests.1"),
        ({"interests": ["coffee"], "extra": True}, "extra"),
    ],
    ids=["missing", "a-string", "null", "a-number-inside", "unknown-field"],
)
def test_malformed_interests_name_the_bad_field(data: dict[str, Any], field: str) -> None:
    assert field in _rejected(InterestsBody, data)


# --- ProfilePatch ---------------------------------------------------------------------------------


def test_an_empty_patch_changes_nothing() -> None:
    patch = ProfilePatch.model_validate({})
    assert (patch.display_name, patch.bio) == (None, None)


def test_a_display_name_is_trimmed() -> None:
    assert ProfilePatch.model_validate({"display_name": "  Zoë 🌿  "}).display_name == "Zoë 🌿"


@pytest.mark.parametrize(
    "name",
    ["tab\there", "new\nline", "nul\x00in", "bell\x07in", "del\x7fin", "nel\x85in", "c1\x9fin", "ls\u2028in"],
)
def test_a_display_name_with_a_control_character_is_rejected(name: str) -> None:
    assert _rejected(ProfilePatch, {"display_name": name}) == {"display_name"}


@pytest.mark.parametrize("name", ["Zoë", "李小龍", "Ana-María O'Neil", "🌿 plant person", "x" * 50])
def test_ordinary_names_are_accepted(name: str) -> None:
    assert ProfilePatch.model_validate({"display_name": name}).display_name == name


@pytest.mark.parametrize("name", ["", "   ", "x" * 51])
def test_a_display_name_outside_1_to_50_characters_is_rejected(name: str) -> None:
    assert _rejected(ProfilePatch, {"display_name": name}) == {"display_name"}


def test_a_bio_may_span_lines_up_to_280_characters() -> None:
    bio = "Line one.\nLine two." + "x" * (280 - 19)
    assert ProfilePatch.model_validate({"bio": bio}).bio == bio
    assert _rejected(ProfilePatch, {"bio": bio + "x"}) == {"bio"}


@pytest.mark.parametrize("field", ["email", "id", "prime", "onboarded", "badges"])
def test_an_unknown_or_read_only_field_is_rejected_by_name(field: str) -> None:
    assert _rejected(ProfilePatch, {"display_name": "Ok", field: "x"}) == {field}


def test_a_wrongly_typed_field_is_rejected() -> None:
    assert _rejected(ProfilePatch, {"display_name": 42}) == {"display_name"}


# --- page parameters ------------------------------------------------------------------------------


def test_page_parameters_parse_from_query_strings() -> None:
    query = PageQuery.model_validate({"limit": "50", "cursor": "abc"})
    assert (query.limit, query.cursor) == (50, "abc")
    assert PageQuery.model_validate({}).limit == 20


@pytest.mark.parametrize("limit", ["0", "101", "-5", "2.5", "many"])
def test_a_limit_outside_1_to_100_is_rejected(limit: str) -> None:
    assert _rejected(PageQuery, {"limit": limit}) == {"limit"}
