"""Read-only questions the command line asks: what a campaign's reissues are, whose
signature an organization's name stands for, who is listed, what waits for review, what the
inbox held.

They live here rather than next to the tables they print so that the command line only
renders; each uses the domain's own definitions (`signons.listed` for who is listed).
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from outreach.campaign.models import Campaign, Reissue, SignOn, Target
from outreach.campaign.signons import active_sign_on, listed
from outreach.mail.models import InboundMessage, InboundStatus
from outreach.people.models import Organization
from outreach.people.organizations import listing_order, org_key
from outreach.review.models import ReviewItem, ReviewStatus


def reissues(session: Session, campaign: Campaign) -> list[Reissue]:
    """Every reissue of the campaign, announced or made, oldest first."""
    return list(session.scalars(select(Reissue).where(Reissue.campaign_id == campaign.id)
                                .order_by(Reissue.id)))


def target_of(session: Session, campaign: Campaign, organization: str) -> Target | None:
    """The campaign's target for the organization so named (case and spacing aside)."""
    return session.scalars(select(Target).join(Organization).where(
        Target.campaign_id == campaign.id,
        Organization.key == org_key(organization))).first()


def signature_of(session: Session, campaign: Campaign, organization: str) -> SignOn | None:
    """The organization's standing (not withdrawn) sign-on on the campaign, if any."""
    target = target_of(session, campaign, organization)
    return active_sign_on(session, target) if target is not None else None


def listed_sign_ons(session: Session) -> list[SignOn]:
    """The sign-ons listed now on every campaign (`signons.listed`), in the public page's
    order."""
    campaign_ids = list(session.scalars(select(Campaign.id)))
    if not campaign_ids:
        return []
    sign_ons = session.scalars(select(SignOn).where(or_(*(listed(cid) for cid in campaign_ids))))
    return sorted(sign_ons, key=lambda s: listing_order(s.sort_name, s.name_as_listed))


def review_queue(session: Session, slug: str | None = None
                 ) -> list[tuple[ReviewItem, Organization | None, Campaign | None]]:
    """The open review items (of one campaign, or all), each with its organization and
    campaign when it has them, oldest first."""
    query = (select(ReviewItem, Organization, Campaign)
             .outerjoin(Target, Target.id == ReviewItem.target_id)
             .outerjoin(Organization, Organization.id == Target.organization_id)
             .outerjoin(Campaign, Campaign.id == ReviewItem.campaign_id)
             .where(ReviewItem.status == ReviewStatus.OPEN).order_by(ReviewItem.id))
    if slug is not None:
        query = query.where(Campaign.slug == slug)
    return [(item, org, campaign) for item, org, campaign in session.execute(query)]


def inbound_outcomes(session: Session) -> list[tuple[InboundStatus, str | None, str | None, int]]:
    """What the inbox held: (status, kind, outcome, number of messages), by kind and outcome."""
    rows = session.execute(
        select(InboundMessage.status, InboundMessage.kind, InboundMessage.outcome, func.count())
        .group_by(InboundMessage.status, InboundMessage.kind, InboundMessage.outcome)
        .order_by(InboundMessage.kind, InboundMessage.outcome))
    return [(status, kind, outcome, count) for status, kind, outcome, count in rows]
