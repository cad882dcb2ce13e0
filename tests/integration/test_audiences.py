"""Brand audiences and one-click communities (issue 22): rows kept from the table's stream, saved
audiences with automatic tags, pages and CSV, the opt-out, invitations into the inbox (once each,
rate-limited per brand), accepting to follow the brand, and who may read what.

The stream and the engagement queue are delivered here as Lambda's mappings would
(`run_aggregators`), from this test's own records; every brand and member is fresh."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.data import audiences as audience_store
from chalicelib.data import engagement as engagement_store
from chalicelib.data import ownership, users
from chalicelib.services import audiences, erasure
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.brands import begin, brand_with_product, fresh_name, run_aggregators
from tests.support.community import call, comment, ok, smile, unsmile
from tests.support.feeds import joined
from tests.support.uploads import jpeg_bytes, upload_image

NewMember = Callable[..., SignedInMember]


@pytest.fixture(autouse=True)
def _stream_from_here(stack: Any) -> None:
    seed_interests()
    begin()  # the stream worker reads this test's records only


def _photo(api: Any, author: SignedInMember, product_id: str, interests: list[str]) -> dict[str, Any]:
    upload_id = upload_image(api, author, jpeg_bytes(64, 48))
    body = {
        "kind": "photo",
        "caption": "Out there",
        "interests": interests,
        "photos": [{"upload_id": upload_id, "tags": [{"product_id": product_id, "x": 0.5, "y": 0.5}]}],
    }
    return dict(ok(call(api, "POST", "/posts", author, body), 201))


def _world(api: Any, new_member: NewMember) -> dict[str, Any]:
    """A brand with a product; a fan's photo tagging it (hiking); a reader who smiled at it."""
    owner = new_member("brand", name="Owner")
    brand, product = brand_with_product(api, owner, fresh_name("Northpeak"))
    fan = joined(api, new_member("prime", name="Fan"))
    reader = joined(api, new_member("prime", name="Reader"))
    post = _photo(api, fan, product["id"], ["hiking"])
    smile(api, reader, post["id"])
    return {"owner": owner, "brand": brand, "product": product, "fan": fan, "reader": reader, "post": post}


def _audience(
    api: Any, w: dict[str, Any], rules: dict[str, Any] | None = None, name: str = "Everyone"
) -> dict:
    body: dict[str, Any] = {"name": name}
    if rules is not None:
        body["rules"] = rules
    return dict(ok(call(api, "POST", f"/brands/{w['brand']['id']}/audiences", w["owner"], body), 201))


def _members(api: Any, w: dict[str, Any], audience_id: str, query: str = "") -> dict[str, Any]:
    path = f"/brands/{w['brand']['id']}/audiences/{audience_id}/members{query}"
    return dict(ok(call(api, "GET", path, w["owner"])))


def _tags(api: Any, w: dict[str, Any], audience_id: str) -> dict[str, list[str]]:
    return {m["member"]["id"]: m["tags"] for m in _members(api, w, audience_id)["items"]}


def _get(api: Any, w: dict[str, Any], audience_id: str) -> dict[str, Any]:
    return dict(ok(call(api, "GET", f"/brands/{w['brand']['id']}/audiences/{audience_id}", w["owner"])))


def _community(api: Any, w: dict[str, Any], audience_id: str, status: int = 202) -> Any:
    path = f"/brands/{w['brand']['id']}/audiences/{audience_id}/community"
    return ok(call(api, "POST", path, w["owner"]), status)


def _inbox(api: Any, member: SignedInMember) -> list[dict[str, Any]]:
    return list(ok(call(api, "GET", "/me/notifications", member))["items"])


def test_a_new_audience_fills_from_past_activity_with_automatic_tags(api: Any, new_member: NewMember) -> None:
    # Given a fan's photo of the brand's product and a reader's smile, delivered before any audience
    w = _world(api, new_member)
    run_aggregators()

    # When the brand saves an audience of everyone, and the stream fills it
    audience = _audience(api, w)
    assert audience["ready"] is False and audience["community"] is None
    run_aggregators()

    # Then it is ready and lists both, tagged from their public activity
    assert _get(api, w, audience["id"])["ready"] is True
    tags = _tags(api, w, audience["id"])
    assert set(tags) == {w["fan"].user_id, w["reader"].user_id}
    assert tags[w["fan"].user_id][0] == "fan" and "hiking" in tags[w["fan"].user_id]
    assert tags[w["reader"].user_id][0] == "potential customer" and "hiking" in tags[w["reader"].user_id]
    labels = engagement_store.post_facts([w["post"]["id"]])[w["post"]["id"]].labels
    assert labels, "the photo has labels (colour names at least)"


def test_activity_after_saving_moves_members_in_and_out(api: Any, new_member: NewMember) -> None:
    # Given an audience of potential customers saved before anything happened
    owner = new_member("brand")
    brand, product = brand_with_product(api, owner, fresh_name("Brewlab"))
    w = {"owner": owner, "brand": brand}
    audience = _audience(api, w, {"segments": ["potential_customers"]})
    run_aggregators()
    assert _members(api, w, audience["id"])["items"] == []

    # When a reader smiles at and comments on a fan's photo of the product
    fan, reader = joined(api, new_member("prime")), joined(api, new_member("prime"))
    post = _photo(api, fan, product["id"], ["coffee"])
    smile(api, reader, post["id"])
    comment(api, reader, post["id"], "Where is this?")
    run_aggregators()

    # Then the reader is in (the fan is not: fans are another segment), tagged "coffee"
    tags = _tags(api, w, audience["id"])
    assert list(tags) == [reader.user_id] and "coffee" in tags[reader.user_id]

    # And after they posted about the brand themselves, they are a fan, no longer a prospect
    _photo(api, reader, product["id"], ["coffee"])
    run_aggregators()
    assert _tags(api, w, audience["id"]) == {}


def test_removing_ones_only_smile_leaves_the_audience(api: Any, new_member: NewMember) -> None:
    w = _world(api, new_member)
    audience = _audience(api, w, {"segments": ["potential_customers"]})
    run_aggregators()
    assert list(_tags(api, w, audience["id"])) == [w["reader"].user_id]
    unsmile(api, w["reader"], w["post"]["id"])
    run_aggregators()
    assert _tags(api, w, audience["id"]) == {}


def test_filters_followers_badge_interests_and_labels(api: Any, new_member: NewMember) -> None:
    # Given a fan with no followers and no badge
    w = _world(api, new_member)
    label = engagement_store.post_facts([w["post"]["id"]])[w["post"]["id"]].labels[0]
    followed = _audience(api, w, {"segments": ["fans"], "min_followers": 1}, "Followed fans")
    badged = _audience(api, w, {"enthusiast": True}, "Enthusiasts")
    hikers = _audience(api, w, {"interests": ["hiking"], "labels": [label]}, "Hikers")
    bakers = _audience(api, w, {"interests": ["baking"]}, "Bakers")
    run_aggregators()
    assert _tags(api, w, followed["id"]) == {} and _tags(api, w, badged["id"]) == {}
    assert set(_tags(api, w, hikers["id"])) == {w["fan"].user_id, w["reader"].user_id}
    assert _tags(api, w, bakers["id"]) == {}

    # When someone follows the fan, and the fan earns the Enthusiast badge (profile changes only)
    ok(call(api, "PUT", f"/users/{w['fan'].user_id}/follow", w["reader"]))
    users.set_badges(w["fan"].user_id, ["enthusiast"])
    run_aggregators()

    # Then the profile's stream record moved them into both audiences
    assert list(_tags(api, w, followed["id"])) == [w["fan"].user_id]
    fan_tags = _tags(api, w, badged["id"])[w["fan"].user_id]
    assert "enthusiast" in fan_tags
    assert _members(api, w, followed["id"])["items"][0]["followers"] == 1


def test_an_opted_out_member_leaves_every_audience_and_is_never_invited(
    api: Any, new_member: NewMember
) -> None:
    w = _world(api, new_member)
    audience = _audience(api, w)
    run_aggregators()
    assert w["reader"].user_id in _tags(api, w, audience["id"])

    # When the reader opts out of brand audiences
    ok(call(api, "PATCH", "/me", w["reader"], {"brand_audiences": False}))
    # Then reads leave them out at once (before the stream even ran)
    assert w["reader"].user_id not in _tags(api, w, audience["id"])
    run_aggregators()
    # And the stream deleted their membership; new activity adds no row
    assert audience_store.members_page(audience["id"], 100, None, None).items[0].member_id == w["fan"].user_id
    assert len(audience_store.members_page(audience["id"], 100, None, None).items) == 1
    comment(api, w["reader"], w["post"]["id"], "Still here")
    run_aggregators()
    assert w["reader"].user_id not in _tags(api, w, audience["id"])

    # And a community invites only the fan
    community = _community(api, w, audience["id"])
    run_aggregators()
    assert _get(api, w, audience["id"])["community"]["invited"] == 1
    assert not [n for n in _inbox(api, w["reader"]) if n["type"] == "invitation"]
    assert community["community"]["status"] == "inviting"


def test_members_page_with_cursors_and_export_as_csv(api: Any, new_member: NewMember) -> None:
    # Given an audience of three potential customers
    w = _world(api, new_member)
    for _ in range(2):
        smile(api, joined(api, new_member("prime", name="=cmd()")), w["post"]["id"])
    audience = _audience(api, w, {"segments": ["potential_customers"]})
    run_aggregators()

    # When the owner pages through it one at a time
    seen, cursor = [], None
    while True:
        query = "?limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = _members(api, w, audience["id"], query)
        seen += [m["member"]["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Then they see each once, in member id order
    assert len(seen) == 3 and seen == sorted(set(seen))
    # And a tampered cursor is a 400
    bad = call(
        api, "GET", f"/brands/{w['brand']['id']}/audiences/{audience['id']}/members?cursor=x", w["owner"]
    )
    assert bad.status_code == 400

    # When they export it
    response = call(
        api, "GET", f"/brands/{w['brand']['id']}/audiences/{audience['id']}/members?format=csv", w["owner"]
    )
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.decode())))
    # Then every member is a row with their tags, and a formula-looking name is quoted as text
    assert sorted(r["member.id"] for r in rows) == seen
    assert all("potential customer" in r["tags"] for r in rows)
    assert {r["member.display_name"] for r in rows} >= {"'=cmd()"}


def test_only_the_brands_owner_reads_or_changes_its_audiences(api: Any, new_member: NewMember) -> None:
    w = _world(api, new_member)
    audience = _audience(api, w)
    brand_id, audience_id = w["brand"]["id"], audience["id"]
    other_owner, reader = new_member("brand"), w["reader"]
    other_brand, _ = brand_with_product(api, other_owner, fresh_name("Stride"))
    for path, method in (
        (f"/brands/{brand_id}/audiences", "GET"),
        (f"/brands/{brand_id}/audiences/{audience_id}", "GET"),
        (f"/brands/{brand_id}/audiences/{audience_id}/members", "GET"),
        (f"/brands/{brand_id}/audiences/{audience_id}/community", "POST"),
    ):
        assert call(api, method, path, other_owner).status_code == 403, path
        assert json.loads(call(api, method, path, other_owner).body)["error"]["code"] == "not_owner"
        assert call(api, method, path, reader).status_code == 403, path  # brand_required
        assert call(api, method, path).status_code == 401, path
    denied = call(api, "POST", f"/brands/{brand_id}/audiences", other_owner, {"name": "Mine"})
    assert denied.status_code == 403
    # Another brand's audience id under one's own brand is a 404
    assert (
        call(api, "GET", f"/brands/{other_brand['id']}/audiences/{audience_id}", other_owner).status_code
        == 404
    )
    assert call(api, "GET", "/brands/brand_nope/audiences", other_owner).status_code == 404
    # And bad rules are a 422 naming the field
    bad = call(
        api, "POST", f"/brands/{brand_id}/audiences", w["owner"], {"name": "x", "rules": {"segments": []}}
    )
    assert bad.status_code == 422 and "rules.segments" in bad.body.decode()
    # (numbers are numbers: a boolean is not a follower count nor a day count; fuzzing found it)
    for field in ("min_followers", "active_within_days"):
        body = {"name": "x", "rules": {field: False}}
        wrong = call(api, "POST", f"/brands/{brand_id}/audiences", w["owner"], body)
        assert wrong.status_code == 422 and f"rules.{field}" in wrong.body.decode(), field
    body = {"name": "x", "rules": {"interests": ["hiking", "nope"]}}
    unknown = call(api, "POST", f"/brands/{brand_id}/audiences", w["owner"], body)
    assert unknown.status_code == 422
    assert [d["field"] for d in json.loads(unknown.body)["error"]["details"]] == ["rules.interests.1"]
    listed = ok(call(api, "GET", f"/brands/{brand_id}/audiences", w["owner"]))
    assert [a["id"] for a in listed["items"]] == [audience_id]


def test_one_click_invites_each_member_once_and_accepting_follows_the_brand(
    api: Any, new_member: NewMember
) -> None:
    # Given a ready audience of a fan and a reader
    w = _world(api, new_member)
    audience = _audience(api, w)
    # A community cannot start before the audience is filled
    assert _community(api, w, audience["id"], 409)["error"]["code"] == "audience_not_ready"
    run_aggregators()

    # When the owner creates its community in one click, and the stream sends the invitations
    started = _community(api, w, audience["id"])
    assert started["community"]["status"] == "inviting" and started["community"]["brand_page"].endswith(
        "/page"
    )
    run_aggregators()

    # Then both members were invited, once, and see it in their inbox with accept and decline
    community = _get(api, w, audience["id"])["community"]
    assert (community["status"], community["invited"], community["joined"]) == ("done", 2, 0)
    (note,) = [n for n in _inbox(api, w["reader"]) if n["type"] == "invitation"]
    assert note["brand"] == {"id": w["brand"]["id"], "name": w["brand"]["name"]}
    assert (note["actor"]["id"], note["actor"]["display_name"]) == (w["brand"]["id"], w["brand"]["name"])
    assert [(a["name"], a["method"]) for a in note["actions"]] == [("accept", "POST"), ("decline", "POST")]

    # When the reader accepts (twice: the second changes nothing) and the fan declines
    accept = next(a["path"] for a in note["actions"] if a["name"] == "accept")
    assert ok(call(api, "POST", accept, w["reader"])) == {
        "brand_id": w["brand"]["id"],
        "status": "accepted",
        "following": True,
    }
    ok(call(api, "POST", accept, w["reader"]))
    declined = ok(call(api, "POST", f"/me/invitations/{w['brand']['id']}/decline", w["fan"]))
    assert declined["status"] == "declined" and declined["following"] is False

    # Then the reader follows the brand, the brand sees one join, and the buttons are gone
    page = ok(call(api, "GET", f"/brands/{w['brand']['id']}/page", w["reader"]))
    assert page["followed_by_me"] is True
    assert _get(api, w, audience["id"])["community"]["joined"] == 1
    (note,) = [n for n in _inbox(api, w["reader"]) if n["type"] == "invitation"]
    assert note["actions"] is None

    # When another audience with the same members gets a community, and the first is clicked again
    again = _audience(api, w, {"segments": ["fans", "potential_customers"]}, "Same people")
    run_aggregators()
    _community(api, w, again["id"])
    _community(api, w, audience["id"])
    run_aggregators()
    # Then nobody is invited twice
    assert _get(api, w, again["id"])["community"]["invited"] == 0
    assert _get(api, w, audience["id"])["community"]["invited"] == 2
    assert len([n for n in _inbox(api, w["reader"]) if n["type"] == "invitation"]) == 1
    # And a member without an invitation has nothing to accept
    stranger = joined(api, new_member())
    assert call(api, "POST", accept, stranger).status_code == 404


def test_a_big_audience_is_invited_a_page_at_a_time_within_the_brands_daily_limit(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given pages of one member and a limit of two invitations a day for the brand
    monkeypatch.setattr(audiences, "BACKFILL_PAGE", 1)
    monkeypatch.setattr(audiences, "INVITE_PAGE", 1)
    monkeypatch.setattr(audiences, "INVITES_PER_DAY", 2)
    w = _world(api, new_member)
    smile(api, joined(api, new_member("prime")), w["post"]["id"])
    audience = _audience(api, w)
    run_aggregators()
    assert len(_tags(api, w, audience["id"])) == 3  # filled over three backfill steps

    # When its community is created
    _community(api, w, audience["id"])
    run_aggregators()

    # Then two were invited, page by page, and the community waits for the next day
    community = _get(api, w, audience["id"])["community"]
    assert (community["status"], community["invited"]) == ("throttled", 2) and community["retry_at"]
    response = call(
        api, "POST", f"/brands/{w['brand']['id']}/audiences/{audience['id']}/community", w["owner"]
    )
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0


def test_routes_are_in_openapi(api: Any) -> None:
    paths = json.loads(api.http.get("/openapi.json").body)["paths"]
    assert {"get", "post"} <= set(paths["/brands/{brand_id}/audiences"])
    assert "get" in paths["/brands/{brand_id}/audiences/{audience_id}/members"]
    assert "post" in paths["/brands/{brand_id}/audiences/{audience_id}/community"]
    assert "post" in paths["/me/invitations/{brand_id}/accept"]


def test_erasure_removes_rows_memberships_and_invitations(api: Any, new_member: NewMember) -> None:
    w = _world(api, new_member)
    audience = _audience(api, w)
    run_aggregators()
    _community(api, w, audience["id"])
    run_aggregators()
    kinds = {k.name: k for k in erasure.kinds()}
    leaver = w["reader"].user_id
    for name in ("audience_rows", "audience_memberships", "invitations"):
        found = kinds[name].find(leaver, 25, None)
        assert found.items, name
        assert all(kinds[name].erase(leaver, i) is ownership.Erased.GONE for i in found.items)
        assert kinds[name].find(leaver, 25, None).items == []
    assert leaver not in _tags(api, w, audience["id"])
    assert _get(api, w, audience["id"])["community"]["invited"] == 2  # counts stay


def test_a_members_page_costs_three_requests_and_recency_filters_on_read(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a filled audience of three, and one of the same people active in the last day
    w = _world(api, new_member)
    smile(api, joined(api, new_member("prime")), w["post"]["id"])
    everyone = _audience(api, w)
    recent = _audience(api, w, {"active_within_days": 1}, "Recent")
    run_aggregators()
    ok(call(api, "GET", f"/brands/{w['brand']['id']}/audiences", w["owner"]))  # the caller's profile is warm

    # When the owner reads a page
    with count_dynamodb_calls(monkeypatch) as calls:
        page = _members(api, w, everyone["id"], "?limit=2")

    # Then it took one BatchGetItem (brand, audience, community), one Query, one BatchGetItem of profiles
    assert len(page["items"]) == 2 and page["next_cursor"]
    assert dict(calls) == {"BatchGetItem": 2, "Query": 1}, calls
    # And recency is a filter on that Query: everyone is recent now, nobody is after a year
    assert len(_members(api, w, recent["id"])["items"]) == 3
    assert audience_store.members_page(recent["id"], 10, None, "2999-01-01T00:00:00.000Z").items == []


def test_deleting_an_audience_removes_it_and_its_members_in_steps_and_keeps_invitations(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a filled audience whose community invited its two members
    w = _world(api, new_member)
    audience = _audience(api, w)
    run_aggregators()
    _community(api, w, audience["id"])
    run_aggregators()
    (note,) = [n for n in _inbox(api, w["reader"]) if n["type"] == "invitation"]
    path = f"/brands/{w['brand']['id']}/audiences/{audience['id']}"

    # When a stranger tries, then the owner deletes it, one member per stream step
    assert call(api, "DELETE", path, new_member("brand")).status_code == 403
    monkeypatch.setattr(audiences, "CLEANUP_PAGE", 1)
    with count_dynamodb_calls(monkeypatch) as calls:
        assert call(api, "DELETE", path, w["owner"]).status_code == 204
    # (the request's reads and writes do not grow with the audience: it walks no member)
    assert calls["TransactWriteItems"] == 1 and "BatchWriteItem" not in calls, calls

    # Then it is gone at once from every audience route, and again is a 404
    assert call(api, "GET", path, w["owner"]).status_code == 404
    assert call(api, "GET", f"{path}/members", w["owner"]).status_code == 404
    listed = ok(call(api, "GET", f"/brands/{w['brand']['id']}/audiences", w["owner"]))
    assert audience["id"] not in [a["id"] for a in listed["items"]]
    assert call(api, "DELETE", path, w["owner"]).status_code == 404
    # And once the stream has taken its steps, no member and no marker is left
    run_aggregators()
    assert audience_store.members_page(audience["id"], 10, None, None).items == []
    assert audience_store.cleanup_step(audience["id"], 0, 10) is None  # the marker went with the last page
    # And the invitation already sent stays: accepting still follows the brand
    accept = next(a["path"] for a in note["actions"] if a["name"] == "accept")
    assert ok(call(api, "POST", accept, w["reader"]))["following"] is True
    (note,) = [n for n in _inbox(api, w["reader"]) if n["type"] == "invitation"]
    assert note["actions"] is None


def test_an_audience_a_running_campaign_targets_cannot_be_deleted_until_it_ends(
    api: Any, new_member: NewMember
) -> None:
    # Given a campaign that targets the audience and has not ended
    w = _world(api, new_member)
    audience = _audience(api, w)
    today = clock.now().date()
    body = {
        "name": "Autumn",
        "product_ids": [w["product"]["id"]],
        "starts_at": today.isoformat(),
        "ends_at": (today + timedelta(days=10)).isoformat(),
        "audience_id": audience["id"],
    }
    campaign = ok(call(api, "POST", f"/brands/{w['brand']['id']}/campaigns", w["owner"], body), 201)
    path = f"/brands/{w['brand']['id']}/audiences/{audience['id']}"

    # When the owner deletes the audience: 409 naming the campaign
    refused = call(api, "DELETE", path, w["owner"])
    assert refused.status_code == 409, refused.body
    error = json.loads(refused.body)["error"]
    assert error["code"] == "audience_in_use" and campaign["id"] in error["details"][0]["message"]

    # Then once the campaign has ended, the audience may go (the ended campaign keeps its id)
    ok(call(api, "POST", f"/brands/{w['brand']['id']}/campaigns/{campaign['id']}/end", w["owner"]))
    assert call(api, "DELETE", path, w["owner"]).status_code == 204


def test_a_stream_batch_reads_each_post_once_for_all_its_consumers(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a published post (and an id of none)
    w = _world(api, new_member)
    post_id = w["post"]["id"]
    alone = engagement_store.post_facts([post_id])

    # When a stream batch's consumers ask for it one after another (the inbox, audiences, the queue)
    with count_dynamodb_calls(monkeypatch) as calls, engagement_store.posts_read_once():
        first = engagement_store.post_facts([post_id, "post-none"])
        again = engagement_store.post_facts([post_id])
        missing_again = engagement_store.post_facts(["post-none"])

    # Then one BatchGetItem answered all three, with what a read outside the batch finds
    assert first == again == alone and missing_again == {}
    assert dict(calls) == {"BatchGetItem": 1}, calls
    # And outside a batch every call reads again
    with count_dynamodb_calls(monkeypatch) as calls:
        engagement_store.post_facts([post_id])
        engagement_store.post_facts([post_id])
    assert dict(calls) == {"BatchGetItem": 2}, calls


def test_an_authors_row_that_only_earns_is_one_capped_update(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a member with no row for a brand yet
    brand_id, member_id = fresh_name("brand"), fresh_name("member")
    earned = audience_store.RowChange(brand_id, member_id, earned_add={"t1", "t2"})

    # When a batch only adds what others gave their posts
    with count_dynamodb_calls(monkeypatch) as calls:
        audience_store.apply_row_change(earned)

    # Then one UpdateItem made the whole row, findable by the member (GSI4)
    assert dict(calls) == {"UpdateItem": 1}, calls
    assert audience_store.get_rows([(brand_id, member_id)])[(brand_id, member_id)].earned == {"t1", "t2"}
    assert audience_store.member_row_brands(member_id) == [brand_id]

    # And at the cap nothing more is added, and the row keeps what it had
    monkeypatch.setattr(audience_store, "EARNED_CAP", 2)
    audience_store.apply_row_change(audience_store.RowChange(brand_id, member_id, earned_add={"t3"}))
    both = audience_store.RowChange(brand_id, member_id, add={"engaged": {"s:p"}}, earned_add={"t4"})
    audience_store.apply_row_change(both)
    row = audience_store.get_rows([(brand_id, member_id)])[(brand_id, member_id)]
    assert row.earned == {"t1", "t2"} and row.engaged == {"s:p"}
