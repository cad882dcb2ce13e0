"""The web client's content security policy: one definition for the site's CloudFront response
headers (infra/, with the stack's URLs) and the `make dev` web server (local/, with local URLs).

Only the site's own scripts run (`script-src 'self'`: no inline script, no eval), and the page
may connect only to itself, the API, Cognito and the uploads bucket (the presigned POST).
Images may come from any https origin: product images are brands' URLs. The site frames only its
own pages (`frame-src 'self'`: the gallery embed's demo page); no one frames the site, except the
gallery embed's pages (`EMBED_PATH`, issue 22), which brands frame on their own sites: they hold
no session and offer no signed-in action, so `frame-ancestors *` lends a clickjacker nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

EMBED_PATH = "/embed/"  # web/embed/: the pages brands frame (the shoppable gallery)


def site_csp(
    *,
    api: str,
    cognito: str,
    uploads: Sequence[str] = (),
    images: Sequence[str] = (),
    embeddable: bool = False,
) -> str:
    connect = " ".join(["'self'", api, cognito, *uploads])
    framed_by = "*" if embeddable else "'none'"
    img = " ".join(["'self'", "data:", "blob:", "https:", *images])
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {img}",
            f"connect-src {connect}",
            "font-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-src 'self'",
            f"frame-ancestors {framed_by}",
        ]
    )
