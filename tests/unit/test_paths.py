"""Route path templates (chalicelib/paths.py): one spelling registers a route and links to it."""

from __future__ import annotations

import pytest

from chalicelib import paths
from chalicelib.api import routing


def test_a_route_fixes_some_parameters_and_keeps_the_others_for_chalice() -> None:
    route = paths.route(paths.RIGHTS_DECISION, decision="approve")
    assert route == "/posts/{post_id}/rights-requests/{brand_id}/approve"


def test_a_link_fills_every_parameter_quoted_and_refuses_a_missing_one() -> None:
    link = paths.link(paths.TAG_SUGGESTION_ANSWER, post_id="p 1", product_id="q/2", answer="accept")
    assert link == "/posts/p%201/tag-suggestions/q%2F2/accept"
    with pytest.raises(KeyError):
        paths.link(paths.INVITATION_ANSWER, answer="accept")


@pytest.mark.parametrize(
    ("template", "name", "answers"),
    [
        (paths.RIGHTS_DECISION, "decision", ("approve", "decline", "withdraw")),
        (paths.TAG_SUGGESTION_ANSWER, "answer", ("accept", "decline")),
        (paths.INVITATION_ANSWER, "answer", ("accept", "decline")),
    ],
)
def test_every_template_is_a_registered_post_route(
    template: str, name: str, answers: tuple[str, ...]
) -> None:
    import app  # noqa: F401  (registers the routes)

    registered = {(spec.method, spec.path) for spec in routing.ROUTES}
    for answer in answers:
        assert ("POST", paths.route(template, **{name: answer})) in registered
