"""The features this service runs, in order: the one place to add one.

Each contributes its door routes, mail kinds and jobs (see `outreach.feature`). The door
tries routes in this order, after the mail layer's own bounce route; the daemon runs jobs
in this order on every planning tick.
"""

from __future__ import annotations

from outreach.campaign.feature import CampaignFeature
from outreach.feature import Feature
from outreach.lists.feature import ListFeature
from outreach.tasks.feature import TasksFeature


def installed() -> list[Feature]:
    # The lists first: mail to a list is list mail, whatever else it was copied to.
    return [ListFeature(), CampaignFeature(), TasksFeature()]
