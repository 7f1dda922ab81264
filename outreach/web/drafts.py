"""Draft links that never go stale: `/d/<campaign>` and `/d/<campaign>/v<N>`.

`/d/<campaign>` redirects (303) to the current version: to the draft URL the campaign's
file configures for it, else to this app's own `/d/<campaign>/v<N>`. It never redirects
anywhere a request names: the address comes from the campaign's file and the database.
`/d/<campaign>/v<N>` shows version N of the letter, and says so when a newer one exists.
"""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from outreach.campaign.letters import current_version
from outreach.campaign.models import LetterVersion
from outreach.campaign.public_page import letter_html
from outreach.db.session import transaction
from outreach.web.links import DRAFT_PATH
from outreach.web.site import Site


class DraftPages:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [Route(f"/{DRAFT_PATH}/{{slug}}", self.current, methods=["GET"]),
                Route(f"/{DRAFT_PATH}/{{slug}}/v{{number:int}}", self.version, methods=["GET"])]

    async def current(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        config = self.site.campaign_config(slug)
        with transaction(self.site.app.factory) as session:
            campaign = self.site.campaign_row(session, slug)
            version = current_version(session, campaign.id) if campaign is not None else None
            if config is None or version is None:
                return self.site.not_found()
            location = version.draft_url or self.site.path(DRAFT_PATH, slug,
                                                           f"v{version.number}")
            return RedirectResponse(location, status_code=303)

    async def version(self, request: Request) -> Response:
        slug, number = request.path_params["slug"], request.path_params["number"]
        config = self.site.campaign_config(slug)
        with transaction(self.site.app.factory) as session:
            campaign = self.site.campaign_row(session, slug)
            if config is None or campaign is None:
                return self.site.not_found()
            shown = session.scalars(select(LetterVersion).where(
                LetterVersion.campaign_id == campaign.id,
                LetterVersion.number == number)).first()
            latest = current_version(session, campaign.id)
            if shown is None or latest is None:
                return self.site.not_found()
            return self.site.page("draft", {
                "campaign": {"title": config.title},
                "letter": {"version": shown.number, "html": letter_html(shown.text, config.title),
                           "published_at": shown.published_at, "summary": shown.summary},
                "newer": {"version": latest.number,
                          "href": self.site.path(DRAFT_PATH, slug, f"v{latest.number}")}
                if latest.number > shown.number else None,
                "timezone": config.timezone,
            })
