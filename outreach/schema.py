"""Every feature's tables in one metadata: what migrations build and tests compare against.

Importing this module registers every mapped class, so relationships between features
(a target's organization, a sign-on's target) resolve whichever module loads first.
"""

from __future__ import annotations

from sqlalchemy import MetaData

import outreach.campaign.models
import outreach.lists.models
import outreach.mail.models
import outreach.people.models
import outreach.review.models
import outreach.tasks.models  # noqa: F401 (imported for their tables)
from outreach.db.base import Base

metadata: MetaData = Base.metadata
