"""The spine's bookkeeping: labels line up with DynamoDB's cancellation reasons, outcomes read plainly."""

from __future__ import annotations

from chalicelib.data.connection import COMMITTED, Outcome, Tx, _retryable
from chalicelib.data.models import CommentItem, FollowItem, PostItem, UserItem


def test_labels_follow_the_order_pynamodb_sends_items_in() -> None:
    # Given items added in an order that is not PynamoDB's (checks, deletes, puts, updates)
    tx = Tx()
    tx.update(UserItem("USER#a", "PROFILE"), [UserItem.posts.add(1)], label="author")
    tx.put(PostItem("POST#p", "POST"), label="post")
    tx.delete(CommentItem("POST#p", "COMMENT#c"), label="comment")
    tx.check(FollowItem, ("USER#a", "FOLLOWS#b"), FollowItem.PK.exists(), label="edge")

    # Then the labels are in the order DynamoDB reports cancellation reasons
    assert tx.labels == ["edge", "comment", "post", "author"]
    assert len(tx) == 4


def test_an_outcome_names_what_failed() -> None:
    outcome = Outcome(frozenset({"upload:u2", "upload:u1", "author"}))
    assert not outcome.committed and COMMITTED.committed
    assert outcome.failed_on("author", "post") and not outcome.failed_on("post")
    assert outcome.failed_like("upload:") == ["u1", "u2"]


def test_contention_and_throttling_are_retried_failed_conditions_are_not() -> None:
    assert _retryable(None, ["ConditionalCheckFailed", "TransactionConflict"])
    assert _retryable(None, [None, "ThrottlingError"])
    assert _retryable("ProvisionedThroughputExceededException", [])
    assert not _retryable(None, ["ConditionalCheckFailed", None])
    assert not _retryable("ValidationException", [])
