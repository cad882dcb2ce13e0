"""Path templates of the routes the API links to from its own answers (the inbox's actions).

One spelling per path, used twice: `route()` to register the route (api/, at import: this module
imports nothing heavy, tests/unit/test_coldstart.py) and `link()` to point a member at it
(services/inbox.py). A route fixes some parameters (the answer: `/approve` is its own route) and
keeps the others as `{placeholders}` for Chalice.
"""

from __future__ import annotations

from urllib.parse import quote

RIGHTS_DECISION = "/posts/{post_id}/rights-requests/{brand_id}/{decision}"
TAG_SUGGESTION_ANSWER = "/posts/{post_id}/tag-suggestions/{product_id}/{answer}"
INVITATION_ANSWER = "/me/invitations/{brand_id}/{answer}"


class _Kept(dict[str, str]):
    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def route(template: str, **fixed: str) -> str:
    """The route's path: the `fixed` parameters filled in, the others left as placeholders."""
    return template.format_map(_Kept(fixed))


def link(template: str, **values: str) -> str:
    """A concrete path: every parameter filled in (quoted); a missing one is a KeyError."""
    return template.format(**{name: quote(str(value), safe="") for name, value in values.items()})
