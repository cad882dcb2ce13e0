"""Human text is normalised and deceptive text refused; numbers and booleans are not coerced.

Regression tests for issue 13, defects 5 and 6: display names, captions and comments accepted
invisible text, right-to-left overrides, NUL and control characters; upload `size` accepted
"10", true and 10.0; a tag coordinate accepted true.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib import text
from chalicelib.schemas.brands import CampaignIn
from chalicelib.schemas.catalog import PageQuery, PriceIn, ProductIn
from chalicelib.schemas.media import UploadRequest
from chalicelib.schemas.members import ProfilePatch
from chalicelib.schemas.posts import PostIn, TagIn
from chalicelib.schemas.social import CommentIn

DECEPTIVE = {
    "rtl-override": "Priya\u202eemirP",
    "ltr-override": "a\u202db",
    "embedding": "a\u202bb\u202c",
    "isolate": "a\u2066b\u2069",
    "first-strong-isolate": "a\u2068b",
    "nul": "nul\x00in",
    "escape": "esc\x1b[31m",
    "lone-surrogate": "a\ud800b",
}
INVISIBLE = {
    "zero-width-space": "\u200b",
    "zero-width-joiners": "\u200d\u200c\u2060",
    "bom": "\ufeff",
    "hangul-filler": "\u3164",
    "braille-blank": "\u2800",
    "whitespace": " \u00a0\u3000 ",
    "combining-mark-alone": "\u0301",
}


def _post(caption: str) -> dict[str, Any]:
    return {"kind": "idea", "caption": caption, "body": "text", "interests": ["hiking"]}


def _rejected(model: Any, data: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return {".".join(str(p) for p in e["loc"]) for e in caught.value.errors()}


@pytest.mark.parametrize("text", DECEPTIVE.values(), ids=DECEPTIVE.keys())
def test_deceptive_text_is_refused_in_names_captions_and_comments(text: str) -> None:
    assert _rejected(ProfilePatch, {"display_name": text}) == {"display_name"}
    assert _rejected(PostIn, _post(text)) == {"caption"}
    assert _rejected(CommentIn, {"text": text}) == {"text"}


@pytest.mark.parametrize("text", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_text_with_nothing_visible_is_refused_in_names_captions_and_comments(text: str) -> None:
    assert _rejected(ProfilePatch, {"display_name": text}) == {"display_name"}
    assert _rejected(PostIn, _post(text)) == {"caption"}
    assert _rejected(CommentIn, {"text": text}) == {"text"}


def test_text_is_stored_in_nfc() -> None:
    decomposed = "Zoe\u0301"  # e + combining acute
    assert ProfilePatch.model_validate({"display_name": decomposed}).display_name == "Zo\u00e9"
    assert unicodedata.is_normalized("NFC", CommentIn.model_validate({"text": decomposed}).text)


def test_emoji_sequences_with_joiners_are_kept() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert CommentIn.model_validate({"text": f"our {family}"}).text == f"our {family}"


def test_a_bio_may_have_newlines_but_no_other_control_characters() -> None:
    assert ProfilePatch.model_validate({"bio": "line one\r\nline two"}).bio == "line one\nline two"
    for bad in ("nul\x00", "tab\tin", "bell\x07", "rtl\u202e"):
        assert _rejected(ProfilePatch, {"bio": bad}) == {"bio"}


def test_an_empty_bio_is_allowed() -> None:
    assert ProfilePatch.model_validate({"bio": ""}).bio == ""


def test_a_comment_may_span_lines_but_a_display_name_may_not() -> None:
    assert CommentIn.model_validate({"text": "first\nsecond"}).text == "first\nsecond"
    assert _rejected(ProfilePatch, {"display_name": "first\nsecond"}) == {"display_name"}


def test_lengths_apply_to_what_was_sent_so_the_published_maximum_holds() -> None:
    # 1000 characters plus a trailing space: over the declared maxLength even though trimming
    # would bring it under.
    assert _rejected(CommentIn, {"text": "x" * 1000 + " "}) == {"text"}


def test_a_product_title_is_a_visible_single_line() -> None:
    product = {"price": {"amount": "1.00", "currency": "USD"}, "url": "https://example.com/p"}
    assert "title" in _rejected(ProductIn, {**product, "title": "a\u202eb"})
    assert "prime_eligible" in _rejected(ProductIn, {**product, "title": "Tent", "prime_eligible": 1})


@pytest.mark.parametrize(
    "size", ["10", True, 10.0, 10.5, None], ids=["string", "true", "float", "frac", "null"]
)
def test_an_upload_size_must_be_a_json_integer(size: Any) -> None:
    assert _rejected(UploadRequest, {"content_type": "image/png", "size": size}) == {"size"}


def test_an_upload_size_integer_is_accepted() -> None:
    assert UploadRequest.model_validate({"content_type": "image/png", "size": 10}).size == 10


@pytest.mark.parametrize("value", [True, False, "0.5", None], ids=["true", "false", "string", "null"])
def test_a_tag_coordinate_must_be_a_json_number(value: Any) -> None:
    assert _rejected(TagIn, {"product_id": "p-1", "x": value, "y": 0.5}) == {"x"}


@pytest.mark.parametrize("value", [0, 1, 0.25])
def test_tag_coordinates_accept_integers_and_fractions(value: Any) -> None:
    assert TagIn.model_validate({"product_id": "p-1", "x": value, "y": value}).x == value


# --- names: one rule for every source (issue 21, finding 3) -------------------------------------------

INVISIBLE_FORMATTING = {
    "zero-width-space": "Alex\u200bTrail",
    "word-joiner": "Alex\u2060Trail",
    "bom": "Alex\ufeffTrail",
    "soft-hyphen": "Alex\u00adTrail",
    "rtl-mark": "Alex\u200fTrail",
    "arabic-letter-mark": "Alex\u061cTrail",
    "tag-characters": "Alex\U000e0041\U000e0042",
}


@pytest.mark.parametrize("name", INVISIBLE_FORMATTING.values(), ids=INVISIBLE_FORMATTING.keys())
def test_a_name_may_not_hide_formatting_characters(name: str) -> None:
    assert _rejected(ProfilePatch, {"display_name": name}) == {"display_name"}
    assert text.name_from_source(name, max_length=50) is None


@pytest.mark.parametrize("name", ["\U0001f469\u200d\U0001f373 Chef", "\u0645\u06cc\u200c\u0631\u0648\u0645"])
def test_a_name_keeps_the_joiners_emoji_and_scripts_need(name: str) -> None:
    assert ProfilePatch.model_validate({"display_name": name}).display_name == name


def test_a_name_has_single_spaces() -> None:
    assert ProfilePatch.model_validate({"display_name": "Alex \u3000  Trail"}).display_name == "Alex Trail"


def test_a_caption_may_still_carry_a_zero_width_space() -> None:
    # Only names are held to the stricter rule: long captions break lines at zero-width spaces.
    assert CommentIn.model_validate({"text": "long\u200bword"}).text == "long\u200bword"


@pytest.mark.parametrize("value", [None, 42, ["Alex"], ""])
def test_a_name_from_a_source_must_be_a_non_empty_string(value: Any) -> None:
    assert text.name_from_source(value, max_length=50) is None


def test_names_that_look_alike_share_one_key() -> None:
    keys = {
        text.name_key(n)
        for n in (
            "NorthPeak",
            "\uff2e\uff4f\uff52\uff54\uff48\uff30\uff45\uff41\uff4b",
            "north\u200bpeak",
            " NORTHPEAK ",
            "Northpeak",
        )
    }
    assert keys == {"northpeak"}
    assert text.name_key("North Peak") != text.name_key("NorthPeak")
    assert text.name_key("Stra\u00dfe") == text.name_key("STRASSE")


# --- strict shared scalars (issue 21, finding 7) ------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        1735689600,
        "1735689600",
        1735689600.0,
        "2025-01-01T00:00:00",
        "2025-1-1",
        "\uff12\uff10\uff12\uff15-01-01",
    ],
    ids=["int", "digits", "float", "datetime", "unpadded", "fullwidth-digits"],
)
def test_a_day_is_a_string_written_yyyy_mm_dd(value: Any) -> None:
    campaign = {"name": "c", "product_ids": ["p-1"], "ends_at": "2025-01-20"}
    assert _rejected(CampaignIn, campaign | {"starts_at": value}) == {"starts_at"}
    assert CampaignIn.model_validate(campaign | {"starts_at": "2025-01-01"}).starts_at == date(2025, 1, 1)


@pytest.mark.parametrize("limit", ["20.0", "+20", " 20", "20 ", "2e1", "0x14", "", True, 20.0])
def test_a_query_limit_is_digits(limit: Any) -> None:
    assert _rejected(PageQuery, {"limit": limit}) == {"limit"}


def test_a_query_limit_in_digits_is_a_number_in_range() -> None:
    assert PageQuery.model_validate({"limit": "020"}).limit == 20
    assert _rejected(PageQuery, {"limit": "101"}) == {"limit"}


@pytest.mark.parametrize("currency", ["ZZZ", "XXX", "XTS", "XAU", "HRK", "usd", "US", "USDT"])
def test_a_currency_is_an_iso_4217_code_in_circulation(currency: str) -> None:
    assert _rejected(PriceIn, {"amount": "1.00", "currency": currency}) == {"currency"}


@pytest.mark.parametrize("currency", ["USD", "EUR", "JPY", "GBP", "INR", "XOF", "CHF"])
def test_common_currencies_are_accepted(currency: str) -> None:
    assert PriceIn.model_validate({"amount": "1.00", "currency": currency}).currency == currency
