"""Contention and throttling on every write path: retried, then 429 with Retry-After, never a partial write.

The embedded AWS runs transactions one at a time, so DynamoDB's `TransactionConflict` and
throttling never happen by themselves here: botocore event hooks answer for DynamoDB instead
(tests/support/faults.py), and the invariant checker (local/invariants.py) proves afterwards that
every counter still equals the items it summarises.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.data import connection
from local.seed import seed_interests, seed_products
from tests.conftest import SignedInMember
from tests.support import images
from tests.support.community import assert_error, call, comment, counts, ok, post_of, publish, smile
from tests.support.faults import CAPACITY, CAPACITY_ITEM, CONFLICT, THROTTLED_ITEM, THROTTLING, Fault, inject
from tests.support.invariants import assert_invariants
from tests.support.posts import photo, post_body
from tests.support.uploads import upload_images

NewMember = Callable[..., SignedInMember]
PRODUCT = "p-northpeak-00"


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retry loop's sleeps, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(connection, "time", SimpleNamespace(sleep=recorded.append))
    return recorded


def _transactions(reason: str | None = None, code: str | None = None, times: int | None = None) -> Fault:
    return Fault("TransactWriteItems", reason=reason, code=code, times=times)


def _photo_post(api: Any, author: SignedInMember) -> dict[str, Any]:
    [upload_id] = upload_images(api, author, [images.jpeg(64, 48)])
    return post_body("photo", [photo(upload_id, (PRODUCT, 0.5, 0.5))])


@pytest.fixture
def author(api: Any, private_table: str, new_member: NewMember) -> SignedInMember:
    # A table of its own: the invariant checker scans the whole table, and the session's holds other
    # tests' deliberate half-states (expired idempotency records, deleted generations, ...).
    seed_interests()
    seed_products(None, per_brand=1)
    member = new_member("prime")
    call(api, "GET", "/me", member)
    return member


def test_a_post_published_under_transaction_conflicts_is_retried_not_called_upload_not_ready(
    api: Any, author: SignedInMember, pauses: list[float]
) -> None:
    # Given a ready upload tagging a product, and DynamoDB cancelling the next two transactions
    request = _photo_post(api, author)

    # When the author publishes it
    with inject(connection.shared_client(), _transactions(CONFLICT, times=2)) as [fault]:
        response = call(api, "POST", "/posts", author, request)

    # Then it was retried after a pause each time, and published once
    post = ok(response, 201)
    assert fault.injected == 2 and len(pauses) == 2
    assert post_of(api, post["id"])["photos"][0]["tags"][0]["product_id"] == PRODUCT
    assert counts(api, author.user_id)["posts"] == 1
    assert ok(call(api, "GET", f"/products/{PRODUCT}"))["tag_count"] == 1
    assert_invariants()


def test_a_post_still_contended_after_every_retry_is_a_429_with_retry_after_and_writes_nothing(
    api: Any, author: SignedInMember, pauses: list[float]
) -> None:
    # Given a ready upload, and every transaction cancelled for contention
    request = _photo_post(api, author)

    # When the author publishes it
    with inject(connection.shared_client(), _transactions(CONFLICT)) as [fault]:
        response = call(api, "POST", "/posts", author, request)

    # Then the answer is "retry later" (not 409 upload_not_ready), after bounded retries
    assert_error(response, 429, "throttled")
    assert int(response.headers["Retry-After"]) >= 1
    assert fault.injected == connection.ATTEMPTS
    assert len(pauses) == connection.ATTEMPTS - 1
    # And nothing was written: the upload is still free, and publishing again works
    assert counts(api, author.user_id)["posts"] == 0
    assert_invariants()
    ok(call(api, "POST", "/posts", author, request), 201)
    assert_invariants()


def _is_post_deletion(body: dict[str, Any]) -> bool:
    """The cascade's last transaction: the one deleting the post item itself."""
    return any(
        "Delete" in item and item["Delete"]["Key"]["SK"]["S"] == "POST" for item in body["TransactItems"]
    )


def test_a_conflict_on_the_delete_cascades_last_transaction_is_retried_not_a_500(
    api: Any, author: SignedInMember, new_member: NewMember, pauses: list[float]
) -> None:
    # Given a smiled, commented photo post
    fan = new_member("prime")
    post = ok(call(api, "POST", "/posts", author, _photo_post(api, author)), 201)
    smile(api, fan, post["id"])
    comment(api, fan, post["id"])

    # When the author deletes it while the final transaction conflicts twice
    conflict = Fault("TransactWriteItems", reason=CONFLICT, times=2, when=_is_post_deletion)
    with inject(connection.shared_client(), conflict) as [fault]:
        response = call(api, "DELETE", f"/posts/{post['id']}", author)

    # Then it is retried and done: no 500, nothing left behind
    assert response.status_code == 204, response.body
    assert fault.injected == 2
    assert counts(api, author.user_id) == {"posts": 0, "smiles_received": 0, "followers": 0, "following": 0}
    assert_invariants()


def test_a_delete_cascade_contended_to_the_end_is_a_429_and_a_retried_delete_finishes_it(
    api: Any, author: SignedInMember, new_member: NewMember, pauses: list[float]
) -> None:
    # Given a smiled photo post
    fan = new_member("prime")
    post = ok(call(api, "POST", "/posts", author, _photo_post(api, author)), 201)
    smile(api, fan, post["id"])

    # When the author deletes it while its last transaction stays contended
    with inject(
        connection.shared_client(), Fault("TransactWriteItems", reason=CONFLICT, when=_is_post_deletion)
    ):
        response = call(api, "DELETE", f"/posts/{post['id']}", author)

    # Then the answer is a 429 with Retry-After (never a 500), and the post is already hidden
    assert_error(response, 429, "throttled")
    assert "Retry-After" in response.headers
    assert call(api, "GET", f"/posts/{post['id']}").status_code == 404

    # And the client's retry finishes the cascade, every counter settled once
    assert call(api, "DELETE", f"/posts/{post['id']}", author).status_code == 204
    assert counts(api, author.user_id) == {"posts": 0, "smiles_received": 0, "followers": 0, "following": 0}
    assert_invariants()


FAULTS = {
    "transaction conflict": _transactions(CONFLICT),
    "item throttled in a transaction": _transactions(THROTTLED_ITEM),
    "item over provisioned capacity in a transaction": _transactions(CAPACITY_ITEM),
    "ThrottlingException": _transactions(code=THROTTLING),
    "ProvisionedThroughputExceededException": _transactions(code=CAPACITY),
}


@pytest.mark.parametrize("kind", list(FAULTS))
def test_every_write_path_under_persistent_contention_or_throttling_is_a_429_that_changes_nothing(
    api: Any, author: SignedInMember, new_member: NewMember, pauses: list[float], kind: str
) -> None:
    # Given an author with a photo post a fan smiled at and commented on, an idea post, and a follow
    fan = new_member("prime")
    smiled = ok(call(api, "POST", "/posts", author, _photo_post(api, author)), 201)
    other = publish(api, author)
    smile(api, fan, smiled["id"])
    kept = comment(api, fan, smiled["id"])
    ok(call(api, "PUT", f"/users/{author.user_id}/follow", fan))
    request = _photo_post(api, author)
    before = (counts(api, author.user_id), counts(api, fan.user_id), post_of(api, smiled["id"]))

    # When every write path runs while DynamoDB answers every transaction with the fault
    fault = FAULTS[kind]
    fault.injected = 0
    with inject(connection.shared_client(), fault):
        answers = {
            "publish": call(api, "POST", "/posts", author, request),
            "smile": call(api, "PUT", f"/posts/{other['id']}/smile", fan),
            "unsmile": call(api, "DELETE", f"/posts/{smiled['id']}/smile", fan),
            "comment": call(api, "POST", f"/posts/{smiled['id']}/comments", fan, {"text": "hi"}),
            "delete comment": call(api, "DELETE", f"/posts/{smiled['id']}/comments/{kept['id']}", fan),
            "follow": call(api, "PUT", f"/users/{fan.user_id}/follow", author),
            "unfollow": call(api, "DELETE", f"/users/{author.user_id}/follow", fan),
            "delete post": call(api, "DELETE", f"/posts/{other['id']}", author),
        }

    # Then each is a bounded-retry 429 with Retry-After, never a 5xx
    for path, answer in answers.items():
        assert answer.status_code == 429, (path, answer.status_code, answer.body)
        assert answer.headers.get("Retry-After"), path
    assert fault.injected == connection.ATTEMPTS * len(answers)
    # And nothing changed but the deleted post being hidden; the retried delete finishes it
    assert (counts(api, author.user_id), counts(api, fan.user_id), post_of(api, smiled["id"])) == before
    assert call(api, "DELETE", f"/posts/{other['id']}", author).status_code == 204
    assert_invariants()


def test_a_throttled_single_item_write_is_a_429_with_retry_after(api: Any, author: SignedInMember) -> None:
    # Given DynamoDB throttling every UpdateItem (after botocore's own retries)
    fault = Fault("UpdateItem", code=CAPACITY)

    # When the member edits their profile
    with inject(connection.shared_client(), fault):
        response = call(api, "PATCH", "/me", author, {"bio": "Hiker"})

    # Then it is "retry later", not a 500
    assert_error(response, 429, "throttled")
    assert response.headers["Retry-After"] == "1"
    assert fault.injected == 1
