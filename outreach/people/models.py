"""People: organizations and their contacts, and who may not be emailed."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.db.base import Base, enum_column


class Size(enum.StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class Engagement(enum.StrEnum):
    """The organizing guides' levels of engagement, closest first."""

    CORE = "Core"
    COMRADE = "Comrade"
    ALLY = "Ally"
    STRATEGIC_ALLIANCE = "Strategic Alliance"
    UNLIKELY_ALLY = "Unlikely Ally"


class Suppression(enum.StrEnum):
    NONE = "none"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    # An organizer's block, say for a person who phoned to ask not to be emailed.
    BLOCKED = "blocked"
    # The person was erased at their request; the row keeps only their address's hash.
    FORGOTTEN = "forgotten"


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Case- and space-folded name: the identity used to update instead of duplicate on import.
    key: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    sort_name: Mapped[str] = mapped_column(String(300))
    size: Mapped[Size] = mapped_column(enum_column(Size), default=Size.SMALL)
    engagement: Mapped[Engagement | None] = mapped_column(enum_column(Engagement))
    stakeholder_kind: Mapped[str | None] = mapped_column(String(100))
    tags: Mapped[list[str]] = mapped_column(default=list)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    needs_parent_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    parent: Mapped[Organization | None] = relationship(remote_side=[id])
    contacts: Mapped[list[Contact]] = relationship(back_populates="organization")


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    name: Mapped[str] = mapped_column(String(300))
    # What a greeting calls them ("Dear Priya,"): see `outreach.people.names`.
    greeting_name: Mapped[str] = mapped_column(String(200))
    # Stored lower-cased: one person, one row, whatever case they typed.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    role: Mapped[str | None] = mapped_column(String(200))
    is_decision_maker: Mapped[bool] = mapped_column(Boolean, default=False)
    suppression: Mapped[Suppression] = mapped_column(
            enum_column(Suppression), default=Suppression.NONE)
    suppressed_at: Mapped[datetime | None]
    suppression_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    organization: Mapped[Organization] = relationship(back_populates="contacts")
