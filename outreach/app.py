"""The running application: settings, database, loaded campaigns, and what the installed
features register (door routes and their handlers, mail kinds, jobs).

The CLI and the daemon build one `App`; the domain functions they call take plain
sessions and `now`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import outreach.schema  # noqa: F401 (every table mapped before any query)
from outreach.campaign.config import CampaignConfig, campaign_path, list_campaigns, load_campaign
from outreach.db.session import make_engine, make_session_factory, upgrade
from outreach.errors import ConfigError, OutreachError
from outreach.inbound.door import UNROUTED, Door, Route, tagged
from outreach.mail.bounce_handling import BOUNCE_LOCAL_PART, BounceAddress
from outreach.mail.bounce_handling import ROUTE as BOUNCE_ROUTE
from outreach.mail.handling import Handler
from outreach.mail.outbox import OutboxHooks
from outreach.people.blocklist import refused_recipients
from outreach.review.unrouted import Unrouted
from outreach.settings import Settings
from outreach.templating import make_environment

if TYPE_CHECKING:
    from outreach.feature import Contribution, Feature, Job


@dataclass
class App:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    campaigns: dict[str, CampaignConfig] = field(default_factory=dict)
    environments: dict[str, jinja2.Environment] = field(default_factory=dict)

    def campaign(self, slug: str) -> CampaignConfig:
        if slug not in self.campaigns:
            path = campaign_path(self.settings.campaigns_dir, slug)
            if not path.exists():
                raise OutreachError(f"no campaign {slug!r}; {self._known_campaigns()}")
            self.add_campaign(load_campaign(path))
        return self.campaigns[slug]

    def _known_campaigns(self) -> str:
        known = sorted({*self.campaigns,
                        *(path.stem for path in list_campaigns(self.settings.campaigns_dir))})
        if known:
            return f"campaigns: {', '.join(known)}"
        return f"no campaign files in {self.settings.campaigns_dir}"

    def add_campaign(self, config: CampaignConfig) -> None:
        self.campaigns[config.slug] = config
        self.environments[config.slug] = make_environment(self.template_path(config))

    def template_path(self, config: CampaignConfig) -> list[Path]:
        paths = [config.source.parent / "templates"]
        if self.settings.templates_dir is not None:
            paths.append(self.settings.templates_dir)
        return paths

    @cached_property
    def features(self) -> list[Feature]:
        from outreach.features import installed  # features import the app: load them late

        return installed()

    @cached_property
    def contributions(self) -> dict[str, Contribution]:
        return {feature.name: feature.contribute(self) for feature in self.features}

    def hooks(self) -> OutboxHooks:
        """Every feature's mail kinds (composers, failure and bounce hooks), and the gate
        that keeps all mail from suppressed and forgotten addresses."""
        hooks = OutboxHooks(gates=[refused_recipients])
        for contribution in self.contributions.values():
            hooks.merge(contribution.hooks)
        return hooks

    @cached_property
    def door(self) -> Door:
        """Where every inbound message goes: the mail layer's bounce address, then each
        feature's routes in order, then the review queue for what none claims."""
        bounce = Route(BOUNCE_ROUTE, tagged(BOUNCE_LOCAL_PART, self.settings.sender.reply_domain),
                       f"{BOUNCE_LOCAL_PART}+<token>@{self.settings.sender.reply_domain}")
        return Door([bounce, *(route for c in self.contributions.values()
                               for route, _ in c.routes)])

    @cached_property
    def handlers(self) -> dict[str, Handler]:
        handlers: dict[str, Handler] = {
            BOUNCE_ROUTE: BounceAddress(self.settings.require_secret_key(),
                                        self.settings.sender.reply_domain,
                                        self.hooks().on_bounced),
            UNROUTED: Unrouted(),
        }
        for contribution in self.contributions.values():
            handlers.update({route.handler: handler for route, handler in contribution.routes})
        return handlers

    @property
    def jobs(self) -> list[Job]:
        return [job for c in self.contributions.values() for job in c.jobs]

    def close(self) -> None:
        self.engine.dispose()


def open_app(settings: Settings, *, load_all: bool = True, migrate: bool = True) -> App:
    """Connect, migrate, and (with `load_all`) load every campaign file, failing on any error."""
    engine = make_engine(settings.database.url)
    if migrate:
        upgrade(engine)
    app = App(settings=settings, engine=engine, factory=make_session_factory(engine))
    if load_all:
        problems: list[ConfigError] = []
        for path in list_campaigns(settings.campaigns_dir):
            try:
                app.add_campaign(load_campaign(path))
            except ConfigError as exc:
                problems.append(exc)
        if problems:
            engine.dispose()
            raise OutreachError("\n".join(str(p) for p in problems))
    return app
