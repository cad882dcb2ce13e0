"""The web client's content security policy: one definition for the site's CloudFront response
headers (infra/, with the stack's URLs) and the `make dev` web server (local/, with local URLs).

Only the site's own scripts run (`script-src 'self'`: no inline script, no eval), and the page
may connect only to itself, the API, Cognito and the uploads bucket (the presigned POST).
Images may come from any https origin: product images are brands' URLs.
"""

from __future__ import annotations

from collections.abc import Sequence


def site_csp(*, api: str, cognito: str, uploads: Sequence[str] = (), images: Sequence[str] = ()) -> str:
    connect = " ".join(["'self'", api, cognito, *uploads])
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
            "frame-ancestors 'none'",
        ]
    )
