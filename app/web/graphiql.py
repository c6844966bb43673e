"""The GraphiQL page and its files, served by the gateway itself (outside production only).

Nothing comes from the internet: React, GraphiQL and the explorer plugin are pinned npm builds
in `static/graphiql/vendor/` (see its README), and the page's Content-Security-Policy allows this
origin only. The page asks for an API key and sends it with every request (`c360-graphiql.js`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

STATIC_DIRECTORY = Path(__file__).parent / "static" / "graphiql"
ASSETS_PREFIX = "/graphiql/"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@cache
def _page() -> bytes:
    return (STATIC_DIRECTORY / "index.html").read_bytes()


def graphiql_page() -> HTMLResponse:
    """The GraphiQL page, with a policy that keeps every request on this origin."""
    return HTMLResponse(
        _page(),
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store"},
    )


def graphiql_assets() -> Mount:
    """The route of the page's scripts, styles and licences (public: they hold no data)."""
    return Mount(ASSETS_PREFIX.rstrip("/"), app=StaticFiles(directory=STATIC_DIRECTORY))
