"""Rights requests' pure rules (issue 22): which stream records notify an author or withdraw rights,
and when a brand may feature a post. No AWS."""

from __future__ import annotations

from typing import Any

from chalicelib.data.posts import PostRecord
from chalicelib.data.rights import Featured, RightsRequest
from chalicelib.services.engagement import TableChange
from chalicelib.services.inbox import notifications_of
from chalicelib.services.rights import featurable

AT, LATER = "2026-12-03T10:00:00.000Z", "2026-12-04T10:00:00.000Z"


def _request(status: str, requested_at: str = AT, **extra: Any) -> dict[str, Any]:
    return {
        "type": "rights_request",
        "post_id": "p1",
        "brand_id": "b1",
        "author_id": "au",
        "terms": "Our site, a year",
        "status": status,
        "requested_at": requested_at,
        **extra,
    }


def _change(
    name: str, new: dict[str, Any] | None, old: dict[str, Any] | None = None, event: str = "e1"
) -> TableChange:
    return TableChange(event_id=event, name=name, new=new, old=old)


def test_a_new_pending_request_notifies_the_author_with_the_brand_as_actor_and_the_terms() -> None:
    [found] = notifications_of([_change("INSERT", _request("pending"))], {})
    assert (found.member_id, found.kind, found.actor_id, found.brand_id) == (
        "au",
        "rights_request",
        "b1",
        "b1",
    )
    assert (found.post_id, found.text, found.created_at) == ("p1", "Our site, a year", AT)


def test_asking_again_after_a_decline_notifies_again_but_decisions_and_replays_do_not() -> None:
    renewed = _change("MODIFY", _request("pending", LATER), _request("declined"), "e2")
    approved = _change("MODIFY", _request("approved"), _request("pending"), "e3")
    untouched = _change("MODIFY", _request("pending"), _request("pending"), "e4")
    erased = _change("INSERT", _request("pending", author_id=None), None, "e5")
    found = notifications_of([renewed, approved, untouched, erased], {})
    assert [(n.kind, n.created_at) for n in found] == [("rights_request", LATER)]


def _post(author: str = "au") -> PostRecord:
    return PostRecord("p1", author, "photo", "Camp", None, ["hiking"], [], AT)


def _found(status: str | None, post: PostRecord | None, request_author: str = "au") -> Featured:
    requests = {"p1": RightsRequest("p1", "b1", request_author, "t", status, AT)} if status else {}
    return Featured(None, {"p1": post} if post else {}, requests)


def test_a_post_is_featurable_only_when_approved_by_its_author_and_live() -> None:
    assert featurable(_found("approved", _post()), "p1")
    assert not featurable(_found(None, _post()), "p1")
    for status in ("pending", "declined", "withdrawn"):
        assert not featurable(_found(status, _post()), "p1"), status
    assert not featurable(_found("approved", None), "p1")  # hidden, deleted or being deleted
    assert not featurable(_found("approved", _post(), request_author=None), "p1")  # erased author  # type: ignore[arg-type]
