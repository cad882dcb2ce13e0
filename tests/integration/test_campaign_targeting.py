"""Campaign targeting (issue 22): a campaign names one of its brand's audiences and featured posts
(only posts whose rights the author approved), is edited while it runs, and is ended early; only
the brand's owner may do any of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.services import rights
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.brands import begin, fresh_name, make_brand_world, utc_day
from tests.support.community import assert_error, call, ok

NewMember = Callable[..., SignedInMember]


@pytest.fixture(autouse=True)
def _stream_from_here(stack: Any) -> None:
    begin()


@pytest.fixture
def world(api: Any, new_member: NewMember) -> dict[str, Any]:
    w = make_brand_world(api, new_member)
    brand_id = w["brand"]["id"]
    body = {"name": fresh_name("Campers")}
    w["audience"] = ok(call(api, "POST", f"/brands/{brand_id}/audiences", w["owner"], body), 201)
    return w


def _approve(api: Any, w: dict[str, Any]) -> None:
    brand_id, post_id = w["brand"]["id"], w["post"]["id"]
    body = {"post_id": post_id, "terms": "Featured in our campaign for 3 months, credited to you."}
    ok(call(api, "POST", f"/brands/{brand_id}/rights-requests", w["owner"], body), 201)
    ok(call(api, "POST", rights.decision_path(post_id, brand_id, "approve"), w["author"]))


def _create(api: Any, w: dict[str, Any], member: Any = None, **extra: Any) -> Any:
    body = {
        "name": "Autumn",
        "product_ids": [w["product"]["id"]],
        "starts_at": (utc_day() - timedelta(days=2)).isoformat(),
        "ends_at": (utc_day() + timedelta(days=10)).isoformat(),
    } | extra
    return call(api, "POST", f"/brands/{w['brand']['id']}/campaigns", member or w["owner"], body)


def _path(w: dict[str, Any], campaign: dict[str, Any], tail: str = "") -> str:
    return f"/brands/{w['brand']['id']}/campaigns/{campaign['id']}{tail}"


def test_only_featurable_posts_are_featured(api: Any, world: dict[str, Any]) -> None:
    post_id, audience_id = world["post"]["id"], world["audience"]["id"]
    # Without the author's approval: 409 naming the post, and nothing created
    refused = assert_error(
        _create(api, world, audience_id=audience_id, featured_post_ids=[post_id]), 409, "not_featurable"
    )
    assert refused["details"][0]["field"] == "featured_post_ids"
    assert ok(call(api, "GET", f"/brands/{world['brand']['id']}/campaigns", world["owner"]))["items"] == []
    # Approved: created with its audience and featured post, and the report shows them
    _approve(api, world)
    created = ok(_create(api, world, audience_id=audience_id, featured_post_ids=[post_id]), 201)
    assert (created["audience_id"], created["featured_post_ids"], created["ended_at"]) == (
        audience_id,
        [post_id],
        None,
    )
    report = ok(call(api, "GET", _path(world, created), world["owner"]))
    assert (report["audience_id"], report["featured_post_ids"]) == (audience_id, [post_id])


def test_an_unknown_or_other_brands_audience_is_422(
    api: Any, world: dict[str, Any], new_member: NewMember
) -> None:
    other = make_brand_world(api, new_member)
    theirs = ok(
        call(api, "POST", f"/brands/{other['brand']['id']}/audiences", other["owner"], {"name": "x"}), 201
    )
    for audience_id in ("aud_unknown", theirs["id"]):
        answer = assert_error(_create(api, world, audience_id=audience_id), 422, "validation_error")
        assert answer["details"][0]["type"] == "unknown_audience"


def test_a_campaign_is_edited_then_ended(api: Any, world: dict[str, Any]) -> None:
    created = ok(_create(api, world), 201)
    assert (created["audience_id"], created["featured_post_ids"]) == (None, [])
    # Featuring an unapproved post is refused on edit too
    post_id = world["post"]["id"]
    assert_error(
        call(api, "PATCH", _path(world, created), world["owner"], {"featured_post_ids": [post_id]}),
        409,
        "not_featurable",
    )
    _approve(api, world)
    body = {"name": "Autumn camp", "audience_id": world["audience"]["id"], "featured_post_ids": [post_id]}
    edited = ok(call(api, "PATCH", _path(world, created), world["owner"], body))
    assert (edited["name"], edited["audience_id"], edited["featured_post_ids"]) == (
        "Autumn camp",
        world["audience"]["id"],
        [post_id],
    )
    # Absent fields stay; audience_id null stops targeting
    edited = ok(call(api, "PATCH", _path(world, created), world["owner"], {"audience_id": None}))
    assert (edited["name"], edited["audience_id"], edited["featured_post_ids"]) == (
        "Autumn camp",
        None,
        [post_id],
    )
    ok(call(api, "PATCH", _path(world, created), world["owner"], {"audience_id": world["audience"]["id"]}))
    # Ending it: today is its last day, it is stamped, and the report says it ended
    ended = ok(call(api, "POST", _path(world, created, "/end"), world["owner"]))
    assert ended["ends_at"] == utc_day().isoformat() and ended["ended_at"]
    report = ok(call(api, "GET", _path(world, created), world["owner"]))
    assert (report["ends_at"], report["ended_at"], report["audience_id"]) == (
        utc_day().isoformat(),
        ended["ended_at"],
        world["audience"]["id"],
    )
    # An ended campaign is neither edited nor ended again
    assert_error(call(api, "POST", _path(world, created, "/end"), world["owner"]), 409, "campaign_ended")
    assert_error(
        call(api, "PATCH", _path(world, created), world["owner"], {"name": "x"}), 409, "campaign_ended"
    )


def test_ending_a_scheduled_campaign_keeps_its_first_day(api: Any, world: dict[str, Any]) -> None:
    first = (utc_day() + timedelta(days=5)).isoformat()
    created = ok(
        _create(api, world, starts_at=first, ends_at=(utc_day() + timedelta(days=9)).isoformat()), 201
    )
    ended = ok(call(api, "POST", _path(world, created, "/end"), world["owner"]))
    assert (ended["starts_at"], ended["ends_at"]) == (first, first)


def test_only_the_brands_owner_targets_edits_and_ends(
    api: Any, world: dict[str, Any], new_member: NewMember
) -> None:
    created = ok(_create(api, world), 201)
    other_brand = new_member("brand", name="Other Brand")
    plain = new_member()
    for member, code in ((other_brand, "not_owner"), (plain, None)):
        for method, path, body in (
            ("POST", f"/brands/{world['brand']['id']}/campaigns", None),
            ("PATCH", _path(world, created), {"name": "mine"}),
            ("POST", _path(world, created, "/end"), None),
        ):
            if body is None and method == "POST" and not path.endswith("/end"):
                answer = _create(api, world, member)
            else:
                answer = call(api, method, path, member, body)
            assert answer.status_code == 403, (method, path, answer.body)
            if code:
                assert_error(answer, 403, code)
    # Unknown campaign: 404; bad body: 400/422 as elsewhere
    unknown = {"id": "camp_unknown"}
    assert_error(call(api, "PATCH", _path(world, unknown), world["owner"], {"name": "x"}), 404, "not_found")
    assert_error(call(api, "POST", _path(world, unknown, "/end"), world["owner"]), 404, "not_found")
    assert_error(
        call(api, "PATCH", _path(world, created), world["owner"], {"product_ids": []}),
        422,
        "validation_error",
    )
    # Untouched by the refused calls
    report = ok(call(api, "GET", _path(world, created), world["owner"]))
    assert (report["name"], report["ended_at"]) == ("Autumn", None)


def test_editing_costs_a_constant_number_of_requests(
    api: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    created = ok(_create(api, world), 201)
    _approve(api, world)
    body = {"audience_id": world["audience"]["id"], "featured_post_ids": [world["post"]["id"]]}
    with count_dynamodb_calls(monkeypatch) as calls:
        ok(call(api, "PATCH", _path(world, created), world["owner"], body))
    # The rate limit and the write (UpdateItem 2); the brand, the campaign, the audience (GetItem 3);
    # the featured posts with their rights requests (BatchGetItem 1); the audience's campaign index
    # (GetItem 1, PutItem 1: data/featured.py): nothing grows with the audience.
    assert calls == {"UpdateItem": 2, "GetItem": 4, "BatchGetItem": 1, "PutItem": 1}, calls
    with count_dynamodb_calls(monkeypatch) as calls:
        ok(call(api, "POST", _path(world, created, "/end"), world["owner"]))
    # Ending also takes it out of its audience's campaign index (GetItem 1, PutItem 1).
    assert calls == {"UpdateItem": 2, "GetItem": 3, "PutItem": 1}, calls
