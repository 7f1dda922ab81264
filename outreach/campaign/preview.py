"""A campaign's mail before it goes out: any kind rendered for a sample target, to read
(`outreach preview`) or to send to an organizer marked as a test (`outreach send-test`).

The sample is a copy of a target, never stored: the organization named, else the first
one imported, else a made-up one. It stands as target 0 and contact 0, so the reply and
unsubscribe addresses in a test carry tokens that name no one: a reply to a test changes
no target (it goes to review, unmatched). Rendering writes nothing; a kind that needs
more than a target (a change notice's diff, a mailing's names) gets the same made-up
values `outreach check` renders it with.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign.config import CampaignConfig
from outreach.campaign.mailings import KINDS, build_target_mail
from outreach.campaign.models import Campaign, LetterVersion, Target
from outreach.campaign.queries import target_of
from outreach.errors import OutreachError
from outreach.mail.compose import mailbox, one_line
from outreach.mail.outbox import new_message_id
from outreach.people.models import Contact, Organization, Size
from outreach.people.organizations import org_key
from outreach.settings import Settings
from outreach.templating import TemplateProblem

TEST_HEADER = "X-Outreach-Test"
TEST_PREFIX = "[TEST] "
SAMPLE_ORGANIZATION = "Sample Organization"


def sample_target(session: Session, campaign: Campaign, organization: str | None) -> Target:
    """An unsaved copy of the target for `organization` (else of the campaign's first)."""
    if organization is not None:
        real = target_of(session, campaign, organization)
        if real is None:
            raise OutreachError(f"{organization!r} is not a target of {campaign.slug}")
    else:
        real = session.scalars(select(Target).where(Target.campaign_id == campaign.id)
                               .order_by(Target.id)).first()
    if real is None:
        org = Organization(id=0, key=org_key(SAMPLE_ORGANIZATION), name=SAMPLE_ORGANIZATION,
                           sort_name=SAMPLE_ORGANIZATION, size=Size.SMALL, tags=[])
        contact = Contact(id=0, name="Sam Sample", greeting_name="Sam",
                          email="sam@example.org", organization=org)
    else:
        was, person = real.organization, real.contact
        org = Organization(id=0, key=was.key, name=was.name, sort_name=was.sort_name,
                           size=was.size, engagement=was.engagement,
                           stakeholder_kind=was.stakeholder_kind, tags=list(was.tags))
        contact = Contact(id=0, name=person.name, greeting_name=person.greeting_name,
                          email=person.email, role=person.role, organization=org)
    return Target(id=0, campaign_id=campaign.id, organization=org, contact=contact)


def render_sample(settings: Settings, config: CampaignConfig, env: jinja2.Environment,
                  target: Target, version: LetterVersion, kind_name: str,
                  now: datetime) -> EmailMessage:
    """The `kind_name` message for the sample `target`, as it would be composed now."""
    kind = KINDS[kind_name]
    try:
        return build_target_mail(settings, config, env, target, version, kind,
                                 message_id=new_message_id(settings.sender.reply_domain),
                                 now=now, extra=kind.sample(version, now) if kind.sample
                                 else None)
    except TemplateProblem as exc:
        raise OutreachError(f"the {kind_name} mail does not render: {exc}") from None


def marked_as_test(msg: EmailMessage, *, to: str, kind_name: str,
                   campaign: str) -> EmailMessage:
    """`msg` addressed to `to` instead, with "[TEST]" before its subject and a header
    saying what it is a test of."""
    del msg["To"]
    msg["To"] = mailbox("", to)
    msg.replace_header("Subject", TEST_PREFIX + str(msg["Subject"]))
    msg[TEST_HEADER] = one_line(f"{kind_name}; campaign {campaign}; sent to no one asked")
    return msg
