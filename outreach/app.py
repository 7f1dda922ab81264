"""The running application: settings, database, loaded campaigns and the outbox hooks.

The CLI and the daemon build one `App`; the domain functions they call take plain
sessions and `now`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from outreach.campaign.asks import ASK, ask_failed
from outreach.campaign.config import CampaignConfig, campaign_path, list_campaigns, load_campaign
from outreach.campaign.mailings import KINDS, TargetMailComposer
from outreach.db.session import make_engine, make_session_factory, upgrade
from outreach.errors import ConfigError, OutreachError
from outreach.mail.outbox import OutboxHooks
from outreach.settings import Settings
from outreach.templating import make_environment


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
                known = ", ".join(sorted(self.campaigns)) or "none"
                raise OutreachError(f"no campaign {slug!r}: {path} does not exist "
                                    f"(campaigns found: {known})")
            self.add_campaign(load_campaign(path))
        return self.campaigns[slug]

    def add_campaign(self, config: CampaignConfig) -> None:
        self.campaigns[config.slug] = config
        self.environments[config.slug] = make_environment(self.template_path(config))

    def template_path(self, config: CampaignConfig) -> list[Path]:
        paths = [config.source.parent / "templates"]
        if self.settings.templates_dir is not None:
            paths.append(self.settings.templates_dir)
        return paths

    def hooks(self) -> OutboxHooks:
        return OutboxHooks(
            composers=dict.fromkeys(
                KINDS, TargetMailComposer(self.settings, self.campaigns, self.environments)),
            on_failed={ASK: ask_failed},
        )

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
