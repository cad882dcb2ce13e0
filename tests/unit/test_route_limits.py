"""Which abuse limit each write spends (issue 21, finding 9: deleting a comment spent the budget for
writing comments, so a member who tidied up was refused new ones with 429)."""

from __future__ import annotations

import app  # noqa: F401  (registers every route)
from chalicelib.api.routing import ROUTES


def test_every_write_spends_an_abuse_limit() -> None:
    unlimited = [f"{r.method} {r.path}" for r in ROUTES if r.method != "GET" and r.rate_limit is None]
    assert unlimited == []


def test_removing_content_never_spends_the_budget_for_creating_it() -> None:
    # Smiles and follows are toggles (PUT/DELETE of one edge): flipping one back and forth is the
    # abuse their shared limit is for. Comments and posts are created with POST and removed apart.
    creating = {r.rate_limit for r in ROUTES if r.method == "POST"}
    removing = {f"DELETE {r.path}": r.rate_limit for r in ROUTES if r.method == "DELETE"}
    toggles = {r.path for r in ROUTES if r.method == "PUT"}
    shared = {
        route: limit
        for route, limit in removing.items()
        if limit in creating and route.removeprefix("DELETE ") not in toggles
    }
    assert shared == {}
    assert removing["DELETE /posts/{post_id}/comments/{comment_id}"] == "comment_deletes"
