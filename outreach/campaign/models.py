"""A sign-on campaign's tables: targets, letters, sign-ons, notices, reissues, mailings."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.db.base import Base, enum_column

if TYPE_CHECKING:
    from outreach.people.models import Contact, Organization


class TargetState(enum.StrEnum):
    """Every state a target can be in; moves only through `outreach.campaign.targets.transition`."""

    QUEUED = "queued"
    EXCLUDED = "excluded"
    ASKED = "asked"
    FOLLOWED_UP = "followed_up"
    ESCALATED = "escalated"
    PAUSED = "paused"
    SIGNED = "signed"
    # Signed, then took the signature back (by reply to a change or reissue notice, say).
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"
    OPTED_OUT = "opted_out"
    BOUNCED = "bounced"


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
    # Set when the campaign stops asking (say its target was reached at the soft deadline).
    closed_at: Mapped[datetime | None]
    closed_reason: Mapped[str | None] = mapped_column(Text)
    # The cadence and deadlines the targets' next steps were planned with: when the config
    # changes, every open target is planned again.
    plan_digest: Mapped[str | None] = mapped_column(String(64))
    # Set on the release date, when every signer was sent the final letter.
    released_at: Mapped[datetime | None]

    letter_versions: Mapped[list[LetterVersion]] = relationship(
        back_populates="campaign", order_by="LetterVersion.number"
    )


class LetterVersion(Base):
    __tablename__ = "letter_version"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="")
    # A word-level diff from the version before: what signers are shown in change notices.
    diff: Mapped[str] = mapped_column(Text, default="")
    draft_url: Mapped[str] = mapped_column(String(1000))
    published_at: Mapped[datetime]

    campaign: Mapped[Campaign] = relationship(back_populates="letter_versions")


class Target(Base):
    """One organization to ask in one campaign, through one contact."""

    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("campaign_id", "organization_id"),
        Index("ix_target_due", "campaign_id", "state", "next_action_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"))
    state: Mapped[TargetState] = mapped_column(enum_column(TargetState), default=TargetState.QUEUED)
    state_reason: Mapped[str | None] = mapped_column(Text)
    state_changed_at: Mapped[datetime]
    next_action_at: Mapped[datetime | None]
    priority: Mapped[int] = mapped_column(Integer, default=0)
    wave: Mapped[str | None] = mapped_column(String(100))
    emails_sent: Mapped[int] = mapped_column(Integer, default=0)
    asked_at: Mapped[datetime | None]
    # The last human reply: any one stops the automated follow-ups.
    replied_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    campaign: Mapped[Campaign] = relationship()
    organization: Mapped[Organization] = relationship()
    contact: Mapped[Contact] = relationship()


class TargetEvent(Base):
    """The audit trail of a target: every state change, when, why and by whom."""

    __tablename__ = "target_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    from_state: Mapped[TargetState] = mapped_column(enum_column(TargetState))
    to_state: Mapped[TargetState] = mapped_column(enum_column(TargetState))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))


class SuggestedContact(Base):
    """Someone a reply suggested asking: never emailed until an organizer approves."""

    __tablename__ = "suggested_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    referred_by_target_id: Mapped[int | None] = mapped_column(ForeignKey("target.id"))
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_message.id"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="suggested")
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))


class SignOn(Base):
    """A recorded consent to sign, always with its evidence."""

    __tablename__ = "sign_on"
    __table_args__ = (Index("ix_sign_on_campaign", "campaign_id", "withdrawn_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("target.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    name_as_listed: Mapped[str] = mapped_column(String(300))
    sort_name: Mapped[str] = mapped_column(String(300))
    signer_type: Mapped[str] = mapped_column(String(20), default="organization")
    letter_version_id: Mapped[int] = mapped_column(ForeignKey("letter_version.id"))
    evidence_kind: Mapped[str] = mapped_column(String(20))
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_message.id"))
    quoted_text: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    classifier_version: Mapped[str | None] = mapped_column(String(30))
    # Who signed on the web form, as they typed it (None for replies, calls, decisions).
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signer_title: Mapped[str | None] = mapped_column(String(200))
    signed_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    # The withdrawal's own evidence: who decided, in which words, from which message.
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdrawal_quoted_text: Mapped[str | None] = mapped_column(Text)
    withdrawal_inbound_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_message.id"))

    target: Mapped[Target | None] = relationship()


class NoticeKind(enum.StrEnum):
    CHANGE = "change"  # the letter changed after they signed
    REISSUE = "reissue"  # the statement will be issued again with their name


class NoticeResponse(enum.StrEnum):
    WITHDRAWN = "withdrawn"
    RECONFIRMED = "reconfirmed"
    # A newer notice about the same sign-on replaced this one before it was answered.
    SUPERSEDED = "superseded"


class SignerNotice(Base):
    """A notice to one signer that gives them a say by a date: a change or a reissue.

    `about` names what it is about ("version:7", "reissue:3"): one notice per signer each.
    """

    __tablename__ = "signer_notice"
    __table_args__ = (UniqueConstraint("sign_on_id", "about"),
                      Index("ix_signer_notice_open", "sign_on_id", "response"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    sign_on_id: Mapped[int] = mapped_column(ForeignKey("sign_on.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    about: Mapped[str] = mapped_column(String(50))
    letter_version_id: Mapped[int] = mapped_column(ForeignKey("letter_version.id"))
    # The version they last stood behind: the change notice shows the diff from it.
    from_version_id: Mapped[int | None] = mapped_column(ForeignKey("letter_version.id"))
    reissue_id: Mapped[int | None] = mapped_column(ForeignKey("reissue.id"), index=True)
    # True: their name stays on only if they say yes again. False: it stays unless they object.
    requires_reconfirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    # This version answers a change they asked for: the notice tells them so.
    resolves_their_request: Mapped[bool] = mapped_column(Boolean, default=False)
    respond_by: Mapped[datetime]
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    created_at: Mapped[datetime]
    response: Mapped[NoticeResponse | None] = mapped_column(enum_column(NoticeResponse))
    responded_at: Mapped[datetime | None]
    responded_by: Mapped[str | None] = mapped_column(String(200))
    response_inbound_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_message.id"))
    # Set when a reissue is made: whether this signer is on the reissued list.
    included: Mapped[bool | None] = mapped_column(Boolean)


class Reissue(Base):
    """The statement issued again on a date, with the names of those who had the chance to
    opt out and did not."""

    __tablename__ = "reissue"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    letter_version_id: Mapped[int] = mapped_column(ForeignKey("letter_version.id"))
    reissue_on: Mapped[datetime]
    announced_at: Mapped[datetime]
    announced_by: Mapped[str] = mapped_column(String(200))
    # Set on the date: the list is fixed from then on.
    made_at: Mapped[datetime | None]
    signer_count: Mapped[int | None] = mapped_column(Integer)


class SignerMailing(Base):
    """One mailing to every signer: a periodic update, or the final letter on release day.

    The names it lists are fixed here once, so each signer's copy is composed from this row.
    """

    __tablename__ = "signer_mailing"
    __table_args__ = (UniqueConstraint("campaign_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "update" or "release"
    period: Mapped[str] = mapped_column(String(40))  # "2026-W50"; "release"
    letter_version_id: Mapped[int] = mapped_column(ForeignKey("letter_version.id"))
    signer_count: Mapped[int] = mapped_column(Integer)
    names: Mapped[list[str]] = mapped_column(default=list)  # newest, or everyone on release
    more_names: Mapped[int] = mapped_column(Integer, default=0)  # newest not listed
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class MailLetter(Base):
    """Which letter version a composed message linked: the version an answer to it refers to."""

    __tablename__ = "mail_letter"

    outbox_message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="CASCADE"), primary_key=True)
    letter_version_id: Mapped[int] = mapped_column(ForeignKey("letter_version.id"), index=True)


class PublicPage(Base):
    """The fingerprint of each campaign's public page as last built, shared by every daemon."""

    __tablename__ = "public_page"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"),
                                             primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime]
