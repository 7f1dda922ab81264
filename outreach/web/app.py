"""The web app: sign links, keep-or-withdraw links, one-click unsubscribe, draft links,
the live public page with its join form, and health and metrics.

`create_web_app` builds the Starlette app over an outreach `App` (its settings, database
and campaigns). Every page is server-rendered from `templates/web/` (or the public page's
own templates) with autoescaping, needs no JavaScript, and is served with a strict
Content-Security-Policy (`outreach.web.security`). The app answers under the path of
`[public] base_url`, so that the links in mail reach it as they are written, and at the
root as well, for a proxy that strips that path; the links it makes carry the path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from outreach.app import App
from outreach.clock import utc_now
from outreach.web.drafts import DraftPages
from outreach.web.health import HealthPages
from outreach.web.list_unsubscribing import ListUnsubscribePages
from outreach.web.public import PublicPages
from outreach.web.security import SecurityHeaders
from outreach.web.signing import SignPages
from outreach.web.site import Site
from outreach.web.unsubscribing import UnsubscribePages

STYLE_SOURCE = "web/style.css"


def create_web_app(app: App, *, clock: Callable[[], datetime] = utc_now) -> Starlette:
    site = Site.of(app, clock)

    async def style(request: Request) -> Response:
        assert site.env.loader is not None
        source, _filename, _uptodate = site.env.loader.get_source(site.env, STYLE_SOURCE)
        return Response(source, media_type="text/css; charset=utf-8",
                        headers={"cache-control": "public, max-age=3600"})

    async def problem(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 405:
            return site.problem(405, "Not here", "This address does not take that request.")
        return site.not_found()

    routes: list[BaseRoute] = [
        Route("/style.css", style, methods=["GET"]),
        *SignPages(site).routes(),
        *UnsubscribePages(site).routes(),
        *ListUnsubscribePages(site).routes(),
        *DraftPages(site).routes(),
        *PublicPages(site).routes(),
        *HealthPages(site).routes(),
    ]
    if site.root:
        # Under the path of base_url, as mail links it; and at the root, behind a proxy
        # that strips that path.
        routes = [Mount(site.root, routes=routes), *routes]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)],
                     exception_handlers={404: problem, 405: problem})
