"""What `status --json` and `stakeholders --json` print: the facts of their tables, as data."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from outreach.campaign.campaigns import get_campaign
from outreach.campaign.config import CampaignConfig
from outreach.campaign.funnel import funnels
from outreach.campaign.stakeholders import StakeholderMap
from outreach.campaign.status import campaign_statuses, outbox_counts
from outreach.campaign.windows import next_mail


def status_document(session: Session, slug: str | None, configs: dict[str, CampaignConfig],
                    now: datetime) -> dict[str, Any]:
    """Each campaign (or `slug`): its counts, funnel and next mail; and the outbox."""
    if slug is not None:
        get_campaign(session, slug)  # an error that names the campaigns there are
    statuses = campaign_statuses(session, slug)
    by_slug = {funnel.slug: funnel for funnel in funnels(session, configs, now, slug)}
    campaigns = []
    for st in statuses:
        upcoming = next_mail(session, st.slug, configs.get(st.slug), now)
        campaigns.append({
            **asdict(st), "total": st.total, "funnel": by_slug.get(st.slug),
            "next_mail": None if upcoming is None else {
                "at": upcoming.at, "waiting": upcoming.waiting, "due_now": upcoming.due_now,
                "reason": upcoming.reason, "says": upcoming.describe()},
        })
    return {"as_of": now, "campaigns": campaigns, "outbox": outbox_counts(session)}


def stakeholders_document(smap: StakeholderMap) -> dict[str, Any]:
    """Every cell of the grid, with the totals by level and by kind."""
    return {
        "slug": smap.slug, "title": smap.title, "levels": smap.levels, "kinds": smap.kinds,
        "cells": [{"level": level, "kind": kind, **asdict(smap.cell(level, kind))}
                  for level in smap.levels for kind in smap.kinds],
        "by_level": {level: smap.level_total(level) for level in smap.levels},
        "by_kind": {kind: smap.kind_total(kind) for kind in smap.kinds},
        "unasked_kinds": smap.unasked_kinds,
    }
