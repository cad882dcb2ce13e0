"""Rules of safety without AWS: screening verdicts, what a report and a moderation action accept,
and the local DetectModerationLabels stand-in."""

from __future__ import annotations

import base64
import json

import pytest
from pydantic import ValidationError

from chalicelib.schemas.safety import ACTIONS_BY_TARGET, ActionIn, ReportIn
from chalicelib.services.screening import judge, reason_code
from chalicelib.settings import Settings
from local import moderation_stand_in

HOLD = Settings().screening_hold


def test_a_top_level_category_to_hold_holds_the_photo_with_its_code() -> None:
    verdict = judge([("Explicit Nudity", ""), ("Graphic Male Nudity", "Explicit Nudity")], HOLD)
    assert (verdict.held, verdict.reason) == (True, "explicit_nudity")


def test_a_child_label_alone_holds_through_its_parent() -> None:
    verdict = judge([("Graphic Violence Or Gore", "Violence")], HOLD)
    assert (verdict.held, verdict.reason) == (True, "violence")


@pytest.mark.parametrize(
    "found", [[], [("Suggestive", "")], [("Revealing Clothes", "Suggestive")], [("Alcohol", "")]]
)
def test_categories_not_held_pass(found: list[tuple[str, str]]) -> None:
    assert judge(found, HOLD).held is False


def test_the_first_held_category_in_order_of_severity_is_the_reason() -> None:
    verdict = judge([("Hate Symbols", ""), ("Explicit Nudity", "")], HOLD)
    assert verdict.reason == "explicit_nudity"


@pytest.mark.parametrize(
    ("category", "code"),
    [("Explicit Nudity", "explicit_nudity"), ("Drugs & Tobacco", "drugs_tobacco"), ("Violence", "violence")],
)
def test_reason_codes_are_snake_case(category: str, code: str) -> None:
    assert reason_code(category) == code


def test_every_target_type_has_actions_and_dismiss_is_not_for_photos() -> None:
    assert set(ACTIONS_BY_TARGET) == {"post", "comment", "member", "upload"}
    assert "dismiss" not in ACTIONS_BY_TARGET["upload"]


@pytest.mark.parametrize(
    "payload",
    [
        {"action": "ban", "target": {"type": "post", "id": "p"}},
        {"action": "hide", "target": {"type": "comment", "id": "c"}},
        {"action": "approve", "target": {"type": "member", "id": "m"}},
        {"action": "hide", "target": {"type": "post", "id": "p", "post_id": "q"}},
        {"action": "hide", "target": {"type": "post", "id": "p"}, "extra": 1},
    ],
)
def test_an_action_must_fit_its_target(payload: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ActionIn.model_validate(payload)


def test_a_report_text_is_cleaned_by_the_shared_text_rules() -> None:
    report = ReportIn.model_validate(
        {"target": {"type": "post", "id": "p"}, "reason": "other", "text": "  Spam\r\nlinks  "}
    )
    assert report.text == "Spam\nlinks"
    with pytest.raises(ValidationError):
        ReportIn.model_validate({"target": {"type": "post", "id": "p"}, "reason": "spam", "text": "a\x00b"})


def test_the_stand_in_flags_only_marked_images() -> None:
    marked = moderation_stand_in.marked_jpeg("violence")
    status, answer = moderation_stand_in.answer(
        json.dumps({"Image": {"Bytes": base64.b64encode(marked).decode()}}).encode()
    )
    assert status == 200
    assert [(label["Name"], label["ParentName"]) for label in answer["ModerationLabels"]] == [
        ("Violence", ""),
        ("Graphic Violence Or Gore", "Violence"),
    ]
    plain = base64.b64encode(b"\xff\xd8 just a photo").decode()
    assert (
        moderation_stand_in.answer(json.dumps({"Image": {"Bytes": plain}}).encode())[1]["ModerationLabels"]
        == []
    )


def test_the_stand_in_honours_the_minimum_confidence_and_refuses_a_request_without_an_image() -> None:
    marked = base64.b64encode(moderation_stand_in.marked_jpeg()).decode()
    strict = json.dumps({"Image": {"Bytes": marked}, "MinConfidence": 99}).encode()
    assert moderation_stand_in.answer(strict)[1]["ModerationLabels"] == []
    assert moderation_stand_in.answer(b"{}")[0] == 400
