"""The public signer page, live at `/c/<campaign>/`, and its web form to join.

The page is what `outreach publish` writes (`render_public_page`, the same renderer and
templates), with its files beside it (`style.css`, `signers.json`), and a link to
`/c/<campaign>/join` in its "How to join" section. That form is for an organization no one
asked: its name, the signer's name and email, and "I am authorized". A submission is not
a sign-on: it goes to the organizer's review queue with what was typed, and nothing is
listed until an organizer has checked it and recorded the sign-on.
"""

from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from outreach.campaign.config import CampaignConfig
from outreach.campaign.public_page import (
    INDEX,
    SIGNERS_JSON,
    STYLE,
    display_name,
    render_public_page,
)
from outreach.db.session import transaction
from outreach.review.queue import open_item
from outreach.web.signing import NAME_MAX, PERSON_MAX
from outreach.web.site import Site

PUBLIC_PATH = "c"
JOIN_PATH = "join"
JOIN_REASON = "web_join"
CONTENT_TYPES = {INDEX: "text/html; charset=utf-8", STYLE: "text/css; charset=utf-8",
                 SIGNERS_JSON: "application/json"}


class PublicPages:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [
            Route(f"/{PUBLIC_PATH}/{{slug}}", self.to_page, methods=["GET"]),
            Route(f"/{PUBLIC_PATH}/{{slug}}/", self.page, methods=["GET"]),
            Route(f"/{PUBLIC_PATH}/{{slug}}/{{name:str}}", self.file, methods=["GET"]),
            Route(f"/{PUBLIC_PATH}/{{slug}}/{JOIN_PATH}", self.join, methods=["POST"]),
        ]

    async def to_page(self, request: Request) -> Response:
        """The page's files are relative to it: it lives at its folder's address."""
        slug = request.path_params["slug"]
        if self.site.campaign_config(slug) is None:
            return self.site.not_found()
        return RedirectResponse(self.site.path(PUBLIC_PATH, slug, ""), status_code=301)

    async def page(self, request: Request) -> Response:
        return self._file(request.path_params["slug"], INDEX)

    async def file(self, request: Request) -> Response:
        slug, name = request.path_params["slug"], request.path_params["name"]
        if name == JOIN_PATH:
            config = self.site.campaign_config(slug)
            if config is None:
                return self.site.not_found()
            return self._join_form(config, {}, [], self.site.clock())
        if name not in (STYLE, SIGNERS_JSON):
            return self.site.not_found()
        return self._file(slug, name)

    def _file(self, slug: str, name: str) -> Response:
        config = self.site.campaign_config(slug)
        now = self.site.clock()
        with transaction(self.site.app.factory) as session:
            campaign = self.site.campaign_row(session, slug)
            if config is None or campaign is None:
                return self.site.not_found()
            files = render_public_page(session, config, self.site.app.environments[slug],
                                       campaign, now, web_join_href=JOIN_PATH)
        return Response(files[name], media_type=CONTENT_TYPES[name],
                        headers={"cache-control": "no-cache"})

    async def join(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        config = self.site.campaign_config(slug)
        if config is None:
            return self.site.not_found()
        if not self.site.allow_post(request, f"join:{slug}"):
            return self.site.too_many()
        form = await request.form()
        now = self.site.clock()
        if not self.site.form_is_ours(form, f"join:{slug}", now):
            return self.site.forbidden()
        typed = {field: display_name(value) if isinstance(value := form.get(field), str)
                 else "" for field in ("organization", "signer_name", "email")}
        typed["authorized"] = "yes" if form.get("authorized") == "yes" else ""
        problems, email = _join_problems(typed)
        if problems:
            return self._join_form(config, typed, problems, now, status=422)
        with transaction(self.site.app.factory) as session:
            campaign = self.site.campaign_row(session, slug)
            if campaign is None:
                return self.site.not_found()
            open_item(session, reason=JOIN_REASON, now=now, campaign_id=campaign.id,
                      proposed_name=typed["organization"],
                      summary=f"{typed['organization']} asks to sign on the web: "
                              f"{typed['signer_name']} <{email}> (not asked by us)",
                      quoted_text=f"Joined on the web form at {now.isoformat()}: "
                                  f"“{typed['organization']}”, signed by "
                                  f"{typed['signer_name']} <{email}>, who confirmed being "
                                  "authorized to sign on its behalf.")
        return self.site.page("joined", {"campaign": {"title": config.title},
                                         "organization": typed["organization"],
                                         "public_href": self.site.path(PUBLIC_PATH, slug, "")})

    def _join_form(self, config: CampaignConfig, typed: dict[str, str], problems: list[str],
                   now: datetime, status: int = 200) -> Response:
        return self.site.page("join", {
            "campaign": {"title": config.title},
            "form": {"organization": typed.get("organization", ""),
                     "signer_name": typed.get("signer_name", ""),
                     "email": typed.get("email", ""),
                     "authorized": bool(typed.get("authorized"))},
            "problems": problems,
            "action": self.site.path(PUBLIC_PATH, config.slug, JOIN_PATH),
            "public_href": self.site.path(PUBLIC_PATH, config.slug, ""),
            "csrf": self.site.forms.issue(f"join:{config.slug}", now),
        }, status)


def _join_problems(typed: dict[str, str]) -> tuple[list[str], str]:
    """What keeps the join form from going to review, and the email address normalized."""
    problems = []
    if not typed["organization"]:
        problems.append("Please give your organization's name.")
    elif len(typed["organization"]) > NAME_MAX:
        problems.append(f"The organization's name is too long (at most {NAME_MAX} characters).")
    if not typed["signer_name"]:
        problems.append("Please give your name.")
    elif len(typed["signer_name"]) > PERSON_MAX:
        problems.append(f"Your name is too long (at most {PERSON_MAX} characters).")
    email = ""
    try:
        email = validate_email(typed["email"], check_deliverability=False).normalized
    except EmailNotValidError:
        problems.append("Please give an email address we can write to.")
    if not typed["authorized"]:
        problems.append("Please confirm that you are authorized to sign on behalf of the "
                        "organization.")
    return problems, email
