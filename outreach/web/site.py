"""What every page of the web app shares: the outreach `App`, the clock, the page
templates (`templates/web/`, escaped), form tokens, the post limit and the path the app
lives under (the path of `[public] base_url`, so that links in mail reach it as written)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse

from outreach.app import App
from outreach.campaign.config import CampaignConfig
from outreach.campaign.models import Campaign
from outreach.templating import make_environment
from outreach.web.security import FormTokens, PostLimit


def path_prefix(base_url: str) -> str:
    """The path of `base_url` without its final slash ("" for a bare host)."""
    return urlsplit(base_url).path.rstrip("/")


@dataclass
class Site:
    app: App
    clock: Callable[[], datetime]
    env: jinja2.Environment
    forms: FormTokens
    posts: PostLimit
    root: str  # the path every page lives under: "" or "/letter"

    @classmethod
    def of(cls, app: App, clock: Callable[[], datetime]) -> Site:
        settings = app.settings
        search = [settings.templates_dir] if settings.templates_dir is not None else []
        return cls(app=app, clock=clock, env=make_environment(search),
                   forms=FormTokens(settings.require_secret_key()),
                   posts=PostLimit(settings.web.posts_per_minute),
                   root=path_prefix(settings.public.base_url))

    def path(self, *parts: str) -> str:
        """An own path: the app's root, then `parts` joined by slashes."""
        return "/".join((self.root, *parts))

    def page(self, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        page = self.env.get_template(f"web/{template}.html.j2")
        html = page.render({"style_href": self.path("style.css"), **context})
        return HTMLResponse(html, status_code=status)

    def problem(self, status: int, title: str, message: str,
                contact_email: str | None = None) -> HTMLResponse:
        """A page that says what went wrong and, where it helps, whom to write to."""
        return self.page("problem", {"title": title, "message": message,
                                     "contact_email": contact_email}, status)

    def not_found(self) -> HTMLResponse:
        return self.problem(404, "Page not found",
                            "This link is not one of ours, or part of it is missing. If you "
                            "copied it from an email, check that you have all of it.")

    def forbidden(self) -> HTMLResponse:
        return self.problem(403, "This form has expired",
                            "The form was not sent from the page we gave you, or it is too "
                            "old. Nothing was changed. Open the link from your email again "
                            "and send the form from there.")

    def too_many(self) -> HTMLResponse:
        return self.problem(429, "Too many attempts",
                            "This form was sent too many times in the last minute. Nothing "
                            "more was changed. Please wait a minute and try again.")

    def form_is_ours(self, form: FormData, scope: str, now: datetime) -> bool:
        """Whether `form` carries a form token we issued for `scope` that has not expired."""
        csrf = form.get("csrf")
        return isinstance(csrf, str) and self.forms.check(csrf, scope, now)

    def allow_post(self, request: Request, token: str, *, per_client: bool = True) -> bool:
        """Count this post against its token and (with `per_client`) its client address."""
        keys = [f"token:{token}"]
        if per_client:
            client = request.client.host if request.client is not None else "unknown"
            keys.append(f"client:{client}")
        return self.posts.allow(keys, self.clock())

    def campaign_config(self, slug: str) -> CampaignConfig | None:
        """A campaign loaded from its file (never a path made from the URL)."""
        return self.app.campaigns.get(slug)

    def campaign_row(self, session: Session, slug: str) -> Campaign | None:
        return session.scalars(select(Campaign).where(Campaign.slug == slug)).first()

    def contact_email(self, config: CampaignConfig | None) -> str:
        if config is not None and config.contact_email:
            return config.contact_email
        return self.app.settings.sender.address
